package io.github.prompt4j.onnx.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.core.model.SoftInput;
import io.github.prompt4j.onnx.export.checkpoint.BertParameters;
import io.github.prompt4j.onnx.export.checkpoint.HuggingFaceBertCheckpoint;
import io.github.prompt4j.onnx.export.model.ModelDirectory;
import io.github.prompt4j.onnx.export.model.ModelExporter;
import io.github.prompt4j.onnx.export.model.ModelExporterTest;
import io.github.prompt4j.onnx.export.testing.ReferenceBert;
import io.github.prompt4j.onnx.export.testing.TinyBert;
import io.github.prompt4j.onnx.internal.graph.Op;
import io.github.prompt4j.onnx.internal.weights.Int8Weights;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The three forward engines of one tiny random BERT exported through the real path: the fused float32 graphs and the
 * unfused (standard-operator) ones against the float64 reference, and the int8 graphs against a reference that uses
 * the same int8 weights (dequantized), so that what remains is the run-time activation quantization.
 */
class EngineVariantsTest {

    private static final double FP32_TOL = 1e-4;

    private static Path root;
    private static TinyBert tiny;
    private static ModelDirectory fused;
    private static ModelDirectory unfused;

    @BeforeAll
    static void export() throws Exception {
        root = Files.createTempDirectory("prompt4j-engines");
        tiny = TinyBert.random(TinyBert.DEFAULT_CONFIG, 21);
        Path hf = tiny.writeHuggingFace(root.resolve("hf"));
        try (HuggingFaceBertCheckpoint c = HuggingFaceBertCheckpoint.fromDirectory(hf)) {
            fused = ModelExporter.export(c, "tiny", root.resolve("fused"));
            unfused = ModelExporter.export(c, "tiny", root.resolve("unfused"), ModelExporter.Fusion.UNFUSED);
        }
    }

    @AfterAll
    static void delete() throws IOException {
        ModelExporterTest.deleteTree(root);
    }

    private static OnnxMaskedLanguageModel open(ModelDirectory dir, Precision precision) {
        return OnnxMaskedLanguageModel.builder().directory(dir.path()).device(Device.CPU).precision(precision)
                .maxBatchSize(4).build();
    }

    private static List<EncodedPrompt> prompts(OnnxMaskedLanguageModel model) {
        List<EncodedPrompt> out = new ArrayList<>();
        for (String text : List.of("the movie was [MASK] .", "[MASK] food and [MASK] service",
                "i liked the acting , it was very [MASK] !", "a [MASK] story",
                "this book is not good , the plot was boring and the music was [MASK] too .")) {
            int[] ids = model.tokenizer().frame(model.tokenizer().encode(text).ids());
            List<Integer> masks = new ArrayList<>();
            for (int i = 0; i < ids.length; i++) {
                if (ids[i] == TinyBert.MASK) {
                    masks.add(i);
                }
            }
            out.add(EncodedPrompt.of(ids, masks.stream().mapToInt(Integer::intValue).toArray(), new int[0]));
        }
        return out;
    }

    /** Largest |graph - reference| over every logit of every mask. */
    private static double maxError(OnnxMaskedLanguageModel model, ReferenceBert reference) {
        List<EncodedPrompt> prompts = prompts(model);
        MaskLogits logits = model.maskLogits(prompts);
        double worst = 0;
        for (int p = 0; p < prompts.size(); p++) {
            EncodedPrompt e = prompts.get(p);
            ReferenceBert.Output out = reference.forward(e.ids(), e.tokenTypes());
            for (int m = 0; m < e.maskCount(); m++) {
                double[] expected = out.logits(e.maskPositions()[m]);
                for (int v = 0; v < expected.length; v++) {
                    worst = Math.max(worst, Math.abs(expected[v] - logits.logit(p, m, v)));
                }
            }
        }
        return worst;
    }

    private static Set<Op> contribOps(Path graph) throws IOException {
        try (InputStream in = Files.newInputStream(graph)) {
            Set<Op> ops = new HashSet<>();
            for (OnnxMl.NodeProto n : OnnxMl.ModelProto.parseFrom(in).getGraph().getNodeList()) {
                if ("com.microsoft".equals(n.getDomain())) {
                    ops.add(Op.of(n));
                }
            }
            return ops;
        }
    }

    @Test
    void fusedAndUnfusedFloatGraphsBothMatchTheReference() throws IOException {
        assertTrue(contribOps(fused.forwardGraph()).containsAll(Set.of(Op.ATTENTION, Op.MULTI_HEAD_ATTENTION,
                Op.SKIP_LAYER_NORMALIZATION, Op.BIAS_GELU)), contribOps(fused.forwardGraph()).toString());
        assertTrue(contribOps(fused.forwardEmbedsGraph()).contains(Op.SKIP_LAYER_NORMALIZATION));
        assertEquals(Set.of(), contribOps(unfused.forwardGraph()));
        assertEquals(Set.of(), contribOps(unfused.gradientGraph()));
        assertEquals(Set.of(), contribOps(fused.gradientGraph()), "the gradient graph keeps standard operators");
        assertTrue(fused.manifest().fused());
        assertFalse(unfused.manifest().fused());
        try (OnnxMaskedLanguageModel f = open(fused, Precision.FP32);
                OnnxMaskedLanguageModel u = open(unfused, Precision.FP32)) {
            assertTrue(maxError(f, tiny.reference()) < FP32_TOL);
            assertTrue(maxError(u, tiny.reference()) < FP32_TOL);
        }
    }

    @Test
    void int8GraphIsCloseToAReferenceWithTheSameInt8Weights() throws IOException {
        assertTrue(contribOps(fused.forwardInt8Graph()).containsAll(Set.of(Op.DYNAMIC_QUANTIZE_MAT_MUL,
                Op.MAT_MUL_INTEGER_TO_FLOAT)));
        int h = tiny.config().hiddenSize();
        int inner = tiny.config().intermediateSize();
        // The weights the int8 graph really multiplies by, read back from the exported file: q * scale per column,
        // divided per input row by the smoothing factor the graph applies to the activations.
        Map<String, float[]> effective = new HashMap<>(tiny.weights());
        for (int l = 0; l < tiny.config().numLayers(); l++) {
            float[] qkv = effective(Int8Weights.qkvKernel(l), Int8Weights.qkvScale(l), h, 3 * h);
            String[] parts = {BertParameters.QUERY_KERNEL, BertParameters.KEY_KERNEL, BertParameters.VALUE_KERNEL};
            for (int p = 0; p < 3; p++) {
                float[] w = new float[h * h];
                for (int i = 0; i < h; i++) {
                    System.arraycopy(qkv, i * 3 * h + p * h, w, i * h, h);
                }
                checkHalfStep(tiny.weight(BertParameters.layer(l, parts[p])), w, Int8Weights.qkvKernel(l),
                        Int8Weights.qkvScale(l), p * h, 3 * h);
                effective.put(BertParameters.layer(l, parts[p]), w);
            }
            effective.put(BertParameters.layer(l, BertParameters.ATTENTION_OUTPUT_KERNEL),
                    effective(Int8Weights.kernel(l, BertParameters.ATTENTION_OUTPUT_KERNEL),
                            Int8Weights.scale(l, BertParameters.ATTENTION_OUTPUT_KERNEL), h, h));
            effective.put(BertParameters.layer(l, BertParameters.INTERMEDIATE_KERNEL),
                    effective(Int8Weights.kernel(l, BertParameters.INTERMEDIATE_KERNEL),
                            Int8Weights.scale(l, BertParameters.INTERMEDIATE_KERNEL), h, inner));
            String out = Int8Weights.kernel(l, BertParameters.OUTPUT_KERNEL);
            float[] output = effective(out, Int8Weights.scale(l, BertParameters.OUTPUT_KERNEL), inner, h);
            checkHalfStep(tiny.weight(BertParameters.layer(l, BertParameters.OUTPUT_KERNEL)), output, out,
                    Int8Weights.scale(l, BertParameters.OUTPUT_KERNEL), 0, h);
            effective.put(BertParameters.layer(l, BertParameters.OUTPUT_KERNEL), output);
            // the feed-forward output is quantized per row after a shift of its input; the correction takes the
            // shift back out: -shift * column sums of the dequantized kernel
            float[] correction = floats(Int8Weights.shiftCorrection(out));
            for (int j = 0; j < h; j++) {
                double sum = 0;
                for (int i = 0; i < inner; i++) {
                    sum += output[i * h + j];
                }
                assertEquals(-Int8Weights.GELU_SHIFT * sum, correction[j], 1e-5, out + " correction [" + j + "]");
            }
        }
        ReferenceBert sameWeights = new ReferenceBert(tiny.config(), effective);
        try (OnnxMaskedLanguageModel int8 = open(fused, Precision.INT8);
                OnnxMaskedLanguageModel fp32 = open(fused, Precision.FP32)) {
            double weightError = maxError(fp32, sameWeights);
            double activationError = maxError(int8, sameWeights);
            // What remains is the activations' dynamic quantization (uint8 per tensor for 3 products per layer, per
            // row for the feed-forward output): small
            // next to the logits' spread (about 1) on this model; and the int8 weights really are in the graph.
            assertTrue(activationError < 0.05, "int8 vs same-weights reference: " + activationError);
            assertTrue(weightError > 1e-4, "the dequantized weights differ from the float ones: " + weightError);
        }
    }

    /** {@code q[i][j] * scale[j] / s_i} from the exported int8 file, row-major {@code [rows, cols]}. */
    private static float[] effective(String kernel, String scale, int rows, int cols) throws IOException {
        byte[] q = bytes(kernel);
        float[] scales = floats(scale);
        float[] smooth = smoothing(kernel, rows);
        float[] w = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                w[i * cols + j] = q[i * cols + j] * scales[j] * smooth[i];
            }
        }
        return w;
    }

    /** Every dequantized weight is within half a scale step (of the smoothed kernel) of the original. */
    private static void checkHalfStep(float[] original, float[] effective, String kernel, String scale, int col0,
            int cols) throws IOException {
        float[] scales = floats(scale);
        float[] smooth = smoothing(kernel, bytes(kernel).length / cols);
        int h = smooth.length;
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < original.length / h; j++) {
                double step = scales[col0 + j] * smooth[i];
                double err = Math.abs(effective[i * (original.length / h) + j] - original[i * (original.length / h)
                        + j]);
                assertTrue(err <= step / 2 * 1.001 + 1e-7, kernel + " [" + i + "," + j + "]: error " + err
                        + " > half step " + step / 2);
            }
        }
    }

    /** The kernel's smoothing factors {@code 1 / s_i}; all 1 for a kernel quantized without smoothing. */
    private static float[] smoothing(String kernel, int rows) throws IOException {
        if (fused.manifest().int8Weights().find(Int8Weights.smoothing(kernel)).isEmpty()) {
            float[] ones = new float[rows];
            java.util.Arrays.fill(ones, 1f);
            return ones;
        }
        return floats(Int8Weights.smoothing(kernel));
    }

    private static java.nio.ByteBuffer entry(String name) throws IOException {
        var e = fused.manifest().int8Weights().entry(name);
        try (var ch = java.nio.channels.FileChannel.open(fused.int8WeightsFile())) {
            return ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, e.offset(), e.length())
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        }
    }

    private static byte[] bytes(String name) throws IOException {
        var b = entry(name);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static float[] floats(String name) throws IOException {
        var b = entry(name).asFloatBuffer();
        float[] out = new float[b.remaining()];
        b.get(out);
        return out;
    }

    @Test
    void int8ModelTakesFloatGradientsAndSoftInputs() {
        try (OnnxMaskedLanguageModel int8 = open(fused, Precision.INT8);
                OnnxMaskedLanguageModel fp32 = open(fused, Precision.FP32)) {
            EncodedPrompt p = prompts(int8).get(0);
            int[] gold = {tiny.tokenId("good")};
            var g8 = int8.labelLossGradients(List.of(new io.github.prompt4j.core.model.GradientRequest(p, gold,
                    Map.of(), new int[] {1}))).get(0);
            var g32 = fp32.labelLossGradients(List.of(new io.github.prompt4j.core.model.GradientRequest(p, gold,
                    Map.of(), new int[] {1}))).get(0);
            assertEquals(g32.loss(), g8.loss(), 0.0, "gradients are float32 whatever the forward precision");
            float[] soft = new float[tiny.config().hiddenSize()];
            soft[0] = 0.5f;
            MaskLogits a = int8.softMaskLogits(List.of(new SoftInput(p, Map.of(1, soft))), gold);
            MaskLogits b = fp32.softMaskLogits(List.of(new SoftInput(p, Map.of(1, soft))), gold);
            assertEquals(b.logit(0, 0, 0), a.logit(0, 0, 0), 0.05);
        }
    }

    @Test
    void manyIdsAreReadFromTheDecoderAndEqualTheDotProducts() {
        try (OnnxMaskedLanguageModel model = open(fused, Precision.FP32)) {
            List<EncodedPrompt> prompts = prompts(model);
            int v = tiny.config().vocabSize();
            int[] many = new int[OnnxMaskedLanguageModel.DOT_PRODUCT_LIMIT + 7];
            for (int i = 0; i < many.length; i++) {
                many[i] = (i * 37) % v;
            }
            MaskLogits fast = model.maskLogits(prompts, many);
            for (int j = 0; j < many.length; j++) {
                MaskLogits one = model.maskLogits(prompts, new int[] {many[j]});
                for (int p = 0; p < prompts.size(); p++) {
                    for (int m = 0; m < prompts.get(p).maskCount(); m++) {
                        assertEquals(one.logit(p, m, 0), fast.logit(p, m, j), 1e-5);
                        assertEquals(one.logProb(p, m, 0), fast.logProb(p, m, j), 1e-5);
                    }
                }
            }
        }
    }

    @Test
    void closedInt8ModelRefusesWork() {
        OnnxMaskedLanguageModel int8 = open(fused, Precision.INT8);
        List<EncodedPrompt> prompts = prompts(int8);
        int8.close();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> int8.maskLogits(prompts, new int[] {5}));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> int8.maskLogits(prompts));
    }

    @Test
    void steadyCallsReuseOnePooledBufferSet() {
        try (OnnxMaskedLanguageModel model = open(fused, Precision.INT8)) {
            List<EncodedPrompt> prompts = prompts(model);
            for (int i = 0; i < 5; i++) {
                model.maskLogits(prompts, new int[] {5, 6});
            }
            assertEquals(1, model.pooledInputBuffers());
        }
    }
}
