package io.github.prompt4j.benchmarks.eval;

import io.github.prompt4j.core.eval.BootstrapInterval;
import io.github.prompt4j.core.eval.ConfusionMatrix;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metrics of a classification run: accuracy with a seeded percentile-bootstrap confidence interval, macro-F1, the
 * confusion matrix and the gold and predicted counts per class.
 *
 * <p>Immutable.
 *
 * @param accuracy the accuracy with its bootstrap interval
 * @param bootstrapSeed the seed of the bootstrap resampling
 * @param macroF1 unweighted mean of the per-class F1 (see {@link ConfusionMatrix#macroF1()})
 * @param confusion gold (rows) against predicted (columns)
 * @param goldCounts class to number of gold examples, in class order
 * @param predictedCounts class to number of predictions, in class order
 */
record ClassificationMetrics(BootstrapInterval accuracy, long bootstrapSeed, double macroF1, ConfusionMatrix confusion,
        Map<String, Integer> goldCounts, Map<String, Integer> predictedCounts) {

    /** Bootstrap resamples used by {@link #of}. */
    static final int RESAMPLES = 1000;
    /** Confidence level of the interval. */
    static final double CONFIDENCE = 0.95;

    ClassificationMetrics {
        goldCounts = Collections.unmodifiableMap(new LinkedHashMap<>(goldCounts));
        predictedCounts = Collections.unmodifiableMap(new LinkedHashMap<>(predictedCounts));
    }

    /**
     * Computes the metrics with a 95% interval from {@value #RESAMPLES} resamples.
     *
     * @param labels the classes in report order; every gold and predicted label must be one of them
     * @throws IllegalArgumentException for empty or unequal lists, or a label not in {@code labels}
     */
    static ClassificationMetrics of(List<String> labels, List<String> gold, List<String> predicted, long seed) {
        ConfusionMatrix confusion = ConfusionMatrix.of(labels, gold, predicted);
        BootstrapInterval ci = BootstrapInterval.accuracy(gold, predicted, RESAMPLES, CONFIDENCE, seed);
        int[][] counts = confusion.counts();
        Map<String, Integer> goldCounts = new LinkedHashMap<>();
        Map<String, Integer> predictedCounts = new LinkedHashMap<>();
        for (int i = 0; i < labels.size(); i++) {
            int row = 0;
            int column = 0;
            for (int j = 0; j < labels.size(); j++) {
                row += counts[i][j];
                column += counts[j][i];
            }
            goldCounts.put(labels.get(i), row);
            predictedCounts.put(labels.get(i), column);
        }
        return new ClassificationMetrics(ci, seed, confusion.macroF1(), confusion, goldCounts, predictedCounts);
    }

    /** Number of evaluated examples. */
    int examples() {
        return confusion.total();
    }
}
