package io.github.prompt4j.core.mapping;

import java.util.Map;

/**
 * Turns the label words' probabilities at the mask into a distribution over classes.
 *
 * <p>With {@code p_w = p(w | mask)} for label word {@code w} and {@code W_c} the words of class {@code c}, each
 * mapper computes a non-negative class score {@code s_c} and returns {@code P(c) = s_c / sum_k s_k}. The
 * arithmetic is done in log space, so words with tiny probabilities do not underflow.
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
     * hand-set); every label word needs a weight.
     *
     * @param weights label word to weight
     * @throws IllegalArgumentException for a negative or non-finite weight
     */
    static LabelMapper weighted(Map<String, Double> weights) {
        return new Mappers.Weighted(weights);
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
