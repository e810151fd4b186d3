package io.github.prompt4j.core.classify;

import static io.github.prompt4j.core.testing.FakeTokenizer.id;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.mapping.LabelWordScores;
import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.template.SoftPrompt;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.testing.FakeMaskedLanguageModel;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A classifier with soft-prompt slots on the fake model, where a soft vector adds its first component to s. */
class SoftPromptClassifierTest {

    private final FakeMaskedLanguageModel model = new FakeMaskedLanguageModel();
    private final Verbalizer verbalizer = Verbalizer.builder().add("negative", "bad", "terrible")
            .add("positive", "great", "good").build();

    private PromptClassifier soft(SoftPrompt vectors) {
        return PromptClassifier.builder(model).template(Template.parse("{text} [P] It was [MASK]."))
                .verbalizer(verbalizer).softPrompt(vectors).build();
    }

    @Test
    void softVectorShiftsTheClassProbabilities() {
        // "a good movie": s = 1 - 2 = -1 -> negative with 1 / (1 + e^-2) under the mean mapper
        Classification c = soft(SoftPrompt.of(new float[] {-2, 0.7f, 0.1f, -0.3f})).classify("a good movie");
        assertEquals("negative", c.label());
        assertEquals(1 / (1 + Math.exp(-2)), c.probability("negative"), 1e-6);
        double ln = Math.log(5 * Math.exp(-1) + 4 * Math.E + 29);
        assertEquals(-1 - ln, c.wordScores().get("good"), 1e-5);
    }

    @Test
    void wordEmbeddingAsSoftVectorClassifiesLikeTheWordInTheTemplate() {
        PromptClassifier discrete = PromptClassifier.builder(model).template(Template.parse("{text} sad It was "
                + "[MASK].")).verbalizer(verbalizer).build();
        PromptClassifier soft = soft(SoftPrompt.of(model.inputEmbeddings().row(id("sad"))));
        List<String> texts = List.of("a good movie", "great fun", "the plot");
        List<Classification> expected = discrete.classifyAll(texts);
        List<Classification> actual = soft.classifyAll(texts);
        for (int i = 0; i < texts.size(); i++) {
            assertEquals(expected.get(i).probabilities(), actual.get(i).probabilities(), texts.get(i));
        }
        assertEquals(expected.get(0), soft.classifyAllFields(List.of(Map.of("text", "a good movie"))).get(0));
        assertEquals(expected.get(1), soft.classify(Map.of("text", "great fun")));
        assertEquals(expected.get(2), soft.classifyPrompts(List.of(soft.encoder().encode("the plot"))).get(0));
        assertEquals(SoftPrompt.of(model.inputEmbeddings().row(id("sad"))), soft.softPrompt().orElseThrow());
    }

    @Test
    void softTemplateWithoutVectorsIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PromptClassifier
                .builder(model).template(Template.parse("{text} [P] [P] It was [MASK].")).verbalizer(verbalizer)
                .build());
        assertTrue(e.getMessage().contains("2 soft-prompt slot(s) [P]") && e.getMessage().contains("softPrompt"),
                e.getMessage());
    }

    @Test
    void wrongNumberOrLengthOfVectorsIsRefused() {
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> soft(SoftPrompt.of(new float[4], new float[4])));
        assertTrue(count.getMessage().contains("1 soft-prompt slot(s)") && count.getMessage().contains("2 vector"),
                count.getMessage());
        IllegalArgumentException length = assertThrows(IllegalArgumentException.class,
                () -> soft(SoftPrompt.of(new float[3])));
        assertTrue(length.getMessage().contains("hidden size 4"), length.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> PromptClassifier
                .builder(model).template(Template.parse("{text} It was [MASK].")).verbalizer(verbalizer)
                .softPrompt(SoftPrompt.of(new float[4])).build());
        assertTrue(none.getMessage().contains("no soft-prompt slot"), none.getMessage());
    }

    @Test
    void encodedPromptsCarryTheirSoftSlotsToTheModel() {
        // as softVectorShiftsTheClassProbabilities, entering after the encoding: s = -1 at the mask
        PromptClassifier c = soft(SoftPrompt.of(new float[] {-2, 0.7f, 0.1f, -0.3f}));
        EncodedPrompt p = c.encoder().encode("a good movie");
        assertArrayEquals(new int[] {4}, p.softPositions());
        Classification r = c.classifyPrompts(List.of(p)).get(0);
        assertEquals("negative", r.label());
        assertEquals(1 / (1 + Math.exp(-2)), r.probability("negative"), 1e-6);
        double ln = Math.log(5 * Math.exp(-1) + 4 * Math.E + 29);
        // classes negative [bad, terrible], positive [great, good]
        LabelWordScores scores = c.labelWordScores(List.of(p)).get(0);
        assertEquals(-1 - ln, scores.logProb(1, 1), 1e-5);
        assertEquals(1 - ln, scores.logProb(0, 0), 1e-5);
    }

    @Test
    void promptsWhoseSoftSlotsDoNotMatchTheVectorsAreRefusedBeforeTheModelRuns() {
        FakeMaskedLanguageModel counting = new FakeMaskedLanguageModel();
        PromptClassifier c = PromptClassifier.builder(counting).template(Template.parse("{text} [P] It was [MASK]."))
                .verbalizer(verbalizer).softPrompt(SoftPrompt.of(new float[4])).build();
        EncodedPrompt slotted = c.encoder().encode("a good movie");
        EncodedPrompt discrete = Template.parse("{text} It was [MASK].").encode("a good movie", counting.tokenizer());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> c.classifyPrompts(List.of(slotted, discrete)));
        assertTrue(e.getMessage().contains("prompt 1 has 0 soft-prompt slot(s) [P]")
                && e.getMessage().contains("1 soft-prompt vector(s)") && e.getMessage().contains("encoder()"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> c.labelWordScores(List.of(discrete)));
        assertEquals(0, counting.maskLogitCalls());
        PromptClassifier plain = PromptClassifier.builder(counting).template(Template.parse("{text} It was [MASK]."))
                .verbalizer(verbalizer).build();
        IllegalArgumentException unplaced = assertThrows(IllegalArgumentException.class,
                () -> plain.classifyPrompts(List.of(slotted)));
        assertTrue(unplaced.getMessage().contains("prompt 0 has 1 soft-prompt slot(s) [P]")
                && unplaced.getMessage().contains("0 soft-prompt vector(s)"), unplaced.getMessage());
        assertEquals(0, counting.maskLogitCalls());
    }
}
