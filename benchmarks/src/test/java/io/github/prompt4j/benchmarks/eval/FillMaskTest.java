package io.github.prompt4j.benchmarks.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.core.model.MaskVectors;
import io.github.prompt4j.core.testing.FakeTokenizer;
import java.util.List;
import org.junit.jupiter.api.Test;

class FillMaskTest {

    private final FakeTokenizer tok = new FakeTokenizer();

    @Test
    void literalMasksBecomeMaskIdsInTheFramedPrompt() {
        EncodedPrompt p = FillMask.encode(tok, "the movie was [MASK] . [MASK] !");
        int[] expected = {FakeTokenizer.id("[CLS]"), FakeTokenizer.id("the"), FakeTokenizer.id("movie"),
            FakeTokenizer.id("was"), FakeTokenizer.id("[MASK]"), FakeTokenizer.id("."), FakeTokenizer.id("[MASK]"),
            FakeTokenizer.id("!"), FakeTokenizer.id("[SEP]")};
        assertArrayEquals(expected, p.ids());
        assertArrayEquals(new int[] {4, 6}, p.maskPositions());
    }

    @Test
    void textWithoutMaskIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FillMask.encode(tok, "the movie was great ."));
        assertEquals("text 'the movie was great .' has no [MASK]; write e.g. \"The capital of France is [MASK].\"",
                e.getMessage());
    }

    @Test
    void topTokensAreTheLargestLogitsWithSoftmaxProbabilities() {
        // One prompt, two masks, vocabulary ids 0..4. Mask 0 logits [1, 3, 2, 0, 3]: ids 1 and 4 tie, lower id first.
        float[] values = {1, 3, 2, 0, 3, 0, 0, 0, 5, 0};
        double z0 = Math.log(Math.exp(1) + 2 * Math.exp(3) + Math.exp(2) + Math.exp(0));
        double z1 = Math.log(4 + Math.exp(5));
        MaskLogits logits = new MaskLogits(new int[] {0, 1, 2, 3, 4}, new MaskVectors(5, new int[] {2}, values),
                new float[] {(float) z0, (float) z1});
        List<List<TokenProbability>> top = FillMask.top(logits, 0, tok, 3);
        assertEquals(2, top.size());
        assertEquals(List.of(1, 4, 2), top.get(0).stream().map(TokenProbability::id).toList());
        assertEquals(List.of("[UNK]", "[MASK]", "[CLS]"), top.get(0).stream().map(TokenProbability::token).toList());
        assertEquals(Math.exp(3 - z0), top.get(0).get(0).probability(), 1e-6);
        assertEquals(Math.exp(2 - z0), top.get(0).get(2).probability(), 1e-6);
        assertEquals(3, top.get(1).get(0).id());
        assertEquals(Math.exp(5) / (4 + Math.exp(5)), top.get(1).get(0).probability(), 1e-6);
    }

    @Test
    void topKLargerThanTheVocabularyReturnsEveryToken() {
        MaskLogits logits = new MaskLogits(new int[] {0, 1}, new MaskVectors(2, new int[] {1}, new float[] {0, 1}),
                new float[] {(float) Math.log(1 + Math.E)});
        assertEquals(List.of(1, 0), FillMask.top(logits, 0, tok, 10).get(0).stream().map(TokenProbability::id)
                .toList());
    }
}
