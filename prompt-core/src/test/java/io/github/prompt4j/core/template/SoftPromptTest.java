package io.github.prompt4j.core.template;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.SoftInput;
import io.github.prompt4j.core.testing.FakeTokenizer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Soft-prompt vectors: validation, copies, placement at an encoded prompt's slots. */
class SoftPromptTest {

    @Test
    void invalidVectorsAreRefusedNamingTheSlot() {
        assertThrows(IllegalArgumentException.class, () -> SoftPrompt.of(List.of()));
        IllegalArgumentException ragged = assertThrows(IllegalArgumentException.class,
                () -> SoftPrompt.of(new float[] {1, 2}, new float[] {1}));
        assertTrue(ragged.getMessage().contains("slot 1"), ragged.getMessage());
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> SoftPrompt.of(new float[] {1, Float.NaN}));
        assertTrue(nan.getMessage().contains("slot 0") && nan.getMessage().contains("index 1"), nan.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SoftPrompt.of(new float[0]));
    }

    @Test
    void vectorsAreCopied() {
        float[] a = {1, 2, 3};
        SoftPrompt p = SoftPrompt.of(a);
        a[0] = 9;
        p.vector(0)[1] = 9;
        p.vectors().get(0)[2] = 9;
        assertArrayEquals(new float[] {1, 2, 3}, p.vector(0));
        assertEquals(1, p.size());
        assertEquals(3, p.dim());
        assertEquals(SoftPrompt.of(new float[] {1, 2, 3}), p);
    }

    @Test
    void vectorsLandAtTheEncodedSoftPositions() {
        // [CLS] a good movie [P] it was [P] [MASK] . [SEP]: slots at 4 and 7
        Template t = Template.parse("{text} [P] it was [P] [MASK] .");
        EncodedPrompt r = t.encoder(new FakeTokenizer(), Truncation.defaults()).encode("a good movie");
        assertArrayEquals(new int[] {4, 7}, r.softPositions());
        SoftPrompt p = SoftPrompt.of(new float[] {1, 1}, new float[] {2, 2});
        Map<Integer, float[]> at = p.atPositions(r);
        assertEquals(List.of(4, 7), List.copyOf(at.keySet()));
        assertArrayEquals(new float[] {2, 2}, at.get(7));
        SoftInput input = p.inputFor(r);
        assertEquals(r, input.prompt());
        assertEquals(List.of(4, 7), List.copyOf(input.softVectors().keySet()));
        assertArrayEquals(new float[] {1, 1}, input.softVector(4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SoftPrompt.of(new float[] {1, 1}).atPositions(r));
        assertTrue(e.getMessage().contains("2 soft slots") && e.getMessage().contains("1 vectors"), e.getMessage());
        IllegalArgumentException discrete = assertThrows(IllegalArgumentException.class,
                () -> p.inputFor(Template.parse("{text} it was [MASK] .").encode("a good movie", new FakeTokenizer())));
        assertTrue(discrete.getMessage().contains("0 soft slots"), discrete.getMessage());
    }
}
