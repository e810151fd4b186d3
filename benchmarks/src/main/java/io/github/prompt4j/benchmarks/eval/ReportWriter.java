package io.github.prompt4j.benchmarks.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.prompt4j.core.eval.BootstrapInterval;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders evaluation reports as JSON (for machines and the README's provenance) and as a Markdown table (for people).
 *
 * <p>The JSON of a zero-shot report has the objects {@code settings}, {@code model}, {@code data}, {@code metrics},
 * {@code uncalibrated} (with calibration, the metrics of the uncalibrated distributions of the same forward passes;
 * null without) and {@code timing}; accuracies and F1 are fractions in [0, 1], times in seconds. Stateless and
 * thread-safe.
 */
final class ReportWriter {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ReportWriter() {
    }

    /** The report as a JSON tree. */
    static ObjectNode json(ZeroShotReport r) {
        ObjectNode root = JSON.createObjectNode();
        root.put("command", "zero-shot");
        root.put("startedAt", r.startedAt().toString());

        ZeroShotSettings s = r.settings();
        ObjectNode settings = root.putObject("settings");
        settings.put("template", s.template());
        ObjectNode labels = settings.putObject("labels");
        for (LabelOption o : s.labels()) {
            ArrayNode words = labels.putArray(o.label());
            o.words().forEach(words::add);
        }
        settings.put("mapper", s.scoring());
        settings.put("policy", lower(s.policy()));
        if (s.multiMask().isPresent()) {
            settings.put("multiMask", lower(s.multiMask().get()).replace('_', '-'));
        } else {
            settings.putNull("multiMask");
        }
        if (s.limit().isPresent()) {
            settings.put("limit", s.limit().getAsInt());
        } else {
            settings.putNull("limit");
        }
        settings.put("seed", s.seed());
        settings.put("batchSize", s.batchSize());
        settings.put("device", lower(s.device()));
        if (s.calibration().isPresent()) {
            ObjectNode calibration = settings.putObject("calibration");
            calibration.put("contentFreeInput", s.calibration().get());
            ObjectNode prior = calibration.putObject("prior");
            r.prior().forEach(prior::put);
        } else {
            settings.putNull("calibration");
        }

        ModelProvenance m = r.model();
        ObjectNode model = root.putObject("model");
        model.put("name", m.name());
        model.put("source", m.source());
        model.put("sourceChecksum", m.sourceChecksum());
        model.put("directory", m.directory());
        model.put("provider", m.provider());
        model.put("precision", m.precision());

        DataProvenance d = r.data();
        ObjectNode data = root.putObject("data");
        data.put("file", d.file());
        data.put("format", lower(d.format()));
        data.put("sha256", d.sha256());
        data.put("rows", d.rows());
        data.put("evaluated", d.evaluated());

        root.set("metrics", metrics(r.metrics()));
        if (r.uncalibrated().isPresent()) {
            root.set("uncalibrated", metrics(r.uncalibrated().get()));
        } else {
            root.putNull("uncalibrated");
        }

        ObjectNode timing = root.putObject("timing");
        timing.put("modelOpenSeconds", r.timing().modelOpenSeconds());
        timing.put("classifySeconds", r.timing().classifySeconds());
        timing.put("sentences", r.timing().sentences());
        timing.put("sentencesPerSecond", r.timing().sentencesPerSecond());
        return root;
    }

    /** The metrics object of a report (shared by every classification report). */
    static ObjectNode metrics(ClassificationMetrics c) {
        ObjectNode metrics = JSON.createObjectNode();
        BootstrapInterval ci = c.accuracy();
        metrics.put("examples", c.examples());
        metrics.put("accuracy", ci.estimate());
        ObjectNode interval = metrics.putObject("accuracyCi");
        interval.put("lower", ci.lower());
        interval.put("upper", ci.upper());
        interval.put("confidence", ci.confidence());
        interval.put("resamples", ci.resamples());
        interval.put("seed", c.bootstrapSeed());
        metrics.put("macroF1", c.macroF1());
        ObjectNode confusion = metrics.putObject("confusionMatrix");
        ArrayNode labels = confusion.putArray("labels");
        c.confusion().labels().forEach(labels::add);
        ArrayNode rows = confusion.putArray("counts");
        for (int[] row : c.confusion().counts()) {
            ArrayNode r = rows.addArray();
            for (int v : row) {
                r.add(v);
            }
        }
        counts(metrics.putObject("goldCounts"), c.goldCounts());
        counts(metrics.putObject("predictedCounts"), c.predictedCounts());
        return metrics;
    }

    /** The report as indented JSON text. */
    static String jsonText(ZeroShotReport r) {
        try {
            return JSON.writeValueAsString(json(r)) + System.lineSeparator();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render the report as JSON", e);
        }
    }

    /**
     * The report as Markdown: one summary row (model, data, template, label words, accuracy with its interval in
     * percent, macro-F1, throughput) and the confusion matrix; with calibration, an uncalibrated row (same forward
     * passes) above the calibrated one, and the uncalibrated confusion matrix below the calibrated one.
     */
    static String markdown(ZeroShotReport r) {
        StringBuilder md = new StringBuilder();
        ClassificationMetrics c = r.metrics();
        md.append("| model | data | n | template | label words | mapper | accuracy % (95% CI) | macro-F1 | sentences/s |\n");
        md.append("|---|---|---:|---|---|---|---|---:|---:|\n");
        StringBuilder words = new StringBuilder();
        for (LabelOption o : r.settings().labels()) {
            words.append(words.length() == 0 ? "" : "; ").append(o);
        }
        r.uncalibrated().ifPresent(u -> md.append(summaryRow(r, words.toString(), u, ", uncalibrated")));
        md.append(summaryRow(r, words.toString(), c, r.settings().calibration()
                .map(t -> ", calibrated on \"" + cell(t) + "\"").orElse("")));
        md.append('\n');
        if (r.uncalibrated().isPresent()) {
            md.append("Calibrated:\n\n");
        }
        md.append(confusionTable(c));
        r.uncalibrated().ifPresent(u -> md.append("\nUncalibrated:\n\n").append(confusionTable(u)));
        return md.toString();
    }

    /** One summary row of {@link #markdown}: the run's settings with the given metrics and mapper note. */
    private static String summaryRow(ZeroShotReport r, String words, ClassificationMetrics c, String mapperNote) {
        return "| " + cell(r.model().name())
                + " | " + cell(Path.of(r.data().file()).getFileName().toString())
                + " | " + r.data().evaluated()
                + " | `" + cell(r.settings().template()) + '`'
                + " | " + cell(words)
                + r.settings().multiMask().map(d -> " (multi-mask, " + lower(d).replace('_', '-') + ")").orElse("")
                + " | " + r.settings().scoring() + mapperNote
                + " | " + percentWithInterval(c.accuracy())
                + " | " + String.format(Locale.ROOT, "%.4f", c.macroF1())
                + " | " + String.format(Locale.ROOT, "%.1f", r.timing().sentencesPerSecond())
                + " |\n";
    }

    /** The confusion matrix as a Markdown table, gold classes as rows, with the predicted counts underneath. */
    static String confusionTable(ClassificationMetrics c) {
        List<String> labels = c.confusion().labels();
        int[][] counts = c.confusion().counts();
        StringBuilder md = new StringBuilder("| gold \\ predicted |");
        for (String l : labels) {
            md.append(' ').append(cell(l)).append(" |");
        }
        md.append("\n|---|");
        md.append("---:|".repeat(labels.size()));
        md.append('\n');
        for (int g = 0; g < labels.size(); g++) {
            md.append("| ").append(cell(labels.get(g))).append(" |");
            for (int p = 0; p < labels.size(); p++) {
                md.append(' ').append(counts[g][p]).append(" |");
            }
            md.append('\n');
        }
        md.append("| **predicted** |");
        for (String l : labels) {
            md.append(' ').append(c.predictedCounts().get(l)).append(" |");
        }
        md.append('\n');
        return md.toString();
    }

    /** Writes the JSON report, creating parent directories. */
    static void writeJson(ZeroShotReport r, Path file) {
        write(file, jsonText(r));
    }

    /** Writes text as UTF-8, creating parent directories. */
    static void write(Path file, String text) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write report " + file + ": " + e, e);
        }
    }

    /**
     * Writes text as UTF-8 into a sibling temporary file and renames it onto {@code file}, so that a reader (a
     * resumed run after a crash) sees the old content or the new, never half of it. Creates parent directories.
     */
    static void replace(Path file, String text) {
        Path target = file.toAbsolutePath();
        Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
        write(temp, text);
        try {
            Files.move(temp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rename " + temp + " onto " + target + ": " + e, e);
        }
    }

    /** {@code 81.2 [78.6, 83.8]}: the estimate and the interval in percent. */
    static String percentWithInterval(BootstrapInterval ci) {
        return String.format(Locale.ROOT, "%.1f [%.1f, %.1f]", 100 * ci.estimate(), 100 * ci.lower(),
                100 * ci.upper());
    }

    private static void counts(ObjectNode node, Map<String, Integer> counts) {
        counts.forEach(node::put);
    }

    /** An enum constant's name in lower case, as reports spell settings. */
    static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /** Escapes the characters that would break a Markdown table cell. */
    private static String cell(String s) {
        return s.replace("|", "\\|").replace("\n", " ").replace("\r", " ");
    }
}
