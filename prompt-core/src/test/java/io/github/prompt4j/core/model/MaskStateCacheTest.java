package io.github.prompt4j.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.template.TemplateEncoder;
import io.github.prompt4j.core.testing.FakeMaskedLanguageModel;
import java.util.List;
import org.junit.jupiter.api.Test;

class MaskStateCacheTest {

    private final FakeMaskedLanguageModel model = new FakeMaskedLanguageModel();
    private final TemplateEncoder encoder = Template.parse("{text} it was [MASK] .").encoder(model.tokenizer());

    @Test
    void givesTheModelsStatesInOrderAndRunsEachDistinctPromptOnce() {
        EncodedPrompt good = encoder.encode("a good fun movie");
        EncodedPrompt bad = encoder.encode("a bad movie");
        EncodedPrompt other = Template.parse("{text} so [MASK] !").encoder(model.tokenizer()).encode("a bad movie");
        MaskStateCache cache = new MaskStateCache(model);
        MaskVectors got = cache.maskHiddenStates(List.of(good, bad, good));
        MaskVectors direct = model.maskHiddenStates(List.of(good, bad, good));
        assertEquals(3, got.promptCount());
        for (int p = 0; p < 3; p++) {
            assertArrayEquals(direct.vector(p, 0), got.vector(p, 0));
        }
        // the fake's state is (positive words - negative words, 0, 0, 0), checked by hand
        assertArrayEquals(new float[] {2, 0, 0, 0}, got.vector(0, 0));
        assertArrayEquals(new float[] {-1, 0, 0, 0}, got.vector(1, 0));
        assertEquals(2, cache.size(), "the repeated prompt is remembered once");

        // held states come without the model: a closed model still serves them, and refuses a new prompt
        model.close();
        MaskVectors held = cache.maskHiddenStates(List.of(bad, good));
        assertArrayEquals(new float[] {-1, 0, 0, 0}, held.vector(0, 0));
        assertArrayEquals(new float[] {2, 0, 0, 0}, held.vector(1, 0));
        assertThrows(IllegalStateException.class, () -> cache.maskHiddenStates(List.of(good, other)));
        assertEquals(2, cache.size(), "a failed call adds nothing");
    }

    @Test
    void keepsEveryMaskOfAPrompt() {
        EncodedPrompt two = Template.parse("{text} [MASK] and [MASK] .").encoder(model.tokenizer()).encode("good");
        MaskStateCache cache = new MaskStateCache(model);
        cache.maskHiddenStates(List.of(two));
        MaskVectors again = cache.maskHiddenStates(List.of(encoder.encode("good"), two));
        assertEquals(1, again.maskCount(0));
        assertEquals(2, again.maskCount(1));
        assertArrayEquals(model.maskHiddenStates(List.of(two)).vector(0, 1), again.vector(1, 1));
    }

    @Test
    void refusesANullModel() {
        assertThrows(IllegalArgumentException.class, () -> new MaskStateCache(null));
    }
}
