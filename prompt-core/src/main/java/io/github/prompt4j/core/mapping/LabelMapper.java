package io.github.prompt4j.core.mapping;

import java.util.Map;

/**
 * Turns the label words' probabilities at the mask into a distribution over classes.
 *
 * <p>With {@code p_w = p(w | mask)} for label word {@code w} and {@code W_c} the words of class {@code c}, each
 * mapper computes a non-negative class score {@code s_c} and returns {@code P(c) = s_c / sum_k s_k}. The
 * arithmetic is done in log space ({@code log s_c} by log-sum-exp, then a softmax over classes), so words with tiny
 * probabilities do not underflow. If every class scores exactly 0 (every word has probability or weight 0) the
 * result is uniform.
 *
 * <p>Implementations are immutable and thread-safe.
 */
public interface LabelMapper {

    /**
     * The class distribution for one input.
     *
     * @return one probability per class, in {@link LabelWordScores#labels()} order, summing to 1
     */
    double[] map(LabelWordScores scores);

    /** {@code s_c = (1/|W_c|) sum_{w in W_c} p_w}: mean of the label words' probabilities. The default. */
    static LabelMapper mean() {
        return Mappers.MEAN;
    }

    /** {@code s_c = sum_{w in W_c} p_w}: total probability of the class's words. */
    static LabelMapper sum() {
        return Mappers.SUM;
    }

    /** {@code s_c = max_{w in W_c} p_w}: the class's most probable word. */
    static LabelMapper max() {
        return Mappers.MAX;
    }

    /**
     * {@code s_c = sum_{w in W_c} a_w p_w} with per-word weights {@code a_w >= 0} (from label-word search, or
     * hand-set; {@code a_w = 1/|W_c|} reproduces {@link #mean()}, {@code a_w = 1} reproduces {@link #sum()}). Every
     * label word needs a weight; mapping scores with a word the weights lack throws
     * {@link IllegalArgumentException} naming it.
     *
     * @param weights label word to weight
     * @throws IllegalArgumentException for a negative or non-finite weight
     */
    static LabelMapper weighted(Map<String, Double> weights) {
        return new Mappers.Weighted(weights, Map.of());
    }

    /**
     * {@code s_c = (sum_{w in W_c} a_w p_w) / d_c}: per-word weights {@code a_w >= 0} and a per-class divisor
     * {@code d_c > 0}, such as the class's probability on a content-free input (contextual calibration, Zhao et al.
     * 2021) or its prior. A class missing from {@code divisors} has {@code d_c = 1}.
     *
     * @param weights label word to weight
     * @param divisors class label to divisor
     * @throws IllegalArgumentException for a negative or non-finite weight, or a divisor that is not finite and
     *         positive
     */
    static LabelMapper weighted(Map<String, Double> weights, Map<String, Double> divisors) {
        return new Mappers.Weighted(weights, divisors);
    }

    /**
     * Calibration by a class prior (contextual calibration, Zhao et al. 2021): {@code s_c = q_c / prior_c}, where
     * {@code q} is the base mapper's distribution and {@code prior} its distribution on content-free inputs.
     *
     * @param prior class label to prior probability ({@code > 0})
     */
    static LabelMapper calibrated(LabelMapper base, Map<String, Double> prior) {
        return new Mappers.Calibrated(base, prior);
    }
}
