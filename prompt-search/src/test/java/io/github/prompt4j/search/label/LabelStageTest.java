package io.github.prompt4j.search.label;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.select.PromptScore;
import io.github.prompt4j.search.testing.LinearBagModel;
import io.github.prompt4j.search.testing.Planted;
import io.github.prompt4j.search.trigger.SearchListener;
import io.github.prompt4j.search.trigger.TriggerSearch;
import io.github.prompt4j.search.trigger.TriggerSearchResult;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The label stage as a library API (it lived in the Eval command line before issue 14): the same choice as the
 * command line made, checked against an independent count of each candidate's accuracy with the saved prompt's own
 * classifier.
 */
class LabelStageTest {

    /** Accuracy of the saved prompt's own classifier with these words, counted example by example. */
    private static double accuracy(LinearBagModel model, TriggerSearchResult r, Verbalizer words,
            List<Example> data) {
        PromptClassifier c = r.withLabelWords(words).classifier(model);
        int right = 0;
        for (Example e : data) {
            Classification got = c.classify(e.fields());
            right += got.label().equals(e.label()) ? 1 : 0;
        }
        return (double) right / data.size();
    }

    @Test
    void choosesTheCountOfAddedWordsWithTheBestSelectionAccuracyOfTheSavedClassifier() {
        LinearBagModel model = Planted.model();
        TriggerSearchResult triggers = TriggerSearch.builder(model).template(Template.parse("{sentence} [T] [MASK] ."))
                .verbalizer(Planted.verbalizer()).train(Planted.examples(20, 0)).selection(Planted.examples(10, 20))
                .listener(SearchListener.none()).candidates(4).iterations(2).seed(3).build().run();
        List<Example> select = Planted.examples(10, 20);
        LabelStageResult stage = LabelStage.builder(model).template(triggers.boundTemplate())
                .seedWords(triggers.verbalizer()).maxAdded(2).train(Planted.examples(20, 0)).selection(select)
                .batchSize(8).build().run();

        assertEquals(3, stage.byAdded().size());
        assertEquals(2, stage.maxAdded());
        double bestAccuracy = -1;
        for (int k = 0; k < 3; k++) {
            PromptScore s = stage.byAdded().get(k);
            Verbalizer expected = stage.search().extend(triggers.verbalizer(), k);
            assertEquals(expected.words(), s.candidate().verbalizer().words());
            assertEquals(accuracy(model, triggers, expected, select), s.accuracy(), 1e-12, "k = " + k);
            assertEquals(select.size(), s.inputs());
            bestAccuracy = Math.max(bestAccuracy, s.accuracy());
        }
        assertEquals(bestAccuracy, stage.selectionAccuracy(), 0.0);
        for (PromptScore s : stage.byAdded()) {
            if (s.accuracy() == bestAccuracy) {
                assertTrue(s.logLikelihood() <= stage.byAdded().get(stage.added()).logLikelihood(),
                        "ties go to the higher log-likelihood");
            }
        }
        assertEquals(stage.byAdded().get(stage.added()).candidate().verbalizer().words(), stage.chosen().words());
        assertEquals(triggers.verbalizer().words(), stage.search().extend(triggers.verbalizer(), 0).words());
    }

    @Test
    void refusesAStageWithoutASelectionSplit() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabelStage
                .builder(Planted.model()).template(Template.parse("{sentence} plot [MASK] ."))
                .seedWords(Planted.verbalizer()).train(Planted.examples(20, 0)).build());
        assertTrue(e.getMessage().contains("selection split"), e.getMessage());
    }
}
