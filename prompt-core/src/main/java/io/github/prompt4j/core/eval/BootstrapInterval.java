package io.github.prompt4j.core.eval;

import java.util.List;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;
import org.apache.commons.math3.stat.descriptive.rank.Percentile;

/**
 * A percentile-bootstrap confidence interval (Efron and Tibshirani 1993, ch. 13) for accuracy.
 *
 * <p>Method: draw {@code resamples} samples of size {@code n} from the {@code n} (gold, predicted) pairs with
 * replacement, compute the accuracy of each, and report the {@code alpha = (1-confidence)/2} and {@code 1-alpha}
 * quantiles of those accuracies, estimated with Commons Math's {@link Percentile} in its {@code R_7} definition
 * (linear interpolation between order statistics, the default of R and NumPy). The estimate is the accuracy of the
 * full sample. The interval is deterministic for a given generator state: the {@code long}-seed overloads use a
 * {@link Well19937c} seeded with it.
 *
 * <p>Immutable.
 *
 * @param estimate accuracy on the full sample, in [0, 1]
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
        if (!(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("confidence must be in (0, 1), got " + confidence);
        }
        if (resamples <= 0) {
            throw new IllegalArgumentException("resamples must be positive, got " + resamples);
        }
    }

    /**
     * The interval for the accuracy of {@code predicted} against {@code gold}, seeded.
     *
     * @param resamples at least 100 (1000 or more recommended)
     * @param confidence in (0, 1), e.g. 0.95
     * @param seed the seed of a {@link Well19937c}
     * @throws IllegalArgumentException for empty or unequal lists, too few resamples, or a confidence outside (0, 1)
     */
    public static BootstrapInterval accuracy(List<String> gold, List<String> predicted, int resamples,
            double confidence, long seed) {
        return accuracy(gold, predicted, resamples, confidence, new Well19937c(seed));
    }

    /**
     * The interval for the accuracy of {@code predicted} against {@code gold}, drawing from {@code random}.
     *
     * @param random the generator; it is advanced, and is not thread-safe, so do not share it during the call
     * @throws IllegalArgumentException as {@link #accuracy(List, List, int, double, long)}
     */
    public static BootstrapInterval accuracy(List<String> gold, List<String> predicted, int resamples,
            double confidence, RandomGenerator random) {
        Metrics.checkPairs(gold, predicted);
        int n = gold.size();
        boolean[] correct = new boolean[n];
        for (int i = 0; i < n; i++) {
            correct[i] = gold.get(i).equals(predicted.get(i));
        }
        return ofOutcomes(correct, resamples, confidence, random);
    }

    /**
     * The interval for the mean of per-input outcomes (true = correct), e.g. when the predictions are not labels.
     *
     * @param correct one outcome per input, at least one
     * @throws IllegalArgumentException for no outcomes, fewer than 100 resamples, or a confidence outside (0, 1)
     */
    public static BootstrapInterval ofOutcomes(boolean[] correct, int resamples, double confidence,
            RandomGenerator random) {
        if (correct == null || correct.length == 0) {
            throw new IllegalArgumentException("need at least one outcome");
        }
        if (resamples < 100) {
            throw new IllegalArgumentException("use at least 100 resamples (1000 or more recommended), got "
                    + resamples);
        }
        if (!(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("confidence must be in (0, 1), e.g. 0.95; got " + confidence);
        }
        if (random == null) {
            throw new IllegalArgumentException("random must not be null; pass e.g. new Well19937c(seed)");
        }
        int n = correct.length;
        int hitsAll = 0;
        for (boolean c : correct) {
            hitsAll += c ? 1 : 0;
        }
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
        return new BootstrapInterval((double) hitsAll / n, percentile.evaluate(100 * alpha),
                percentile.evaluate(100 * (1 - alpha)), confidence, resamples);
    }

    /** Whether {@code value} lies in {@code [lower, upper]}. */
    public boolean contains(double value) {
        return lower <= value && value <= upper;
    }

    /** The interval's width, {@code upper - lower}. */
    public double width() {
        return upper - lower;
    }

    /** Half the interval's width. */
    public double halfWidth() {
        return (upper - lower) / 2;
    }
}
