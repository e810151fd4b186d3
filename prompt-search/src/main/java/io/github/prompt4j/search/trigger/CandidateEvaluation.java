package io.github.prompt4j.search.trigger;

/** How a step spends forward passes on its candidate replacements. */
public enum CandidateEvaluation {
    /** Every candidate on the whole evaluation batch (AutoPrompt). */
    EXHAUSTIVE,
    /**
     * Successive halving (Jamieson and Talwalkar 2016; Karnin et al. 2013): every candidate on a small prefix of the
     * evaluation batch, keep the better half, double the prefix, until the whole batch; the current triggers are
     * always scored on the whole batch. Nested prefixes reuse earlier losses, so a survivor never re-runs an example.
     */
    SUCCESSIVE_HALVING
}
