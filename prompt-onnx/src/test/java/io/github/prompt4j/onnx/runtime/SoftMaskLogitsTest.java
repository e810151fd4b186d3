package io.github.prompt4j.onnx.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.GradientRequest;
import io.github.prompt4j.core.model.LabelLossGradient;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.core.model.SoftInput;
import io.github.prompt4j.onnx.export.checkpoint.HuggingFaceBertCheckpoint;
import io.github.prompt4j.onnx.export.model.ModelExporter;
import io.github.prompt4j.onnx.export.model.ModelExporterTest;
import io.github.prompt4j.onnx.export.testing.ReferenceBert;
import io.github.prompt4j.onnx.export.testing.TinyBert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Soft-prompt scoring through the embeddings forward graph of a tiny exported BERT: soft vectors equal to the word
 * embeddings reproduce discrete scoring, and other vectors match the double-precision reference fed the same input
 * embeddings. Tolerance 1e-4 absolute (float32 graph vs float64 reference), as in {@link TinyModelRuntimeTest}.
 */
class SoftMaskLogitsTest {

    private static final double TOL = 1e-4;

    private static Path root;
    private static TinyBert tiny;
    private static ReferenceBert reference;
    private static OnnxMaskedLanguageModel model;

    @BeforeAll
    static void export() throws Exception {
        root = Files.createTempDirectory("prompt4j-soft");
        tiny = TinyBert.random(11);
        reference = tiny.reference();
        Path hf = tiny.writeHuggingFace(root.resolve("hf"));
        try (HuggingFaceBertCheckpoint checkpoint = HuggingFaceBertCheckpoint.fromDirectory(hf)) {
            ModelExporter.export(checkpoint, "tiny-bert", root.resolve("export"));
        }
        model = OnnxMaskedLanguageModel.builder().directory(root.resolve("export")).device(Device.CPU)
                .maxBatchSize(2).build();
    }

    @AfterAll
    static void close() throws Exception {
        model.close();
        ModelExporterTest.deleteTree(root);
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
                prompt("[MASK] food and [MASK] service"),
                prompt("this book is not good , the plot was boring and the music was [MASK] too ."));
    }

    private int[] labelIds() {
        return new int[] {tiny.tokenId("good"), tiny.tokenId("bad"), tiny.tokenId("great"), tiny.tokenId("##ly")};
    }

    @Test
    void wordEmbeddingsAsSoftVectorsReproduceDiscreteScoring() {
        List<EncodedPrompt> prompts = prompts();
        List<SoftInput> inputs = new ArrayList<>();
        for (int p = 0; p < prompts.size(); p++) {
            EncodedPrompt e = prompts.get(p);
            Map<Integer, float[]> soft = new HashMap<>();
            // every other inner position, so inputs mix soft and looked-up rows; prompt 3 has none at all
            for (int i = 1; p != 3 && i < e.length() - 1; i += 2) {
                soft.put(i, model.inputEmbeddings().row(e.id(i)));
            }
            inputs.add(new SoftInput(e, soft));
        }
        int[] ids = labelIds();
        MaskLogits discrete = model.maskLogits(prompts, ids);
        MaskLogits soft = model.softMaskLogits(inputs, ids);
        for (int p = 0; p < prompts.size(); p++) {
            for (int m = 0; m < prompts.get(p).maskCount(); m++) {
                for (int j = 0; j < ids.length; j++) {
                    assertEquals(discrete.logit(p, m, j), soft.logit(p, m, j), TOL, "prompt " + p + " mask " + m);
                }
                assertEquals(discrete.logNormalizer(p, m), soft.logNormalizer(p, m), TOL);
            }
        }
    }

    @Test
    void otherSoftVectorsMatchTheReferenceOnTheSameInputEmbeddings() {
        Random random = new Random(5);
        List<EncodedPrompt> prompts = prompts();
        List<SoftInput> inputs = new ArrayList<>();
        List<double[][]> embeds = new ArrayList<>();
        for (EncodedPrompt e : prompts) {
            double[][] x = reference.wordEmbeddings(e.ids());
            Map<Integer, float[]> soft = new HashMap<>();
            for (int pos : new int[] {1, 2}) {
                float[] v = new float[tiny.config().hiddenSize()];
                for (int j = 0; j < v.length; j++) {
                    v[j] = (float) (0.3 * random.nextGaussian());
                    x[pos][j] = v[j];
                }
                soft.put(pos, v);
            }
            inputs.add(new SoftInput(e, soft));
            embeds.add(x);
        }
        int[] ids = labelIds();
        MaskLogits soft = model.softMaskLogits(inputs, ids);
        MaskLogits discrete = model.maskLogits(prompts, ids);
        double largestChange = 0;
        for (int p = 0; p < prompts.size(); p++) {
            EncodedPrompt e = prompts.get(p);
            ReferenceBert.Output out = reference.forwardEmbeds(embeds.get(p), e.tokenTypes());
            for (int m = 0; m < e.maskCount(); m++) {
                double[] expected = out.logits(e.maskPositions()[m]);
                for (int j = 0; j < ids.length; j++) {
                    assertEquals(expected[ids[j]], soft.logit(p, m, j), TOL, "prompt " + p + " mask " + m);
                    largestChange = Math.max(largestChange, Math.abs(soft.logit(p, m, j) - discrete.logit(p, m, j)));
                }
                assertEquals(ReferenceBert.logSumExp(expected), soft.logNormalizer(p, m), TOL);
            }
        }
        assertTrue(largestChange > 1e-2, "the soft vectors change the scores: " + largestChange);
    }

    @Test
    void softScoringAgreesWithTheGradientGraphsLoss() {
        EncodedPrompt e = prompt("i liked the acting , it was very [MASK] !");
        int[] gold = {tiny.tokenId("good"), tiny.tokenId("great")};
        float[] v = new float[tiny.config().hiddenSize()];
        Random random = new Random(9);
        for (int j = 0; j < v.length; j++) {
            v[j] = (float) (0.2 * random.nextGaussian());
        }
        LabelLossGradient g = model.labelLossGradients(List.of(new GradientRequest(e, gold, Map.of(3, v),
                new int[] {3}))).get(0);
        MaskLogits l = model.softMaskLogits(List.of(new SoftInput(e, Map.of(3, v))), gold);
        double mass = Math.exp(l.logProb(0, 0, 0)) + Math.exp(l.logProb(0, 0, 1));
        assertEquals(-Math.log(mass), g.loss(), TOL);
    }

    @Test
    void softVectorsOfTheWrongLengthAreRefused() {
        EncodedPrompt e = prompt("the movie was [MASK] .");
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> model.softMaskLogits(
                List.of(new SoftInput(e, Map.of(2, new float[5]))), labelIds()));
        assertTrue(ex.getMessage().contains("hidden size is 32"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> model.softMaskLogits(List.of(SoftInput.discrete(e)),
                new int[0]));
        assertEquals(0, model.softMaskLogits(List.of(), labelIds()).promptCount());
    }
}
