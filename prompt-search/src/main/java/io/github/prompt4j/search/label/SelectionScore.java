package io.github.prompt4j.search.label;

/**
 * How one L2 strength of a learned-verbalizer fit did on the selection examples.
 *
 * @param l2 the penalty strength
 * @param accuracy selection accuracy of the weights fitted on the training examples
 * @param logLoss mean selection cross-entropy (natural log), the tie-breaker
 * @param iterations L-BFGS iterations of the fit
 */
public record SelectionScore(double l2, double accuracy, double logLoss, int iterations) {

    /**
     * The accuracy of strength {@code l2} among {@code scores}: a fit's chosen strength's.
     *
     * @throws IllegalArgumentException when no score has that strength
     */
    static double accuracyAt(java.util.List<SelectionScore> scores, double l2) {
        return scores.stream().filter(s -> s.l2() == l2).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "chosen L2 " + l2 + " is not one of the scored strengths")).accuracy();
    }
}
