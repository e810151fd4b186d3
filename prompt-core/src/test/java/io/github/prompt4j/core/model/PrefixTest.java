package io.github.prompt4j.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.testing.FakeMaskedLanguageModel;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import org.junit.jupiter.api.Test;

/** The prefix value: validated with the expected shape in the message, copied in and out, flattened keys first. */
class PrefixTest {

    /** 2 layers x 1 position x 3 dimensions: keys 1..6, values -1..-6. */
    private static Prefix small() {
        return new Prefix(2, 1, 3, new float[] {1, 2, 3, 4, 5, 6}, new float[] {-1, -2, -3, -4, -5, -6});
    }

    @Test
    void aWrongSizeNamesTheExpectedShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Prefix(2, 1, 3, new float[5], new float[6]));
        assertTrue(e.getMessage().contains("2 x 1 x 3 = 6 floats, got 5 and 6"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Prefix(0, 1, 3, new float[0], new float[0]));
        assertThrows(IllegalArgumentException.class, () -> new Prefix(2, -1, 3, new float[0], new float[0]));
        assertThrows(IllegalArgumentException.class, () -> new Prefix(2, 1, 3, null, new float[6]));
    }

    @Test
    void aNonFiniteValueIsRefusedWithItsLayerPositionAndDimension() {
        float[] values = new float[12];
        values[2 * 3 + 3 + 1] = Float.NaN; // layer 1, position 1, dimension 1 of 2 x 2 x 3
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Prefix(2, 2, 3, new float[12], values));
        assertTrue(e.getMessage().contains("values of layer 1, position 1, dimension 1 is NaN"), e.getMessage());
    }

    @Test
    void arraysAreCopiedInAndOut() {
        float[] keys = {1, 2, 3, 4, 5, 6};
        Prefix p = new Prefix(2, 1, 3, keys, new float[6]);
        keys[0] = 99;
        p.keys()[1] = 99;
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, p.keys());
    }

    @Test
    void flattenPutsKeysBeforeValuesAndWithFlatReadsThemBack() {
        Prefix p = small();
        assertEquals(12, p.size());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, -1, -2, -3, -4, -5, -6}, p.flatten());
        Prefix q = p.withFlat(new float[] {0, 0, 0, 0, 0, 1, 2, 2, 2, 2, 2, 2});
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 1}, q.keys());
        assertArrayEquals(new float[] {2, 2, 2, 2, 2, 2}, q.values());
        assertEquals(p, p.withFlat(p.flatten()));
        assertThrows(IllegalArgumentException.class, () -> p.withFlat(new float[11]));
        assertEquals(0, Prefix.zeros(12, 0, 768).size(), "a zero-length prefix is the model as it is");
    }

    @Test
    void aClassifierRefusesAPrefixForAModelThatCannotRunOne() {
        FakeMaskedLanguageModel model = new FakeMaskedLanguageModel();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PromptClassifier
                .builder(model).template(Template.parse("{text} It was [MASK].")).verbalizer(Verbalizer.builder()
                        .add("negative", "terrible").add("positive", "great").build()).prefix(small()).build());
        assertTrue(e.getMessage().contains("not a PrefixTunableModel"), e.getMessage());
    }
}
