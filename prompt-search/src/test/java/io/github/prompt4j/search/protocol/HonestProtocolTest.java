package io.github.prompt4j.search.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.label.LabelStage;
import io.github.prompt4j.search.label.LabelStageResult;
import io.github.prompt4j.search.select.PromptEnsemble;
import io.github.prompt4j.search.select.TriggerEnsembleStage;
import io.github.prompt4j.search.select.TriggerEnsembleStageResult;
import io.github.prompt4j.search.testing.Planted;
import io.github.prompt4j.search.trigger.CandidateEvaluation;
import io.github.prompt4j.search.trigger.SearchListener;
import io.github.prompt4j.search.trigger.SearchLoss;
import io.github.prompt4j.search.trigger.SearchStep;
import io.github.prompt4j.search.trigger.TriggerSearch;
import io.github.prompt4j.search.trigger.TriggerSearchResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HonestProtocolTest {

    private static final Template TEMPLATE = Template.parse("{sentence} [T] [T] [MASK] .");

    /** Planted examples that open with the sentinel: what a run reports on. */
    private static List<Example> reported(int count) {
        List<Example> out = new ArrayList<>();
        for (Example e : Planted.examples(count, 0)) {
            out.add(Example.of("sentence", SpyModel.SENTINEL + " " + e.fields().get("sentence"), e.label()));
        }
        return out;
    }

    private static TriggerSearch.Builder search(SpyModel model, SelectionSplit split, SearchListener listener) {
        return TriggerSearch.builder(model).template(TEMPLATE).verbalizer(Planted.verbalizer())
                .train(split.search()).selection(split.selection()).loss(SearchLoss.CLASS_CROSS_ENTROPY)
                .confirmationBatchSize(6).candidateEvaluation(CandidateEvaluation.SUCCESSIVE_HALVING)
                .racingStartSize(2).evaluationBatchSize(8).gradientBatchSize(4).candidates(4).iterations(6).seed(5)
                .listener(listener);
    }

    @Test
    void noReportedExampleIsScoredBeforeTheFinalEvaluationAndEachOnceThere() {
        SpyModel model = new SpyModel(Planted.model());
        SelectionSplit split = SelectionSplit.carve(Planted.examples(30, 0), 10, 7);
        HeldOut dev = HeldOut.of("dev", reported(12));
        TriggerSearchResult triggers = search(model, split, SearchListener.none()).selectionBatchSize(4)
                .rescoreTop(3).build().run();
        LabelStageResult stage = LabelStage.builder(model).template(triggers.boundTemplate())
                .seedWords(triggers.verbalizer()).maxAdded(2).train(split.search()).selection(split.selection())
                .batchSize(8).build().run();
        PromptClassifier classifier = triggers.withLabelWords(stage.chosen()).classifier(model);
        assertEquals(0, model.reportedScored, "the spy throws on an early reported example; none was counted");
        assertFalse(dev.evaluated());
        int forwardBefore = model.forwardPrompts.size();
        double accuracy = dev.evaluateOnce(examples -> {
            model.finalEvaluation = true;
            long right = examples.stream().filter(e -> classifier.classify(e.fields()).label().equals(e.label()))
                    .count();
            return (double) right / examples.size();
        });
        assertEquals(12, model.reportedScored, "every reported example scored exactly once");
        assertEquals(forwardBefore + 12, model.forwardPrompts.size(), "and nothing else in the final evaluation");
        assertTrue(accuracy >= 0 && accuracy <= 1);
        assertTrue(dev.evaluated());
        IllegalStateException again = assertThrows(IllegalStateException.class, () -> dev.evaluateOnce(e -> 0));
        assertTrue(again.getMessage().contains("already evaluated"), again.getMessage());
    }

    @Test
    void theEnsembleStageScoresOnlyTheSelectionSplitAndTheReportedSetOncePerMember() {
        SpyModel model = new SpyModel(Planted.model());
        SelectionSplit split = SelectionSplit.carve(Planted.examples(30, 0), 10, 7);
        HeldOut dev = HeldOut.of("dev", reported(12));
        TriggerSearchResult triggers = search(model, split, SearchListener.none()).selectionBatchSize(4)
                .rescoreTop(3).build().run();
        int forwardBefore = model.forwardPrompts.size();
        TriggerEnsembleStageResult stage = TriggerEnsembleStage.builder(model).result(triggers)
                .selection(split.selection()).batchSize(8).build().run();
        int shortlisted = triggers.state().shortlist().size();
        assertEquals(forwardBefore + shortlisted * split.selection().size(), model.forwardPrompts.size(),
                "one pass per shortlisted state and selection example, nothing else");
        assertEquals(0, model.reportedScored);
        TriggerSearchResult saved = triggers.withEnsemble(stage.members(), model.tokenizer());
        PromptEnsemble ensemble = PromptEnsemble.of(saved.memberClassifiers(model));
        assertEquals(0, model.reportedScored, "building the classifiers scores nothing");
        double accuracy = dev.evaluateOnce(examples -> {
            model.finalEvaluation = true;
            long right = 0;
            for (int i = 0; i < examples.size(); i++) {
                right += ensemble.classify(examples.get(i).fields()).label().equals(examples.get(i).label()) ? 1 : 0;
            }
            return (double) right / examples.size();
        });
        assertEquals(12 * stage.chosenSize(), model.reportedScored, "each reported example once per member");
        assertTrue(accuracy >= 0 && accuracy <= 1);
    }

    @Test
    void theSpyCatchesASearchThatSelectsOnTheReportedExamples() {
        // the dishonest protocol, as the command line ran before: the reported examples handed to the search as its
        // selection set; the spy must fail it (so the test above would notice a leak)
        SpyModel model = new SpyModel(Planted.model());
        TriggerSearch dishonest = TriggerSearch.builder(model).template(TEMPLATE).verbalizer(Planted.verbalizer())
                .train(Planted.examples(20, 0)).selection(reported(12)).iterations(1).listener(SearchListener.none())
                .build();
        AssertionError e = assertThrows(AssertionError.class, dishonest::run);
        assertTrue(e.getMessage().contains("before the final evaluation"), e.getMessage());
    }

    @Test
    void theSelectionSplitNeverEntersASearchBatchAndIsScoredOncePerAcceptedStep() {
        SpyModel model = new SpyModel(Planted.model());
        SelectionSplit split = SelectionSplit.carve(Planted.examples(30, 0), 10, 3);
        List<SearchStep> steps = new ArrayList<>();
        TriggerSearchResult r = search(model, split, steps::add).build().run();
        Set<String> selectionSentences = new HashSet<>();
        PromptClassifier plain = PromptClassifier.builder(model).template(TEMPLATE).verbalizer(Planted.verbalizer())
                .build();
        for (Example e : split.selection()) {
            selectionSentences.add(sentence(plain.encoder().encode(e.fields().get("sentence")).ids()));
        }
        for (int[] ids : model.gradientPrompts) {
            assertFalse(selectionSentences.contains(sentence(ids)), "a gradient batch held a selection example");
        }
        long accepted = steps.stream().filter(SearchStep::accepted).count();
        assertTrue(accepted > 0, "the search moved");
        long selectionForwards = model.forwardPrompts.stream().filter(ids -> selectionSentences.contains(
                sentence(ids))).count();
        assertEquals((1 + accepted) * split.selection().size(), selectionForwards,
                "selection examples are scored only to select: at the start and after each accepted step");
        assertEquals(6, r.iterations());
    }

    /** The sentence tokens of a prompt of TEMPLATE: between [CLS] and the two trigger slots. */
    private static String sentence(int[] ids) {
        return Arrays.toString(Arrays.copyOfRange(ids, 1, ids.length - 5));
    }

    @Test
    void rescoringChoosesAmongTheShortlistOnTheWholeSplitAndReportsThoseMetrics() {
        SpyModel model = new SpyModel(Planted.model());
        SelectionSplit split = SelectionSplit.carve(Planted.examples(30, 0), 10, 7);
        TriggerSearchResult r = search(model, split, SearchListener.none()).selectionBatchSize(3).rescoreTop(3)
                .build().run();
        assertFalse(r.state().shortlist().isEmpty());
        assertTrue(r.state().shortlist().size() <= 3);
        PromptClassifier c = r.classifier(model);
        long right = split.selection().stream().filter(e -> c.classify(e.fields()).label().equals(e.label()))
                .count();
        assertEquals((double) right / split.selection().size(), r.metrics().get("selection_accuracy"), 1e-12,
                "the result's selection accuracy is its accuracy on the whole split");
        boolean listed = r.state().shortlist().stream().anyMatch(s -> Arrays.equals(s.triggers(), r.triggerIds()));
        assertTrue(listed, "the chosen triggers come from the shortlist");
        assertEquals(r.state().passes().forwardPasses() + 10L * r.state().shortlist().size(),
                r.passes().forwardPasses(), "re-scoring costs one pass per selection example and listed state");
    }

    @Test
    void aSelectionExampleThatIsAlsoATrainingExampleIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TriggerSearch
                .builder(Planted.model()).template(TEMPLATE).verbalizer(Planted.verbalizer())
                .train(Planted.examples(20, 0)).selection(Planted.examples(5, 30)).build());
        assertTrue(e.getMessage().contains("also a training example"), e.getMessage());
    }

    @Test
    void carvingIsSeededDisjointByValueAndRecordsItsRows() {
        List<Example> source = new ArrayList<>(Planted.examples(30, 0));
        source.add(source.get(4));   // a repeated row, as SST-2's training file has
        SelectionSplit a = SelectionSplit.carve(source, 8, 11);
        SelectionSplit b = SelectionSplit.carve(source, 8, 11);
        assertEquals(a.selection(), b.selection());
        assertArrayEquals(a.selectionIndices(), b.selectionIndices());
        assertFalse(a.selection().equals(SelectionSplit.carve(source, 8, 12).selection()), "another seed");
        Set<Example> chosen = new HashSet<>(a.selection());
        assertTrue(a.search().stream().noneMatch(chosen::contains));
        int[] rows = a.selectionIndices();
        for (int i = 0; i < rows.length; i++) {
            assertEquals(source.get(rows[i]), a.selection().get(i));
        }
        long copiesDrawn = Arrays.stream(rows).filter(r -> r == 4 || r == 30).count();
        assertEquals(31 - 8 - (copiesDrawn == 1 ? 1 : 0), a.search().size(),
                "the rest, less the undrawn copy of a drawn example");
        assertEquals(31, a.sourceSize());
        assertThrows(IllegalArgumentException.class, () -> SelectionSplit.carve(source, 31, 1));
        assertThrows(IllegalArgumentException.class, () -> SelectionSplit.carve(source, 0, 1));
    }
}
