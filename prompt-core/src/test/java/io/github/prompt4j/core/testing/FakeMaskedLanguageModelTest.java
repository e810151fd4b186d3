package io.github.prompt4j.core.testing;

import static io.github.prompt4j.core.testing.FakeTokenizer.id;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.prompt4j.core.model.EmbeddingMatrix;
import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.GradientRequest;
import io.github.prompt4j.core.model.LabelLossGradient;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.core.model.MaskVectors;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The test double honours the contract, so other modules can trust it. */
class FakeMaskedLanguageModelTest {

    private final FakeMaskedLanguageModel model = new FakeMaskedLanguageModel();

    // [CLS] a good movie [T=mask] [MASK] . [SEP]: s = 1
    private final EncodedPrompt prompt = EncodedPrompt.of(new int[] {2, id("a"), id("good"), id("movie"), 4, 4,
        id("."), 3}, new int[] {5}, new int[] {4});

    @Test
    void logitsFollowTheDocumentedRule() {
        MaskLogits all = model.maskLogits(List.of(prompt));
        // s = 1: good +1, bad -1, movie 0; log Z = log(5e + 4/e + 29)
        double logZ = Math.log(5 * Math.E + 4 / Math.E + 29);
        assertEquals(1f, all.logit(0, 0, id("good")));
        assertEquals(-1f, all.logit(0, 0, id("bad")));
        assertEquals(0f, all.logit(0, 0, id("movie")));
        assertEquals(logZ, all.logNormalizer(0, 0), 1e-6);
        assertEquals(1 - logZ, all.logProb(0, 0, id("good")), 1e-6);
        assertEquals(FakeMaskedLanguageModel.logNormalizer(1), logZ, 1e-12);
        assertEquals(1, FakeMaskedLanguageModel.sentiment(prompt));
    }

    @Test
    void subsetLogitsEqualTheFullVocabularyColumns() {
        MaskLogits all = model.maskLogits(List.of(prompt));
        MaskLogits some = model.maskLogits(List.of(prompt), new int[] {id("sad"), id("fun")});
        assertEquals(all.logit(0, 0, id("sad")), some.logit(0, 0, 0));
        assertEquals(all.logit(0, 0, id("fun")), some.logit(0, 0, 1));
        assertEquals(all.logNormalizer(0, 0), some.logNormalizer(0, 0));
    }

    @Test
    void logitsAreOutputEmbeddingsTimesHiddenStatePlusBias() {
        MaskVectors h = model.maskHiddenStates(List.of(prompt));
        MaskLogits all = model.maskLogits(List.of(prompt));
        EmbeddingMatrix e = model.outputEmbeddings();
        float[] bias = model.outputBias();
        float[] hidden = h.vector(0, 0);
        assertArrayEquals(new float[] {1, 0, 0, 0}, hidden);
        for (int v = 0; v < e.rows(); v++) {
            double dot = bias[v];
            for (int j = 0; j < e.dim(); j++) {
                dot += e.get(v, j) * hidden[j];
            }
            assertEquals(all.logit(0, 0, v), dot, 1e-6, "token " + v);
        }
        assertEquals(model.inputEmbeddings().asReadOnlyBuffer().get(id("bad") * 4), -1f);
    }

    @Test
    void lossIsMinusLogGoldProbability() {
        LabelLossGradient g = model.labelLossGradients(List.of(GradientRequest.of(prompt,
                new int[] {id("good"), id("great")}, new int[] {4}))).get(0);
        // p(good) + p(great) = 2e / Z
        double logZ = FakeMaskedLanguageModel.logNormalizer(1);
        assertEquals(-Math.log(2 * Math.E) + logZ, g.loss(), 1e-5);
    }

    @Test
    void gradientMatchesFiniteDifferences() {
        int[] gold = {id("bad"), id("sad")};
        int pos = 4;
        float[] x = model.inputEmbeddings().row(4);
        LabelLossGradient g = model.labelLossGradients(List.of(new GradientRequest(prompt, gold, Map.of(pos, x),
                new int[] {pos, 2}))).get(0);
        double eps = 1e-2;
        for (int j = 0; j < FakeMaskedLanguageModel.HIDDEN; j++) {
            float[] plus = x.clone();
            float[] minus = x.clone();
            plus[j] += (float) eps;
            minus[j] -= (float) eps;
            double lp = loss(gold, pos, plus);
            double lm = loss(gold, pos, minus);
            assertEquals((lp - lm) / (2 * eps), g.gradient(0)[j], 1e-3, "dimension " + j);
        }
        assertArrayEquals(g.gradient(0), g.gradient(1), "a bag of embeddings: same gradient at every position");
    }

    private double loss(int[] gold, int pos, float[] vector) {
        return model.labelLossGradients(List.of(new GradientRequest(prompt, gold, Map.of(pos, vector),
                new int[0]))).get(0).loss();
    }

    @Test
    void closedModelRefusesEveryCall() {
        FakeMaskedLanguageModel m = new FakeMaskedLanguageModel();
        EmbeddingMatrix e = m.inputEmbeddings();
        m.close();
        m.close();
        assertThrows(IllegalStateException.class, m::tokenizer);
        assertThrows(IllegalStateException.class, m::info);
        assertThrows(IllegalStateException.class, () -> m.maskLogits(List.of(prompt)));
        assertThrows(IllegalStateException.class, () -> m.maskLogits(List.of(prompt), new int[] {5}));
        assertThrows(IllegalStateException.class, () -> m.maskHiddenStates(List.of(prompt)));
        assertThrows(IllegalStateException.class, m::inputEmbeddings);
        assertThrows(IllegalStateException.class, m::outputEmbeddings);
        assertThrows(IllegalStateException.class, m::outputBias);
        assertThrows(IllegalStateException.class, () -> m.labelLossGradients(List.of()));
        assertThrows(IllegalStateException.class, () -> e.get(0, 0));
    }

    @Test
    void tooLongPromptsAndUnknownIdsAreRefused() {
        FakeMaskedLanguageModel small = new FakeMaskedLanguageModel(new FakeTokenizer(true, 4));
        assertThrows(IllegalArgumentException.class, () -> small.maskLogits(List.of(prompt)));
        assertThrows(IllegalArgumentException.class, () -> model.maskLogits(List.of(prompt), new int[] {38}));
        assertEquals(List.of(), model.labelLossGradients(List.of()));
    }
}
