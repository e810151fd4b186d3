/**
 * Internal, no compatibility promise: reverse-mode differentiation of ONNX graphs (gradient rules per operator), used
 * to build the gradient graph of an exported model.
 */
package io.github.prompt4j.onnx.internal.autodiff;
