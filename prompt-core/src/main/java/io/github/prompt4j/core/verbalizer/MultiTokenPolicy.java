package io.github.prompt4j.core.verbalizer;

import java.util.Arrays;

/**
 * How a label word that the tokenizer splits into several word pieces is scored at one mask, as OpenPrompt's
 * multi-token handler does ({@code handle_multi_token}: first, mean or max): every piece {@code t_1..t_k} is scored at
 * the same mask position, with natural-log probabilities {@code l_i = log p(t_i | mask)} under the full-vocabulary
 * softmax, and the {@code l_i} are combined into the word's score. A single-piece word scores {@code l_1} under
 * every policy.
 *
 * <p>The two multi-mask policies ({@link #MULTI_MASK}, {@link #MULTI_MASK_MEAN}; {@link #multiMask()}) instead give
 * every piece a mask of its own: the template's single {@code [MASK]} is widened to {@code k} consecutive masks for a
 * word of {@code k} pieces and {@code l_i} is the log-probability of piece {@code t_i} at mask {@code i}, computed in
 * one pass or left to right as the classifier's {@code MultiMaskDecoding} says (PET, Schick and Schütze 2021, also
 * gives a multi-token verbalizer one mask per token). The sum of the {@code l_i} is then the log of the word's
 * probability.
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
    REJECT,
    /**
     * One mask per piece, {@code score = sum_i l_i}: the log of the product of the pieces' probabilities, each at its
     * own mask. Words of different lengths compare by their total log-probability, which favours short words.
     */
    MULTI_MASK,
    /**
     * One mask per piece, {@code score = (1/k) sum_i l_i}: the {@link #MULTI_MASK} score normalised by length (the
     * log of the per-piece geometric mean), so that words of different lengths compare on an equal footing.
     */
    MULTI_MASK_MEAN;

    /** Whether the policy gives every piece a mask of its own ({@link #MULTI_MASK}, {@link #MULTI_MASK_MEAN}). */
    public boolean multiMask() {
        return this == MULTI_MASK || this == MULTI_MASK_MEAN;
    }

    /**
     * Combines the pieces' log-probabilities into the word's score.
     *
     * @param pieceLogProbs {@code l_1..l_k}, natural logs, at least one (for the multi-mask policies, each at its own
     *        mask)
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
            case MULTI_MASK: {
                double s = 0;
                for (double x : pieceLogProbs) {
                    s += x;
                }
                return s;
            }
            case MEAN:
            case MULTI_MASK_MEAN: {
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
