package io.github.prompt4j.search.select;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.testing.FakeMaskedLanguageModel;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.search.data.Example;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Ranking on the fake model: a prompt of sentiment {@code s} (positive minus negative tokens) gives the words "great"
 * and "terrible" logits {@code +s} and {@code -s}, so with the mean mapper {@code P(class of great) = sigma(2s)}.
 */
class PromptScorerTest {

    static final Template PLAIN = Template.parse("{text} It was [MASK].");
    /** "good" adds 1 to every prompt's sentiment. */
    static final Template BIASED = Template.parse("{text} It was good [MASK].");
    static final Verbalizer RIGHT = Verbalizer.builder().add("negative", "terrible").add("positive", "great").build();
    static final Verbalizer SWAPPED = Verbalizer.builder().add("negative", "great").add("positive", "terrible")
            .build();
    /** Sentiments 2, -1 and 0 under PLAIN; 3, 0 and 1 under BIASED. */
    static final List<Example> DEV = List.of(Example.of("sentence", "good fun", "positive"),
            Example.of("sentence", "bad film", "negative"), Example.of("sentence", "the film", "negative"));

    private final FakeMaskedLanguageModel model = new FakeMaskedLanguageModel();

    static double logSigmoid(double x) {
        return -Math.log1p(Math.exp(-x));
    }

    /** log((p(great) + p(terrible)) at sentiment s. */
    static double lm(double s) {
        return Math.log(Math.exp(s) + Math.exp(-s)) - FakeMaskedLanguageModel.logNormalizer(s);
    }

    private static List<PromptCandidate> grid() {
        return PromptCandidate.grid(List.of(PLAIN, BIASED), List.of(RIGHT, SWAPPED));
    }

    @Test
    void accuracyRanksWithLogLikelihoodBreakingTies() {
        PromptSelection s = PromptScorer.builder(model).build().rank(grid(), DEV, Criterion.ACCURACY);
        List<PromptCandidate> c = grid();
        assertEquals(List.of(c.get(0), c.get(2), c.get(3), c.get(1)), s.top(4));
        PromptScore plainRight = s.ranked().get(0);
        assertEquals(1.0, plainRight.accuracy());
        // gold probabilities sigma(4), sigma(2) and 1/2 ("the film" is an exact tie, which goes to "negative")
        assertEquals((logSigmoid(4) + logSigmoid(2) + Math.log(0.5)) / 3, plainRight.logLikelihood(), 1e-6);
        assertEquals((lm(2) + lm(-1) + lm(0)) / 3, plainRight.lmScore(), 1e-5);
        assertEquals(3, plainRight.inputs());
        PromptScore biasedRight = s.ranked().get(1);
        PromptScore biasedSwapped = s.ranked().get(2);
        assertEquals(2.0 / 3, biasedRight.accuracy(), 1e-12);
        assertEquals(2.0 / 3, biasedSwapped.accuracy(), 1e-12);
        assertEquals((logSigmoid(6) + Math.log(0.5) + logSigmoid(-2)) / 3, biasedRight.logLikelihood(), 1e-6);
        assertEquals((logSigmoid(-6) + Math.log(0.5) + logSigmoid(2)) / 3, biasedSwapped.logLikelihood(), 1e-6);
        assertEquals(1.0 / 3, s.ranked().get(3).accuracy(), 1e-12);
        assertEquals(c.get(0), s.best().candidate());
    }

    @Test
    void logLikelihoodAndLmScoreRankings() {
        PromptScorer scorer = PromptScorer.builder(model).build();
        PromptSelection byLoss = scorer.rank(grid(), DEV, Criterion.LOG_LIKELIHOOD);
        List<PromptCandidate> c = grid();
        assertEquals(List.of(c.get(0), c.get(2), c.get(3), c.get(1)), byLoss.top(4));
        PromptSelection byLm = scorer.rank(grid(), DEV, Criterion.LM_SCORE);
        double plain = (lm(2) + lm(-1) + lm(0)) / 3;
        double biased = (lm(3) + lm(0) + lm(1)) / 3;
        assertTrue(biased > plain, "stronger sentiment puts more mass on the label words");
        // the two verbalizers of a template have the same words, so the same LM score: ties keep the given order
        assertEquals(List.of(c.get(2), c.get(3), c.get(0), c.get(1)), byLm.top(4));
        assertEquals(biased, byLm.best().lmScore(), 1e-5);
        assertEquals(byLm.ranked().get(0).lmScore(), byLm.ranked().get(1).lmScore(), 0.0);
    }

    @Test
    void verbalizersOfOneTemplateShareOneModelCall() {
        FakeMaskedLanguageModel counting = new FakeMaskedLanguageModel();
        PromptScorer.builder(counting).build().rank(grid(), DEV, Criterion.ACCURACY);
        assertEquals(2, counting.maskLogitCalls(), "one call per template, not per candidate");
        assertEquals(List.of(3, 3), counting.batchSizes());
    }

    @Test
    void unlabelledRankingUsesTheLmScoreOnly() {
        PromptSelection s = PromptScorer.builder(model).build().rankUnlabelled(grid(),
                List.of(Map.of("x", "good fun"), Map.of("x", "bad film"), Map.of("x", "the film")));
        assertEquals(Criterion.LM_SCORE, s.criterion());
        assertEquals((lm(3) + lm(0) + lm(1)) / 3, s.best().lmScore(), 1e-5);
        assertTrue(Double.isNaN(s.best().accuracy()) && Double.isNaN(s.best().logLikelihood()));
    }

    @Test
    void selectionRoundTripsThroughJson() {
        Template bound = Template.parse("{text} [T] [MASK].").withTriggerIds(7);
        List<PromptCandidate> cands = List.of(PromptCandidate.of(PLAIN, RIGHT),
                new PromptCandidate("triggered", bound, SWAPPED));
        PromptSelection s = PromptScorer.builder(model).build().rank(cands, DEV, Criterion.ACCURACY);
        PromptSelection back = PromptSelection.fromJson(s.toJson());
        assertEquals(s.criterion(), back.criterion());
        for (int i = 0; i < 2; i++) {
            PromptScore a = s.ranked().get(i);
            PromptScore b = back.ranked().get(i);
            assertEquals(a.candidate().name(), b.candidate().name());
            assertEquals(a.candidate().template(), b.candidate().template());
            assertEquals(a.candidate().verbalizer().words(), b.candidate().verbalizer().words());
            assertEquals(a.candidate().verbalizer().policy(), b.candidate().verbalizer().policy());
            assertEquals(a.accuracy(), b.accuracy());
            assertEquals(a.logLikelihood(), b.logLikelihood());
            assertEquals(a.lmScore(), b.lmScore());
        }
        assertTrue(s.toJson().contains("\"template\" : \"{text} It was [MASK].\""), s.toJson());
        PromptSelection unlabelled = PromptScorer.builder(model).build().rankUnlabelled(cands,
                List.of(Map.of("text", "fun")));
        assertTrue(Double.isNaN(PromptSelection.fromJson(unlabelled.toJson()).best().accuracy()));
    }

    @Test
    void badInputsFailClearly() {
        PromptScorer scorer = PromptScorer.builder(model).build();
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> scorer.rank(grid(),
                List.of(Example.of("text", "fun", "neutral")), Criterion.ACCURACY));
        assertTrue(unknown.getMessage().contains("'neutral'"), unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> scorer.rank(List.of(), DEV, Criterion.ACCURACY));
        assertThrows(IllegalArgumentException.class, () -> scorer.rank(grid(), List.of(), Criterion.ACCURACY));
        Template pair = Template.parse("{premise} ? [MASK] , {hypothesis}");
        IllegalArgumentException fields = assertThrows(IllegalArgumentException.class, () -> scorer.rank(
                List.of(PromptCandidate.of(pair, RIGHT)), DEV, Criterion.ACCURACY));
        assertTrue(fields.getMessage().startsWith("input 0:"), fields.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PromptSelection(Criterion.ACCURACY, List.of()));
    }
}
