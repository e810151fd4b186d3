package io.github.prompt4j.benchmarks.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.prompt4j.core.calibration.Calibration;
import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.mapping.LabelMapper;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.testing.FakeMaskedLanguageModel;
import io.github.prompt4j.core.verbalizer.MultiTokenPolicy;
import io.github.prompt4j.onnx.runtime.Device;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * A calibrated zero-shot run reports the uncalibrated metrics of the same forward passes.
 *
 * <p>The fake model gives the mask {@code logit(great) = s}, {@code logit(terrible) = -s}, with {@code s} the number
 * of positive minus negative tokens of the prompt; the template's "good" adds 1. With one word per class the mean
 * mapper gives {@code P(positive) = sigma(2s)}. The content-free input "good" has {@code s = 2}, so the prior is
 * {@code (sigma(-4), sigma(4))} and the calibrated odds of positive are {@code e^(2s) / e^4 = e^(2(s - 2))}.
 */
class ZeroShotCalibrationTest {

    private static final Template BIASED = Template.parse("{text} It was good [MASK].");
    private static final io.github.prompt4j.core.verbalizer.Verbalizer SENTIMENT =
            io.github.prompt4j.core.verbalizer.Verbalizer.builder().add("negative", "terrible")
                    .add("positive", "great").build();
    private static final List<String> CLASSES = List.of("negative", "positive");

    // s (with the template's "good"):  1,            3,                -1,             1,           1
    // uncalibrated:                    positive,     positive,         negative,       positive,    positive
    // calibrated:                      negative,     positive,         negative,       negative,    negative
    private static final List<String> TEXTS = List.of("the film", "good good film", "bad bad film", "the movie",
            "a film");
    private static final List<String> GOLD = List.of("negative", "positive", "positive", "positive", "negative");

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    private final FakeMaskedLanguageModel model = new FakeMaskedLanguageModel();

    private PromptClassifier calibrated() {
        return PromptClassifier.builder(model).template(BIASED).verbalizer(SENTIMENT).mapper(LabelMapper.mean())
                .calibration(Calibration.contextual(List.of("good"))).build();
    }

    private static List<Map<String, String>> inputs() {
        return TEXTS.stream().map(t -> Map.of("text", t)).toList();
    }

    @Test
    void uncalibratedProbabilitiesComeBackFromTheCalibratedWordScores() {
        Classification c = calibrated().classify("the film");
        assertEquals(sigmoid(-2), c.probability("positive"), 1e-6, "calibrated odds e^(2(1 - 2))");
        Classification raw = Uncalibrated.of(c, SENTIMENT, LabelMapper.mean());
        assertEquals(sigmoid(2), raw.probability("positive"), 1e-6);
        assertEquals(sigmoid(-2), raw.probability("negative"), 1e-6);
        assertEquals("positive", raw.label());
        assertEquals(CLASSES, List.copyOf(raw.probabilities().keySet()));
        assertEquals(c.wordScores(), raw.wordScores());
    }

    @Test
    void oneForwardPassPerInputGivesBothPredictions() {
        PromptClassifier classifier = calibrated();
        int afterPrior = model.batchSizes().stream().mapToInt(Integer::intValue).sum();
        assertEquals(1, afterPrior, "the prior costs one prompt: the content-free input");

        ZeroShotCommand.Predictions p = ZeroShotCommand.predict(classifier, SENTIMENT, LabelMapper.mean(), inputs(),
                2, Progress.start("test", "sent.", TEXTS.size(), false));

        assertEquals(TEXTS.size(), model.batchSizes().stream().mapToInt(Integer::intValue).sum() - afterPrior,
                "each input is scored once, not once per calibration setting");
        assertEquals(List.of("negative", "positive", "negative", "negative", "negative"), p.predicted());
        assertEquals(List.of("positive", "positive", "negative", "positive", "positive"),
                p.uncalibrated().orElseThrow());
    }

    @Test
    void anUncalibratedClassifierHasNoSecondRow() {
        PromptClassifier raw = PromptClassifier.builder(model).template(BIASED).verbalizer(SENTIMENT).build();
        ZeroShotCommand.Predictions p = ZeroShotCommand.predict(raw, SENTIMENT, LabelMapper.mean(), inputs(), 16,
                Progress.start("test", "sent.", TEXTS.size(), false));
        assertEquals(List.of("positive", "positive", "negative", "positive", "positive"), p.predicted());
        assertTrue(p.uncalibrated().isEmpty());
    }

    @Test
    void theReportCarriesUncalibratedMetricsNextToTheCalibratedOnes() {
        ZeroShotCommand.Predictions p = ZeroShotCommand.predict(calibrated(), SENTIMENT, LabelMapper.mean(),
                inputs(), 16, Progress.start("test", "sent.", TEXTS.size(), false));
        ClassificationMetrics cal = ClassificationMetrics.of(CLASSES, GOLD, p.predicted(), 7);
        ClassificationMetrics uncal = ClassificationMetrics.of(CLASSES, GOLD, p.uncalibrated().orElseThrow(), 7);
        ZeroShotSettings settings = new ZeroShotSettings(BIASED.text(),
                List.of(LabelOption.parse("negative=terrible"), LabelOption.parse("positive=great")),
                MapperChoice.MEAN, MultiTokenPolicy.REJECT, OptionalInt.empty(), 7, 16, Device.CPU,
                Optional.of("good"));
        ZeroShotReport r = new ZeroShotReport(Instant.parse("2025-01-02T03:04:05Z"), settings,
                new ModelProvenance("fake", "memory", "0", "/none", "CPU", "FP32"),
                new DataProvenance("data/dev.tsv", DatasetFormat.HEADER_TSV, "ab12", 5, 5),
                Map.of("negative", sigmoid(-4), "positive", sigmoid(4)), cal, Optional.of(uncal),
                new Timing(1, 2, 5));

        JsonNode j = ReportWriter.json(r);
        // Calibrated: right on inputs 1, 2 and 5; predicts negative 4 times.
        assertEquals(0.6, j.get("metrics").get("accuracy").asDouble(), 1e-12);
        assertEquals(4, j.get("metrics").get("predictedCounts").get("negative").asInt());
        // Uncalibrated: right on inputs 2 and 4; confusion [[0, 2], [1, 2]]; F1(negative) = 0,
        // F1(positive) = 2*2 / (2*2 + 2 + 1) = 4/7, macro-F1 = 2/7.
        JsonNode u = j.get("uncalibrated");
        assertEquals(0.4, u.get("accuracy").asDouble(), 1e-12);
        assertEquals(2.0 / 7, u.get("macroF1").asDouble(), 1e-12);
        assertEquals("[[0,2],[1,2]]", u.get("confusionMatrix").get("counts").toString());
        assertEquals(1, u.get("predictedCounts").get("negative").asInt());
        assertEquals(4, u.get("predictedCounts").get("positive").asInt());

        String md = ReportWriter.markdown(r);
        assertTrue(md.contains("| mean, uncalibrated | 40.0 ["), md);
        assertTrue(md.contains("| mean, calibrated on \"good\" | 60.0 ["), md);
        assertTrue(md.contains("Uncalibrated:\n\n| gold \\ predicted | negative | positive |\n|---|---:|---:|\n"
                + "| negative | 0 | 2 |\n| positive | 1 | 2 |\n| **predicted** | 1 | 4 |\n"), md);
        assertTrue(ReportWriter.json(new ZeroShotReport(r.startedAt(), settings, r.model(), r.data(), r.prior(), cal,
                r.timing())).get("uncalibrated").isNull());
    }
}
