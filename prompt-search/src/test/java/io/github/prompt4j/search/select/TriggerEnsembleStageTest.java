package io.github.prompt4j.search.select;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.testing.FakeMaskedLanguageModel;
import io.github.prompt4j.core.testing.FakeTokenizer;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.trigger.ScoredTriggers;
import io.github.prompt4j.search.trigger.SearchListener;
import io.github.prompt4j.search.trigger.TriggerSearch;
import io.github.prompt4j.search.trigger.TriggerSearchResult;
import io.github.prompt4j.search.trigger.TriggerSearchState;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The ensemble stage on the fake model, every number by hand. Trigger states shift a prompt's sentiment: A = (good,
 * the) by +1, B = (bad, bad) by -2, C = (fun, fun) by +2. A prompt of text sentiment {@code t} under a state of shift
 * {@code d} has {@code q(positive) = sigma(2(t + d))} (one word per class), so a single state says positive iff
 * {@code t + d > 0}, and an ensemble says positive iff the mean of its members' sigmoids exceeds 1/2.
 */
class TriggerEnsembleStageTest {

    static final Template TWO = Template.parse("{text} [T] [T] [MASK] .");
    static final Verbalizer WORDS = Verbalizer.builder().add("negative", "terrible").add("positive", "great").build();
    static final int[] A = {FakeTokenizer.id("good"), FakeTokenizer.id("the")};
    static final int[] B = {FakeTokenizer.id("bad"), FakeTokenizer.id("bad")};
    static final int[] C = {FakeTokenizer.id("fun"), FakeTokenizer.id("fun")};

    private final FakeMaskedLanguageModel model = new FakeMaskedLanguageModel();

    static Example ex(String text, String label) {
        return Example.of("text", text, label);
    }

    /** t = 0, 1, 2, -1. */
    static final List<Example> SELECTION = List.of(ex("film", "negative"), ex("good", "positive"),
            ex("good fun", "positive"), ex("bad", "negative"));

    /** A search result (no steps) whose shortlist is the given states, in this order; rescoreTop = their count. */
    TriggerSearchResult withShortlist(int[]... states) {
        TriggerSearchResult found = TriggerSearch.builder(model).template(TWO).verbalizer(WORDS)
                .train(List.of(ex("happy movie", "positive"), ex("sad movie", "negative")))
                .selection(List.of(ex("it was okay", "negative"))).initialTriggers(List.of("good", "the"))
                .iterations(0).rescoreTop(states.length).listener(SearchListener.none()).build().run();
        List<ScoredTriggers> shortlist = new java.util.ArrayList<>();
        for (int i = 0; i < states.length; i++) {
            shortlist.add(new ScoredTriggers(states[i], i, Map.of("selection_accuracy", 0.5)));
        }
        TriggerSearchState s = found.state();
        TriggerSearchState state = new TriggerSearchState(s.modelName(), s.template(), s.settings(), s.iteration(),
                s.beam(), s.currentSelectionMetric(), s.bestTriggers(), s.bestSelectionMetrics(), s.bestIteration(),
                s.trainLoss(), s.passes(), s.elapsedMillis(), s.longestStepMillis(), shortlist);
        return new TriggerSearchResult(found.modelName(), found.template(), found.filledTemplate(),
                found.triggerIds(), found.triggerTokens(), found.labelWords(), found.metrics(), found.settings(),
                found.passes(), found.elapsedMillis(), found.iterations(), found.bestIteration(), state,
                found.protocol(), Map.of(), List.of(), Optional.empty());
    }

    TriggerEnsembleStageResult run(TriggerSearchResult found, List<Example> selection) {
        return TriggerEnsembleStage.builder(model).result(found).selection(selection).build().run();
    }

    @Test
    void anEnsembleOfTwoThatBeatsEachMemberIsChosen() {
        // A (t >= 0 positive) misses "film": 3/4; B (t >= 3) misses "good" and "good fun": 2/4; C (t >= -1) misses
        // "film" and "bad": 2/4. A + B: t = 0 gives sigma(2) + sigma(-4) = 0.899 < 1, negative; t = 1 gives
        // sigma(4) + sigma(-2) = 1.101 > 1, positive: 4/4. A + B + C: t = 0 gives 1.881 > 1.5, positive: 3/4.
        TriggerSearchResult found = withShortlist(B, C, A);
        int before = model.batchSizes().stream().mapToInt(Integer::intValue).sum();
        TriggerEnsembleStageResult r = run(found, SELECTION);
        int passes = model.batchSizes().stream().mapToInt(Integer::intValue).sum() - before;
        assertEquals(List.of(0.75, 1.0, 0.75), r.selectionAccuracy());
        assertEquals(2, r.chosenSize());
        assertEquals(1.0, r.chosenAccuracy(), 0.0);
        assertArrayEquals(A, r.ranked().get(0).triggers(), "ranked by their own accuracy");
        assertArrayEquals(B, r.ranked().get(1).triggers(), "ties keep shortlist order: B before C");
        assertArrayEquals(C, r.ranked().get(2).triggers());
        assertEquals(0.75, r.ranked().get(0).metrics().get(TriggerEnsembleStageResult.MEMBER_ACCURACY), 0.0);
        assertEquals(0.5, r.ranked().get(2).metrics().get(TriggerEnsembleStageResult.MEMBER_ACCURACY), 0.0);
        assertEquals(2, r.members().size());
        assertEquals(12, r.forwardPasses(), "one pass per state and example");
        assertEquals(12, passes, "the sizes reuse the states' distributions");
        assertEquals(4, r.selectionSize());
    }

    @Test
    void theSingleBestStateWinsWhenAveragingHurts() {
        // t = 0, -1, 1; A (t >= 0) is right on all 3; B (t >= 3) only on "bad"; A + B says negative at t = 0: 2/3
        List<Example> selection = List.of(ex("film", "positive"), ex("bad", "negative"), ex("good", "positive"));
        TriggerEnsembleStageResult r = run(withShortlist(A, B), selection);
        assertEquals(2, r.selectionAccuracy().size());
        assertEquals(1.0, r.selectionAccuracy().get(0), 0.0);
        assertEquals(2.0 / 3, r.selectionAccuracy().get(1), 1e-12);
        assertEquals(1, r.chosenSize());
        assertArrayEquals(A, r.members().get(0).triggers());
    }

    @Test
    void aTieKeepsTheSmallerEnsemble() {
        // the selection of the test above with C too: ranked A (3/3), C (2/3: "bad" positive), B (1/3); A + C says
        // positive at t = -1 (0.5 + 0.881 > 1): 2/3; A + C + B: t = -1 gives 1.383 < 1.5, t = 0 gives 1.881: 3/3
        List<Example> selection = List.of(ex("film", "positive"), ex("bad", "negative"), ex("good", "positive"));
        TriggerEnsembleStageResult r = run(withShortlist(A, B, C), selection);
        assertEquals(1.0, r.selectionAccuracy().get(0), 0.0);
        assertEquals(2.0 / 3, r.selectionAccuracy().get(1), 1e-12);
        assertEquals(1.0, r.selectionAccuracy().get(2), 0.0);
        assertEquals(1, r.chosenSize(), "three members tie the single best: keep one");
    }

    @Test
    void maxMembersBoundsTheSizesTried() {
        TriggerEnsembleStageResult r = TriggerEnsembleStage.builder(model).result(withShortlist(B, C, A))
                .selection(SELECTION).maxMembers(1).build().run();
        assertEquals(List.of(0.75), r.selectionAccuracy());
        assertEquals(1, r.chosenSize());
    }

    @Test
    void theSavedEnsembleClassifiesAsTheStageCountedAndSurvivesJson() {
        TriggerSearchResult found = withShortlist(B, C, A);
        TriggerEnsembleStageResult r = run(found, SELECTION);
        TriggerSearchResult saved = found.withEnsemble(r.members(), model.tokenizer());
        assertTrue(saved.isEnsemble());
        assertArrayEquals(A, saved.triggerIds(), "the best member leads");
        assertEquals(List.of("good", "the"), saved.triggerTokens());
        assertEquals("{text} good the [MASK] .", saved.filledTemplate());
        assertEquals(2, saved.ensembleTriggerIds().size());
        assertArrayEquals(B, saved.ensembleTriggerIds().get(1));
        IllegalStateException single = assertThrows(IllegalStateException.class, () -> saved.classifier(model));
        assertTrue(single.getMessage().contains("memberClassifiers"), single.getMessage());

        TriggerSearchResult loaded = TriggerSearchResult.fromJson(saved.toJson());
        assertEquals(saved.toJson(), loaded.toJson());
        List<Map<String, String>> inputs = SELECTION.stream().map(e -> e.valuesFor(TWO)).toList();
        List<Classification> before = PromptEnsemble.of(saved.memberClassifiers(model)).classifyAllFields(inputs);
        List<Classification> after = PromptEnsemble.of(loaded.memberClassifiers(model)).classifyAllFields(inputs);
        long right = 0;
        for (int i = 0; i < inputs.size(); i++) {
            assertEquals(before.get(i).probabilities(), after.get(i).probabilities());
            right += after.get(i).label().equals(SELECTION.get(i).label()) ? 1 : 0;
        }
        assertEquals(4, right, "the loaded ensemble reproduces the stage's selection accuracy");
    }

    @Test
    void oneChosenMemberSavesASinglePromptOfThatState() {
        List<Example> selection = List.of(ex("film", "positive"), ex("bad", "negative"), ex("good", "positive"));
        TriggerSearchResult found = withShortlist(B, A);
        TriggerEnsembleStageResult r = run(found, selection);
        TriggerSearchResult saved = found.withEnsemble(r.members(), model.tokenizer());
        assertFalse(saved.isEnsemble());
        assertArrayEquals(A, saved.triggerIds());
        assertEquals(1, saved.memberClassifiers(model).size());
        TriggerSearchResult loaded = TriggerSearchResult.fromJson(saved.toJson());
        assertEquals(saved.classifier(model).classify("film").probabilities(),
                loaded.classifier(model).classify("film").probabilities());
        assertEquals("positive", loaded.classifier(model).classify("film").label());
    }

    @Test
    void anEnsembleIsNotCalibratedAndNewLabelWordsDropIt() {
        TriggerSearchResult found = withShortlist(B, C, A);
        TriggerSearchResult saved = found.withEnsemble(run(found, SELECTION).members(), model.tokenizer());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> saved.withCalibrationPrior(
                Map.of("negative", 0.5, "positive", 0.5)));
        assertTrue(e.getMessage().contains("ensemble"), e.getMessage());
        Verbalizer more = Verbalizer.builder().add("negative", "terrible", "bad").add("positive", "great").build();
        assertFalse(saved.withLabelWords(more).isEnsemble());
        assertTrue(saved.withMetrics(Map.of("x", 1.0)).isEnsemble());
        IllegalArgumentException again = assertThrows(IllegalArgumentException.class, () -> run(saved, SELECTION));
        assertTrue(again.getMessage().contains("already an ensemble"), again.getMessage());
    }

    @Test
    void badSettingsAreRefusedNamingTheSetting() {
        TriggerSearchResult found = withShortlist(A, B);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TriggerEnsembleStage
                .builder(model).result(found).selection(SELECTION).maxMembers(3).build());
        assertTrue(e.getMessage().contains("maxMembers") && e.getMessage().contains("rescoreTop = 2"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TriggerEnsembleStage.builder(model).result(found)
                .selection(SELECTION).maxMembers(0).build());
        assertTrue(e.getMessage().contains("maxMembers"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TriggerEnsembleStage.builder(model).result(found)
                .build());
        assertTrue(e.getMessage().contains("selection("), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TriggerEnsembleStage.builder(model)
                .selection(SELECTION).build());
        assertTrue(e.getMessage().contains("result("), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TriggerEnsembleStage.builder(model).result(found)
                .selection(SELECTION).batchSize(0).build());
        assertTrue(e.getMessage().contains("batchSize"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TriggerEnsembleStage.builder(model).result(withShortlist())
                .selection(SELECTION).build());
        assertTrue(e.getMessage().contains("rescoreTop"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TriggerEnsembleStage.builder(model).result(found)
                .selection(List.of(ex("good", "neutral"))).build().run());
        assertTrue(e.getMessage().contains("'neutral'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> found.withEnsemble(List.of(), model.tokenizer()));
        assertTrue(e.getMessage().contains("member"), e.getMessage());
    }
}
