package io.github.prompt4j.search.select;

/**
 * How one candidate scored on a set of inputs.
 *
 * <p>Immutable and thread-safe; serialises to JSON (a NaN is written as the string {@code "NaN"}).
 *
 * @param candidate the prompt
 * @param accuracy fraction of labelled inputs whose predicted class is the gold one, in {@code [0, 1]}; NaN when
 *        scored without labels
 * @param logLikelihood mean natural log of the gold class's (calibrated, if so configured) probability, {@code <= 0};
 *        NaN when scored without labels
 * @param lmScore mean natural log of the total label-word probability at the mask, {@code <= 0}; needs no labels
 * @param inputs how many inputs were scored
 */
public record PromptScore(PromptCandidate candidate, double accuracy, double logLikelihood, double lmScore,
        int inputs) {

    public PromptScore {
        if (candidate == null) {
            throw new IllegalArgumentException("a score needs its candidate");
        }
        if (inputs <= 0) {
            throw new IllegalArgumentException("a score needs at least one input, got " + inputs);
        }
    }

    /** The value of {@code criterion}. */
    public double value(Criterion criterion) {
        return switch (criterion) {
            case ACCURACY -> accuracy;
            case LOG_LIKELIHOOD -> logLikelihood;
            case LM_SCORE -> lmScore;
        };
    }
}
