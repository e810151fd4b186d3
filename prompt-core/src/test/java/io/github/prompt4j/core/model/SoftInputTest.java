package io.github.prompt4j.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The soft-input value: validated, ordered by position, defensively copied. */
class SoftInputTest {

    private final EncodedPrompt prompt = EncodedPrompt.of(new int[] {2, 7, 1, 1, 4, 3}, new int[] {4}, new int[0]);

    @Test
    void positionsOutsideThePromptAreRefusedWithTheLength() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SoftInput(prompt, Map.of(6, new float[] {1})));
        assertTrue(e.getMessage().contains("length 6"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SoftInput(prompt, Map.of(-1, new float[] {1})));
        assertThrows(IllegalArgumentException.class, () -> new SoftInput(prompt, Map.of(2, new float[0])));
        assertThrows(IllegalArgumentException.class, () -> new SoftInput(null, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new SoftInput(prompt, null));
    }

    @Test
    void vectorsAreCopiedInAndOutAndOrderedByPosition() {
        float[] a = {1, 2};
        float[] b = {3, 4};
        SoftInput in = new SoftInput(prompt, Map.of(3, b, 2, a));
        a[0] = 99;
        assertArrayEquals(new float[] {1, 2}, in.softVector(2));
        in.softVector(2)[1] = 99;
        assertArrayEquals(new float[] {1, 2}, in.softVector(2));
        assertEquals(List.of(2, 3), List.copyOf(in.softVectors().keySet()));
        assertTrue(in.hasSoftVector(3));
        assertFalse(in.hasSoftVector(1));
        assertThrows(IllegalArgumentException.class, () -> in.softVector(1));
        assertThrows(UnsupportedOperationException.class, () -> in.softVectors().put(1, new float[] {0}));
    }

    @Test
    void equalityComparesVectorValues() {
        SoftInput x = new SoftInput(prompt, Map.of(2, new float[] {1, 2}));
        SoftInput y = new SoftInput(prompt, Map.of(2, new float[] {1, 2}));
        SoftInput z = new SoftInput(prompt, Map.of(2, new float[] {1, 3}));
        assertEquals(x, y);
        assertEquals(x.hashCode(), y.hashCode());
        assertFalse(x.equals(z));
        assertEquals(SoftInput.discrete(prompt), new SoftInput(prompt, Map.of()));
    }
}
