package io.github.prompt4j.core.verbalizer;

import java.util.Arrays;

/**
 * How a label word that the tokenizer splits into several word pieces is scored at one mask, as OpenPrompt's
 * multi-token handler does ({@code handle_multi_token}: first, mean or max): every piece {@code t_1..t_k} is scored at
 * the same mask position, with natural-log probabilities {@code l_i = log p(t_i | mask)} under the full-vocabulary
 * softmax, and the {@code l_i} are combined into the word's score. A single-piece word scores {@code l_1} under
 * every policy.
 *
 * <p>Thread-safe (an enum).
 */
public enum MultiTokenPolicy {
    /** {@code score = l_1}: the first piece stands for the word. */
    FIRST,
    /** {@code score = (1/k) sum_i l_i}: the log of the pieces' geometric-mean probability. */
    MEAN,
    /** {@code score = max_i l_i}: the most probable piece. */
    MAX,
    /** Refuse multi-piece words: {@link Verbalizer#resolve} fails naming the word and its pieces (the default). */
    REJECT;

    /**
     * Combines the pieces' log-probabilities into the word's score.
     *
     * @param pieceLogProbs {@code l_1..l_k}, natural logs, at least one
     * @throws IllegalArgumentException for no pieces, or several pieces under {@link #REJECT}
     */
    public double combine(double[] pieceLogProbs) {
        if (pieceLogProbs == null || pieceLogProbs.length == 0) {
            throw new IllegalArgumentException("a label word needs at least one piece");
        }
        switch (this) {
            case FIRST:
                return pieceLogProbs[0];
            case REJECT:
                if (pieceLogProbs.length > 1) {
                    throw new IllegalArgumentException("MultiTokenPolicy.REJECT cannot score a word of "
                            + pieceLogProbs.length + " pieces " + Arrays.toString(pieceLogProbs)
                            + "; use FIRST, MEAN or MAX");
                }
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
