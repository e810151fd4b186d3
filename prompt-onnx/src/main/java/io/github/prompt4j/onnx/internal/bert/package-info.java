/**
 * Internal, no compatibility promise: the BERT masked-LM graphs an export writes (standard, fused and int8 forward
 * graphs, the gradient graph, the int8 calibration graph).
 */
package io.github.prompt4j.onnx.internal.bert;
