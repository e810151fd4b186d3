package io.github.prompt4j.benchmarks.eval;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a zero-shot evaluation reports: when, with which settings, model and data, the metrics and the times.
 * {@link ReportWriter} renders it as JSON and Markdown.
 *
 * <p>Immutable.
 *
 * @param startedAt when the run started
 * @param settings the run's settings
 * @param model the model's provenance
 * @param data the data's provenance
 * @param prior with calibration, the class distribution of the content-free input (class to probability);
 *        empty without
 * @param metrics the metrics (calibrated ones under calibration)
 * @param uncalibrated with calibration, the metrics of the uncalibrated distributions of the same forward passes;
 *        empty without
 * @param timing the times
 */
record ZeroShotReport(Instant startedAt, ZeroShotSettings settings, ModelProvenance model, DataProvenance data,
        Map<String, Double> prior, ClassificationMetrics metrics, Optional<ClassificationMetrics> uncalibrated,
        Timing timing) {

    ZeroShotReport {
        prior = Collections.unmodifiableMap(new LinkedHashMap<>(prior));
        if (metrics.examples() != data.evaluated()) {
            throw new IllegalArgumentException("metrics cover " + metrics.examples() + " examples but "
                    + data.evaluated() + " were evaluated");
        }
        if (uncalibrated.isPresent() && uncalibrated.get().examples() != metrics.examples()) {
            throw new IllegalArgumentException("uncalibrated metrics cover " + uncalibrated.get().examples()
                    + " examples but the calibrated ones " + metrics.examples());
        }
    }

    /** A report without uncalibrated metrics (no calibration). */
    ZeroShotReport(Instant startedAt, ZeroShotSettings settings, ModelProvenance model, DataProvenance data,
            Map<String, Double> prior, ClassificationMetrics metrics, Timing timing) {
        this(startedAt, settings, model, data, prior, metrics, Optional.empty(), timing);
    }
}
