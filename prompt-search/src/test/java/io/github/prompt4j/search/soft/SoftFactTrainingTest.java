package io.github.prompt4j.search.soft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.testing.FakeMaskedLanguageModel;
import io.github.prompt4j.core.testing.FakeTokenizer;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.fact.FactPrompt;
import io.github.prompt4j.search.fact.FactRetrieval;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * OptiPrompt-style fact retrieval on the fake model: a soft vector adds its first component {@code v0} to the
 * sentiment score {@code s}; among the candidates {great, terrible, plot} "great" ranks first iff {@code s > 0} and
 * "terrible" iff {@code s < 0}. Planted: subjects with {@code s = 1} have object "terrible", with {@code s = 3}
 * "great"; the initial vector ({@code v0 ~ 0}) gets half right and any {@code v0} in {@code (-3, -1)} all.
 */
class SoftFactTrainingTest {

    private static final Template TEMPLATE = Template.parse("{sub} [P] [MASK] .");
    private static final int[] CANDIDATES = {FakeTokenizer.id("great"), FakeTokenizer.id("terrible"),
        FakeTokenizer.id("plot")};

    private final FakeMaskedLanguageModel model = new FakeMaskedLanguageModel();

    private static List<Example> facts(String... subjectsAndObjects) {
        List<Example> out = new java.util.ArrayList<>();
        for (int i = 0; i < subjectsAndObjects.length; i += 2) {
            out.add(Example.of("sub", subjectsAndObjects[i], subjectsAndObjects[i + 1]));
        }
        return out;
    }

    private static final List<Example> TRAIN = facts("a good movie", "terrible", "fun plot", "terrible",
            "the happy story", "terrible", "good fun happy", "great", "happy great good", "great", "fun fun fun",
            "great");
    private static final List<Example> SELECTION = facts("good", "terrible", "a fun film", "terrible",
            "great fun happy", "great", "good good good", "great");

    private SoftPromptTrainer.Builder planted() {
        return SoftPromptTrainer.builder(model).template(TEMPLATE).initWords(List.of("it")).factRetrieval(CANDIDATES)
                .train(TRAIN).dev(SELECTION).learningRate(0.2).batchSize(2).epochs(25).patience(0).seed(7)
                .listener(SoftPromptListener.none());
    }

    @Test
    void theGoldObjectLossLearnsThePlantedShiftAndSelectionPrecisionIsTheRankingMetric() {
        SoftPromptTrainer trainer = planted().build();
        FactPrompt initial = FactPrompt.soft("P1", TEMPLATE, trainer.initialSoftPrompt());
        assertEquals(0.5, FactRetrieval.evaluate(model, initial, SELECTION, CANDIDATES, 3).precisionAt1());
        SoftPromptResult r = trainer.run();
        float v0 = r.softPrompt().vector(0)[0];
        assertTrue(v0 > -3 && v0 < -1, "v0 must land in (-3, -1), got " + v0);
        FactPrompt learned = FactPrompt.soft("P1", TEMPLATE, r.softPrompt());
        assertEquals(1.0, r.bestDevAccuracy());
        assertEquals(1.0, FactRetrieval.evaluate(model, learned, SELECTION, CANDIDATES, 3).precisionAt1());
        assertEquals(1.0, FactRetrieval.evaluate(model, learned, TRAIN, CANDIDATES, 5).precisionAt1());
        assertTrue(r.labelWords().isEmpty());
    }

    @Test
    void theTimeBudgetStopsTrainingAndTheStoppedVectorsAreStillEvaluated() {
        AtomicLong now = new AtomicLong();
        // every clock read advances one second: the initial evaluation takes 1 s, an update about 1 s
        SoftPromptResult r = planted().ticker(() -> now.addAndGet(1_000_000_000L)).timeBudget(Duration.ofSeconds(12))
                .build().run();
        assertTrue(r.epochsRun() >= 1 && r.epochsRun() < 25, "epochs " + r.epochsRun());
        assertEquals(r.epochsRun(), r.devAccuracyHistory().size());
        assertTrue(r.passes().gradientPasses() < 25L * TRAIN.size());
    }
}
