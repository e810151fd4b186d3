/**
 * Internal, no compatibility promise: an ONNX graph builder with build-time shape inference, used by the exporter
 * and the differentiator. The operators it knows are the constants of
 * {@link io.github.prompt4j.onnx.internal.graph.Op}, shared by the builder, the shape inference and the gradient
 * rules. Public only so that the sibling internal packages can use it.
 */
package io.github.prompt4j.onnx.internal.graph;
