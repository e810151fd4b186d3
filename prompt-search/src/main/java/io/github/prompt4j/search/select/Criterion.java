package io.github.prompt4j.search.select;

/** What {@link PromptScorer} ranks candidates by; higher is better for each. */
public enum Criterion {
    /** Dev accuracy (argmax class equals the gold label); ties broken by {@link #LOG_LIKELIHOOD}. Needs labels. */
    ACCURACY,
    /**
     * Mean natural log of the gold class's probability on dev (minus the cross-entropy loss); ties broken by
     * {@link #ACCURACY}. Needs labels.
     */
    LOG_LIKELIHOOD,
    /**
     * The label-free LM score: the mean over inputs of the natural log of the total probability the model puts on all
     * the label words at the mask, {@code log sum_w p(w | mask)} (see {@link PromptScorer}).
     */
    LM_SCORE
}
