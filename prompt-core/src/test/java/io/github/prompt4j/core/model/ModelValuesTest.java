package io.github.prompt4j.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
    void encodedPromptCarriesSoftSlotsAndTruncationAsCopiedValues() {
        // [CLS] [P] fun [P] [MASK] [SEP], two field tokens cut
        int[] soft = {1, 3};
        EncodedPrompt p = new EncodedPrompt(new int[] {2, 1, 7, 1, 4, 3}, new int[] {1, 1, 1, 1, 1, 1}, new int[6],
                new int[] {4}, new int[0], soft, 2);
        soft[0] = 0;
        assertArrayEquals(new int[] {1, 3}, p.softPositions(), "the constructor copied the soft positions");
        p.softPositions()[0] = 0;
        assertArrayEquals(new int[] {1, 3}, p.softPositions(), "the accessor returns a copy");
        assertEquals(2, p.softCount());
        assertEquals(2, p.truncatedTokens());
        assertTrue(p.truncated());
        EncodedPrompt filled = p.withIds(new int[] {1, 3}, new int[] {8, 9});
        assertArrayEquals(new int[] {2, 8, 7, 9, 4, 3}, filled.ids());
        assertArrayEquals(new int[] {1, 3}, filled.softPositions(), "withIds keeps the soft slots");
        assertEquals(2, filled.truncatedTokens(), "withIds keeps the truncation count");
        EncodedPrompt plain = EncodedPrompt.of(new int[] {2, 1, 7, 1, 4, 3}, new int[] {4}, new int[0]);
        assertEquals(0, plain.softCount());
        assertFalse(plain.truncated());
        assertNotEquals(plain, p, "soft slots and truncation are part of the value");
        assertEquals(p, new EncodedPrompt(p.ids(), p.attentionMask(), p.tokenTypes(), p.maskPositions(),
                p.triggerPositions(), p.softPositions(), p.truncatedTokens()));
        assertEquals(p.hashCode(), new EncodedPrompt(p.ids(), p.attentionMask(), p.tokenTypes(), p.maskPositions(),
                p.triggerPositions(), p.softPositions(), p.truncatedTokens()).hashCode());
    }

    @Test
    void badSoftPositionsAreRefusedNamingTheFieldAndTheFix() {
        int[] ids = {2, 1, 7, 1, 4, 3};
        assertRefused("softPositions[1] = 6 is outside the sequence of length 6", "from 0 to 5",
                () -> soft(ids, new int[] {1, 6}, new int[0], 0));
        assertRefused("softPositions[0] = -1 is outside the sequence", "from 0 to 5",
                () -> soft(ids, new int[] {-1}, new int[0], 0));
        assertRefused("softPositions must be strictly ascending: [3, 1]", "once, in sequence order",
                () -> soft(ids, new int[] {3, 1}, new int[0], 0));
        assertRefused("softPositions must be strictly ascending: [3, 3]", "once, in sequence order",
                () -> soft(ids, new int[] {3, 3}, new int[0], 0));
        assertRefused("softPositions[1] = 4 is also a mask position", "a position of its own",
                () -> soft(ids, new int[] {1, 4}, new int[0], 0));
        assertRefused("softPositions[0] = 1 is also a trigger position", "one role",
                () -> soft(ids, new int[] {1}, new int[] {1}, 0));
        assertRefused("truncatedTokens = -1 is negative", "0 when nothing was cut",
                () -> soft(ids, new int[0], new int[0], -1));
        assertRefused("no array of an EncodedPrompt may be null", "empty array",
                () -> soft(ids, null, new int[0], 0));
    }

    private static EncodedPrompt soft(int[] ids, int[] softPositions, int[] triggerPositions, int truncated) {
        int[] ones = new int[ids.length];
        java.util.Arrays.fill(ones, 1);
        return new EncodedPrompt(ids, ones, new int[ids.length], new int[] {4}, triggerPositions, softPositions,
                truncated);
    }

    private static void assertRefused(String what, String fix, org.junit.jupiter.api.function.Executable call) {
        String m = assertThrows(IllegalArgumentException.class, call).getMessage();
        assertTrue(m.contains(what) && m.contains(fix), m);
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
