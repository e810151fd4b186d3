/**
 * Internal, no compatibility promise: the exported weight files (float32 and int8, external data shared by all
 * graphs) and the int8 quantization of the encoder's kernels.
 */
package io.github.prompt4j.onnx.internal.weights;
