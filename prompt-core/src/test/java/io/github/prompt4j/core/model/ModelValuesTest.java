package io.github.prompt4j.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Validation and defensive copies of the contract's value types. */
class ModelValuesTest {

    @Test
    void encodedPromptValidatesPositionsAndCopiesArrays() {
        int[] ids = {2, 7, 4, 3};
        EncodedPrompt p = EncodedPrompt.of(ids, new int[] {2}, new int[] {1});
        ids[1] = 99;
        assertEquals(7, p.id(1), "the constructor copied the ids");
        p.ids()[1] = 99;
        assertEquals(7, p.id(1), "the accessor returns a copy");
        assertArrayEquals(new int[] {2, 8, 4, 3}, p.withIds(new int[] {1}, new int[] {8}).ids());
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> EncodedPrompt.of(new int[] {2, 3}, new int[0], new int[0])).getMessage().contains("mask"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> EncodedPrompt.of(new int[] {2, 3}, new int[] {2}, new int[0])).getMessage()
                .contains("outside the sequence of length 2"));
        assertThrows(IllegalArgumentException.class, () -> EncodedPrompt.of(new int[] {1, 2, 3}, new int[] {2, 1},
                new int[0]));
    }

    @Test
    void maskVectorsIndexPromptsAndMasks() {
        // prompt 0: two masks, prompt 1: one mask; width 2
        MaskVectors v = new MaskVectors(2, new int[] {2, 1}, new float[] {1, 2, 3, 4, 5, 6});
        assertEquals(3, v.rowCount());
        assertEquals(4f, v.get(0, 1, 1));
        assertArrayEquals(new float[] {5, 6}, v.vector(1, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> v.get(1, 1, 0));
        MaskVectors both = MaskVectors.concat(List.of(v, new MaskVectors(2, new int[] {1}, new float[] {7, 8})));
        assertEquals(3, both.promptCount());
        assertArrayEquals(new float[] {7, 8}, both.vector(2, 0));
        assertThrows(IllegalArgumentException.class, () -> new MaskVectors(2, new int[] {1}, new float[3]));
    }

    @Test
    void maskLogitsGivesLogProbabilities() {
        MaskLogits l = new MaskLogits(new int[] {10, 20}, new MaskVectors(2, new int[] {1, 1},
                new float[] {1f, 2f, 3f, 4f}), new float[] {5f, 6f});
        assertEquals(-4f, l.logProb(0, 0, 0));
        assertEquals(-2f, l.logProb(1, 0, 1));
        assertEquals(6f, l.logNormalizer(1, 0));
    }

    @Test
    void gradientRequestValidatesAndCopies() {
        EncodedPrompt p = EncodedPrompt.of(new int[] {2, 7, 4, 3}, new int[] {2}, new int[0]);
        float[] soft = {1f, 2f};
        GradientRequest r = new GradientRequest(p, new int[] {5}, Map.of(1, soft), new int[] {1});
        soft[0] = 9f;
        assertEquals(1f, r.softVector(1)[0]);
        assertThrows(IllegalArgumentException.class, () -> GradientRequest.of(p, new int[0], new int[0]));
        assertThrows(IllegalArgumentException.class, () -> GradientRequest.of(p, new int[] {5, 5}, new int[0]));
        assertThrows(IllegalArgumentException.class, () -> GradientRequest.of(p, new int[] {5}, new int[] {4}));
        LabelLossGradient g = new LabelLossGradient(0.5f, new int[] {1, 2}, new float[] {1, 2, 3, 4}, 2);
        assertArrayEquals(new float[] {3, 4}, g.gradient(1));
    }
}
