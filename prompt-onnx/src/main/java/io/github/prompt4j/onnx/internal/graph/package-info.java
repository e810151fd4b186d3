/**
 * Internal, no compatibility promise: an ONNX graph builder with build-time shape inference, used by the exporter
 * and the differentiator. Public only so that the sibling internal packages can use it.
 */
package io.github.prompt4j.onnx.internal.graph;
