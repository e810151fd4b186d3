package io.github.prompt4j.search.select;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.testing.FakeMaskedLanguageModel;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.select.CalibrationStageResult.Option;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The calibration stage on the fake model, every number by hand. The template adds "good good" (sentiment +2), so a
 * prompt of text sentiment {@code t} has {@code s = t + 2} and, with one word per class, {@code q(positive) =
 * sigma(2s)}: the prompt leans positive. A content-free input ("N/A", "", [MASK]: sentiment 0) has {@code s = 2}, so
 * the content-free prior is {@code (sigma(-4), sigma(4))}; dividing by it makes the decision {@code s > 2}.
 */
class CalibrationStageTest {

    static final Template LEANING = Template.parse("{text} It was good good [MASK].");
    static final Verbalizer WORDS = Verbalizer.builder().add("negative", "terrible").add("positive", "great").build();

    private final FakeMaskedLanguageModel model = new FakeMaskedLanguageModel();

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    static Example ex(String text, String label) {
        return Example.of("text", text, label);
    }

    /** Text sentiments -1, -2, +1, -1: s = 1, 0, 3, 1. Uncalibrated (s > 0 positive, the tie at 0 negative): 2 of 4. */
    static final List<Example> SELECTION = List.of(ex("bad film", "negative"), ex("bad bad", "negative"),
            ex("good", "positive"), ex("fun bad bad", "negative"));

    @Test
    void dividingByTheContentFreePriorFixesALeaningPrompt() {
        // a sample of strongly positive training texts (t = 2, s = 4): prior (sigma(-8), sigma(8)), decision s > 4,
        // which gets "good" (s = 3) wrong: 3 of 4
        List<Example> sample = List.of(ex("good fun", "ignored"), ex("great happy", "ignored"));
        CalibrationStageResult r = CalibrationStage.builder(model).template(LEANING).verbalizer(WORDS)
                .sample(sample).selection(SELECTION).build().run();
        assertEquals(0.5, r.selectionAccuracy().get(Option.NONE), 1e-12);
        assertEquals(1.0, r.selectionAccuracy().get(Option.CONTENT_FREE), 1e-12);
        assertEquals(0.75, r.selectionAccuracy().get(Option.TRAINING_SAMPLE), 1e-12);
        assertEquals(Option.CONTENT_FREE, r.chosen());
        assertEquals(sigmoid(4), r.chosenPrior().get("positive"), 1e-6);
        assertEquals(sigmoid(-4), r.chosenPrior().get("negative"), 1e-6);
        assertEquals(sigmoid(8), r.priors().get(Option.TRAINING_SAMPLE).get("positive"), 1e-6);
        assertEquals(4 + 2 + 3, r.forwardPasses());
        // the frozen choice classifies the selection split exactly as the stage counted
        PromptClassifier frozen = PromptClassifier.builder(model).template(LEANING).verbalizer(WORDS)
                .calibration(r.calibration()).build();
        long correct = SELECTION.stream().filter(e -> frozen.classify(e.fields().get("text")).label()
                .equals(e.label())).count();
        assertEquals(4, correct);
    }

    @Test
    void aSampleOfTheLeaningTextsWinsWhenTheContentFreeInputsMisjudgeIt() {
        // sample texts of sentiment +1 (s = 3): prior (sigma(-6), sigma(6)), decision s > 3
        List<Example> sample = List.of(ex("good film", "ignored"), ex("the fun", "ignored"));
        List<Example> selection = List.of(ex("good", "negative"), ex("good fun", "positive"), ex("the", "negative"));
        // s = 3, 4, 2: none 1 of 3, content-free (s > 2) 2 of 3, sample (s > 3) 3 of 3
        CalibrationStageResult r = CalibrationStage.builder(model).template(LEANING).verbalizer(WORDS)
                .sample(sample).selection(selection).build().run();
        assertEquals(1.0 / 3, r.selectionAccuracy().get(Option.NONE), 1e-12);
        assertEquals(2.0 / 3, r.selectionAccuracy().get(Option.CONTENT_FREE), 1e-12);
        assertEquals(1.0, r.selectionAccuracy().get(Option.TRAINING_SAMPLE), 1e-12);
        assertEquals(Option.TRAINING_SAMPLE, r.chosen());
        assertEquals(sigmoid(6), r.chosenPrior().get("positive"), 1e-6);
    }

    @Test
    void tiesKeepNoCalibration() {
        // s = 3, 4 and 0 are right without calibration and with the content-free prior alike
        List<Example> selection = List.of(ex("good", "positive"), ex("fun fun", "positive"),
                ex("bad bad", "negative"));
        CalibrationStageResult r = CalibrationStage.builder(model).template(LEANING).verbalizer(WORDS)
                .sample(List.of(ex("the film", "ignored"))).selection(selection).build().run();
        assertEquals(1.0, r.selectionAccuracy().get(Option.CONTENT_FREE), 1e-12);
        assertEquals(Option.NONE, r.chosen());
        assertTrue(r.chosenPrior().isEmpty());
        assertEquals(1.0, r.chosenAccuracy(), 0.0);
    }

    @Test
    void theSampleMustNotBeTheSelectionSplitAndLabelsMustBeClasses() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CalibrationStage
                .builder(model).template(LEANING).verbalizer(WORDS).sample(SELECTION.subList(0, 2))
                .selection(SELECTION).build());
        assertTrue(e.getMessage().contains("selection example"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CalibrationStage.builder(model).template(LEANING)
                .verbalizer(WORDS).sample(List.of(ex("the", "x"))).selection(List.of(ex("good", "neutral")))
                .build().run());
        assertTrue(e.getMessage().contains("'neutral'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CalibrationStage.builder(model).template(LEANING)
                .verbalizer(WORDS).selection(SELECTION).build());
    }

    @Test
    void argmaxDividesByThePrior() {
        List<String> classes = List.of("a", "b");
        Map<String, Double> q = Map.of("a", 0.3, "b", 0.7);
        assertEquals("b", CalibrationStage.argmax(classes, q, null));
        assertEquals("a", CalibrationStage.argmax(classes, q, Map.of("a", 0.2, "b", 0.8)));
        assertEquals("a", CalibrationStage.argmax(classes, Map.of("a", 0.5, "b", 0.5), null), "ties: first class");
    }
}
