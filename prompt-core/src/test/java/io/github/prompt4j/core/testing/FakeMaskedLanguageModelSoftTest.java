package io.github.prompt4j.core.testing;

import static io.github.prompt4j.core.testing.FakeTokenizer.id;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.GradientRequest;
import io.github.prompt4j.core.model.LabelLossGradient;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.core.model.SoftInput;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Soft-vector scoring of the test double: consistent with its discrete scoring and with its exact gradient. */
class FakeMaskedLanguageModelSoftTest {

    private final FakeMaskedLanguageModel model = new FakeMaskedLanguageModel();

    // [CLS] a good movie [UNK] [MASK] . [SEP]: s = 1, position 4 is the soft slot
    private final EncodedPrompt prompt = EncodedPrompt.of(new int[] {2, id("a"), id("good"), id("movie"), 1, 4,
        id("."), 3}, new int[] {5}, new int[0]);

    private static int[] allIds() {
        int[] all = new int[FakeTokenizer.VOCABULARY.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return all;
    }

    @Test
    void softVectorEqualToAWordsEmbeddingScoresLikeTheDiscretePrompt() {
        int[] ids = allIds();
        for (String word : List.of("bad", "fun", "movie")) {
            float[] embedding = model.inputEmbeddings().row(id(word));
            MaskLogits soft = model.softMaskLogits(List.of(new SoftInput(prompt, Map.of(4, embedding))), ids);
            MaskLogits discrete = model.maskLogits(List.of(prompt.withIds(new int[] {4}, new int[] {id(word)})), ids);
            for (int v = 0; v < ids.length; v++) {
                assertEquals(discrete.logit(0, 0, v), soft.logit(0, 0, v), word + " column " + v);
            }
            assertEquals(discrete.logNormalizer(0, 0), soft.logNormalizer(0, 0), word);
        }
    }

    @Test
    void softVectorAddsItsFirstComponentToTheScore() {
        // s = 1 + 2.5 = 3.5 whatever the inert dimensions hold
        float[] v = {2.5f, 9f, -9f, 4f};
        MaskLogits soft = model.softMaskLogits(List.of(new SoftInput(prompt, Map.of(4, v))),
                new int[] {id("good"), id("sad"), id("movie")});
        assertEquals(3.5f, soft.logit(0, 0, 0));
        assertEquals(-3.5f, soft.logit(0, 0, 1));
        assertEquals(0f, soft.logit(0, 0, 2));
        double logZ = Math.log(5 * Math.exp(3.5) + 4 * Math.exp(-3.5) + 29);
        assertEquals(logZ, soft.logNormalizer(0, 0), 1e-5);
    }

    @Test
    void inputsWithoutSoftVectorsScoreAsTheirPrompts() {
        MaskLogits soft = model.softMaskLogits(List.of(SoftInput.discrete(prompt)), new int[] {id("good")});
        assertEquals(1f, soft.logit(0, 0, 0));
        assertEquals(0, model.softMaskLogits(List.of(), new int[] {id("good")}).promptCount());
    }

    @Test
    void gradientOfTheSoftVectorMatchesFiniteDifferencesOfSoftScoring() {
        int[] gold = {id("bad"), id("sad")};
        float[] v = {0.3f, 0.1f, -0.2f, 0.5f};
        LabelLossGradient g = model.labelLossGradients(List.of(new GradientRequest(prompt, gold, Map.of(4, v),
                new int[] {4}))).get(0);
        double eps = 1e-2;
        for (int j = 0; j < FakeMaskedLanguageModel.HIDDEN; j++) {
            float[] plus = v.clone();
            float[] minus = v.clone();
            plus[j] += (float) eps;
            minus[j] -= (float) eps;
            double numeric = (loss(plus, gold) - loss(minus, gold)) / (2 * eps);
            assertEquals(numeric, g.gradient(0)[j], 1e-3, "component " + j);
        }
        assertEquals(loss(v, gold), g.loss(), 1e-5);
        assertTrue(g.gradient(0)[0] > 0, "raising s makes the negative gold words less likely");
    }

    private double loss(float[] v, int[] gold) {
        MaskLogits l = model.softMaskLogits(List.of(new SoftInput(prompt, Map.of(4, v))), gold);
        double mass = 0;
        for (int k = 0; k < gold.length; k++) {
            mass += Math.exp(l.logProb(0, 0, k));
        }
        return -Math.log(mass);
    }

    @Test
    void softVectorsOfTheWrongLengthAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.softMaskLogits(
                List.of(new SoftInput(prompt, Map.of(4, new float[3]))), new int[] {id("good")}));
        assertTrue(e.getMessage().contains("hidden size is 4"), e.getMessage());
    }

    @Test
    void softCallsAreCountedLikeDiscreteOnes() {
        int before = model.maskLogitCalls();
        model.softMaskLogits(List.of(SoftInput.discrete(prompt), SoftInput.discrete(prompt)), new int[] {0});
        assertEquals(before + 1, model.maskLogitCalls());
        assertEquals(2, model.batchSizes().get(model.batchSizes().size() - 1));
    }
}
