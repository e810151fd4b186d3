package io.github.prompt4j.search.select;

import static io.github.prompt4j.search.select.PromptScorerTest.BIASED;
import static io.github.prompt4j.search.select.PromptScorerTest.PLAIN;
import static io.github.prompt4j.search.select.PromptScorerTest.RIGHT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.calibration.Calibration;
import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.mapping.LabelMapper;
import io.github.prompt4j.core.testing.FakeMaskedLanguageModel;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Ensembles on the fake model: {@code P(negative) = sigma(-2s)} for a prompt of sentiment {@code s}. */
class PromptEnsembleTest {

    private final FakeMaskedLanguageModel model = new FakeMaskedLanguageModel();

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    private PromptClassifier member(PromptCandidate c, Calibration calibration) {
        return c.classifier(model, LabelMapper.mean(), calibration);
    }

    private final PromptCandidate plain = PromptCandidate.of(PLAIN, RIGHT);
    private final PromptCandidate biased = PromptCandidate.of(BIASED, RIGHT);

    @Test
    void equalWeightsAverageTheMembersDistributions() {
        PromptEnsemble e = PromptEnsemble.of(List.of(member(plain, Calibration.none()),
                member(biased, Calibration.none())));
        // "bad film": s = -1 under the plain template (P(neg) = sigma(2)), s = 0 under the biased one (1/2)
        Classification c = e.classify("bad film");
        assertEquals((sigmoid(2) + 0.5) / 2, c.probability("negative"), 1e-6);
        assertEquals(1 - (sigmoid(2) + 0.5) / 2, c.probability("positive"), 1e-6);
        assertEquals("negative", c.label());
        assertTrue(c.wordScores().isEmpty());
        assertArrayEquals(new double[] {0.5, 0.5}, e.weights(), 0.0);
        List<Classification> all = e.classifyAll(List.of("bad film", "good fun"));
        assertEquals(c.probabilities(), all.get(0).probabilities());
        // "good fun": s = 2 and 3
        assertEquals((sigmoid(4) + sigmoid(6)) / 2, all.get(1).probability("positive"), 1e-6);
        assertEquals(c.probabilities(), e.classifyAllFields(List.of(Map.of("text", "bad film"))).get(0)
                .probabilities());
        assertEquals(c.probabilities(), e.classify(Map.of("text", "bad film")).probabilities());
    }

    @Test
    void combiningCachedMemberResultsEqualsClassifyingAgain() {
        PromptClassifier a = member(plain, Calibration.none());
        PromptClassifier b = member(biased, Calibration.none());
        PromptEnsemble e = PromptEnsemble.weighted(List.of(a, b), new double[] {3, 1});
        List<String> texts = List.of("bad film", "good fun");
        List<Classification> combined = e.combine(List.of(a.classifyAll(texts), b.classifyAll(texts)));
        // hand-computed as in weightsAreNormalised: "bad film" has P(neg) sigma(2) and 1/2
        assertEquals((3 * sigmoid(2) + 0.5) / 4, combined.get(0).probability("negative"), 1e-6);
        assertEquals((3 * sigmoid(4) + sigmoid(6)) / 4, combined.get(1).probability("positive"), 1e-6);
        assertEquals(List.of("negative", "positive"), combined.stream().map(Classification::label).toList());
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> e.combine(List.of(a.classifyAll(texts))));
        assertTrue(count.getMessage().contains("1 result lists for 2 members"), count.getMessage());
        IllegalArgumentException sizes = assertThrows(IllegalArgumentException.class,
                () -> e.combine(List.of(a.classifyAll(texts), b.classifyAll(List.of("bad film")))));
        assertTrue(sizes.getMessage().contains("member 1 has 1 classifications"), sizes.getMessage());
    }

    @Test
    void weightsAreNormalised() {
        PromptEnsemble e = PromptEnsemble.weighted(List.of(member(plain, Calibration.none()),
                member(biased, Calibration.none())), new double[] {3, 1});
        assertArrayEquals(new double[] {0.75, 0.25}, e.weights(), 1e-15);
        assertEquals((3 * sigmoid(2) + 0.5) / 4, e.classify("bad film").probability("negative"), 1e-6);
        // a zero weight drops a member
        PromptEnsemble only = PromptEnsemble.weighted(List.of(member(plain, Calibration.none()),
                member(biased, Calibration.none())), new double[] {0, 2});
        assertEquals(0.5, only.classify("bad film").probability("negative"), 1e-6);
    }

    @Test
    void calibratedAndUncalibratedMembersCompose() {
        // the biased template's content-free prior is (sigma(-2), sigma(2)); calibrated, "bad film" (s = 0) has
        // P(negative) = sigma(2), the same as the plain member's
        PromptEnsemble e = PromptEnsemble.of(List.of(member(plain, Calibration.none()),
                member(biased, Calibration.contextual())));
        assertEquals(sigmoid(2), e.classify("bad film").probability("negative"), 1e-6);
        PromptEnsemble viaScorer = PromptScorer.builder(model).calibration(Calibration.contextual()).build()
                .ensemble(List.of(plain, biased));
        // the plain template's content-free inputs are neutral (prior 1/2, 1/2): calibration changes nothing there
        assertEquals(sigmoid(2), viaScorer.classify("bad film").probability("negative"), 1e-6);
        assertEquals(2, viaScorer.members().size());
    }

    @Test
    void membersMustShareTheirClasses() {
        Verbalizer reversed = Verbalizer.builder().add("positive", "great").add("negative", "terrible").build();
        PromptClassifier other = member(PromptCandidate.of(PLAIN, reversed), Calibration.none());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PromptEnsemble.of(List.of(member(plain, Calibration.none()), other)));
        assertTrue(e.getMessage().contains("member 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PromptEnsemble.of(List.of()));
        assertThrows(IllegalArgumentException.class, () -> PromptEnsemble.weighted(
                List.of(member(plain, Calibration.none())), new double[] {-1}));
        assertThrows(IllegalArgumentException.class, () -> PromptEnsemble.weighted(
                List.of(member(plain, Calibration.none())), new double[] {0}));
        assertThrows(IllegalArgumentException.class, () -> PromptEnsemble.weighted(
                List.of(member(plain, Calibration.none())), new double[] {1, 1}));
    }
}
