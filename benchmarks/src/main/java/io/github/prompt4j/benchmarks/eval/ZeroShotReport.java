package io.github.prompt4j.benchmarks.eval;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

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
 * @param metrics the metrics
 * @param timing the times
 */
record ZeroShotReport(Instant startedAt, ZeroShotSettings settings, ModelProvenance model, DataProvenance data,
        Map<String, Double> prior, ClassificationMetrics metrics, Timing timing) {

    ZeroShotReport {
        prior = Collections.unmodifiableMap(new LinkedHashMap<>(prior));
        if (metrics.examples() != data.evaluated()) {
            throw new IllegalArgumentException("metrics cover " + metrics.examples() + " examples but "
                    + data.evaluated() + " were evaluated");
        }
    }
}
