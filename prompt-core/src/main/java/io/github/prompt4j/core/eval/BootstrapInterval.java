package io.github.prompt4j.core.eval;

import java.util.List;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;

/**
 * A percentile-bootstrap confidence interval (Efron and Tibshirani 1993, ch. 13) for accuracy: resample the inputs
 * with replacement {@code resamples} times, compute the accuracy of each resample, and take the
 * {@code (1-confidence)/2} and {@code (1+confidence)/2} quantiles.
 *
 * <p>Deterministic for a seed (Commons Math {@link Well19937c}). Immutable.
 *
 * @param estimate accuracy on the full sample
 * @param lower lower bound
 * @param upper upper bound
 * @param confidence the level, e.g. 0.95
 * @param resamples number of bootstrap resamples
 */
public record BootstrapInterval(double estimate, double lower, double upper, double confidence, int resamples) {

    public BootstrapInterval {
        if (!(lower <= upper)) {
            throw new IllegalArgumentException("lower bound " + lower + " exceeds upper bound " + upper);
        }
    }

    /**
     * The interval for the accuracy of {@code predicted} against {@code gold}.
     *
     * @param resamples at least 100 (1000 or more recommended)
     * @param confidence in (0, 1)
     * @param seed the random seed
     */
    public static BootstrapInterval accuracy(List<String> gold, List<String> predicted, int resamples,
            double confidence, long seed) {
        Metrics.checkPairs(gold, predicted);
        if (resamples < 100) {
            throw new IllegalArgumentException("use at least 100 resamples, got " + resamples);
        }
        if (!(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("confidence must be in (0, 1), got " + confidence);
        }
        int n = gold.size();
        boolean[] correct = new boolean[n];
        for (int i = 0; i < n; i++) {
            correct[i] = gold.get(i).equals(predicted.get(i));
        }
        RandomGenerator random = new Well19937c(seed);
        double[] stats = new double[resamples];
        for (int r = 0; r < resamples; r++) {
            int hits = 0;
            for (int i = 0; i < n; i++) {
                if (correct[random.nextInt(n)]) {
                    hits++;
                }
            }
            stats[r] = (double) hits / n;
        }
        Percentile percentile = new Percentile().withEstimationType(Percentile.EstimationType.R_7);
        percentile.setData(stats);
        double alpha = (1 - confidence) / 2;
        return new BootstrapInterval(Metrics.accuracy(gold, predicted), percentile.evaluate(100 * alpha),
                percentile.evaluate(100 * (1 - alpha)), confidence, resamples);
    }

    /** Half the interval's width. */
    public double halfWidth() {
        return (upper - lower) / 2;
    }
}
