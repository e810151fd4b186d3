package io.github.prompt4j.core.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.calibration.Calibration;
import io.github.prompt4j.core.mapping.LabelMapper;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.testing.FakeMaskedLanguageModel;
import io.github.prompt4j.core.testing.FakeTokenizer;
import io.github.prompt4j.core.verbalizer.LinearVerbalizer;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A classifier whose classes a {@link LinearVerbalizer} scores, on the fake model: its transformed mask state is
 * {@code h = (s, 0, 0, 0)} with {@code s} = positive minus negative tokens, and a word's output embedding starts with
 * its sign, so every class logit is hand-computable.
 */
class LearnedVerbalizerClassifierTest {

    private final FakeMaskedLanguageModel model = new FakeMaskedLanguageModel();
    private final Template template = Template.parse("{text} It was [MASK].");
    private final Verbalizer words = Verbalizer.builder().add("negative", "terrible").add("positive", "great").build();

    @Test
    void labelWordInitialisationIsTheOutputEmbeddingAndBias() {
        LinearVerbalizer v = LinearVerbalizer.fromLabelWords(words, model);
        assertArrayEquals(model.outputEmbeddings().row(FakeTokenizer.id("terrible")), v.weights(0));
        assertArrayEquals(model.outputEmbeddings().row(FakeTokenizer.id("great")), v.weights(1));
        assertArrayEquals(new float[] {0f, 0f}, v.bias());
    }

    @Test
    void initialisedHeadGivesTheLabelWordClassifiersDistribution() {
        PromptClassifier learned = PromptClassifier.builder(model).template(template)
                .learnedVerbalizer(LinearVerbalizer.fromLabelWords(words, model)).build();
        PromptClassifier manual = PromptClassifier.builder(model).template(template).verbalizer(words)
                .mapper(LabelMapper.sum()).build();
        for (String text : List.of("a good movie", "bad and terrible", "the plot", "great fun , sad end")) {
            Classification a = learned.classify(text);
            Classification b = manual.classify(text);
            assertEquals(b.label(), a.label(), text);
            assertEquals(b.probability("positive"), a.probability("positive"), 1e-6, text);
            assertTrue(a.wordScores().isEmpty(), "a learned verbalizer has no word scores");
        }
        // s = 1: z = (-1, +1), P(positive) = 1 / (1 + e^-2)
        assertEquals(1 / (1 + Math.exp(-2)), learned.classify("a good movie").probability("positive"), 1e-6);
    }

    @Test
    void classLogitsAreTheLinearMapOfTheMaskState() {
        // w_neg = (0.5, 9, 9, 9) (the inert dimensions are 0 in h), b_neg = 1; w_pos = (2, -3, 0, 0), b_pos = -0.5
        LinearVerbalizer v = LinearVerbalizer.of(List.of("negative", "positive"),
                List.of(new float[] {0.5f, 9f, 9f, 9f}, new float[] {2f, -3f, 0f, 0f}), new float[] {1f, -0.5f});
        PromptClassifier c = PromptClassifier.builder(model).template(template).learnedVerbalizer(v).build();
        // "good good" : s = 2 -> z = (0.5*2 + 1, 2*2 - 0.5) = (2, 3.5)
        Classification two = c.classify("good good");
        assertEquals("positive", two.label());
        assertEquals(1 / (1 + Math.exp(-1.5)), two.probability("positive"), 1e-6);
        // "bad" : s = -1 -> z = (0.5, -2.5)
        Classification bad = c.classify("bad");
        assertEquals("negative", bad.label());
        assertEquals(1 / (1 + Math.exp(-3)), bad.probability("negative"), 1e-6);
        // classifyAll and classifyPrompts give the same as one by one
        List<Classification> all = c.classifyAll(List.of("good good", "bad"));
        assertEquals(two, all.get(0));
        assertEquals(bad, all.get(1));
        assertEquals(bad, c.classifyPrompts(List.of(c.encoder().encode("bad"))).get(0));
        assertEquals(List.of("negative", "positive"), c.labels());
    }

    @Test
    void refusesWhatItCannotHonour() {
        LinearVerbalizer v = LinearVerbalizer.fromLabelWords(words, model);
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> PromptClassifier
                .builder(model).template(template).verbalizer(words).learnedVerbalizer(v).build());
        assertTrue(both.getMessage().contains("not both"), both.getMessage());
        IllegalArgumentException calibrated = assertThrows(IllegalArgumentException.class, () -> PromptClassifier
                .builder(model).template(template).learnedVerbalizer(v).calibration(Calibration.contextual())
                .build());
        assertTrue(calibrated.getMessage().contains("calibration"), calibrated.getMessage());
        LinearVerbalizer wide = LinearVerbalizer.of(List.of("a", "b"), List.of(new float[5], new float[5]),
                new float[2]);
        IllegalArgumentException width = assertThrows(IllegalArgumentException.class, () -> PromptClassifier
                .builder(model).template(template).learnedVerbalizer(wide).build());
        assertTrue(width.getMessage().contains("hidden size 4"), width.getMessage());
        PromptClassifier c = PromptClassifier.builder(model).template(template).learnedVerbalizer(v).build();
        assertThrows(IllegalStateException.class, () -> c.labelWordScores(List.of(c.encoder().encode("x"))));
        assertThrows(IllegalArgumentException.class, () -> LinearVerbalizer.of(List.of("a", "b"),
                List.of(new float[] {Float.NaN}, new float[] {1}), new float[2]));
        assertThrows(IllegalArgumentException.class, () -> LinearVerbalizer.of(List.of("a", "a"),
                List.of(new float[] {1}, new float[] {1}), new float[2]));
    }
}
