/**
 * Internal, no compatibility promise: reverse-mode differentiation of ONNX graphs (gradient rules per
 * {@link io.github.prompt4j.onnx.internal.graph.Op}; the differentiator sums broadcast gradients back to their inputs'
 * shapes), used to build the gradient graph of an exported model.
 */
package io.github.prompt4j.onnx.internal.autodiff;
