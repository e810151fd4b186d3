package io.github.prompt4j.onnx.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.GradientRequest;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.core.model.Prefix;
import io.github.prompt4j.core.model.PrefixGradient;
import io.github.prompt4j.core.model.SoftInput;
import io.github.prompt4j.onnx.export.checkpoint.HuggingFaceBertCheckpoint;
import io.github.prompt4j.onnx.export.model.ModelDirectory;
import io.github.prompt4j.onnx.export.model.ModelExporter;
import io.github.prompt4j.onnx.export.model.ModelExporterTest;
import io.github.prompt4j.onnx.export.testing.ReferenceBert;
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
 * {@link OnnxMaskedLanguageModel} with prefix-tuning prefixes on an exported tiny BERT: batched and padded scoring
 * against the float64 {@link ReferenceBert} with the same prefixes, the summed prefix gradient against central
 * differences of the model's own prefix logits, and the refusals (wrong shape, closed model).
 */
class PrefixModelTest {

    private static Path root;
    private static TinyBert tiny;
    private static ModelDirectory dir;

    @BeforeAll
    static void export() throws Exception {
        root = Files.createTempDirectory("prompt4j-prefix");
        tiny = TinyBert.random(TinyBert.DEFAULT_CONFIG, 23);
        dir = exportTiny(tiny, root);
    }

    /** Exports a tiny BERT under {@code root} (also used by {@link HeadModelTest}). */
    static ModelDirectory exportTiny(TinyBert tiny, Path root) throws IOException {
        Path hf = tiny.writeHuggingFace(root.resolve("hf"));
        try (HuggingFaceBertCheckpoint c = HuggingFaceBertCheckpoint.fromDirectory(hf)) {
            return ModelExporter.export(c, "tiny", root.resolve("export"));
        }
    }

    @AfterAll
    static void delete() throws IOException {
        ModelExporterTest.deleteTree(root);
    }

    private static OnnxMaskedLanguageModel open() {
        return open(dir);
    }

    /** A CPU model over {@code dir} in batches of 2, so that the five {@link #prompts} run padded, in three batches. */
    static OnnxMaskedLanguageModel open(ModelDirectory dir) {
        return OnnxMaskedLanguageModel.builder().directory(dir.path()).device(Device.CPU).maxBatchSize(2).build();
    }

    /** Five one-mask prompts of different lengths. */
    static List<EncodedPrompt> prompts(OnnxMaskedLanguageModel model) {
        List<EncodedPrompt> out = new ArrayList<>();
        for (String text : List.of("the movie was [MASK] .", "a [MASK] story", "i liked the acting , it was [MASK] !",
                "[MASK] food", "this book is not good , the plot was boring and the music was [MASK] too .")) {
            int[] ids = model.tokenizer().frame(model.tokenizer().encode(text).ids());
            int mask = IntStream.range(0, ids.length).filter(i -> ids[i] == TinyBert.MASK).findFirst().orElseThrow();
            out.add(EncodedPrompt.of(ids, new int[] {mask}, new int[0]));
        }
        return out;
    }

    private static Prefix randomPrefix(OnnxMaskedLanguageModel model, int length, long seed) {
        Prefix zero = model.zeroPrefix(length);
        Random rnd = new Random(seed);
        float[] flat = new float[zero.size()];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = (float) (0.5 * rnd.nextGaussian());
        }
        return zero.withFlat(flat);
    }

    private static List<SoftInput> inputs(List<EncodedPrompt> prompts) {
        return prompts.stream().map(p -> new SoftInput(p, Map.of())).toList();
    }

    @Test
    void batchedPrefixLogitsMatchTheReference() {
        try (OnnxMaskedLanguageModel model = open()) {
            List<EncodedPrompt> prompts = prompts(model);
            Prefix prefix = randomPrefix(model, 3, 5);
            int[] ids = IntStream.range(0, model.info().vocabularySize()).toArray();
            MaskLogits logits = model.prefixMaskLogits(inputs(prompts), prefix, ids);
            ReferenceBert reference = tiny.reference();
            double[][][] keys = reshape(prefix.keys(), prefix);
            double[][][] values = reshape(prefix.values(), prefix);
            double worst = 0;
            for (int p = 0; p < prompts.size(); p++) {
                EncodedPrompt e = prompts.get(p);
                double[][] words = reference.wordEmbeddings(e.ids());
                double[] expected = reference.forwardEmbeds(words, e.tokenTypes(), e.attentionMask(), keys, values)
                        .logits(e.maskPositions()[0]);
                for (int v = 0; v < expected.length; v++) {
                    worst = Math.max(worst, Math.abs(expected[v] - logits.logit(p, 0, v)) / (1 + Math.abs(expected[v])));
                }
            }
            assertTrue(worst < 1e-4, "largest relative error " + worst);
        }
    }

    @Test
    void theSummedPrefixGradientMatchesFiniteDifferencesOfThePrefixLogits() {
        try (OnnxMaskedLanguageModel model = open()) {
            List<EncodedPrompt> prompts = prompts(model);
            int[][] gold = {{7, 9}, {11}, {13, 20}, {30}, {41}};
            List<GradientRequest> requests = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                requests.add(GradientRequest.of(prompts.get(i), gold[i], new int[0]));
            }
            Prefix prefix = randomPrefix(model, 2, 9);
            PrefixGradient g = model.prefixLabelLossGradient(requests, prefix);
            for (int i = 0; i < prompts.size(); i++) {
                assertEquals(loss(model, prompts.get(i), gold[i], prefix), g.losses()[i], 1e-4, "loss " + i);
            }
            float[] analytic = g.flatten();
            Random rnd = new Random(3);
            double eps = 1e-2;
            for (int k = 0; k < 3; k++) {
                float[] d = new float[analytic.length];
                float[] plus = prefix.flatten();
                float[] minus = prefix.flatten();
                double dot = 0;
                for (int i = 0; i < d.length; i++) {
                    d[i] = (float) rnd.nextGaussian();
                    plus[i] += (float) (eps * d[i]);
                    minus[i] -= (float) (eps * d[i]);
                    dot += analytic[i] * d[i];
                }
                double fd = (total(model, prompts, gold, prefix.withFlat(plus))
                        - total(model, prompts, gold, prefix.withFlat(minus))) / (2 * eps);
                assertTrue(Math.abs(fd - dot) <= 1e-2 * (1 + Math.abs(dot)),
                        "direction " + k + ": analytic " + dot + " vs finite difference " + fd);
            }
        }
    }

    @Test
    void theClassCrossEntropyAndItsPrefixGradientMatchFiniteDifferencesOfThePrefixLogits() {
        try (OnnxMaskedLanguageModel model = open()) {
            List<EncodedPrompt> prompts = prompts(model);
            int[] labels = {7, 9, 11, 13};
            int[][] gold = {{7, 9}, {11}, {13}, {7}, {9, 11}};
            List<GradientRequest> requests = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                requests.add(GradientRequest.of(prompts.get(i), gold[i], new int[0]));
            }
            Prefix prefix = randomPrefix(model, 2, 9);
            PrefixGradient g = model.prefixClassLossGradient(requests, prefix, labels);
            for (int i = 0; i < prompts.size(); i++) {
                assertEquals(classLoss(model, prompts.get(i), gold[i], labels, prefix), g.losses()[i], 1e-4,
                        "class loss " + i);
            }
            float[] analytic = g.flatten();
            Random rnd = new Random(5);
            double eps = 1e-2;
            for (int k = 0; k < 3; k++) {
                float[] plus = prefix.flatten();
                float[] minus = prefix.flatten();
                double dot = 0;
                for (int i = 0; i < plus.length; i++) {
                    float d = (float) rnd.nextGaussian();
                    plus[i] += (float) (eps * d);
                    minus[i] -= (float) (eps * d);
                    dot += analytic[i] * d;
                }
                double fd = 0;
                for (int i = 0; i < prompts.size(); i++) {
                    fd += (classLoss(model, prompts.get(i), gold[i], labels, prefix.withFlat(plus))
                            - classLoss(model, prompts.get(i), gold[i], labels, prefix.withFlat(minus))) / (2 * eps);
                }
                assertTrue(Math.abs(fd - dot) <= 1e-2 * (1 + Math.abs(dot)),
                        "direction " + k + ": analytic " + dot + " vs finite difference " + fd);
            }
            // without competitors the one graph gives the label likelihood, as before
            assertEquals(loss(model, prompts.get(0), gold[0], prefix),
                    model.prefixClassLossGradient(requests.subList(0, 1), prefix, new int[] {7, 9}).losses()[0], 1e-4);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.prefixClassLossGradient(requests, prefix, new int[] {7, 9}));
            assertTrue(e.getMessage().contains("gold id 11 of request 1 is not among the labelTokenIds"),
                    e.getMessage());
        }
    }

    /** {@code -log (sum_gold p / sum_labels p)} from the prefix forward graph's label-word logits. */
    private static double classLoss(OnnxMaskedLanguageModel model, EncodedPrompt p, int[] gold, int[] labels,
            Prefix prefix) {
        MaskLogits l = model.prefixMaskLogits(List.of(new SoftInput(p, Map.of())), prefix, labels);
        double num = 0;
        double den = 0;
        for (int j = 0; j < labels.length; j++) {
            double e = Math.exp(l.logit(0, 0, j));
            den += e;
            int id = labels[j];
            if (java.util.Arrays.stream(gold).anyMatch(x -> x == id)) {
                num += e;
            }
        }
        return -Math.log(num / den);
    }

    @Test
    void aPrefixOfAnotherShapeOrAClosedModelIsRefused() {
        OnnxMaskedLanguageModel model = open();
        List<SoftInput> in = inputs(prompts(model).subList(0, 1));
        Prefix wrong = Prefix.zeros(model.layerCount() + 1, 2, model.info().hiddenSize());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.prefixMaskLogits(in, wrong, new int[] {5}));
        assertTrue(e.getMessage().contains("needs " + model.layerCount() + " layers"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> model.prefixMaskLogits(in, model.zeroPrefix(0),
                new int[] {5}));
        Prefix ok = model.zeroPrefix(2);
        model.close();
        assertThrows(IllegalStateException.class, () -> model.prefixMaskLogits(in, ok, new int[] {5}));
        assertThrows(IllegalStateException.class, () -> model.prefixLabelLossGradient(
                List.of(GradientRequest.of(in.get(0).prompt(), new int[] {5}, new int[0])), ok));
    }

    /** {@code -log sum_gold p(gold)} from the prefix forward graph. */
    private static double loss(OnnxMaskedLanguageModel model, EncodedPrompt p, int[] gold, Prefix prefix) {
        MaskLogits l = model.prefixMaskLogits(List.of(new SoftInput(p, Map.of())), prefix, gold);
        double s = 0;
        for (int j = 0; j < gold.length; j++) {
            s += Math.exp(l.logProb(0, 0, j));
        }
        return -Math.log(s);
    }

    private static double total(OnnxMaskedLanguageModel model, List<EncodedPrompt> prompts, int[][] gold,
            Prefix prefix) {
        double t = 0;
        for (int i = 0; i < prompts.size(); i++) {
            t += loss(model, prompts.get(i), gold[i], prefix);
        }
        return t;
    }

    private static double[][][] reshape(float[] flat, Prefix p) {
        double[][][] out = new double[p.layers()][p.length()][p.hidden()];
        for (int l = 0; l < p.layers(); l++) {
            for (int i = 0; i < p.length(); i++) {
                for (int j = 0; j < p.hidden(); j++) {
                    out[l][i][j] = flat[(l * p.length() + i) * p.hidden() + j];
                }
            }
        }
        return out;
    }
}
