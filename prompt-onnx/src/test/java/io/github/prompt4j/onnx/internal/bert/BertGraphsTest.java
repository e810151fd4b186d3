package io.github.prompt4j.onnx.internal.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.github.prompt4j.onnx.export.checkpoint.BertConfig;
import io.github.prompt4j.onnx.export.checkpoint.BertParameters;
import io.github.prompt4j.onnx.internal.graph.Attr;
import io.github.prompt4j.onnx.internal.graph.Op;
import io.github.prompt4j.onnx.export.testing.ReferenceBert;
import io.github.prompt4j.onnx.export.testing.TinyBert;
import io.github.prompt4j.onnx.internal.weights.WeightFile;
import io.github.prompt4j.onnx.internal.weights.WeightFileWriter;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The BERT forward and gradient graphs of {@link TinyBert}, run through ONNX Runtime, against {@link ReferenceBert}
 * (double precision) and finite differences.
 *
 * <p>Tolerances (graphs run in float32): forward outputs {@code |ort - ref| <= 1e-4 + 1e-4 |ref|}; loss the same;
 * gradient along a direction vs double-precision central differences of the reference loss (eps 1e-4):
 * {@code 1e-4 (1 + |analytic|)} (observed below 1e-5 relative); vs float32 central differences of the ONNX
 * Runtime loss (eps 1e-2): {@code 1e-2 (1 + |analytic|)} (observed ~3e-3 relative, the O(eps^2) truncation).
 * Forward errors observed below {@code 1e-5 (1 + |ref|)}.
 */
class BertGraphsTest {

    static final BertConfig CONFIG = TinyBert.DEFAULT_CONFIG;
    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    static final int BATCH = 2;
    static final int SEQ = 7;
    static final long[] IDS = {2, 17, 45, 99, 3, 64, 110, 2, 88, 31, 3, 0, 0, 0};
    static final long[] MASK = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0};
    static final long[] TYPES = {0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0};
    static final long[] FORWARD_POSITIONS = {2, 5, 1, 0};
    static final long[] POSITIONS = {5, 2};
    static final long[] GOLD = {7, 33, 0, 50, 3, 9};
    static final float[] GOLD_MASK = {1, 1, 0, 1, 0, 0};

    @TempDir
    static Path dir;
    static TinyBert tiny;
    static ReferenceBert reference;
    static OnnxMl.ModelProto forwardModel;
    static OnnxMl.ModelProto gradientModel;
    static OrtSession forward;
    static OrtSession gradient;
    static WeightFile weights;

    @BeforeAll
    static void exportTinyBert() throws Exception {
        tiny = TinyBert.random(CONFIG, 7);
        reference = tiny.reference();
        try (WeightFileWriter w = new WeightFileWriter(dir.resolve("weights.bin"))) {
            for (Map.Entry<String, long[]> e : BertParameters.shapes(CONFIG).entrySet()) {
                w.write(e.getKey(), e.getValue(), tiny.weight(e.getKey()));
            }
            weights = w.finish();
        }
        forwardModel = BertGraphs.forward(CONFIG, weights);
        gradientModel = BertGraphs.gradient(CONFIG, weights);
        BertGraphs.writeTo(forwardModel, dir.resolve("forward.onnx"));
        BertGraphs.writeTo(gradientModel, dir.resolve("gradient.onnx"));
        forward = ENV.createSession(dir.resolve("forward.onnx").toString(), new OrtSession.SessionOptions());
        gradient = ENV.createSession(dir.resolve("gradient.onnx").toString(), new OrtSession.SessionOptions());
    }

    @AfterAll
    static void close() throws OrtException {
        forward.close();
        gradient.close();
    }

    @Test
    void forwardGraphMatchesTheReferenceOnPaddedBatch() throws OrtException {
        Map<String, OnnxTensor> in = new HashMap<>();
        in.put(BertGraphs.INPUT_IDS, longs(IDS, BATCH, SEQ));
        in.put(BertGraphs.ATTENTION_MASK, longs(MASK, BATCH, SEQ));
        in.put(BertGraphs.TOKEN_TYPE_IDS, longs(TYPES, BATCH, SEQ));
        in.put(BertGraphs.MASK_POSITIONS, longs(FORWARD_POSITIONS, BATCH, 2));
        try (OrtSession.Result r = forward.run(in)) {
            float[][][] logits = (float[][][]) r.get(BertGraphs.MASK_LOGITS).orElseThrow().getValue();
            float[][] lse = (float[][]) r.get(BertGraphs.MASK_LOG_NORMALIZER).orElseThrow().getValue();
            float[][][] hidden = (float[][][]) r.get(BertGraphs.MASK_HIDDEN).orElseThrow().getValue();
            float[][][] transformed = (float[][][]) r.get(BertGraphs.MASK_TRANSFORMED).orElseThrow().getValue();
            assertEquals(CONFIG.vocabSize(), logits[0][0].length);
            for (int b = 0; b < BATCH; b++) {
                ReferenceBert.Output out = reference.forward(row(IDS, b), row(TYPES, b), row(MASK, b));
                for (int m = 0; m < 2; m++) {
                    int position = (int) FORWARD_POSITIONS[b * 2 + m];
                    double[] lRef = out.logits(position);
                    String at = "row " + b + " mask " + m;
                    assertClose(out.hiddenState(position), hidden[b][m], at + " hidden");
                    assertClose(out.transformed(position), transformed[b][m], at + " transformed");
                    assertClose(lRef, logits[b][m], at + " logits");
                    assertClose(new double[] {ReferenceBert.logSumExp(lRef)}, new float[] {lse[b][m]}, at + " lse");
                }
            }
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    @Test
    void paddingDoesNotChangeTheScoresOfTheShortSequence() throws OrtException {
        // The second row alone, unpadded, must give the same scores as inside the padded batch.
        Map<String, OnnxTensor> in = new HashMap<>();
        in.put(BertGraphs.INPUT_IDS, longs(Arrays.copyOfRange(IDS, SEQ, SEQ + 4), 1, 4));
        in.put(BertGraphs.ATTENTION_MASK, longs(new long[] {1, 1, 1, 1}, 1, 4));
        in.put(BertGraphs.TOKEN_TYPE_IDS, longs(Arrays.copyOfRange(TYPES, SEQ, SEQ + 4), 1, 4));
        in.put(BertGraphs.MASK_POSITIONS, longs(new long[] {1}, 1, 1));
        try (OrtSession.Result r = forward.run(in, Set.of(BertGraphs.MASK_LOGITS))) {
            float[][][] logits = (float[][][]) r.get(BertGraphs.MASK_LOGITS).orElseThrow().getValue();
            assertClose(reference.forward(row(IDS, 1), row(TYPES, 1), row(MASK, 1)).logits(1), logits[0][0],
                    "unpadded logits");
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    @Test
    void gradientGraphLossMatchesTheReference() throws OrtException {
        float[] embeds = embeds();
        float[] loss = runGradient(embeds, true).loss;
        for (int b = 0; b < BATCH; b++) {
            assertClose(new double[] {referenceLoss(embeds, b, new double[embeds.length], 0)}, new float[] {loss[b]},
                    "loss of row " + b);
        }
    }

    @Test
    void embeddingGradientMatchesFiniteDifferencesOfTheReference() throws OrtException {
        float[] embeds = embeds();
        assertGradientAlongRandomDirections(runGradient(embeds, true).grad, new Random(11), 1e-4, 1e-4,
                "reference", (d, eps) -> {
                    double total = 0;
                    for (int b = 0; b < BATCH; b++) {
                        total += referenceLoss(embeds, b, d, eps);
                    }
                    return total;
                });
    }

    @Test
    void embeddingGradientMatchesFiniteDifferencesOfOrtLoss() throws OrtException {
        float[] embeds = embeds();
        assertGradientAlongRandomDirections(runGradient(embeds, true).grad, new Random(13), 1e-2, 1e-2,
                "ONNX Runtime", (d, eps) -> {
                    float[] moved = embeds.clone();
                    for (int i = 0; i < d.length; i++) {
                        moved[i] += (float) (eps * d[i]);
                    }
                    return sum(runGradient(moved, false).loss);
                });
    }

    @Test
    void gradientRowsAreIndependent() throws OrtException {
        // Changing example 1 must not change example 0's loss or gradient.
        float[] embeds = embeds();
        Outputs base = runGradient(embeds, true);
        float[] changed = embeds.clone();
        for (int i = SEQ * CONFIG.hiddenSize(); i < changed.length; i++) {
            changed[i] += 0.3f;
        }
        Outputs other = runGradient(changed, true);
        assertEquals(base.loss[0], other.loss[0], 1e-6);
        for (int i = 0; i < SEQ * CONFIG.hiddenSize(); i++) {
            assertEquals(base.grad[i], other.grad[i], 1e-6);
        }
    }

    @Test
    void graphsKeepTheHeadOnMaskRowsAndNeverTransposeTheEmbeddings() {
        for (OnnxMl.ModelProto m : List.of(forwardModel, gradientModel)) {
            for (OnnxMl.NodeProto n : m.getGraph().getNodeList()) {
                if (n.getInputList().contains(BertParameters.WORD_EMBEDDINGS)) {
                    boolean lookup = Op.GATHER.is(n);
                    boolean decoder = Op.GEMM.is(n) && Attr.intOf(n, "transB", 0) == 1;
                    boolean gradientOfDecoder = Op.GEMM.is(n) && Attr.intOf(n, "transB", 0) == 0;
                    assertTrue(lookup || decoder || gradientOfDecoder, "word embeddings read by " + n.getOpType());
                }
                assertFalse(Op.TRANSPOSE.is(n)
                        && n.getInputList().stream().anyMatch(i -> i.endsWith("kernel")
                        || i.equals(BertParameters.WORD_EMBEDDINGS)), "weights are never transposed at run time");
            }
            OnnxMl.NodeProto headDense = m.getGraph().getNodeList().stream()
                    .filter(n -> n.getInputList().contains(BertParameters.HEAD_TRANSFORM_KERNEL)).findFirst()
                    .orElseThrow();
            if (m == forwardModel) {
                assertEquals(Op.GATHER, Op.of(producer(m, headDense.getInput(0))),
                        "the head reads the gathered mask rows");
            } else {
                // the gradient graph's last layer already runs on the mask rows: its query product reads them
                assertEquals(Op.RESHAPE, Op.of(producer(m, headDense.getInput(0))));
                String lastQuery = BertParameters.layer(CONFIG.numLayers() - 1, BertParameters.QUERY_KERNEL);
                OnnxMl.NodeProto query = m.getGraph().getNodeList().stream()
                        .filter(n -> n.getInputList().contains(lastQuery)).findFirst().orElseThrow();
                OnnxMl.NodeProto rows = producer(m, query.getInput(0));
                assertEquals(Op.UNSQUEEZE, Op.of(rows));
                assertEquals(Op.GATHER, Op.of(producer(m, rows.getInput(0))),
                        "the last layer's queries are the gathered mask rows");
            }
            for (OnnxMl.TensorProto t : m.getGraph().getInitializerList()) {
                boolean parameter = BertParameters.shapes(CONFIG).containsKey(t.getName());
                assertEquals(parameter, t.getDataLocation() == OnnxMl.TensorProto.DataLocation.EXTERNAL, t.getName());
                assertTrue(!parameter || t.getExternalData(0).getValue().equals("weights.bin"), t.getName());
            }
        }
        int gradientNodes = Integer.parseInt(gradientModel.getMetadataPropsList().stream()
                .filter(e -> e.getKey().equals(BertGraphs.GRADIENT_NODE_COUNT)).findFirst().orElseThrow().getValue());
        assertTrue(gradientNodes > 0 && gradientNodes < gradientModel.getGraph().getNodeCount());
    }

    @Test
    void weightFileWithoutAParameterIsRejected() {
        Map<String, WeightFile.Entry> partial = new LinkedHashMap<>(weights.entries());
        partial.remove(BertParameters.HEAD_OUTPUT_BIAS);
        WeightFile missing = new WeightFile("weights.bin", partial);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BertGraphs.forward(CONFIG, missing));
        assertTrue(e.getMessage().contains(BertParameters.HEAD_OUTPUT_BIAS), e.getMessage());
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static OnnxMl.NodeProto producer(OnnxMl.ModelProto m, String value) {
        return m.getGraph().getNodeList().stream().filter(n -> n.getOutputList().contains(value)).findFirst()
                .orElseThrow(() -> new AssertionError("no node produces " + value));
    }

    private record Outputs(float[] loss, float[] grad) {
    }

    private static Outputs runGradient(float[] embeds, boolean withGrad) throws OrtException {
        Map<String, OnnxTensor> in = new HashMap<>();
        in.put(BertGraphs.INPUTS_EMBEDS, OnnxTensor.createTensor(ENV, FloatBuffer.wrap(embeds),
                new long[] {BATCH, SEQ, CONFIG.hiddenSize()}));
        in.put(BertGraphs.ATTENTION_MASK, longs(MASK, BATCH, SEQ));
        in.put(BertGraphs.TOKEN_TYPE_IDS, longs(TYPES, BATCH, SEQ));
        in.put(BertGraphs.MASK_POSITIONS, longs(POSITIONS, BATCH));
        in.put(BertGraphs.GOLD_IDS, longs(GOLD, BATCH, 3));
        in.put(BertGraphs.GOLD_MASK, OnnxTensor.createTensor(ENV, FloatBuffer.wrap(GOLD_MASK), new long[] {BATCH, 3}));
        Set<String> wanted = withGrad ? Set.of(BertGraphs.LOSS, BertGraphs.INPUTS_EMBEDS_GRAD)
                : Set.of(BertGraphs.LOSS);
        try (OrtSession.Result r = gradient.run(in, wanted)) {
            float[] loss = (float[]) r.get(BertGraphs.LOSS).orElseThrow().getValue();
            float[] grad = new float[0];
            if (withGrad) {
                FloatBuffer fb = ((OnnxTensor) r.get(BertGraphs.INPUTS_EMBEDS_GRAD).orElseThrow()).getFloatBuffer();
                grad = new float[fb.remaining()];
                fb.get(grad);
            }
            return new Outputs(loss, grad);
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    /** Word embeddings of the ids plus a small perturbation, as a soft prompt would be. */
    private static float[] embeds() {
        int h = CONFIG.hiddenSize();
        float[] we = tiny.weight(BertParameters.WORD_EMBEDDINGS);
        float[] out = new float[BATCH * SEQ * h];
        Random rnd = new Random(5);
        for (int t = 0; t < BATCH * SEQ; t++) {
            for (int j = 0; j < h; j++) {
                out[t * h + j] = we[(int) IDS[t] * h + j] + (float) (0.1 * rnd.nextGaussian());
            }
        }
        return out;
    }

    /** A loss as a function of a step {@code eps * d} away from the test embeddings. */
    private interface PerturbedLoss {
        double at(double[] d, double eps) throws OrtException;
    }

    /**
     * Compares {@code <grad, d>} with the central difference {@code (f(eps d) - f(-eps d)) / 2 eps} along three
     * Gaussian directions, requiring {@code |fd - analytic| <= tol (1 + |analytic|)}.
     */
    private static void assertGradientAlongRandomDirections(float[] grad, Random rnd, double eps, double tol,
            String against, PerturbedLoss loss) throws OrtException {
        for (int k = 0; k < 3; k++) {
            double[] d = new double[grad.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = rnd.nextGaussian();
            }
            double fd = (loss.at(d, eps) - loss.at(d, -eps)) / (2 * eps);
            double analytic = 0;
            for (int i = 0; i < grad.length; i++) {
                analytic += grad[i] * d[i];
            }
            assertTrue(Math.abs(fd - analytic) <= tol * (1 + Math.abs(analytic)),
                    "direction " + k + ": analytic " + analytic + " vs " + against + " finite difference " + fd);
        }
    }

    /**
     * The reference label loss of row {@code b} at {@code embeds + eps * d}: {@code -log sum_g softmax(logits)_g}
     * over the gold ids the gold mask keeps.
     */
    private static double referenceLoss(float[] embeds, int b, double[] d, double eps) {
        int h = CONFIG.hiddenSize();
        double[][] words = new double[SEQ][h];
        for (int t = 0; t < SEQ; t++) {
            for (int j = 0; j < h; j++) {
                int i = (b * SEQ + t) * h + j;
                words[t][j] = embeds[i] + eps * d[i];
            }
        }
        int[] gold = IntStream.range(b * 3, b * 3 + 3).filter(i -> GOLD_MASK[i] != 0).map(i -> (int) GOLD[i])
                .toArray();
        return reference.forwardEmbeds(words, row(TYPES, b), row(MASK, b)).labelLoss((int) POSITIONS[b], gold);
    }

    private static double sum(float[] a) {
        double s = 0;
        for (float v : a) {
            s += v;
        }
        return s;
    }

    /** Row {@code b} of a {@code [BATCH, n]} array, as the reference's ints. */
    private static int[] row(long[] flat, int b) {
        int n = flat.length / BATCH;
        return Arrays.stream(flat, b * n, b * n + n).mapToInt(Math::toIntExact).toArray();
    }

    private static OnnxTensor longs(long[] v, long... shape) throws OrtException {
        return OnnxTensor.createTensor(ENV, LongBuffer.wrap(v), shape);
    }

    private static void assertClose(double[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            double tol = 1e-4 + 1e-4 * Math.abs(expected[i]);
            assertTrue(Math.abs(expected[i] - actual[i]) <= tol,
                    what + "[" + i + "]: expected " + expected[i] + " but ONNX Runtime gave " + actual[i]);
        }
    }
}
