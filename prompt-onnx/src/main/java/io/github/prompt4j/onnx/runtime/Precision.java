package io.github.prompt4j.onnx.runtime;

/**
 * The arithmetic of a model's forward passes. Gradient passes ({@code labelLossGradients}) always run in float32.
 */
public enum Precision {
    /** Float32 everywhere (fused contrib operators unless the directory was exported unfused). */
    FP32,
    /**
     * Int8 encoder matrix products: weights quantized once at export (symmetric, per output channel), activations
     * quantized at run time, per tensor (ONNX Runtime's {@code DynamicQuantizeMatMul}) or, for the feed-forward
     * output, per token ({@code MatMulIntegerToFloat}); embeddings, attention
     * softmax, LayerNorms and the MLM head stay float32. Faster on CPUs with int8 dot-product units (AVX-512 VNNI,
     * AVX-VNNI); scores differ from FP32 by the quantization error (see the README's accuracy table).
     */
    INT8
}
