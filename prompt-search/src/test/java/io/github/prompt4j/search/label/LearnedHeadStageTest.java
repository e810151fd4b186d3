package io.github.prompt4j.search.label;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.calibration.Calibration;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.model.ModelInfo;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.testing.FakeMaskedLanguageModel;
import io.github.prompt4j.core.testing.FakeTokenizer;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.testing.FakeModelDelegate;
import io.github.prompt4j.search.trigger.ScoredTriggers;
import io.github.prompt4j.search.trigger.SearchListener;
import io.github.prompt4j.search.trigger.TriggerSearch;
import io.github.prompt4j.search.trigger.TriggerSearchResult;
import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.MaskVectors;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The learned-head stage on the fake model, whose transformed mask state is {@code h = (s, 0, 0, 0)} with {@code s} =
 * positive minus negative tokens; the triggers "the the" add nothing to {@code s}, so the label words terrible / great
 * (classes 0 / 1) say 1 iff the text has more positive words.
 */
class LearnedHeadStageTest {

    private static final Template TWO = Template.parse("{sentence} [T] [T] [MASK] .");
    private static final Verbalizer WORDS = Verbalizer.builder().add("0", "terrible").add("1", "great").build();

    private final FakeMaskedLanguageModel model = new FakeMaskedLanguageModel();

    /** {@link VerbalizerTrainerTest#reversed}'s texts with their sentiment's labels: the words get every one right. */
    private static List<Example> consistent(int n, long seed) {
        return VerbalizerTrainerTest.reversed(n, seed).stream()
                .map(e -> new Example(e.fields(), e.label().equals("0") ? "1" : "0")).toList();
    }

    /** A search result with no steps: the template bound to "the the", the label words terrible / great. */
    private TriggerSearchResult found() {
        return TriggerSearch.builder(model).template(TWO).verbalizer(WORDS)
                .train(List.of(Example.of("sentence", "happy movie", "1"), Example.of("sentence", "sad movie", "0")))
                .selection(List.of(Example.of("sentence", "it was okay", "0"))).initialTriggers(List.of("the",
                        "the")).iterations(0).rescoreTop(2).listener(SearchListener.none()).build().run();
    }

    private LearnedHeadStageResult run(TriggerSearchResult result, List<Example> train, List<Example> selection) {
        return LearnedHeadStage.builder(model).result(result).train(train).selection(selection).build().run();
    }

    @Test
    void aHeadThatOverrulesContradictedWordsIsChosenAndSavedWithThePrompt() {
        List<Example> train = VerbalizerTrainerTest.reversed(32, 1);
        List<Example> selection = VerbalizerTrainerTest.reversed(8, 2);
        TriggerSearchResult found = found();
        LearnedHeadStageResult stage = run(found, train, selection);
        assertEquals(0.0, stage.promptAccuracy(), 0.0, "terrible / great get every reversed example wrong");
        assertEquals(1.0, stage.headAccuracy(), 0.0, "a negative weight on s separates them");
        assertTrue(stage.headChosen());
        assertEquals(1.0, stage.chosenAccuracy(), 0.0);
        assertEquals(32, stage.fitted(), "fitted on the training examples only, never refitted with the selection");
        assertEquals(VerbalizerSettings.DEFAULT_L2_GRID.size(), stage.headScores().size());
        assertEquals(32 + 8 + 8, stage.forwardPasses(), "the mask states, then the prompt's scores on the selection");
        assertEquals(1, stage.states().size(), "by default the head reads the best state alone");
        assertTrue(java.util.Arrays.equals(found.triggerIds(), stage.state().triggers()));
        assertTrue(stage.head().weights(0)[0] > stage.head().weights(1)[0], "class 0 now takes positive s");

        TriggerSearchResult saved = stage.applyTo(found, model.tokenizer());
        assertTrue(saved.head().isPresent());
        assertEquals(found.triggerTokens(), saved.triggerTokens());
        assertEquals(found.labelWords(), saved.labelWords(), "the words stay, as the classes and the start");
        PromptClassifier classifier = saved.classifier(model);
        for (Example e : selection) {
            assertEquals(e.label(), classifier.classify(e.fields().get("sentence")).label(), e.toString());
        }
        String json = saved.toJson();
        assertTrue(json.contains(TriggerSearchResult.FORMAT_WITH_HEAD), json);
        TriggerSearchResult back = TriggerSearchResult.fromJson(json);
        assertEquals(stage.head(), back.head().orElseThrow(), "bit-identical weights and biases");
        assertEquals(json, back.toJson());
        PromptClassifier reloaded = back.memberClassifiers(model).get(0);
        for (Example e : VerbalizerTrainerTest.reversed(20, 3)) {
            String text = e.fields().get("sentence");
            assertEquals(classifier.classify(text).probabilities(), reloaded.classify(text).probabilities(), text);
        }
    }

    @Test
    void wordsAsGoodAsTheHeadAreKept() {
        List<Example> selection = consistent(8, 2);
        TriggerSearchResult found = found();
        LearnedHeadStageResult stage = run(found, consistent(32, 1), selection);
        assertEquals(1.0, stage.promptAccuracy(), 0.0, "the words get every consistent example right");
        assertFalse(stage.headChosen(), "a tie keeps the label words");
        assertSame(found, stage.applyTo(found, model.tokenizer()));
        assertEquals(1.0, stage.chosenAccuracy(), 0.0);
    }

    @Test
    void aHeadDropsEnsembleMembersAndCalibrationAndRefusesThemBack() {
        TriggerSearchResult found = found();
        LearnedHeadStageResult stage = run(found, VerbalizerTrainerTest.reversed(32, 1), VerbalizerTrainerTest.reversed(8, 2));
        int[] good = {FakeTokenizer.id("good"), FakeTokenizer.id("the")};
        TriggerSearchResult ensemble = found.withEnsemble(List.of(new ScoredTriggers(found.triggerIds(), 0, Map.of()),
                new ScoredTriggers(good, 0, Map.of())), model.tokenizer());
        assertTrue(ensemble.isEnsemble());
        TriggerSearchResult headed = ensemble.withHead(stage.head());
        assertFalse(headed.isEnsemble(), "the head reads the best state alone");
        TriggerSearchResult calibrated = found.withCalibrationPrior(Map.of("0", 0.4, "1", 0.6));
        assertTrue(calibrated.withHead(stage.head()).calibrationPrior().isEmpty());

        IllegalArgumentException prior = assertThrows(IllegalArgumentException.class,
                () -> headed.withCalibrationPrior(Map.of("0", 0.4, "1", 0.6)));
        assertTrue(prior.getMessage().contains("calibrated"), prior.getMessage());
        IllegalArgumentException calibration = assertThrows(IllegalArgumentException.class,
                () -> headed.classifier(model, Calibration.contextual(List.of("N/A"))));
        assertTrue(calibration.getMessage().contains("own biases"), calibration.getMessage());
        assertFalse(headed.withEnsemble(List.of(new ScoredTriggers(good, 0, Map.of())), model.tokenizer()).head()
                .isPresent(), "a new best state drops the head fitted on the old one");
        assertFalse(headed.withLabelWords(Verbalizer.builder().add("0", "bad").add("1", "good").build())
                .head().isPresent(), "new words drop the head");
        assertTrue(headed.withMetrics(Map.of("x", 1.0)).head().isPresent());
    }

    @Test
    void aHeadRunsOnlyOnTheModelItWasFittedOn() {
        TriggerSearchResult headed = run(found(), VerbalizerTrainerTest.reversed(32, 1), VerbalizerTrainerTest.reversed(8, 2)).applyTo(found(), model.tokenizer());
        FakeModelDelegate renamed = new FakeModelDelegate() {
            @Override
            public ModelInfo info() {
                ModelInfo i = fake.info();
                return new ModelInfo("another-mlm", i.vocabularySize(), i.hiddenSize(), i.maxSequenceLength());
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> headed.classifier(renamed));
        assertTrue(e.getMessage().contains("fake-sentiment-mlm") && e.getMessage().contains("another-mlm"),
                e.getMessage());
    }

    @Test
    void aResultWithoutAHeadKeepsItsJson() {
        TriggerSearchResult found = found();
        String json = found.toJson();
        assertFalse(json.contains("head"), "no head field: files of earlier versions read and write alike");
        TriggerSearchResult back = TriggerSearchResult.fromJson(json);
        assertFalse(back.head().isPresent());
        assertEquals(json, back.toJson());
    }

    @Test
    void theBuilderRefusesWhatCannotBeFitted() {
        TriggerSearchResult found = found();
        List<Example> selection = VerbalizerTrainerTest.reversed(8, 2);
        IllegalArgumentException noTrain = assertThrows(IllegalArgumentException.class,
                () -> LearnedHeadStage.builder(model).result(found).selection(selection).build());
        assertTrue(noTrain.getMessage().contains("train(...)"), noTrain.getMessage());
        TriggerSearchResult headed = run(found, VerbalizerTrainerTest.reversed(32, 1), selection).applyTo(found, model.tokenizer());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> LearnedHeadStage.builder(model).result(headed).train(VerbalizerTrainerTest.reversed(4, 1)).selection(selection)
                        .build());
        assertTrue(twice.getMessage().contains("already has a learned head"), twice.getMessage());
        IllegalArgumentException label = assertThrows(IllegalArgumentException.class,
                () -> run(found, VerbalizerTrainerTest.reversed(4, 1), List.of(Example.of("sentence", "good", "neutral"))));
        assertTrue(label.getMessage().contains("'neutral'"), label.getMessage());
        IllegalArgumentException unbound = assertThrows(IllegalArgumentException.class,
                () -> VerbalizerTrainer.builder(model).template(found.boundTemplate()).verbalizer(WORDS)
                        .train(VerbalizerTrainerTest.reversed(4, 1)).build());
        assertTrue(unbound.getMessage().contains("[T]"), "a saved learned verbalizer stays discrete: "
                + unbound.getMessage());
    }

    /**
     * The fake with its mask state blanked (all zeros) for every prompt that holds "plot": a trigger state with "plot"
     * tells a head nothing, while its label-word scores stay the fake's.
     */
    private static final class BlindToPlot extends FakeModelDelegate {
        @Override
        public MaskVectors maskHiddenStates(List<EncodedPrompt> prompts) {
            MaskVectors real = fake.maskHiddenStates(prompts);
            float[] values = new float[real.rowCount() * real.width()];
            int[] counts = new int[prompts.size()];
            int row = 0;
            for (int p = 0; p < prompts.size(); p++) {
                counts[p] = real.maskCount(p);
                boolean blind = Arrays.stream(prompts.get(p).ids()).anyMatch(id -> id == FakeTokenizer.id("plot"));
                for (int m = 0; m < counts[p]; m++, row++) {
                    if (!blind) {
                        real.copyVector(p, m, values, row * real.width());
                    }
                }
            }
            return new MaskVectors(real.width(), counts, values);
        }
    }

    @Test
    void theShortlistChoiceFitsAHeadOnEachStateAndMovesTheResultToTheBest() {
        BlindToPlot blind = new BlindToPlot();
        int[] plot = {FakeTokenizer.id("plot"), FakeTokenizer.id("the")};
        // the search's best state is "plot the", whose mask state is blank; its warm start "the the" is not
        TriggerSearchResult found = found().withEnsemble(List.of(new ScoredTriggers(plot, 3, Map.of())),
                blind.tokenizer());
        List<Example> train = VerbalizerTrainerTest.reversed(32, 1);
        List<Example> selection = VerbalizerTrainerTest.reversed(8, 2);

        LearnedHeadStageResult best = LearnedHeadStage.builder(blind).result(found).train(train).selection(selection)
                .build().run();
        assertEquals(0.5, best.headAccuracy(), 0.0, "a head on a blank state predicts one class: half the balanced split");
        assertTrue(Arrays.equals(plot, best.state().triggers()));

        LearnedHeadStageResult shortlist = LearnedHeadStage.builder(blind).result(found)
                .states(LearnedHeadStage.States.SHORTLIST).train(train).selection(selection).build().run();
        List<List<Integer>> tried = shortlist.states().stream()
                .map(sc -> Arrays.stream(sc.state().triggers()).boxed().toList()).toList();
        List<Integer> warm = List.of(FakeTokenizer.id("the"), FakeTokenizer.id("the"));
        assertEquals(List.of(List.of(plot[0], plot[1]), warm), tried,
                "the best state first, then the shortlist's and the warm start's \"the the\", once");
        assertEquals(0.5, shortlist.states().get(0).accuracy(), 0.0);
        assertEquals(1.0, shortlist.states().get(1).accuracy(), 0.0);
        assertEquals(0, shortlist.state().iteration());
        assertEquals(1.0, shortlist.headAccuracy(), 0.0);
        assertEquals(0.0, shortlist.promptAccuracy(), 0.0, "the label words are wrong on every reversed example");
        assertTrue(shortlist.headChosen());
        assertEquals(2 * (32 + 8) + 8, shortlist.forwardPasses(), "a head per state, then the prompt's scores");

        TriggerSearchResult saved = shortlist.applyTo(found, blind.tokenizer());
        assertEquals(List.of("the", "the"), saved.triggerTokens(), "the result moves to the head's state");
        assertEquals(0, saved.bestIteration());
        assertEquals("{sentence} the the [MASK] .", saved.filledTemplate());
        PromptClassifier classifier = TriggerSearchResult.fromJson(saved.toJson()).classifier(blind);
        for (Example e : selection) {
            assertEquals(e.label(), classifier.classify(e.fields().get("sentence")).label(), e.toString());
        }
    }

    @Test
    void aWarmStartOfMaskTokensIsNotAState() {
        // no initial triggers: the search starts from [MASK] in every slot, a prompt a head cannot be saved with
        TriggerSearchResult masked = TriggerSearch.builder(model).template(TWO).verbalizer(WORDS)
                .train(List.of(Example.of("sentence", "happy movie", "1"), Example.of("sentence", "sad movie", "0")))
                .selection(List.of(Example.of("sentence", "it was okay", "0"))).iterations(0)
                .listener(SearchListener.none()).build().run();
        int[] good = {FakeTokenizer.id("good"), FakeTokenizer.id("the")};
        TriggerSearchResult moved = masked.withEnsemble(List.of(new ScoredTriggers(good, 2, Map.of())),
                model.tokenizer());
        LearnedHeadStageResult stage = LearnedHeadStage.builder(model).result(moved)
                .states(LearnedHeadStage.States.SHORTLIST).train(VerbalizerTrainerTest.reversed(16, 1))
                .selection(VerbalizerTrainerTest.reversed(8, 2)).build().run();
        assertEquals(1, stage.states().size(), "only the best state: no shortlist was kept, the warm start is masks");
        assertTrue(Arrays.equals(good, stage.state().triggers()));
    }
}
