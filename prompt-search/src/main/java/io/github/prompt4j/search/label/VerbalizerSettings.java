package io.github.prompt4j.search.label;

import java.util.List;

/**
 * The settings of a learned-verbalizer fit ({@link VerbalizerTrainer}), recorded in its result.
 *
 * @param l2Grid the penalty strengths tried, each {@code > 0}; the one with the best selection accuracy is kept
 * @param selectionFraction the share of each class's training examples held out for selection when no selection
 *        set is given, in {@code (0, 1)}; 0 when the selection set was given
 * @param seed seed of that split
 * @param refit whether the chosen strength is fitted again on training and selection examples together
 * @param maxIterations L-BFGS iteration cap per fit
 * @param maxLength longest prompt in tokens
 * @param folds 0 to choose the strength on the selection examples; {@code k >= 2} to choose it by stratified k-fold
 *        cross-validation over the training and selection examples together (seeded by {@code seed}), then refit on
 *        all of them; 0 in files written before the field existed
 */
public record VerbalizerSettings(List<Double> l2Grid, double selectionFraction, long seed, boolean refit,
        int maxIterations, int maxLength, int folds) {

    /** Half-decades from 1e-4 to 10: from nearly free weights to nearly the label words' own. */
    public static final List<Double> DEFAULT_L2_GRID = List.of(1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0,
            3.0, 10.0);

    public VerbalizerSettings {
        if (l2Grid == null || l2Grid.isEmpty()) {
            throw new IllegalArgumentException("give at least one L2 strength, e.g. " + DEFAULT_L2_GRID);
        }
        for (Double l2 : l2Grid) {
            if (l2 == null || !(l2 > 0) || l2.isInfinite()) {
                throw new IllegalArgumentException("every L2 strength must be positive and finite, got " + l2Grid);
            }
        }
        l2Grid = List.copyOf(l2Grid);
        if (selectionFraction < 0 || selectionFraction >= 1) {
            throw new IllegalArgumentException("selectionFraction must be in [0, 1), got " + selectionFraction);
        }
        if (folds < 0 || folds == 1) {
            throw new IllegalArgumentException("folds must be 0 (choose on the selection examples) or at least 2, got "
                    + folds);
        }
        if (folds >= 2 && !refit) {
            throw new IllegalArgumentException("cross-validation chooses the strength over every example, so the "
                    + "chosen strength is refitted on all of them; drop refit(false) or the folds");
        }
        if (maxIterations < 1 || maxLength < 3) {
            throw new IllegalArgumentException("maxIterations must be >= 1 and maxLength >= 3, got " + maxIterations
                    + " and " + maxLength);
        }
    }
}
