package io.github.prompt4j.onnx.internal.weights;

import io.github.prompt4j.onnx.export.checkpoint.BertConfig;
import io.github.prompt4j.onnx.export.checkpoint.BertParameters;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Symmetric per-output-channel int8 quantization of the encoder's dense kernels, done once at export: for a kernel
 * {@code W [in, out]} each column {@code j} gets the scale {@code s_j = max_i |W_ij| / 127} and the values
 * {@code q_ij = clamp(round(W_ij / s_j), -127, 127)}, so {@code W_ij ~ q_ij * s_j} within {@code s_j / 2}. The zero
 * point is 0 (symmetric), which is what ONNX Runtime's {@code DynamicQuantizeMatMul} expects when none is given; the
 * activations are quantized at run time by that operator (uint8, per tensor).
 *
 * <p>Activation outliers: BERT's hidden states have a few input channels far larger than the rest, and one
 * per-tensor activation scale then crushes the other channels. With calibration maxima (the largest {@code |x_k|}
 * of each input channel, measured once at export on a few sentences), each product's input channel {@code k} is
 * divided by {@code s_k = sqrt(max|x_k| / max_j |W_kj|)} and the kernel's row {@code k} multiplied by it before
 * quantization (SmoothQuant, Xiao et al. 2023, with alpha = 0.5): the same product in exact arithmetic, with the
 * outliers' range moved into the per-column weight scales. The graph multiplies the input by {@code 1 / s_k}
 * ({@link #smoothing}) before the int8 product.
 *
 * <p>The quantized file holds per layer the fused query/key/value kernel {@code [H, 3H]} (columns: query, then key,
 * then value) with its scales {@code [3H]} and fused float32 bias {@code [3H]}, and the attention-output and
 * intermediate kernels with their scales, each with its smoothing factors; their biases stay in the float32 file.
 * The feed-forward output kernel {@code [4H, H]} is quantized too, without smoothing, with its scales and a shift
 * correction ({@link #shiftCorrection}): its input, the GELU output, is quantized per row (token) at run time, not
 * per tensor. Measured on the golden fill-mask cases of bert-base-uncased, one activation scale per tensor for this
 * product moved logits by up to 4.8 and changed 3 of 13 top-1 words (with smoothing, without it, and with 32 or 512
 * outlier channels kept in float32: 4.2 to 7.7 and 5 to 10 changed words): a few tokens carry GELU outputs far above
 * the rest; one scale per row moves them by at most 0.39 and changes none. The embeddings and the MLM head are not
 * quantized. Names: {@link #qkvKernel}, {@link #qkvScale}, {@link #qkvBias},
 * {@link #kernel}, {@link #scale}.
 *
 * <p>Stateless and thread-safe.
 */
public final class Int8Weights {

    /** Largest magnitude of a quantized value (symmetric range, -128 unused). */
    public static final int LEVELS = 127;
    /** SmoothQuant's migration strength: how much of an input channel's range moves into the weights. */
    public static final double ALPHA = 0.5;

    private Int8Weights() {
    }

    /**
     * A quantized kernel: values {@code [rows, cols]} row-major and one scale per column.
     *
     * @param values int8 values, row-major
     * @param scales per-column scales, length {@code cols}
     */
    public record Quantized(byte[] values, float[] scales) {
    }

    /**
     * Quantizes a row-major {@code [rows, cols]} kernel per column. A column of zeros gets scale 1 and zero values.
     *
     * @throws IllegalArgumentException when {@code kernel.length != rows * cols} or a value is not finite
     */
    public static Quantized perColumn(float[] kernel, int rows, int cols) {
        if ((long) rows * cols != kernel.length) {
            throw new IllegalArgumentException("kernel has " + kernel.length + " values, not " + rows + " x " + cols);
        }
        float[] scales = new float[cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                float w = kernel[i * cols + j];
                if (!Float.isFinite(w)) {
                    throw new IllegalArgumentException("kernel value at [" + i + ", " + j + "] is " + w
                            + "; cannot quantize a non-finite weight");
                }
                scales[j] = Math.max(scales[j], Math.abs(w));
            }
        }
        for (int j = 0; j < cols; j++) {
            scales[j] = scales[j] == 0f ? 1f : scales[j] / LEVELS;
        }
        byte[] q = new byte[kernel.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                long r = Math.round(kernel[i * cols + j] / scales[j]);
                q[i * cols + j] = (byte) Math.max(-LEVELS, Math.min(LEVELS, r));
            }
        }
        return new Quantized(q, scales);
    }

    /** Name of layer {@code l}'s fused query/key/value int8 kernel {@code [H, 3H]}. */
    public static String qkvKernel(int l) {
        return BertParameters.layer(l, "attention.qkv.kernel.int8");
    }

    /** Name of layer {@code l}'s fused query/key/value scales {@code [3H]}. */
    public static String qkvScale(int l) {
        return BertParameters.layer(l, "attention.qkv.kernel.scale");
    }

    /** Name of layer {@code l}'s fused query/key/value float32 bias {@code [3H]}. */
    public static String qkvBias(int l) {
        return BertParameters.layer(l, "attention.qkv.bias");
    }

    /** Name of the factors {@code 1 / s_k} {@code [in]} that the input of the int8 kernel {@code kernelName} is multiplied by. */
    public static String smoothing(String kernelName) {
        return kernelName + ".smooth";
    }

    /**
     * Smoothing factors {@code s_k} for a row-major {@code [rows, cols]} kernel from its input channels' maxima
     * ({@code rows} values): {@code sqrt(activationMax_k / max_j |W_kj|)}, 1 where either is 0, clamped to
     * {@code [1e-3, 1e3]}.
     */
    public static float[] smoothingFactors(float[] activationMax, float[] kernel, int rows, int cols) {
        if (activationMax.length != rows) {
            throw new IllegalArgumentException("activation maxima have " + activationMax.length
                    + " channels but the kernel has " + rows + " input rows");
        }
        float[] s = new float[rows];
        for (int i = 0; i < rows; i++) {
            float w = 0;
            for (int j = 0; j < cols; j++) {
                w = Math.max(w, Math.abs(kernel[i * cols + j]));
            }
            double a = activationMax[i];
            double f = a > 0 && w > 0 && Double.isFinite(a) ? Math.pow(a, ALPHA) / Math.pow(w, 1 - ALPHA) : 1;
            s[i] = (float) Math.max(1e-3, Math.min(1e3, f));
        }
        return s;
    }

    /** Whether the int8 graphs quantize the encoder kernel with this {@link BertParameters} suffix. */
    public static boolean quantizes(String kernelSuffix) {
        return kernelSuffix.equals(BertParameters.ATTENTION_OUTPUT_KERNEL)
                || kernelSuffix.equals(BertParameters.INTERMEDIATE_KERNEL)
                || kernelSuffix.equals(BertParameters.OUTPUT_KERNEL);
    }

    /**
     * Added to the feed-forward output product's input (a GELU output, whose minimum is -0.16997) before its per-row
     * uint8 quantization, so every value is non-negative; {@link #shiftCorrection} takes it back out.
     */
    public static final float GELU_SHIFT = 0.17f;

    /** Name of the correction {@code [out]} that removes the shift's contribution from the product. */
    public static String shiftCorrection(String kernelName) {
        return kernelName + ".shift_correction";
    }

    /** Name of the int8 version of layer {@code l}'s kernel {@code suffix} (a {@link BertParameters} suffix). */
    public static String kernel(int l, String suffix) {
        return BertParameters.layer(l, suffix + ".int8");
    }

    /** Name of the scales of layer {@code l}'s kernel {@code suffix}. */
    public static String scale(int l, String suffix) {
        return BertParameters.layer(l, suffix + ".scale");
    }

    /**
     * Writes the quantized encoder weights of the float32 weights file {@code fp32} (in directory {@code dir}) to
     * {@code target}, smoothed where {@code activationMax} has the product's input maxima (keyed by the int8 kernel's
     * name, as {@code BertGraphs.calibration} outputs them; an empty map quantizes without smoothing).
     *
     * @return the index of the written file
     */
    public static WeightFile write(BertConfig config, Path dir, WeightFile fp32, Path target,
            Map<String, float[]> activationMax) throws IOException {
        int h = config.hiddenSize();
        int inner = config.intermediateSize();
        try (FileChannel ch = FileChannel.open(dir.resolve(fp32.fileName()), StandardOpenOption.READ);
                WeightFileWriter out = new WeightFileWriter(target)) {
            for (int l = 0; l < config.numLayers(); l++) {
                float[] qkv = new float[h * 3 * h];
                float[] bias = new float[3 * h];
                String[][] parts = {{BertParameters.QUERY_KERNEL, BertParameters.QUERY_BIAS},
                        {BertParameters.KEY_KERNEL, BertParameters.KEY_BIAS},
                        {BertParameters.VALUE_KERNEL, BertParameters.VALUE_BIAS}};
                for (int p = 0; p < 3; p++) {
                    float[] w = read(ch, fp32, BertParameters.layer(l, parts[p][0]));
                    for (int i = 0; i < h; i++) {
                        System.arraycopy(w, i * h, qkv, i * 3 * h + p * h, h);
                    }
                    System.arraycopy(read(ch, fp32, BertParameters.layer(l, parts[p][1])), 0, bias, p * h, h);
                }
                smoothInto(out, activationMax.get(qkvKernel(l)), qkvKernel(l), qkv, h, 3 * h);
                Quantized q = perColumn(qkv, h, 3 * h);
                out.writeInt8(qkvKernel(l), new long[] {h, 3L * h}, q.values());
                out.write(qkvScale(l), new long[] {3L * h}, q.scales());
                out.write(qkvBias(l), new long[] {3L * h}, bias);
                writeKernel(out, ch, fp32, l, BertParameters.ATTENTION_OUTPUT_KERNEL, h, h, activationMax);
                writeKernel(out, ch, fp32, l, BertParameters.INTERMEDIATE_KERNEL, h, inner, activationMax);
                writeKernel(out, ch, fp32, l, BertParameters.OUTPUT_KERNEL, inner, h, activationMax);
            }
            return out.finish();
        }
    }

    private static void writeKernel(WeightFileWriter out, FileChannel ch, WeightFile fp32, int l, String suffix,
            int rows, int cols, Map<String, float[]> activationMax) throws IOException {
        float[] w = read(ch, fp32, BertParameters.layer(l, suffix));
        if (suffix.equals(BertParameters.OUTPUT_KERNEL)) {
            // quantized per row at run time (perRow): no smoothing
            Quantized q = perColumn(w, rows, cols);
            out.writeInt8(kernel(l, suffix), new long[] {rows, cols}, q.values());
            out.write(scale(l, suffix), new long[] {cols}, q.scales());
            out.write(shiftCorrection(kernel(l, suffix)), new long[] {cols}, shiftCorrection(q, rows, cols));
            return;
        }
        smoothInto(out, activationMax.get(kernel(l, suffix)), kernel(l, suffix), w, rows, cols);
        Quantized q = perColumn(w, rows, cols);
        out.writeInt8(kernel(l, suffix), new long[] {rows, cols}, q.values());
        out.write(scale(l, suffix), new long[] {cols}, q.scales());
    }

    /** Scales the kernel's rows by the smoothing factors in place and writes their inverses; no-op without maxima. */
    private static void smoothInto(WeightFileWriter out, float[] activationMax, String kernelName, float[] w, int rows,
            int cols) throws IOException {
        if (activationMax == null) {
            return;
        }
        float[] s = smoothingFactors(activationMax, w, rows, cols);
        float[] inverse = new float[rows];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                w[i * cols + j] *= s[i];
            }
            inverse[i] = 1f / s[i];
        }
        out.write(smoothing(kernelName), new long[] {rows}, inverse);
    }

    /**
     * {@code -GELU_SHIFT * sum_i q_ij * scale_j} for each column {@code j}: what the shift of a per-row quantized
     * input adds to the product, so that adding this removes it exactly (for the dequantized kernel).
     */
    static float[] shiftCorrection(Quantized q, int rows, int cols) {
        float[] correction = new float[cols];
        for (int j = 0; j < cols; j++) {
            long sum = 0;
            for (int i = 0; i < rows; i++) {
                sum += q.values()[i * cols + j];
            }
            correction[j] = (float) (-GELU_SHIFT * sum * (double) q.scales()[j]);
        }
        return correction;
    }

    private static float[] read(FileChannel ch, WeightFile file, String name) throws IOException {
        WeightFile.Entry e = file.entry(name);
        FloatBuffer fb = ch.map(FileChannel.MapMode.READ_ONLY, e.offset(), e.length())
                .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] out = new float[(int) e.elementCount()];
        fb.get(out);
        return out;
    }
}
