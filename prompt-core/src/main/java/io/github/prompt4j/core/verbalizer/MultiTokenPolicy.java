package io.github.prompt4j.core.verbalizer;

/**
 * How a label word that the tokenizer splits into several word pieces is scored at one mask (as OpenPrompt's
 * multi-token handler does): every piece is scored at the same mask position and the pieces' log-probabilities
 * are combined.
 */
public enum MultiTokenPolicy {
    /** The log-probability of the first piece. */
    FIRST,
    /** The mean of the pieces' log-probabilities. */
    MEAN,
    /** The largest of the pieces' log-probabilities. */
    MAX,
    /** Refuse multi-piece words with an error naming the word and its pieces (the default). */
    REJECT;

    /** Combines the pieces' log-probabilities into the word's score. */
    public double combine(double[] pieceLogProbs) {
        if (pieceLogProbs.length == 0) {
            throw new IllegalArgumentException("a label word needs at least one piece");
        }
        switch (this) {
            case FIRST:
            case REJECT:
                return pieceLogProbs[0];
            case MEAN: {
                double s = 0;
                for (double x : pieceLogProbs) {
                    s += x;
                }
                return s / pieceLogProbs.length;
            }
            case MAX: {
                double m = Double.NEGATIVE_INFINITY;
                for (double x : pieceLogProbs) {
                    m = Math.max(m, x);
                }
                return m;
            }
            default:
                throw new AssertionError(this);
        }
    }
}
