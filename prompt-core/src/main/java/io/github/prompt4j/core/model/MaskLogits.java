package io.github.prompt4j.core.model;

import java.util.Arrays;

/**
 * Logits at the masks of a batch, for the whole vocabulary or a subset of token ids, with the full-vocabulary
 * log-normaliser of each mask so that log-probabilities are exact even for a subset.
 *
 * <p>{@code logProb(p, m, j) = logit(p, m, j) - logNormalizer(p, m)}, where the normaliser is
 * {@code log sum_v exp(logit_v)} over the whole vocabulary. Immutable.
 */
public final class MaskLogits {

    private final int[] tokenIds;
    private final MaskVectors logits;
    private final float[] logNormalizers;

    /**
     * @param tokenIds the token id of each column; {@code null} is not allowed: for the full vocabulary pass
     *        {@code 0..V-1}
     * @param logits per-mask logits, width {@code tokenIds.length}
     * @param logNormalizers per-mask {@code logsumexp} over the full vocabulary, one per row of {@code logits}
     */
    public MaskLogits(int[] tokenIds, MaskVectors logits, float[] logNormalizers) {
        if (tokenIds.length != logits.width()) {
            throw new IllegalArgumentException("tokenIds (" + tokenIds.length + ") must match the logits width ("
                    + logits.width() + ")");
        }
        if (logNormalizers.length != logits.rowCount()) {
            throw new IllegalArgumentException("need one log-normaliser per mask: " + logits.rowCount() + ", got "
                    + logNormalizers.length);
        }
        this.tokenIds = tokenIds.clone();
        this.logits = logits;
        this.logNormalizers = logNormalizers.clone();
    }

    /** The token id of each column. */
    public int[] tokenIds() {
        return tokenIds.clone();
    }

    /** The raw logits. */
    public MaskVectors logits() {
        return logits;
    }

    /** Number of prompts. */
    public int promptCount() {
        return logits.promptCount();
    }

    /** Number of masks of a prompt. */
    public int maskCount(int prompt) {
        return logits.maskCount(prompt);
    }

    /** Logit of column {@code column} at a mask. */
    public float logit(int prompt, int mask, int column) {
        return logits.get(prompt, mask, column);
    }

    /** {@code log sum_v exp(logit_v)} over the full vocabulary at a mask. */
    public float logNormalizer(int prompt, int mask) {
        return logNormalizers[logits.row(prompt, mask)];
    }

    /** Log-probability (full-vocabulary softmax) of column {@code column} at a mask. */
    public float logProb(int prompt, int mask, int column) {
        return logit(prompt, mask, column) - logNormalizer(prompt, mask);
    }

    @Override
    public String toString() {
        return "MaskLogits[prompts=" + promptCount() + ", columns=" + tokenIds.length + ", first ids="
                + Arrays.toString(Arrays.copyOf(tokenIds, Math.min(5, tokenIds.length))) + "]";
    }
}
