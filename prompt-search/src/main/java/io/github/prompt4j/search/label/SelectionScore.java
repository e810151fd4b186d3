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
}
