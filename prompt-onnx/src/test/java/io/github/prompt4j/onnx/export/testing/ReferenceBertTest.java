package io.github.prompt4j.onnx.export.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.onnx.export.checkpoint.BertConfig;
import io.github.prompt4j.onnx.export.checkpoint.BertParameters;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReferenceBertTest {

    private static final double TIGHT = 1e-12;

    /** Shared model: the reference is immutable, and building it is the slow part of these tests. */
    private static final TinyBert TINY = TinyBert.random(20240601L);
    private static final ReferenceBert TINY_REFERENCE = TINY.reference();

    @Test
    void geluIsXTimesTheStandardNormalCdf() {
        // Phi(1) = 0.8413447460685429, Phi(2) = 0.9772498680518208, Phi(-3) = 0.0013498980316301 (normal tables).
        assertEquals(0.0, ReferenceBert.gelu(0.0), TIGHT);
        assertEquals(0.8413447460685429, ReferenceBert.gelu(1.0), TIGHT);
        assertEquals(-(1 - 0.8413447460685429), ReferenceBert.gelu(-1.0), TIGHT);
        assertEquals(2 * 0.9772498680518208, ReferenceBert.gelu(2.0), TIGHT);
        assertEquals(-3 * 0.0013498980316301, ReferenceBert.gelu(-3.0), TIGHT);
    }

    @Test
    void layerNormUsesBiasedVarianceEpsilonGammaAndBeta() {
        double[] x = {1, 2, 3};
        // mean 2, biased variance 2/3: (x - 2) / sqrt(2/3) = [-sqrt(3/2), 0, sqrt(3/2)].
        double r = Math.sqrt(1.5);
        assertArrayEquals(new double[] {-r, 0, r},
                ReferenceBert.layerNorm(x, new double[] {1, 1, 1}, new double[] {0, 0, 0}, 0), TIGHT);
        assertArrayEquals(new double[] {-2 * r + 0.1, 0.2, 0.5 * r + 0.3},
                ReferenceBert.layerNorm(x, new double[] {2, 1, 0.5}, new double[] {0.1, 0.2, 0.3}, 0), TIGHT);
        // eps = 1 makes the denominator sqrt(2/3 + 1) = sqrt(5/3).
        double s = 1 / Math.sqrt(5.0 / 3);
        assertArrayEquals(new double[] {-s, 0, s},
                ReferenceBert.layerNorm(x, new double[] {1, 1, 1}, new double[] {0, 0, 0}, 1), TIGHT);
    }

    @Test
    void softmaxAndLogSumExpMatchHandValuesAndStayStable() {
        assertArrayEquals(new double[] {1.0 / 6, 2.0 / 6, 3.0 / 6},
                ReferenceBert.softmax(new double[] {0, Math.log(2), Math.log(3)}), TIGHT);
        assertEquals(Math.log(6), ReferenceBert.logSumExp(new double[] {0, Math.log(2), Math.log(3)}), TIGHT);
        assertEquals(1000 + Math.log(2), ReferenceBert.logSumExp(new double[] {1000, 1000}), TIGHT);
        assertArrayEquals(new double[] {0.5, 0.5, 0}, ReferenceBert.softmax(new double[] {800, 800,
            800 + ReferenceBert.MASKED_SCORE}), TIGHT);
    }

    @Test
    void denseMultipliesByAnInByOutKernelAndAddsTheBias() {
        // [1, 2] @ [[1, 2, 3], [4, 5, 6]] + [0.5, 0, -1] = [9.5, 12, 14]
        assertArrayEquals(new double[] {9.5, 12, 14}, ReferenceBert.dense(new double[] {1, 2},
                new double[] {1, 2, 3, 4, 5, 6}, new double[] {0.5, 0, -1}), TIGHT);
    }

    /**
     * A 2-wide model whose encoder is inert (all kernels and biases zero, LayerNorms identity) so every value can be
     * followed by hand: a 2-vector LayerNorm is {@code [1, -1]} or {@code [-1, 1]} by the sign of {@code x0 - x1}.
     */
    @Test
    void inertEncoderModelMatchesHandComputedHeadLogitsAndLoss() {
        ReferenceBert model = new ReferenceBert(HAND_CONFIG, handWeights(0));
        ReferenceBert.Output out = model.forward(new int[] {0, 1}, new int[] {0, 0});
        // word [1, 0] + pos [0, 0] -> [1, -1]; word [0, 1] + pos [0.5, 0] = [0.5, 1] -> [-1, 1].
        assertArrayEquals(new double[] {1, -1}, out.hiddenStates(0)[0], 1e-9);
        assertArrayEquals(new double[] {-1, 1}, out.hiddenStates(0)[1], 1e-9);
        assertArrayEquals(new double[] {1, -1}, out.hiddenState(0), 1e-9);
        assertArrayEquals(new double[] {-1, 1}, out.hiddenState(1), 1e-9);
        // Head: identity dense, gelu keeps the order, LayerNorm -> [1, -1], gamma [2, 3], beta [0.5, 0].
        assertArrayEquals(new double[] {2.5, -3}, out.transformed(0), 1e-9);
        assertArrayEquals(new double[] {-1.5, 3}, out.transformed(1), 1e-9);
        // logits = t . E^T + b with E = [[1, 0], [0, 1], [0.5, -0.5]], b = [0, 0.5, -0.25].
        assertArrayEquals(new double[] {2.5, -2.5, 2.5}, out.logits(0), 1e-9);
        assertArrayEquals(new double[] {-1.5, 3.5, -2.5}, out.logits(1), 1e-9);
        double[][] both = out.logits(new int[] {0, 1});
        assertArrayEquals(new double[] {2.5, -2.5, 2.5}, both[0], 1e-9);
        assertArrayEquals(new double[] {-1.5, 3.5, -2.5}, both[1], 1e-9);
        // -log(e^2.5 / (2 e^2.5 + e^-2.5)) = log(2 + e^-5), and so on.
        assertEquals(Math.log(2 + Math.exp(-5)), out.labelLoss(0, 0), 1e-9);
        assertEquals(Math.log(1 + Math.exp(-5) / 2), out.labelLoss(0, 0, 2), 1e-9);
        assertEquals(Math.log(2 * Math.exp(5) + 1), out.labelLoss(0, 1), 1e-9);
    }

    @Test
    void tokenTypeEmbeddingsAreAdded() {
        ReferenceBert model = new ReferenceBert(HAND_CONFIG, handWeights(0));
        // Type 1 adds [0, 3]: word [1, 0] + [0, 3] = [1, 3] -> [-1, 1].
        ReferenceBert.Output out = model.forward(new int[] {0, 1}, new int[] {1, 0});
        assertArrayEquals(new double[] {-1, 1}, out.hiddenStates(0)[0], 1e-9);
    }

    /**
     * With zero query/key kernels attention is uniform over the unmasked keys, so with value kernel 4I and output
     * kernel I the attention sublayer is {@code LayerNorm(x + 4 mean(x over unmasked keys))}.
     */
    @Test
    void uniformAttentionAveragesOnlyUnmaskedKeys() {
        ReferenceBert model = new ReferenceBert(HAND_CONFIG, handWeights(4));
        int[] ids = {1, 0, 0};
        int[] types = {0, 0, 0};
        // Embeddings: [-1, 1], [1, -1], [1, -1]; mean [1/3, -1/3]; x0 + 4 mean = [1/3, -1/3] -> [1, -1].
        ReferenceBert.Output all = model.forward(ids, types, new int[] {1, 1, 1});
        assertArrayEquals(new double[] {1, -1}, all.hiddenState(0), 1e-9);
        // Masking the last key: mean of [-1, 1] and [1, -1] is 0, so x0 stays [-1, 1].
        ReferenceBert.Output masked = model.forward(ids, types, new int[] {1, 1, 0});
        assertArrayEquals(new double[] {-1, 1}, masked.hiddenState(0), 1e-9);
        assertArrayEquals(new double[] {1, -1}, masked.hiddenState(1), 1e-9);
    }

    @Test
    void paddedPositionsWithMaskZeroLeaveRealPositionsUnchanged() {
        int[] ids = {TinyBert.CLS, TINY.tokenId("the"), TINY.tokenId("movie"), TinyBert.MASK, TINY.tokenId("."),
            TinyBert.SEP};
        int[] types = {0, 0, 0, 1, 1, 1};
        ReferenceBert.Output plain = TINY_REFERENCE.forward(ids, types);

        int[] paddedIds = Arrays.copyOf(ids, ids.length + 3);
        int[] paddedTypes = Arrays.copyOf(types, types.length + 3);
        int[] mask = {1, 1, 1, 1, 1, 1, 0, 0, 0};
        ReferenceBert.Output padded = TINY_REFERENCE.forward(paddedIds, paddedTypes, mask);

        for (int s = 0; s < ids.length; s++) {
            assertArrayEquals(plain.hiddenState(s), padded.hiddenState(s), TIGHT, "position " + s);
            assertArrayEquals(plain.logits(s), padded.logits(s), TIGHT, "position " + s);
        }
        // Without the mask the padding is attended to and changes the real positions.
        ReferenceBert.Output unmasked = TINY_REFERENCE.forward(paddedIds, paddedTypes);
        assertTrue(maxAbsDiff(plain.hiddenState(3), unmasked.hiddenState(3)) > 1e-3);
    }

    @Test
    void inputEmbedsOfTheLookupReproduceTheIdPath() {
        int[] ids = {TinyBert.CLS, TINY.tokenId("good"), TinyBert.MASK, TinyBert.SEP};
        int[] types = {0, 0, 0, 0};
        ReferenceBert.Output byIds = TINY_REFERENCE.forward(ids, types);
        ReferenceBert.Output byEmbeds = TINY_REFERENCE.forwardEmbeds(TINY_REFERENCE.wordEmbeddings(ids), types);
        assertArrayEquals(byIds.logits(2), byEmbeds.logits(2), 0.0);
        float[] table = TINY.weight(BertParameters.WORD_EMBEDDINGS);
        int h = TINY.config().hiddenSize();
        assertEquals(table[TINY.tokenId("good") * h + 5], TINY_REFERENCE.wordEmbeddings(ids)[1][5], 0.0);
    }

    @Test
    void labelLossIsPositiveAndHasAFiniteCentralDifferenceGradient() {
        int[] ids = {TinyBert.CLS, TINY.tokenId("it"), TINY.tokenId("was"), TinyBert.MASK, TINY.tokenId("."),
            TinyBert.SEP};
        int[] types = new int[ids.length];
        int[] gold = {TINY.tokenId("good"), TINY.tokenId("great")};
        double[][] embeds = TINY_REFERENCE.wordEmbeddings(ids);
        ReferenceBert.Output out = TINY_REFERENCE.forwardEmbeds(embeds, types);
        double loss = out.labelLoss(3, gold);
        assertTrue(loss > 0 && Double.isFinite(loss), "loss " + loss);
        // The loss is -log of the gold words' summed softmax probability.
        double[] p = ReferenceBert.softmax(out.logits(3));
        assertEquals(-Math.log(p[gold[0]] + p[gold[1]]), loss, TIGHT);

        double coarse = centralDifference(embeds, types, gold, 1, 5, 1e-4);
        double fine = centralDifference(embeds, types, gold, 1, 5, 1e-5);
        assertTrue(Double.isFinite(fine) && fine != 0, "gradient " + fine);
        // A smooth function: both step sizes agree up to the O(h^2) truncation error.
        assertEquals(coarse, fine, 1e-6 + 1e-4 * Math.abs(fine));
    }

    @Test
    void constructorNamesAMissingOrMisSizedParameter() {
        Map<String, float[]> weights = new HashMap<>(TINY.weights());
        weights.put(BertParameters.layer(1, BertParameters.KEY_BIAS), new float[3]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ReferenceBert(TINY.config(), weights));
        assertTrue(e.getMessage().contains("encoder.layer.1.attention.key.bias"), e.getMessage());
        weights.remove(BertParameters.HEAD_OUTPUT_BIAS);
        assertThrows(IllegalArgumentException.class, () -> new ReferenceBert(TINY.config(), weights));
    }

    @Test
    void goldIdsMustBeDistinct() {
        ReferenceBert.Output out = TINY_REFERENCE.forward(new int[] {TinyBert.CLS, TinyBert.MASK},
                new int[] {0, 0});
        assertThrows(IllegalArgumentException.class, () -> out.labelLoss(1, 7, 7));
        assertNotEquals(out.labelLoss(1, 7), out.labelLoss(1, 7, 8));
    }

    private static double centralDifference(double[][] embeds, int[] types, int[] gold, int position, int dim,
            double h) {
        double[][] plus = deepCopy(embeds);
        double[][] minus = deepCopy(embeds);
        plus[position][dim] += h;
        minus[position][dim] -= h;
        double lossPlus = TINY_REFERENCE.forwardEmbeds(plus, types).labelLoss(3, gold);
        double lossMinus = TINY_REFERENCE.forwardEmbeds(minus, types).labelLoss(3, gold);
        return (lossPlus - lossMinus) / (2 * h);
    }

    private static double[][] deepCopy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }

    private static double maxAbsDiff(double[] a, double[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    /** vocab 3, hidden 2, 1 layer, 1 head, intermediate 2, 4 positions, 2 types. */
    private static final BertConfig HAND_CONFIG = new BertConfig(3, 2, 1, 1, 2, 4, 2, 1e-12);

    /**
     * Hand-made weights: word embeddings [[1, 0], [0, 1], [0.5, -0.5]], position 1 adds [0.5, 0], type 1 adds
     * [0, 3], identity LayerNorms, an encoder whose only non-zero kernels are value = {@code valueScale} I and
     * attention output = I, head transform = I, head LayerNorm gamma [2, 3] beta [0.5, 0], output bias
     * [0, 0.5, -0.25].
     */
    private static Map<String, float[]> handWeights(float valueScale) {
        Map<String, float[]> w = new HashMap<>();
        BertParameters.shapes(HAND_CONFIG).forEach((name, shape) -> {
            int n = (int) Arrays.stream(shape).reduce(1L, (a, b) -> a * b);
            float[] values = new float[n];
            if (name.endsWith(".gamma")) {
                Arrays.fill(values, 1f);
            }
            w.put(name, values);
        });
        w.put(BertParameters.WORD_EMBEDDINGS, new float[] {1, 0, 0, 1, 0.5f, -0.5f});
        w.put(BertParameters.POSITION_EMBEDDINGS, new float[] {0, 0, 0.5f, 0, 0, 0, 0, 0});
        w.put(BertParameters.TOKEN_TYPE_EMBEDDINGS, new float[] {0, 0, 0, 3});
        w.put(BertParameters.layer(0, BertParameters.VALUE_KERNEL), new float[] {valueScale, 0, 0, valueScale});
        w.put(BertParameters.layer(0, BertParameters.ATTENTION_OUTPUT_KERNEL), new float[] {1, 0, 0, 1});
        w.put(BertParameters.HEAD_TRANSFORM_KERNEL, new float[] {1, 0, 0, 1});
        w.put(BertParameters.HEAD_LN_GAMMA, new float[] {2, 3});
        w.put(BertParameters.HEAD_LN_BETA, new float[] {0.5f, 0});
        w.put(BertParameters.HEAD_OUTPUT_BIAS, new float[] {0, 0.5f, -0.25f});
        return w;
    }
}
