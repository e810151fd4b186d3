package io.github.prompt4j.onnx.internal.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.github.prompt4j.core.model.LinearHead;
import io.github.prompt4j.onnx.export.checkpoint.BertConfig;
import io.github.prompt4j.onnx.export.checkpoint.BertParameters;
import io.github.prompt4j.onnx.export.testing.ReferenceBert;
import io.github.prompt4j.onnx.export.testing.TinyBert;
import io.github.prompt4j.onnx.internal.weights.WeightFile;
import io.github.prompt4j.onnx.internal.weights.WeightFileWriter;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prefix-tuning graphs of {@link TinyBert} through ONNX Runtime, against {@link ReferenceBert} in double precision
 * with the same prefixes (keys and values of {@code m} extra positions in every layer, attended to by every token):
 * forward logits, the loss, and the gradient with respect to the prefixes along random directions against central
 * differences of the reference loss. A prefix of length 0 must reproduce the embeddings forward graph.
 *
 * <p>Tolerances as {@link BertGraphsTest}: outputs {@code 1e-4 (1 + |ref|)}; gradient along a direction vs the
 * reference's central differences (eps 1e-4): {@code 1e-4 (1 + |analytic|)}.
 */
class PrefixGraphsTest {

    static final BertConfig CONFIG = TinyBert.DEFAULT_CONFIG;
    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    static final int BATCH = 2;
    static final int SEQ = 7;
    static final int PREFIX = 3;
    static final long[] IDS = {2, 17, 45, 99, 3, 64, 110, 2, 88, 31, 3, 0, 0, 0};
    static final long[] MASK = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0};
    static final long[] TYPES = {0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0};
    static final long[] POSITIONS = {5, 2};
    static final long[] GOLD = {7, 33, 0, 50, 3, 9};
    static final float[] GOLD_MASK = {1, 1, 0, 1, 0, 0};

    @TempDir
    static Path dir;
    static TinyBert tiny;
    static ReferenceBert reference;
    static OrtSession forwardPrefix;
    static OrtSession gradientPrefix;
    static OrtSession forwardEmbeds;
    static OrtSession gradientHead;
    static OrtSession gradientHeadPrefix;
    static final int CLASSES = 3;
    static final long[] GOLD_CLASSES = {2, 0};

    @BeforeAll
    static void export() throws Exception {
        tiny = TinyBert.random(CONFIG, 7);
        reference = tiny.reference();
        WeightFile weights;
        try (WeightFileWriter w = new WeightFileWriter(dir.resolve("weights.bin"))) {
            for (Map.Entry<String, long[]> e : BertParameters.shapes(CONFIG).entrySet()) {
                w.write(e.getKey(), e.getValue(), tiny.weight(e.getKey()));
            }
            weights = w.finish();
        }
        BertGraphs.writeTo(BertGraphs.forwardPrefix(CONFIG, weights), dir.resolve("forward_prefix.onnx"));
        BertGraphs.writeTo(BertGraphs.gradientPrefix(CONFIG, weights), dir.resolve("gradient_prefix.onnx"));
        BertGraphs.writeTo(BertGraphs.forwardEmbeds(CONFIG, weights), dir.resolve("forward_embeds.onnx"));
        BertGraphs.writeTo(BertGraphs.gradientHead(CONFIG, weights), dir.resolve("gradient_head.onnx"));
        BertGraphs.writeTo(BertGraphs.gradientHeadPrefix(CONFIG, weights), dir.resolve("gradient_head_prefix.onnx"));
        forwardPrefix = session("forward_prefix.onnx");
        gradientPrefix = session("gradient_prefix.onnx");
        forwardEmbeds = session("forward_embeds.onnx");
        gradientHead = session("gradient_head.onnx");
        gradientHeadPrefix = session("gradient_head_prefix.onnx");
    }

    private static OrtSession session(String file) throws OrtException {
        return ENV.createSession(dir.resolve(file).toString(), new OrtSession.SessionOptions());
    }

    @AfterAll
    static void close() throws OrtException {
        forwardPrefix.close();
        gradientPrefix.close();
        forwardEmbeds.close();
        gradientHead.close();
        gradientHeadPrefix.close();
    }

    @Test
    void forwardWithAPrefixMatchesTheReference() throws OrtException {
        float[] keys = prefix(PREFIX, 21);
        float[] values = prefix(PREFIX, 22);
        float[][][] logits = forward(forwardPrefix, embeds(), keys, values, PREFIX);
        for (int b = 0; b < BATCH; b++) {
            int position = (int) POSITIONS[b];
            double[] expected = referenceOutput(embeds(), b, keys, values, PREFIX, new double[0], 0).logits(position);
            assertClose(expected, logits[b][0], "row " + b);
        }
        // the prefix matters: without it the logits differ by far more than the tolerance
        double[] plain = reference.forwardEmbeds(words(embeds(), 0, new double[0], 0), row(TYPES, 0), row(MASK, 0))
                .logits((int) POSITIONS[0]);
        double moved = IntStream.range(0, plain.length).mapToDouble(i -> Math.abs(plain[i] - logits[0][0][i])).max()
                .orElseThrow();
        assertTrue(moved > 1e-2, "a random prefix moved the logits by only " + moved);
    }

    @Test
    void aZeroLengthPrefixIsTheEmbeddingsForwardGraph() throws OrtException {
        float[][][] withPrefix = forward(forwardPrefix, embeds(), new float[0], new float[0], 0);
        float[][][] plain = forward(forwardEmbeds, embeds(), null, null, 0);
        for (int b = 0; b < BATCH; b++) {
            for (int v = 0; v < CONFIG.vocabSize(); v++) {
                assertEquals(plain[b][0][v], withPrefix[b][0][v], 1e-5, "row " + b + " token " + v);
            }
        }
    }

    @Test
    void lossAndPrefixGradientMatchTheReference() throws OrtException {
        float[] embeds = embeds();
        float[] keys = prefix(PREFIX, 31);
        float[] values = prefix(PREFIX, 32);
        Gradient g = gradient(embeds, keys, values);
        double[] zero = new double[2 * keys.length];
        for (int b = 0; b < BATCH; b++) {
            assertClose(new double[] {referenceLoss(embeds, b, keys, values, zero, 0)}, new float[] {g.loss[b]},
                    "loss of row " + b);
        }
        float[] analytic = new float[2 * keys.length];
        System.arraycopy(g.keys, 0, analytic, 0, keys.length);
        System.arraycopy(g.values, 0, analytic, keys.length, values.length);
        Random rnd = new Random(41);
        double eps = 1e-4;
        for (int k = 0; k < 3; k++) {
            double[] d = new double[analytic.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = rnd.nextGaussian();
            }
            double plus = 0;
            double minus = 0;
            for (int b = 0; b < BATCH; b++) {
                plus += referenceLoss(embeds, b, keys, values, d, eps);
                minus += referenceLoss(embeds, b, keys, values, d, -eps);
            }
            double fd = (plus - minus) / (2 * eps);
            double dot = 0;
            for (int i = 0; i < d.length; i++) {
                dot += analytic[i] * d[i];
            }
            assertTrue(Math.abs(fd - dot) <= 1e-4 * (1 + Math.abs(dot)),
                    "direction " + k + ": analytic " + dot + " vs reference finite difference " + fd);
        }
        // every layer's prefix receives gradient (none is cut off from the loss)
        int per = PREFIX * CONFIG.hiddenSize();
        for (int l = 0; l < CONFIG.numLayers(); l++) {
            final int layer = l;
            assertTrue(IntStream.range(layer * per, layer * per + per).anyMatch(i -> g.keys[i] != 0),
                    "no key gradient in layer " + l);
            assertTrue(IntStream.range(layer * per, layer * per + per).anyMatch(i -> g.values[i] != 0),
                    "no value gradient in layer " + l);
        }
    }

    @Test
    void headLossStateAndEmbeddingGradientMatchTheReference() throws OrtException {
        float[] embeds = embeds();
        LinearHead head = head(51);
        Map<String, OnnxTensor> in = inputs(embeds, null, null, 0);
        float[] loss;
        float[] state;
        float[] grad;
        try (OrtSession.Result r = gradientHead.run(headInputs(in, head))) {
            loss = flat(r, BertGraphs.LOSS);
            state = flat(r, BertGraphs.HEAD_STATE);
            grad = flat(r, BertGraphs.INPUTS_EMBEDS_GRAD);
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
        checkHeadOutputs(embeds, null, null, head, loss, state, new double[0], 0);
        Random rnd = new Random(43);
        double eps = 1e-3;
        for (int k = 0; k < 3; k++) {
            double[] d = new double[embeds.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = rnd.nextGaussian();
            }
            float[] plus = embeds.clone();
            float[] minus = embeds.clone();
            double dot = 0;
            for (int i = 0; i < d.length; i++) {
                plus[i] += (float) (eps * d[i]);
                minus[i] -= (float) (eps * d[i]);
                dot += grad[i] * d[i];
            }
            double fd = 0;
            for (int b = 0; b < BATCH; b++) {
                fd += (referenceHeadLoss(plus, b, null, null, new double[0], 0, head, head.flatten())
                        - referenceHeadLoss(minus, b, null, null, new double[0], 0, head, head.flatten()))
                        / (2 * eps);
            }
            assertTrue(Math.abs(fd - dot) <= 2e-3 * (1 + Math.abs(dot)),
                    "direction " + k + ": analytic " + dot + " vs reference finite difference " + fd);
        }
    }

    @Test
    void headLossStateAndPrefixGradientMatchTheReference() throws OrtException {
        float[] embeds = embeds();
        float[] keys = prefix(PREFIX, 61);
        float[] values = prefix(PREFIX, 62);
        LinearHead head = head(63);
        Map<String, OnnxTensor> in = inputs(embeds, keys, values, PREFIX);
        float[] loss;
        float[] state;
        float[] analytic = new float[2 * keys.length];
        try (OrtSession.Result r = gradientHeadPrefix.run(headInputs(in, head))) {
            loss = flat(r, BertGraphs.LOSS);
            state = flat(r, BertGraphs.HEAD_STATE);
            System.arraycopy(flat(r, BertGraphs.PREFIX_KEYS_GRAD), 0, analytic, 0, keys.length);
            System.arraycopy(flat(r, BertGraphs.PREFIX_VALUES_GRAD), 0, analytic, keys.length, values.length);
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
        checkHeadOutputs(embeds, keys, values, head, loss, state, new double[0], 0);
        Random rnd = new Random(44);
        double eps = 1e-4;
        for (int k = 0; k < 3; k++) {
            double[] d = new double[analytic.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = rnd.nextGaussian();
            }
            double fd = 0;
            for (int b = 0; b < BATCH; b++) {
                fd += (referenceHeadLoss(embeds, b, keys, values, d, eps, head, head.flatten())
                        - referenceHeadLoss(embeds, b, keys, values, d, -eps, head, head.flatten())) / (2 * eps);
            }
            double dot = 0;
            for (int i = 0; i < d.length; i++) {
                dot += analytic[i] * d[i];
            }
            assertTrue(Math.abs(fd - dot) <= 1e-4 * (1 + Math.abs(dot)),
                    "direction " + k + ": analytic " + dot + " vs reference finite difference " + fd);
        }
    }

    /**
     * The graph's loss and state against the reference, and the head's own gradient ({@link LinearHead#lossGradient}
     * from the graph's state) against finite differences of the reference loss in the head's parameters.
     */
    private static void checkHeadOutputs(float[] embeds, float[] keys, float[] values, LinearHead head, float[] loss,
            float[] state, double[] d, double eps) {
        int h = CONFIG.hiddenSize();
        int m = keys == null ? 0 : PREFIX;
        for (int b = 0; b < BATCH; b++) {
            double[] t = referenceOutput(embeds, b, keys == null ? new float[0] : keys,
                    values == null ? new float[0] : values, m, d, eps).transformed((int) POSITIONS[b]);
            assertClose(t, Arrays.copyOfRange(state, b * h, (b + 1) * h), "state of row " + b);
            assertClose(new double[] {referenceHeadLoss(embeds, b, keys, values, d, eps, head, head.flatten())},
                    new float[] {loss[b]}, "head loss of row " + b);
        }
        float[] params = head.flatten();
        double[] analytic = new double[params.length];
        for (int b = 0; b < BATCH; b++) {
            double[] g = head.lossGradient(Arrays.copyOfRange(state, b * h, (b + 1) * h), (int) GOLD_CLASSES[b]);
            for (int i = 0; i < g.length; i++) {
                analytic[i] += g[i];
            }
        }
        double step = 1e-3;
        for (int i = 0; i < params.length; i += 7) {
            float[] plus = params.clone();
            float[] minus = params.clone();
            plus[i] += (float) step;
            minus[i] -= (float) step;
            double fd = 0;
            for (int b = 0; b < BATCH; b++) {
                fd += (referenceHeadLoss(embeds, b, keys, values, d, eps, head, plus)
                        - referenceHeadLoss(embeds, b, keys, values, d, eps, head, minus)) / (2 * step);
            }
            assertEquals(fd, analytic[i], 1e-3 * (1 + Math.abs(fd)), "head parameter " + i);
        }
    }

    /** {@code -log softmax(W t + b)[gold]} of row {@code b} by the reference, the head's parameters as given. */
    private static double referenceHeadLoss(float[] embeds, int b, float[] keys, float[] values, double[] d,
            double eps, LinearHead shape, float[] params) {
        int m = keys == null ? 0 : PREFIX;
        double[] t = referenceOutput(embeds, b, keys == null ? new float[0] : keys,
                values == null ? new float[0] : values, m, d, eps).transformed((int) POSITIONS[b]);
        int h = CONFIG.hiddenSize();
        double[] z = new double[shape.classes()];
        for (int c = 0; c < z.length; c++) {
            z[c] = params[shape.classes() * h + c];
            for (int j = 0; j < h; j++) {
                z[c] += params[c * h + j] * t[j];
            }
        }
        return ReferenceBert.logSumExp(z) - z[(int) GOLD_CLASSES[b]];
    }

    private static Map<String, OnnxTensor> headInputs(Map<String, OnnxTensor> in, LinearHead head)
            throws OrtException {
        in.put(BertGraphs.MASK_POSITIONS, longs(POSITIONS, BATCH));
        in.put(BertGraphs.GOLD_CLASS, longs(GOLD_CLASSES, BATCH));
        in.put(BertGraphs.HEAD_WEIGHT, OnnxTensor.createTensor(ENV, FloatBuffer.wrap(head.weights()),
                new long[] {head.classes(), head.hidden()}));
        in.put(BertGraphs.HEAD_BIAS, OnnxTensor.createTensor(ENV, FloatBuffer.wrap(head.bias()),
                new long[] {head.classes()}));
        return in;
    }

    /** A random head of {@link #CLASSES} classes, large enough that the classes' probabilities differ. */
    private static LinearHead head(long seed) {
        Random rnd = new Random(seed);
        int h = CONFIG.hiddenSize();
        float[] w = new float[CLASSES * h];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (0.5 * rnd.nextGaussian());
        }
        return new LinearHead(CLASSES, h, w, new float[] {0.1f, -0.2f, 0.05f});
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private record Gradient(float[] loss, float[] keys, float[] values) {
    }

    private static Gradient gradient(float[] embeds, float[] keys, float[] values) throws OrtException {
        Map<String, OnnxTensor> in = inputs(embeds, keys, values, PREFIX);
        in.put(BertGraphs.MASK_POSITIONS, longs(POSITIONS, BATCH));
        in.put(BertGraphs.GOLD_IDS, longs(GOLD, BATCH, 3));
        in.put(BertGraphs.GOLD_MASK, OnnxTensor.createTensor(ENV, FloatBuffer.wrap(GOLD_MASK), new long[] {BATCH, 3}));
        try (OrtSession.Result r = gradientPrefix.run(in)) {
            return new Gradient((float[]) r.get(BertGraphs.LOSS).orElseThrow().getValue(),
                    flat(r, BertGraphs.PREFIX_KEYS_GRAD), flat(r, BertGraphs.PREFIX_VALUES_GRAD));
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    private static float[] flat(OrtSession.Result r, String name) {
        FloatBuffer fb = ((OnnxTensor) r.get(name).orElseThrow()).getFloatBuffer();
        float[] out = new float[fb.remaining()];
        fb.get(out);
        return out;
    }

    private static float[][][] forward(OrtSession session, float[] embeds, float[] keys, float[] values, int m)
            throws OrtException {
        Map<String, OnnxTensor> in = inputs(embeds, keys, values, m);
        in.put(BertGraphs.MASK_POSITIONS, longs(POSITIONS, BATCH, 1));
        try (OrtSession.Result r = session.run(in, Set.of(BertGraphs.MASK_LOGITS))) {
            return (float[][][]) r.get(BertGraphs.MASK_LOGITS).orElseThrow().getValue();
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    private static Map<String, OnnxTensor> inputs(float[] embeds, float[] keys, float[] values, int m)
            throws OrtException {
        Map<String, OnnxTensor> in = new HashMap<>();
        in.put(BertGraphs.INPUTS_EMBEDS, OnnxTensor.createTensor(ENV, FloatBuffer.wrap(embeds),
                new long[] {BATCH, SEQ, CONFIG.hiddenSize()}));
        in.put(BertGraphs.ATTENTION_MASK, longs(MASK, BATCH, SEQ));
        in.put(BertGraphs.TOKEN_TYPE_IDS, longs(TYPES, BATCH, SEQ));
        if (keys != null) {
            long[] shape = {CONFIG.numLayers(), m, CONFIG.hiddenSize()};
            in.put(BertGraphs.PREFIX_KEYS, OnnxTensor.createTensor(ENV, FloatBuffer.wrap(keys), shape));
            in.put(BertGraphs.PREFIX_VALUES, OnnxTensor.createTensor(ENV, FloatBuffer.wrap(values), shape));
        }
        return in;
    }

    /** A random prefix {@code [layers, m, hidden]}, of the scale of the model's keys and values. */
    private static float[] prefix(int m, long seed) {
        Random rnd = new Random(seed);
        float[] p = new float[CONFIG.numLayers() * m * CONFIG.hiddenSize()];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (0.5 * rnd.nextGaussian());
        }
        return p;
    }

    /** Word embeddings of the ids plus a small perturbation, as in {@link BertGraphsTest}. */
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

    private static double[][] words(float[] embeds, int b, double[] d, double eps) {
        int h = CONFIG.hiddenSize();
        double[][] words = new double[SEQ][h];
        for (int t = 0; t < SEQ; t++) {
            for (int j = 0; j < h; j++) {
                words[t][j] = embeds[(b * SEQ + t) * h + j];
            }
        }
        return words;
    }

    /** The reference forward of row {@code b} with the prefixes moved by {@code eps * d} ({@code d}: keys, values). */
    private static ReferenceBert.Output referenceOutput(float[] embeds, int b, float[] keys, float[] values, int m,
            double[] d, double eps) {
        int h = CONFIG.hiddenSize();
        int layers = CONFIG.numLayers();
        double[][][] k = new double[layers][m][h];
        double[][][] v = new double[layers][m][h];
        for (int l = 0; l < layers; l++) {
            for (int p = 0; p < m; p++) {
                for (int j = 0; j < h; j++) {
                    int i = (l * m + p) * h + j;
                    k[l][p][j] = keys[i] + (d.length == 0 ? 0 : eps * d[i]);
                    v[l][p][j] = values[i] + (d.length == 0 ? 0 : eps * d[keys.length + i]);
                }
            }
        }
        return reference.forwardEmbeds(words(embeds, b, d, eps), row(TYPES, b), row(MASK, b), k, v);
    }

    private static double referenceLoss(float[] embeds, int b, float[] keys, float[] values, double[] d, double eps) {
        int[] gold = IntStream.range(b * 3, b * 3 + 3).filter(i -> GOLD_MASK[i] != 0).map(i -> (int) GOLD[i])
                .toArray();
        return referenceOutput(embeds, b, keys, values, PREFIX, d, eps).labelLoss((int) POSITIONS[b], gold);
    }

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
            assertTrue(Math.abs(expected[i] - actual[i]) <= tol, what + "[" + i + "]: expected " + expected[i]
                    + ", got " + actual[i]);
        }
    }
}
