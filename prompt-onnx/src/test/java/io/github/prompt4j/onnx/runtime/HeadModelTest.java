package io.github.prompt4j.onnx.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.HeadLossGradient;
import io.github.prompt4j.core.model.HeadLossRequest;
import io.github.prompt4j.core.model.LinearHead;
import io.github.prompt4j.core.model.MaskVectors;
import io.github.prompt4j.core.model.Prefix;
import io.github.prompt4j.core.model.PrefixHeadGradient;
import io.github.prompt4j.core.model.SoftInput;
import io.github.prompt4j.onnx.export.model.ModelDirectory;
import io.github.prompt4j.onnx.export.model.ModelExporterTest;
import io.github.prompt4j.onnx.export.testing.TinyBert;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link OnnxMaskedLanguageModel} as a {@link io.github.prompt4j.core.model.HeadTrainableModel} on an exported tiny
 * BERT, in padded batches: the head losses and states against the model's own forward states, the input-embedding and
 * prefix gradients against central differences of those forward passes, and the refusals.
 */
class HeadModelTest {

    private static Path root;
    private static ModelDirectory dir;

    @BeforeAll
    static void export() throws Exception {
        root = Files.createTempDirectory("prompt4j-head");
        dir = PrefixModelTest.exportTiny(TinyBert.random(TinyBert.DEFAULT_CONFIG, 29), root);
    }

    @AfterAll
    static void delete() throws IOException {
        ModelExporterTest.deleteTree(root);
    }

    private static OnnxMaskedLanguageModel open() {
        return PrefixModelTest.open(dir);
    }

    private static List<EncodedPrompt> prompts(OnnxMaskedLanguageModel model) {
        return PrefixModelTest.prompts(model);
    }

    private static LinearHead head(int hidden, long seed) {
        Random rnd = new Random(seed);
        float[] w = new float[3 * hidden];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (0.5 * rnd.nextGaussian());
        }
        return new LinearHead(3, hidden, w, new float[] {0.2f, -0.1f, 0f});
    }

    private static float[] vector(int hidden, long seed) {
        Random rnd = new Random(seed);
        float[] v = new float[hidden];
        for (int j = 0; j < hidden; j++) {
            v[j] = (float) (0.5 * rnd.nextGaussian());
        }
        return v;
    }

    private static double crossEntropy(LinearHead head, float[] state, int gold) {
        double[] z = head.logits(state);
        double max = java.util.Arrays.stream(z).max().orElseThrow();
        double sum = 0;
        for (double x : z) {
            sum += Math.exp(x - max);
        }
        return max + Math.log(sum) - z[gold];
    }

    @Test
    void headLossesStatesAndEmbeddingGradientsMatchTheForwardPass() {
        try (OnnxMaskedLanguageModel model = open()) {
            int h = model.info().hiddenSize();
            List<EncodedPrompt> prompts = prompts(model);
            LinearHead head = head(h, 3);
            List<HeadLossRequest> requests = new ArrayList<>();
            List<SoftInput> inputs = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                Map<Integer, float[]> soft = Map.of(1, vector(h, 10 + i));
                requests.add(new HeadLossRequest(prompts.get(i), i % 3, soft, new int[] {1}));
                inputs.add(new SoftInput(prompts.get(i), soft));
            }
            List<HeadLossGradient> out = model.headLossGradients(requests, head);
            MaskVectors states = model.softMaskHiddenStates(inputs);
            double eps = 1e-2;
            for (int i = 0; i < prompts.size(); i++) {
                float[] state = states.vector(i, 0);
                assertArrayEquals(state, out.get(i).state(), 1e-4f, "state of prompt " + i);
                assertEquals(crossEntropy(head, state, i % 3), out.get(i).loss(), 1e-4, "loss of prompt " + i);
                float[] d = vector(h, 50 + i);
                float[] plus = requests.get(i).softVectors().get(1).clone();
                float[] minus = plus.clone();
                for (int j = 0; j < h; j++) {
                    plus[j] += (float) (eps * d[j]);
                    minus[j] -= (float) (eps * d[j]);
                }
                EncodedPrompt p = prompts.get(i);
                MaskVectors moved = model.softMaskHiddenStates(List.of(new SoftInput(p, Map.of(1, plus)),
                        new SoftInput(p, Map.of(1, minus))));
                double fd = (crossEntropy(head, moved.vector(0, 0), i % 3)
                        - crossEntropy(head, moved.vector(1, 0), i % 3)) / (2 * eps);
                float[] g = out.get(i).gradient().gradient(0);
                double dot = IntStream.range(0, h).mapToDouble(j -> g[j] * d[j]).sum();
                assertEquals(fd, dot, 2e-3 * (1 + Math.abs(fd)), "directional derivative of prompt " + i);
            }
        }
    }

    @Test
    void theSummedPrefixGradientMatchesFiniteDifferencesOfThePrefixStates() {
        try (OnnxMaskedLanguageModel model = open()) {
            int h = model.info().hiddenSize();
            List<EncodedPrompt> prompts = prompts(model);
            LinearHead head = head(h, 4);
            List<HeadLossRequest> requests = IntStream.range(0, prompts.size())
                    .mapToObj(i -> HeadLossRequest.of(prompts.get(i), (i + 1) % 3)).toList();
            Prefix zero = model.zeroPrefix(2);
            Random rnd = new Random(7);
            float[] flat = new float[zero.size()];
            float[] d = new float[zero.size()];
            for (int i = 0; i < flat.length; i++) {
                flat[i] = (float) (0.5 * rnd.nextGaussian());
                d[i] = (float) rnd.nextGaussian();
            }
            Prefix prefix = zero.withFlat(flat);
            PrefixHeadGradient g = model.prefixHeadLossGradient(requests, head, prefix);
            List<SoftInput> inputs = prompts.stream().map(p -> new SoftInput(p, Map.of())).toList();
            MaskVectors states = model.prefixMaskHiddenStates(inputs, prefix);
            for (int i = 0; i < prompts.size(); i++) {
                assertArrayEquals(states.vector(i, 0), g.state(i), 1e-4f, "state of prompt " + i);
                assertEquals(crossEntropy(head, states.vector(i, 0), (i + 1) % 3), g.losses()[i], 1e-4);
            }
            double eps = 1e-2;
            double fd = (summedLoss(model, inputs, head, moved(prefix, flat, d, eps))
                    - summedLoss(model, inputs, head, moved(prefix, flat, d, -eps))) / (2 * eps);
            float[] analytic = g.prefix().flatten();
            double dot = IntStream.range(0, d.length).mapToDouble(i -> analytic[i] * d[i]).sum();
            assertEquals(fd, dot, 2e-3 * (1 + Math.abs(fd)));
            assertTrue(Math.abs(dot) > 1e-3, "the prefix moves the head loss");
        }
    }

    private static Prefix moved(Prefix prefix, float[] flat, float[] d, double eps) {
        float[] out = flat.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += (float) (eps * d[i]);
        }
        return prefix.withFlat(out);
    }

    private static double summedLoss(OnnxMaskedLanguageModel model, List<SoftInput> inputs, LinearHead head,
            Prefix prefix) {
        MaskVectors states = model.prefixMaskHiddenStates(inputs, prefix);
        double s = 0;
        for (int i = 0; i < inputs.size(); i++) {
            s += crossEntropy(head, states.vector(i, 0), (i + 1) % 3);
        }
        return s;
    }

    @Test
    void refusesAHeadOfAnotherSizeAGoldClassOutsideTheHeadAndAClosedModel() {
        OnnxMaskedLanguageModel model = open();
        int h = model.info().hiddenSize();
        List<HeadLossRequest> requests = List.of(HeadLossRequest.of(prompts(model).get(0), 0));
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> model.headLossGradients(requests, head(h + 1, 1)));
        assertTrue(size.getMessage().contains("hidden size"), size.getMessage());
        IllegalArgumentException gold = assertThrows(IllegalArgumentException.class, () -> model.headLossGradients(
                List.of(HeadLossRequest.of(prompts(model).get(0), 3)), head(h, 1)));
        assertTrue(gold.getMessage().contains("gold class 3"), gold.getMessage());
        Prefix prefix = model.zeroPrefix(1);
        model.close();
        assertThrows(IllegalStateException.class, () -> model.headLossGradients(requests, head(h, 1)));
        assertThrows(IllegalStateException.class, () -> model.prefixHeadLossGradient(requests, head(h, 1), prefix));
    }
}
