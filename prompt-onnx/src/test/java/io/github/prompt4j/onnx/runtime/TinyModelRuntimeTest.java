package io.github.prompt4j.onnx.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.GradientRequest;
import io.github.prompt4j.core.model.LabelLossGradient;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.core.model.MaskVectors;
import io.github.prompt4j.onnx.export.checkpoint.HuggingFaceBertCheckpoint;
import io.github.prompt4j.onnx.export.model.ModelDirectory;
import io.github.prompt4j.onnx.export.model.ModelExporter;
import io.github.prompt4j.onnx.export.testing.ReferenceBert;
import io.github.prompt4j.onnx.export.testing.TinyBert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A tiny random BERT written as a HuggingFace checkpoint, exported through the real path (reader, weights file,
 * forward and gradient graphs, tokenizer, manifest) and run on ONNX Runtime, against the double-precision Java
 * reference ({@link ReferenceBert}) and central finite differences of it.
 *
 * <p>Tolerances: float32 graph vs float64 reference, 1e-4 absolute on logits/states of magnitude ~1-10; gradients
 * 2e-3 relative to the largest component.
 */
class TinyModelRuntimeTest {

    private static final double TOL = 1e-4;

    private static Path root;
    private static TinyBert tiny;
    private static ReferenceBert reference;
    private static OnnxMaskedLanguageModel model;

    @BeforeAll
    static void export() throws Exception {
        root = Files.createTempDirectory("prompt4j-tiny");
        tiny = TinyBert.random(7);
        reference = tiny.reference();
        Path hf = tiny.writeHuggingFace(root.resolve("hf"));
        try (HuggingFaceBertCheckpoint checkpoint = HuggingFaceBertCheckpoint.fromDirectory(hf)) {
            ModelExporter.export(checkpoint, "tiny-bert", root.resolve("export"));
        }
        model = OnnxMaskedLanguageModel.builder().directory(root.resolve("export")).device(Device.CPU)
                .maxBatchSize(3).build();
    }

    @AfterAll
    static void close() throws Exception {
        model.close();
        io.github.prompt4j.onnx.export.model.ModelExporterTest.deleteTree(root);
    }

    private static EncodedPrompt prompt(String text) {
        int[] ids = model.tokenizer().frame(model.tokenizer().encode(text).ids());
        List<Integer> masks = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == TinyBert.MASK) {
                masks.add(i);
            }
        }
        return EncodedPrompt.of(ids, masks.stream().mapToInt(Integer::intValue).toArray(), new int[0]);
    }

    private static List<EncodedPrompt> prompts() {
        return List.of(prompt("the movie was [MASK] ."), prompt("i liked the acting , it was very [MASK] !"),
                prompt("[MASK] food and [MASK] service"), prompt("a [MASK] story"),
                prompt("this book is not good , the plot was boring and the music was [MASK] too ."));
    }

    @Test
    void tokenizerFramesWithClsAndSep() {
        int[] ids = prompt("the movie was [MASK] .").ids();
        assertArrayEquals(new int[] {TinyBert.CLS, tiny.tokenId("the"), tiny.tokenId("movie"), tiny.tokenId("was"),
                TinyBert.MASK, tiny.tokenId("."), TinyBert.SEP}, ids);
    }

    @Test
    void fullVocabularyLogitsMatchTheReferenceInAPaddedBatch() {
        List<EncodedPrompt> prompts = prompts();
        MaskLogits logits = model.maskLogits(prompts);
        MaskVectors transformed = model.maskHiddenStates(prompts);
        MaskVectors hidden = model.maskEncoderStates(prompts);
        for (int p = 0; p < prompts.size(); p++) {
            EncodedPrompt e = prompts.get(p);
            ReferenceBert.Output out = reference.forward(e.ids(), e.tokenTypes());
            for (int m = 0; m < e.maskCount(); m++) {
                int pos = e.maskPositions()[m];
                double[] expected = out.logits(pos);
                assertEquals(tiny.config().vocabSize(), logits.logits().width());
                for (int v = 0; v < expected.length; v++) {
                    assertEquals(expected[v], logits.logit(p, m, v), TOL, "prompt " + p + " mask " + m + " id " + v);
                }
                assertEquals(ReferenceBert.logSumExp(expected), logits.logNormalizer(p, m), TOL);
                double[] h = out.hiddenState(pos);
                double[] t = out.transformed(pos);
                for (int j = 0; j < h.length; j++) {
                    assertEquals(h[j], hidden.get(p, m, j), TOL, "encoder state " + j);
                    assertEquals(t[j], transformed.get(p, m, j), TOL, "transformed state " + j);
                }
            }
        }
    }

    @Test
    void subsetLogitsEqualTheFullVocabularyColumns() {
        List<EncodedPrompt> prompts = prompts();
        int[] ids = {tiny.tokenId("good"), tiny.tokenId("bad"), tiny.tokenId("##ly"), 0};
        MaskLogits subset = model.maskLogits(prompts, ids);
        MaskLogits full = model.maskLogits(prompts);
        for (int p = 0; p < prompts.size(); p++) {
            for (int m = 0; m < prompts.get(p).maskCount(); m++) {
                for (int j = 0; j < ids.length; j++) {
                    assertEquals(full.logit(p, m, ids[j]), subset.logit(p, m, j), 1e-5);
                    assertEquals(full.logProb(p, m, ids[j]), subset.logProb(p, m, j), 1e-5);
                }
            }
        }
    }

    @Test
    void labelLossAndGradientMatchTheReferenceAndFiniteDifferences() {
        EncodedPrompt e = prompt("i liked the acting , it was very [MASK] !");
        int[] gold = {tiny.tokenId("good"), tiny.tokenId("great")};
        int[] positions = {1, 3, 5};
        Random random = new Random(3);
        float[] soft = new float[tiny.config().hiddenSize()];
        for (int j = 0; j < soft.length; j++) {
            soft[j] = (float) (0.2 * random.nextGaussian());
        }
        GradientRequest request = new GradientRequest(e, gold, Map.of(2, soft), positions);
        LabelLossGradient g = model.labelLossGradients(List.of(request)).get(0);

        double[][] embeds = reference.wordEmbeddings(e.ids());
        for (int j = 0; j < soft.length; j++) {
            embeds[2][j] = soft[j];
        }
        int mask = e.maskPositions()[0];
        double loss = reference.forwardEmbeds(embeds, e.tokenTypes()).labelLoss(mask, gold);
        assertEquals(loss, g.loss(), TOL * 10);

        double eps = 1e-4;
        for (int k = 0; k < positions.length; k++) {
            double[] direction = new double[soft.length];
            for (int j = 0; j < direction.length; j++) {
                direction[j] = random.nextGaussian();
            }
            double[][] plus = copy(embeds);
            double[][] minus = copy(embeds);
            for (int j = 0; j < direction.length; j++) {
                plus[positions[k]][j] += eps * direction[j];
                minus[positions[k]][j] -= eps * direction[j];
            }
            double numeric = (reference.forwardEmbeds(plus, e.tokenTypes()).labelLoss(mask, gold)
                    - reference.forwardEmbeds(minus, e.tokenTypes()).labelLoss(mask, gold)) / (2 * eps);
            float[] grad = g.gradient(k);
            double analytic = 0;
            double scale = 0;
            for (int j = 0; j < direction.length; j++) {
                analytic += grad[j] * direction[j];
                scale = Math.max(scale, Math.abs(grad[j]));
            }
            assertEquals(numeric, analytic, 2e-3 * Math.max(1, scale * Math.sqrt(direction.length)),
                    "directional derivative at position " + positions[k]);
        }
    }

    @Test
    void gradientBatchEqualsOneByOne() {
        List<GradientRequest> requests = new ArrayList<>();
        int[] gold = {tiny.tokenId("bad")};
        for (EncodedPrompt e : prompts()) {
            requests.add(GradientRequest.of(e, gold, new int[] {1, e.length() - 2}));
        }
        List<LabelLossGradient> batched = model.labelLossGradients(requests);
        for (int i = 0; i < requests.size(); i++) {
            LabelLossGradient alone = model.labelLossGradients(List.of(requests.get(i))).get(0);
            assertEquals(alone.loss(), batched.get(i).loss(), 1e-4);
            float[] a = alone.gradients();
            float[] b = batched.get(i).gradients();
            for (int j = 0; j < a.length; j++) {
                assertEquals(a[j], b[j], 1e-4);
            }
        }
    }

    @Test
    void eightThreadsGetTheSequentialResults() throws Exception {
        List<EncodedPrompt> prompts = prompts();
        MaskLogits expected = model.maskLogits(prompts);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<MaskLogits>> futures = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                futures.add(pool.submit(() -> model.maskLogits(prompts)));
            }
            for (Future<MaskLogits> f : futures) {
                MaskLogits got = f.get();
                for (int p = 0; p < prompts.size(); p++) {
                    for (int m = 0; m < prompts.get(p).maskCount(); m++) {
                        assertArrayEquals(expected.logits().vector(p, m), got.logits().vector(p, m));
                    }
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void emptyBatchGivesEmptyResults() {
        assertEquals(0, model.maskLogits(List.of()).promptCount());
        assertEquals(0, model.maskHiddenStates(List.of()).promptCount());
        assertTrue(model.labelLossGradients(List.of()).isEmpty());
    }

    @Test
    void tooLongSequenceIsRefusedWithTheLimit() {
        int[] ids = new int[tiny.config().maxPositions() + 1];
        java.util.Arrays.fill(ids, tiny.tokenId("the"));
        EncodedPrompt tooLong = EncodedPrompt.of(ids, new int[] {1}, new int[0]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.maskLogits(List.of(tooLong)));
        assertTrue(e.getMessage().contains("65 tokens") && e.getMessage().contains("at most 64"), e.getMessage());
    }

    @Test
    void cudaRequestOnTheCpuBuildFallsBackToCpuWithOneWarning() {
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try (OnnxMaskedLanguageModel m = OnnxMaskedLanguageModel.builder().directory(root.resolve("export"))
                .device(Device.CUDA).build()) {
            m.labelLossGradients(List.of(GradientRequest.of(prompt("a [MASK] story"), new int[] {5}, new int[0])));
            System.setErr(err);
            String log = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(1, log.split("device CUDA was requested", -1).length - 1, log);
            assertTrue(log.contains("onnxruntime_gpu") && log.contains("running on CPU"), log);
            assertEquals("CPU", m.provider());
            EncodedPrompt e = prompt("a [MASK] story");
            assertArrayEquals(model.maskLogits(List.of(e)).logits().vector(0, 0),
                    m.maskLogits(List.of(e)).logits().vector(0, 0));
        } finally {
            System.setErr(err);
        }
    }

    @Test
    void prepackedPrivateWeightsGiveTheSharedWeightsResults() {
        List<EncodedPrompt> prompts = prompts();
        try (OnnxMaskedLanguageModel m = OnnxMaskedLanguageModel.builder().directory(root.resolve("export"))
                .device(Device.CPU).prepackWeights(true).build()) {
            MaskLogits a = m.maskLogits(prompts);
            MaskLogits b = model.maskLogits(prompts);
            for (int p = 0; p < prompts.size(); p++) {
                for (int k = 0; k < prompts.get(p).maskCount(); k++) {
                    float[] x = a.logits().vector(p, k);
                    float[] y = b.logits().vector(p, k);
                    for (int v = 0; v < x.length; v++) {
                        assertEquals(x[v], y[v], 1e-5);
                    }
                }
            }
        }
    }

    @Test
    void closedModelRefusesWork() {
        OnnxMaskedLanguageModel m = OnnxMaskedLanguageModel.open(root.resolve("export"));
        m.close();
        m.close();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> m.maskLogits(List.of(prompt("a [MASK] story"))));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, m::inputEmbeddings);
    }

    @Test
    void embeddingsAreTheCheckpointsWordEmbeddings() {
        float[] expected = tiny.weight("embeddings.word_embeddings");
        int h = tiny.config().hiddenSize();
        assertArrayEquals(java.util.Arrays.copyOfRange(expected, 5 * h, 6 * h), model.inputEmbeddings().row(5));
        assertArrayEquals(tiny.weight("head.output_bias"), model.outputBias());
        ModelDirectory dir = model.directory();
        assertEquals("tiny-bert", dir.manifest().name());
    }

    private static double[][] copy(double[][] a) {
        double[][] out = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i].clone();
        }
        return out;
    }
}
