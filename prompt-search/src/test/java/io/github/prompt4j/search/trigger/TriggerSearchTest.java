package io.github.prompt4j.search.trigger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.model.EmbeddingMatrix;
import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.GradientRequest;
import io.github.prompt4j.core.model.LabelLossGradient;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.testing.FakeTokenizer;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.testing.LinearBagModel;
import io.github.prompt4j.search.testing.Planted;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TriggerSearchTest {

    private static final Template ONE = Template.parse("{sentence} [T] [MASK] .");
    private static final Template THREE = Template.parse("{sentence} [T] [T] [T] [MASK] .");
    private static final int PLOT = FakeTokenizer.id("plot");

    private static TriggerSearch.Builder planted(LinearBagModel model, Template template) {
        return TriggerSearch.builder(model).template(template).verbalizer(Planted.verbalizer())
                .train(Planted.examples(20, 0)).selection(Planted.examples(10, 20)).listener(SearchListener.none());
    }

    private static Objective crossEntropy() {
        return Objective.classification(SearchLoss.CLASS_CROSS_ENTROPY, List.of("negative", "positive"),
                new int[][] {{FakeTokenizer.id("terrible")}, {FakeTokenizer.id("great")}});
    }

    private static Instance instance(String sentence, int goldClass) {
        EncodedPrompt p = THREE.encoder(Planted.model().tokenizer()).encode(sentence);
        int[] gold = {FakeTokenizer.id(goldClass == 0 ? "terrible" : "great")};
        return new Instance(p, p.triggerPositions(), gold, goldClass);
    }

    /** Class cross-entropy from two label losses of the model's own gradient path: -log p(gold) + log p(all). */
    private static double crossEntropyByLabelLosses(LinearBagModel model, Instance inst, int[] triggers, int slot,
            float[] vector) {
        EncodedPrompt p = inst.with(triggers);
        int[] all = {FakeTokenizer.id("terrible"), FakeTokenizer.id("great")};
        List<LabelLossGradient> l = model.labelLossGradients(List.of(
                new GradientRequest(p, inst.gold(), Map.of(slot, vector), new int[0]),
                new GradientRequest(p, all, Map.of(slot, vector), new int[0])));
        return l.get(0).loss() - l.get(1).loss();
    }

    @Test
    void classCrossEntropyGradientMatchesFiniteDifferencesOfTheLoss() {
        LinearBagModel model = Planted.model();
        Objective objective = crossEntropy();
        List<Instance> batch = List.of(instance("the movie good fun", 1), instance("a film sad", 0),
                instance("it was bad awful happy", 0));
        int[] triggers = {FakeTokenizer.id("the"), PLOT, FakeTokenizer.id("movie")};
        int position = 1;
        double[] grad = new double[Planted.DIM];
        assertEquals(6, SearchRun.addGradient(model, objective, batch, triggers, position, grad),
                "two gradient sequences per example");
        for (int j = 0; j < Planted.DIM; j++) {
            double eps = 1e-3;
            double diff = 0;
            for (Instance inst : batch) {
                int slot = inst.triggerPositions()[position];
                float[] plus = model.inputEmbeddings().row(PLOT);
                float[] minus = plus.clone();
                plus[j] += eps;
                minus[j] -= eps;
                diff += (crossEntropyByLabelLosses(model, inst, triggers, slot, plus)
                        - crossEntropyByLabelLosses(model, inst, triggers, slot, minus)) / (2 * eps);
            }
            assertEquals(diff, grad[j], 2e-3, "d cross-entropy / d x[" + j + "]");
        }
    }

    @Test
    void classCrossEntropyOfTheForwardPathIsMinusLogTheGoldClassShare() {
        LinearBagModel model = Planted.model();
        Objective objective = crossEntropy();
        Instance inst = instance("the movie good", 1);
        int[] triggers = {FakeTokenizer.id("the"), PLOT, FakeTokenizer.id("movie")};
        int[] ids = objective.scoredIds(List.of(inst));
        var logits = model.maskLogits(List.of(inst.with(triggers)), ids);
        double great = logits.logit(0, 0, Arrays.asList(ids[0], ids[1]).indexOf(FakeTokenizer.id("great")));
        double terrible = logits.logit(0, 0, Arrays.asList(ids[0], ids[1]).indexOf(FakeTokenizer.id("terrible")));
        double expected = -Math.log(Math.exp(great) / (Math.exp(great) + Math.exp(terrible)));
        assertEquals(expected, objective.loss(logits, 0, inst.gold(), Objective.columns(ids)), 1e-9);
        Objective likelihood = Objective.classification(SearchLoss.LABEL_LIKELIHOOD, List.of("negative",
                "positive"), new int[][] {{FakeTokenizer.id("terrible")}, {FakeTokenizer.id("great")}});
        assertEquals(logits.logNormalizer(0, 0) - great,
                likelihood.loss(logits, 0, inst.gold(), Objective.columns(ids)), 1e-9);
    }

    @Test
    void classCrossEntropyDoesNotRewardATriggerThatRaisesEveryLabelWordAlike() {
        // plot adds the same amount to both label words' logits: the paper's loss drops, the class share barely moves
        LinearBagModel model = Planted.model();
        Instance inst = instance("the movie good", 1);
        int[] without = {FakeTokenizer.id("the"), FakeTokenizer.id("a"), FakeTokenizer.id("movie")};
        int[] with = {FakeTokenizer.id("the"), PLOT, FakeTokenizer.id("movie")};
        Objective ce = crossEntropy();
        Objective likelihood = Objective.classification(SearchLoss.LABEL_LIKELIHOOD, List.of("negative",
                "positive"), new int[][] {{FakeTokenizer.id("terrible")}, {FakeTokenizer.id("great")}});
        int[] ids = ce.scoredIds(List.of(inst));
        var before = model.maskLogits(List.of(inst.with(without)), ids);
        var after = model.maskLogits(List.of(inst.with(with)), ids);
        double likelihoodDrop = likelihood.loss(before, 0, inst.gold(), Objective.columns(ids))
                - likelihood.loss(after, 0, inst.gold(), Objective.columns(ids));
        double crossEntropyChange = Math.abs(ce.loss(before, 0, inst.gold(), Objective.columns(ids))
                - ce.loss(after, 0, inst.gold(), Objective.columns(ids)));
        assertTrue(likelihoodDrop > 0.5, "the paper's loss drops by " + likelihoodDrop);
        assertTrue(crossEntropyChange < 0.05 * likelihoodDrop, "the class cross-entropy moves by "
                + crossEntropyChange);
    }

    @Test
    void crossEntropySearchRecordsItsLossAndRoundTripsThroughJson() {
        TriggerSearchResult r = planted(Planted.model(), THREE).loss(SearchLoss.CLASS_CROSS_ENTROPY).candidates(4)
                .iterations(3).seed(5).build().run();
        assertEquals(SearchLoss.CLASS_CROSS_ENTROPY, r.settings().loss());
        assertEquals(r.toJson(), TriggerSearchResult.fromJson(r.toJson()).toJson());
        assertEquals(2 * 3 * 32, r.passes().gradientPasses(), "3 steps x 32 examples x 2 requests");
        String old = r.toJson().replaceAll("\"loss\"\\s*:\\s*\"CLASS_CROSS_ENTROPY\"\\s*,", "");
        assertFalse(old.contains("CLASS_CROSS_ENTROPY"), "the test removed the field");
        assertEquals(SearchLoss.LABEL_LIKELIHOOD, TriggerSearchResult.fromJson(old).settings().loss(),
                "JSON saved before the loss existed reads as the paper's loss");
    }

    @Test
    void factRetrievalRefusesTheClassCrossEntropy() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TriggerSearch
                .builder(Planted.model()).template(THREE).factRetrieval().loss(SearchLoss.CLASS_CROSS_ENTROPY)
                .train(Planted.examples(4, 0)).selection(Planted.examples(4, 10)).build());
        assertTrue(e.getMessage().contains("classification only"), e.getMessage());
    }

    @Test
    void confirmationRescoresTheWinnerAgainstTheCurrentTriggersOnFreshExamples() {
        // one step; exhaustive: 9 sequences x 16 = 144; the winner (plot) differs from the current triggers, so
        // it and the current are scored again on 20 fresh examples (40 passes); dev 10 before and 10 after
        LinearBagModel model = Planted.model();
        TriggerSearchResult r = planted(model, ONE).candidates(8).evaluationBatchSize(16).confirmationBatchSize(20)
                .iterations(1).build().run();
        assertArrayEquals(new int[] {PLOT}, r.triggerIds(), "plot lowers every example's loss, so it is confirmed");
        assertEquals(10 + 144 + 40 + 10, r.passes().forwardPasses());
        assertEquals(model.forwardSequences(), r.passes().forwardPasses());
        assertEquals(20, r.settings().confirmationBatchSize());
        String old = r.toJson().replaceAll("\"confirmationBatchSize\"\\s*:\\s*20\\s*,", "");
        assertFalse(old.contains("confirmationBatchSize"), "the test removed the field");
        assertEquals(0, TriggerSearchResult.fromJson(old).settings().confirmationBatchSize(),
                "JSON saved before confirmation existed reads as no confirmation");
    }

    /** Mean class cross-entropy over the 20 planted training examples, by hand from the two label logits. */
    private static double wholeTrainCrossEntropy(LinearBagModel model, int trigger) {
        int great = FakeTokenizer.id("great");
        int terrible = FakeTokenizer.id("terrible");
        double sum = 0;
        List<Example> train = Planted.examples(20, 0);
        for (Example e : train) {
            EncodedPrompt p = ONE.withTriggerIds(trigger).encoder(model.tokenizer()).encode(e.fields().get("sentence"));
            var logits = model.maskLogits(List.of(p), new int[] {terrible, great});
            double gold = logits.logit(0, 0, e.label().equals("positive") ? 1 : 0);
            double other = logits.logit(0, 0, e.label().equals("positive") ? 0 : 1);
            sum += Math.log1p(Math.exp(other - gold));
        }
        return sum / train.size();
    }

    @Test
    void confirmedStepsLowerTheLossOnTheConfirmationExamplesAndOthersKeepTheTriggers() {
        // confirmation on 20 examples = the whole planted training set (sampling is without replacement), so a step
        // may accept its winner only if the winner's mean loss over the training set is lower than the current one's
        LinearBagModel model = Planted.model();
        List<SearchStep> steps = new ArrayList<>();
        TriggerSearchResult r = planted(model, ONE).loss(SearchLoss.CLASS_CROSS_ENTROPY).candidates(8)
                .evaluationBatchSize(2).confirmationBatchSize(20).iterations(8).seed(4).listener(steps::add)
                .build().run();
        int current = model.tokenizer().specialTokens().mask();
        int kept = 0;
        for (SearchStep step : steps) {
            int next = step.triggerIds()[0];
            if (step.accepted()) {
                assertTrue(wholeTrainCrossEntropy(model, next) < wholeTrainCrossEntropy(model, current),
                        "step " + step.iteration() + " accepted " + next + " over " + current);
            } else {
                assertEquals(current, next, "a rejected step keeps the triggers");
                kept++;
            }
            current = next;
        }
        assertTrue(kept > 0, "with 2-example evaluation batches some winner is a fluke the confirmation rejects");
        assertEquals(8, r.iterations());
    }

    @Test
    void addedMetricsTravelWithTheSavedResult() {
        TriggerSearchResult r = planted(Planted.model(), ONE).candidates(4).iterations(1).build().run();
        TriggerSearchResult more = r.withMetrics(Map.of("dev_file_accuracy", 0.79, "selection_accuracy", 0.5));
        assertEquals(0.79, TriggerSearchResult.fromJson(more.toJson()).metrics().get("dev_file_accuracy"), 0.0);
        assertEquals(0.5, more.metrics().get("selection_accuracy"), 0.0, "a measured metric replaces one of the same name");
        assertEquals(r.metrics().get("selection_loss"), more.metrics().get("selection_loss"));
        assertEquals(r.filledTemplate(), more.filledTemplate());
        assertFalse(r.metrics().containsKey("dev_file_accuracy"), "the original is unchanged");
    }

    @Test
    void replacedLabelWordsTravelWithTheSavedResultAndReachTheClassifier() {
        LinearBagModel model = Planted.model();
        TriggerSearchResult r = planted(model, ONE).candidates(4).iterations(1).build().run();
        Verbalizer more = Verbalizer.builder().add("negative", "terrible", "plot").add("positive", "great").build();
        TriggerSearchResult extended = TriggerSearchResult.fromJson(r.withLabelWords(more).toJson());
        assertEquals(more.words(), extended.labelWords());
        assertEquals(List.of("terrible", "plot", "great"), extended.classifier(model).labelWords().stream()
                .map(w -> w.word()).toList());
        assertEquals(r.filledTemplate(), extended.filledTemplate());
        assertEquals(Map.of("negative", List.of("terrible"), "positive", List.of("great")), r.labelWords(),
                "the original is unchanged");
        Verbalizer swapped = Verbalizer.builder().add("positive", "great").add("negative", "terrible").build();
        assertThrows(IllegalArgumentException.class, () -> r.withLabelWords(swapped));
    }

    @Test
    void aSavedCalibrationPriorTravelsWithTheResultAndCalibratesItsClassifier() {
        LinearBagModel model = Planted.model();
        TriggerSearchResult r = planted(model, ONE).candidates(4).iterations(1).build().run();
        assertTrue(r.calibrationPrior().isEmpty());
        assertTrue(r.classifier(model).prior().isEmpty(), "no saved prior, no calibration");
        Map<String, Double> prior = Map.of("negative", 0.2, "positive", 0.8);
        TriggerSearchResult calibrated = TriggerSearchResult.fromJson(r.withCalibrationPrior(prior).toJson());
        assertEquals(prior, calibrated.calibrationPrior());
        assertEquals(Map.of("negative", 0.2, "positive", 0.8), calibrated.classifier(model).prior().orElseThrow());
        // q' = (q / prior) renormalised, checked by hand against the uncalibrated distribution
        var plain = r.classifier(model).classify("the movie good").probabilities();
        var divided = calibrated.classifier(model).classify("the movie good").probabilities();
        double n = plain.get("negative") / 0.2;
        double p = plain.get("positive") / 0.8;
        assertEquals(n / (n + p), divided.get("negative"), 1e-9);
        // older JSON without the field reads as uncalibrated; new label words drop the prior estimated with the old
        assertTrue(TriggerSearchResult.fromJson(r.toJson().replaceAll(",\\s*\"calibrationPrior\"\\s*:\\s*\\{\\s*}",
                "")).calibrationPrior().isEmpty());
        Verbalizer more = Verbalizer.builder().add("negative", "terrible", "plot").add("positive", "great").build();
        assertTrue(calibrated.withLabelWords(more).calibrationPrior().isEmpty());
        assertEquals(prior, calibrated.withMetrics(Map.of("x", 1.0)).calibrationPrior());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> r.withCalibrationPrior(Map.of("negative", 0.5)));
        assertTrue(e.getMessage().contains("every class"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> r.withCalibrationPrior(Map.of("negative", 0.5, "positive", 0.0)));
    }

    @Test
    void candidateScoresAreMinusGradientDotEveryInputEmbedding() {
        LinearBagModel model = Planted.model();
        EncodedPrompt prompt = THREE.encoder(model.tokenizer()).encode("the movie good");
        int slot = prompt.triggerPositions()[1];
        LabelLossGradient g = model.labelLossGradients(List.of(GradientRequest.of(prompt,
                new int[] {FakeTokenizer.id("great")}, new int[] {slot}))).get(0);
        double[] grad = new double[Planted.DIM];
        for (int j = 0; j < grad.length; j++) {
            grad[j] = g.gradient(0)[j];
        }
        // the double's gradient is right: central finite difference of the loss along each input dimension
        for (int j = 0; j < Planted.DIM; j++) {
            double eps = 1e-3;
            float[] plus = model.inputEmbeddings().row(prompt.id(slot));
            float[] minus = plus.clone();
            plus[j] += eps;
            minus[j] -= eps;
            double lp = model.labelLossGradients(List.of(new GradientRequest(prompt,
                    new int[] {FakeTokenizer.id("great")}, Map.of(slot, plus), new int[0]))).get(0).loss();
            double lm = model.labelLossGradients(List.of(new GradientRequest(prompt,
                    new int[] {FakeTokenizer.id("great")}, Map.of(slot, minus), new int[0]))).get(0).loss();
            assertEquals((lp - lm) / (2 * eps), grad[j], 2e-3, "d loss / d x[" + j + "]");
        }
        EmbeddingMatrix e = model.inputEmbeddings();
        double[] scores = CandidateScores.scores(e, grad);
        for (int w = 0; w < e.rows(); w++) {
            double expected = 0;
            for (int j = 0; j < e.dim(); j++) {
                expected -= grad[j] * e.get(w, j);
            }
            assertEquals(expected, scores[w], 1e-9, "score of token " + w);
        }
        boolean[] all = new boolean[e.rows()];
        Arrays.fill(all, true);
        int[] top = CandidateScores.best(e, grad, all, 5);
        Integer[] byScore = new Integer[e.rows()];
        Arrays.setAll(byScore, i -> i);
        Arrays.sort(byScore, (a, b) -> Double.compare(scores[b], scores[a]));
        for (int i = 0; i < 5; i++) {
            assertEquals(byScore[i], top[i]);
        }
        assertEquals(PLOT, top[0], "the planted token has the best first-order score");
    }

    @Test
    void findsThePlantedTriggerThatLowersTheLoss() {
        LinearBagModel model = Planted.model();
        TriggerSearchResult r = planted(model, ONE).candidates(5).iterations(2).seed(3).build().run();
        assertArrayEquals(new int[] {PLOT}, r.triggerIds());
        assertEquals(List.of("plot"), r.triggerTokens());
        assertEquals("{sentence} plot [MASK] .", r.filledTemplate());
        EncodedPrompt before = ONE.encoder(model.tokenizer()).encode("the movie good");
        EncodedPrompt after = ONE.withTriggerIds(PLOT).encoder(model.tokenizer()).encode("the movie good");
        int[] gold = {FakeTokenizer.id("great")};
        assertTrue(model.loss(after, gold) < model.loss(before, gold) - 1.0, "plot clearly lowers the loss");
        assertEquals(1.0, r.metrics().get("selection_accuracy"), 1e-12);
        assertEquals(Map.of("negative", List.of("terrible"), "positive", List.of("great")), r.labelWords());
    }

    @Test
    void sameSeedGivesSameTriggersAndPasses() {
        TriggerSearchResult a = planted(Planted.model(), THREE).candidates(4).iterations(6).seed(11).build().run();
        TriggerSearchResult b = planted(Planted.model(), THREE).candidates(4).iterations(6).seed(11).build().run();
        assertArrayEquals(a.triggerIds(), b.triggerIds());
        assertEquals(a.metrics(), b.metrics());
        assertEquals(a.passes(), b.passes());
        assertEquals(a.bestIteration(), b.bestIteration());
        assertArrayEquals(a.state().currentTriggers(), b.state().currentTriggers());
    }

    @Test
    void passCountsMatchTheModelsSequenceCounts() {
        LinearBagModel model = Planted.model();
        TriggerSearchResult r = planted(model, THREE).candidates(4).iterations(5).gradientBatchSize(4)
                .accumulationSteps(3).seed(2).build().run();
        assertEquals(model.forwardSequences(), r.passes().forwardPasses());
        assertEquals(model.gradientSequences(), r.passes().gradientPasses());
        assertEquals(5 * 4 * 3, r.passes().gradientPasses(), "5 steps x 3 batches x 4 examples");
    }

    @Test
    void successiveHalvingSpendsTheHandCountedForwardPasses() {
        // one step; pool = current + 8 candidates; evaluation batch 16 from prefix 4:
        // 9 x 4 + (1 + 4) x 4 + (1 + 2) x 8 = 80 forward passes, against 9 x 16 = 144 exhaustively
        int dev = 10;
        LinearBagModel racingModel = Planted.model();
        TriggerSearchResult racing = planted(racingModel, ONE).candidates(8).evaluationBatchSize(16)
                .candidateEvaluation(CandidateEvaluation.SUCCESSIVE_HALVING).racingStartSize(4).iterations(1)
                .build().run();
        TriggerSearchResult full = planted(Planted.model(), ONE).candidates(8).evaluationBatchSize(16)
                .iterations(1).build().run();
        assertEquals(dev + 80 + dev, racing.passes().forwardPasses());
        assertEquals(dev + 144 + dev, full.passes().forwardPasses());
        assertArrayEquals(new int[] {PLOT}, racing.triggerIds());
        assertArrayEquals(new int[] {PLOT}, full.triggerIds());
    }

    @Test
    void roundRobinVisitsSlotsInTurnAndListenerSeesEveryStep() {
        List<SearchStep> steps = new ArrayList<>();
        List<TriggerSearchState> states = new ArrayList<>();
        planted(Planted.model(), THREE).positionChoice(PositionChoice.ROUND_ROBIN).iterations(5).candidates(3)
                .listener(new SearchListener() {
                    @Override
                    public void onStep(SearchStep step) {
                        steps.add(step);
                    }

                    @Override
                    public void onCheckpoint(TriggerSearchState state) {
                        states.add(state);
                    }
                }).build().run();
        assertEquals(5, steps.size());
        assertEquals(5, states.size());
        for (int i = 0; i < 5; i++) {
            assertEquals(i + 1, steps.get(i).iteration());
            assertEquals(i % 3, steps.get(i).position());
            assertEquals(i + 1, states.get(i).iteration());
            assertTrue(Double.isFinite(steps.get(i).trainLoss()));
        }
        for (int i = 1; i < 5; i++) {
            assertTrue(steps.get(i).passes().forwardPasses() > steps.get(i - 1).passes().forwardPasses());
            assertTrue(steps.get(i).bestSelectionMetric() >= steps.get(i - 1).bestSelectionMetric());
        }
    }

    @Test
    void beamSearchKeepsTheBestSequenceFirst() {
        TriggerSearchResult r = planted(Planted.model(), THREE).beamWidth(3).candidates(4).iterations(3).seed(5)
                .build().run();
        assertEquals(3, r.state().beam().size());
        assertTrue(Arrays.stream(r.triggerIds()).anyMatch(id -> id == PLOT));
    }

    @Test
    void jsonRoundTripKeepsEveryField() {
        TriggerSearchResult r = planted(Planted.model(), THREE).candidates(4).iterations(3).seed(7).build().run();
        String json = r.toJson();
        TriggerSearchResult back = TriggerSearchResult.fromJson(json);
        assertEquals(json, back.toJson());
        assertArrayEquals(r.triggerIds(), back.triggerIds());
        assertEquals(r.triggerTokens(), back.triggerTokens());
        assertEquals(r.metrics(), back.metrics());
        assertEquals(r.settings(), back.settings());
        assertEquals(r.passes(), back.passes());
        assertEquals(r.labelWords(), back.labelWords());
        assertEquals(r.filledTemplate(), back.filledTemplate());
        // a state before the first step has no train loss yet (NaN) and must survive too
        TriggerSearchState initial = planted(Planted.model(), THREE).iterations(0).build().run().state();
        TriggerSearchState initialBack = TriggerSearchState.fromJson(initial.toJson());
        assertTrue(Double.isNaN(initialBack.trainLoss()));
        assertEquals(initial.toJson(), initialBack.toJson());
        assertThrows(IllegalArgumentException.class, () -> TriggerSearchResult.fromJson("{\"modelName\": 3"));
    }

    @Test
    void resumedSearchEndsWhereAnUninterruptedOneDoes() {
        TriggerSearchResult whole = planted(Planted.model(), THREE).candidates(4).iterations(8).seed(13).build().run();
        TriggerSearchResult half = planted(Planted.model(), THREE).candidates(4).iterations(3).seed(13).build().run();
        TriggerSearchState saved = TriggerSearchState.fromJson(half.state().toJson());
        TriggerSearchResult resumed = planted(Planted.model(), THREE).candidates(4).iterations(8).seed(13).build()
                .resume(saved);
        assertEquals(8, resumed.iterations());
        assertArrayEquals(whole.triggerIds(), resumed.triggerIds());
        assertArrayEquals(whole.state().currentTriggers(), resumed.state().currentTriggers());
        assertEquals(whole.metrics(), resumed.metrics());
        assertEquals(whole.passes(), resumed.passes());
        assertEquals(whole.bestIteration(), resumed.bestIteration());
        TriggerSearch otherSeed = planted(Planted.model(), THREE).candidates(4).iterations(8).seed(14).build();
        assertThrows(IllegalArgumentException.class, () -> otherSeed.resume(saved));
    }

    /** A search whose clock is its model's work: 4 gradient sequences a step, 2.5 minutes each. */
    private static TriggerSearch budgeted(int iterations, Duration budget) {
        LinearBagModel model = Planted.model();
        long perSequence = Duration.ofSeconds(150).toNanos();
        TriggerSearch.Builder b = planted(model, THREE).candidates(4).gradientBatchSize(4).iterations(iterations)
                .seed(13).ticker(() -> model.gradientSequences() * perSequence);
        return (budget == null ? b : b.timeBudget(budget)).build();
    }

    @Test
    void timeBudgetStopsBeforeAStepThatWouldOverrunItAndResumesDeterministically() {
        // steps take 10 min: with 35 min, a fourth step (30 + 10 > 35) must not start
        TriggerSearchResult stopped = budgeted(20, Duration.ofMinutes(35)).run();
        assertEquals(3, stopped.iterations());
        assertEquals(Duration.ofMinutes(30).toMillis(), stopped.elapsedMillis());
        assertEquals(20, stopped.settings().iterations(), "the budget is not a setting");
        // resumed with the same budget: the saved mean step (10 min) does not fit either
        TriggerSearchState saved = TriggerSearchState.fromJson(stopped.state().toJson());
        assertEquals(3, budgeted(20, Duration.ofMinutes(35)).resume(saved).iterations());
        // a 60-minute budget runs steps 4 to 6 (ending at exactly 60) and ends where an unbudgeted search does
        TriggerSearchResult resumed = budgeted(20, Duration.ofMinutes(60)).resume(saved);
        assertEquals(6, resumed.iterations());
        assertEquals(Duration.ofMinutes(60).toMillis(), resumed.elapsedMillis());
        TriggerSearchResult whole = budgeted(6, null).run();
        assertArrayEquals(whole.triggerIds(), resumed.triggerIds());
        assertArrayEquals(whole.state().currentTriggers(), resumed.state().currentTriggers());
        assertEquals(whole.passes(), resumed.passes());
        // the estimate is the longest step, kept in the state: a remembered 25-minute step leaves room for one more
        assertEquals(Duration.ofMinutes(10).toMillis(), saved.longestStepMillis());
        TriggerSearchState slow = new TriggerSearchState(saved.modelName(), saved.template(), saved.settings(),
                saved.iteration(), saved.beam(), saved.currentSelectionMetric(), saved.bestTriggers(),
                saved.bestSelectionMetrics(), saved.bestIteration(), saved.trainLoss(), saved.passes(),
                saved.elapsedMillis(), Duration.ofMinutes(25).toMillis(), saved.shortlist());
        assertEquals(4, budgeted(20, Duration.ofMinutes(60)).resume(slow).iterations());
        // a state from older JSON has no longest step: the mean step (10 minutes) stands in
        String old = saved.toJson().replaceAll(",?\\s*\"longestStepMillis\"\\s*:\\s*\\d+", "");
        assertEquals(0, TriggerSearchState.fromJson(old).longestStepMillis(), old);
        assertEquals(6, budgeted(20, Duration.ofMinutes(60)).resume(TriggerSearchState.fromJson(old)).iterations());
        assertThrows(IllegalArgumentException.class,
                () -> planted(Planted.model(), THREE).timeBudget(Duration.ZERO));
    }

    @Test
    void resultLoadsIntoAPromptClassifierThatReproducesTheDevAccuracy() {
        LinearBagModel model = Planted.model();
        TriggerSearchResult r = planted(model, ONE).candidates(5).iterations(2).build().run();
        TriggerSearchResult loaded = TriggerSearchResult.fromJson(r.toJson());
        PromptClassifier c = loaded.classifier(model);
        EncodedPrompt p = c.encoder().encode("the movie good");
        assertEquals(PLOT, p.id(p.triggerPositions()[0]));
        List<Example> dev = Planted.examples(10, 20);
        int correct = 0;
        for (Example e : dev) {
            Classification k = c.classify(e.fields().get("sentence"));
            correct += k.label().equals(e.label()) ? 1 : 0;
        }
        assertEquals(r.metrics().get("selection_accuracy"), (double) correct / dev.size(), 1e-12);
    }

    @Test
    void factModeNeverProposesGoldObjectsAndReportsRankingMetrics() {
        LinearBagModel model = Planted.model();
        List<Example> facts = new ArrayList<>();
        for (Example e : Planted.examples(20, 0)) {
            facts.add(Example.of("sub", e.fields().get("sentence"), e.label().equals("positive") ? "great"
                    : "terrible"));
        }
        TriggerSearchResult r = TriggerSearch.builder(model).template(Template.parse("{sub} [T] [T] [MASK] ."))
                .factRetrieval().train(facts.subList(8, 20)).selection(facts.subList(0, 8)).candidates(4).iterations(4)
                .listener(SearchListener.none()).build().run();
        for (int id : r.state().currentTriggers()) {
            assertFalse(id == FakeTokenizer.id("great") || id == FakeTokenizer.id("terrible"));
        }
        assertTrue(r.metrics().keySet().containsAll(List.of("selection_p@1", "selection_p@10", "selection_mrr")));
        assertTrue(r.labelWords().isEmpty());
        assertThrows(IllegalStateException.class, r::verbalizer);
        assertEquals(r.metrics().get("selection_p@1"), io.github.prompt4j.search.fact.FactRetrieval.evaluate(model,
                r.boundTemplate(), facts.subList(0, 8), io.github.prompt4j.search.fact.FactRetrieval
                        .wholeVocabulary(model.tokenizer()), 3).precisionAt1(), 1e-12);
    }

    @Test
    void templateWithoutTriggerSlotsIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> planted(Planted.model(), Template.parse("{sentence} It was [MASK] .")).build());
        assertTrue(e.getMessage().contains("no trigger slot [T]"), e.getMessage());
    }

    @Test
    void emptyTrainingSetIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> planted(Planted.model(), ONE).train(List.of()).build());
        assertTrue(e.getMessage().contains("training set is empty"), e.getMessage());
    }

    @Test
    void classAbsentFromTrainingDataIsRejected() {
        List<Example> onlyPositive = Planted.examples(20, 0).stream().filter(x -> x.label().equals("positive"))
                .toList();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> planted(Planted.model(), ONE).train(onlyPositive).build().run());
        assertTrue(e.getMessage().contains("class 'negative' has no training example"), e.getMessage());
    }

    @Test
    void exampleWithUnknownClassIsRejected() {
        List<Example> train = new ArrayList<>(Planted.examples(4, 0));
        train.add(Example.of("sentence", "okay movie", "neutral"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> planted(Planted.model(), ONE).train(train).build().run());
        assertTrue(e.getMessage().contains("'neutral'"), e.getMessage());
    }

    @Test
    void theBuilderOnlyConfiguresDataProblemsSurfaceWhenTheSearchRuns() {
        // DJL's Criteria style: build() validates the configuration; resolving words and encoding examples is work
        Verbalizer v = Verbalizer.builder().add("negative", "terrible").add("positive", "zebra").build();
        LinearBagModel model = Planted.model();
        TriggerSearch configured = planted(model, ONE).verbalizer(v).build();
        assertEquals(0, model.forwardSequences() + model.gradientSequences());
        assertEquals(SearchMode.CLASSIFICATION, configured.settings().mode());
        assertEquals(SearchObjective.classification(v), configured.objective());
        assertThrows(IllegalArgumentException.class, configured::run);
    }

    @Test
    void labelWordMissingFromTheVocabularyIsRejected() {
        Verbalizer v = Verbalizer.builder().add("negative", "terrible").add("positive", "zebra").build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> planted(Planted.model(), ONE).verbalizer(v).build().run());
        assertTrue(e.getMessage().contains("'zebra'") && e.getMessage().contains("vocabulary"), e.getMessage());
        IllegalArgumentException ids = assertThrows(IllegalArgumentException.class,
                () -> planted(Planted.model(), ONE).labelTokens(Map.of("negative", new int[] {22}, "positive",
                        new int[] {999})).build().run());
        assertTrue(ids.getMessage().contains("999"), ids.getMessage());
    }

    @Test
    void factWhoseObjectIsNotAVocabularyTokenIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TriggerSearch.builder(Planted.model()).template(Template.parse("{sub} [T] [MASK] ."))
                        .factRetrieval().train(List.of(Example.of("sub", "the movie", "Paris")))
                        .selection(List.of(Example.of("sub", "the movie", "great"))).build().run());
        assertTrue(e.getMessage().contains("'Paris'"), e.getMessage());
    }

    @Test
    void samplingDrawsWithoutReplacementWithinEachPass() {
        int[] s = SearchRun.sample(new java.util.SplittableRandom(1), 10, 25);
        assertEquals(10, Arrays.stream(s, 0, 10).distinct().count());
        assertEquals(10, Arrays.stream(s, 10, 20).distinct().count());
        assertEquals(5, Arrays.stream(s, 20, 25).distinct().count());
    }
}
