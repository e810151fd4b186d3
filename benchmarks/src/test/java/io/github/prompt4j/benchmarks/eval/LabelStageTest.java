package io.github.prompt4j.benchmarks.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
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
                .verbalizer(Planted.verbalizer()).train(Planted.examples(40, 0)).dev(Planted.examples(10, 100))
                .listener(SearchListener.none()).candidates(4).iterations(2).seed(3).build().run();
        List<Example> select = Planted.examples(30, 200);
        LabelStage stage = LabelStage.run(model, triggers, 2, Planted.examples(40, 0), select, 8);

        assertEquals(3, stage.byAdded().size());
        double bestAccuracy = -1;
        for (int k = 0; k < 3; k++) {
            PromptScore s = stage.byAdded().get(k);
            Verbalizer expected = stage.search().extend(triggers.verbalizer(), k);
            assertEquals(expected.words(), s.candidate().verbalizer().words());
            assertEquals(accuracy(model, triggers, expected, select), s.accuracy(), 1e-12, "k = " + k);
            bestAccuracy = Math.max(bestAccuracy, s.accuracy());
        }
        assertEquals(bestAccuracy, stage.selectionAccuracy(), 0.0);
        for (PromptScore s : stage.byAdded()) {
            if (s.accuracy() == bestAccuracy) {
                assertTrue(s.logLikelihood() <= stage.byAdded().get(stage.added()).logLikelihood(),
                        "ties go to the higher log-likelihood");
            }
        }
        assertEquals(triggers.verbalizer().words(), stage.search().extend(triggers.verbalizer(), 0).words());
        ObjectNode json = stage.toJson();
        assertEquals(stage.added(), json.get("added").asInt());
        assertEquals(3, json.get("candidates").size());
        assertEquals(2, json.get("maxAdded").asInt());
    }
}
