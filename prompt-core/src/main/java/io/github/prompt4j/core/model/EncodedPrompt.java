package io.github.prompt4j.core.model;

import java.util.Arrays;

/**
 * One model input: a framed token sequence (special tokens included) and where its masks and trigger slots are.
 *
 * <p>Produced by {@code Template} rendering; consumed by {@link MaskedLanguageModel}. Immutable; arrays are copied in
 * and out. Unpadded: batching pads.
 *
 * @param ids token ids, length n, special tokens included, each {@code >= 0} (the model checks the upper bound)
 * @param attentionMask 1 for real tokens (always 1 here, since the sequence is unpadded), length n, each 0 or 1
 * @param tokenTypes segment ids, length n (0 for single-segment prompts), each {@code >= 0}
 * @param maskPositions indices in {@code ids} of the {@code [MASK]} answer slots, ascending, at least one
 * @param triggerPositions indices in {@code ids} of trigger slots {@code [T]}, ascending, possibly none
 */
public record EncodedPrompt(int[] ids, int[] attentionMask, int[] tokenTypes, int[] maskPositions,
        int[] triggerPositions) {

    public EncodedPrompt {
        if (ids == null || attentionMask == null || tokenTypes == null || maskPositions == null
                || triggerPositions == null) {
            throw new IllegalArgumentException("no array of an EncodedPrompt may be null");
        }
        if (ids.length == 0) {
            throw new IllegalArgumentException("an encoded prompt needs at least one token");
        }
        if (attentionMask.length != ids.length || tokenTypes.length != ids.length) {
            throw new IllegalArgumentException("ids (" + ids.length + "), attentionMask (" + attentionMask.length
                    + ") and tokenTypes (" + tokenTypes.length + ") must have the same length");
        }
        if (maskPositions.length == 0) {
            throw new IllegalArgumentException("an encoded prompt needs at least one mask position");
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0) {
                throw new IllegalArgumentException("ids[" + i + "] = " + ids[i] + " is negative; token ids index the "
                        + "model's vocabulary from 0");
            }
            if (attentionMask[i] != 0 && attentionMask[i] != 1) {
                throw new IllegalArgumentException("attentionMask[" + i + "] = " + attentionMask[i]
                        + "; attention mask values are 0 or 1");
            }
            if (tokenTypes[i] < 0) {
                throw new IllegalArgumentException("tokenTypes[" + i + "] = " + tokenTypes[i] + " is negative; "
                        + "segment ids are 0 (first segment) or 1 (second)");
            }
        }
        checkPositions("maskPositions", maskPositions, ids.length);
        checkPositions("triggerPositions", triggerPositions, ids.length);
        ids = ids.clone();
        attentionMask = attentionMask.clone();
        tokenTypes = tokenTypes.clone();
        maskPositions = maskPositions.clone();
        triggerPositions = triggerPositions.clone();
    }

    /** A single-segment prompt with all-ones attention mask and zero token types. */
    public static EncodedPrompt of(int[] ids, int[] maskPositions, int[] triggerPositions) {
        if (ids == null) {
            throw new IllegalArgumentException("ids must not be null");
        }
        int[] ones = new int[ids.length];
        Arrays.fill(ones, 1);
        return new EncodedPrompt(ids, ones, new int[ids.length], maskPositions, triggerPositions);
    }

    private static void checkPositions(String what, int[] positions, int length) {
        for (int i = 0; i < positions.length; i++) {
            if (positions[i] < 0 || positions[i] >= length) {
                throw new IllegalArgumentException(what + "[" + i + "] = " + positions[i]
                        + " is outside the sequence of length " + length);
            }
            if (i > 0 && positions[i] <= positions[i - 1]) {
                throw new IllegalArgumentException(what + " must be strictly ascending: " + Arrays.toString(positions));
            }
        }
    }

    /** Sequence length n, special tokens included. */
    public int length() {
        return ids.length;
    }

    /** Number of mask positions. */
    public int maskCount() {
        return maskPositions.length;
    }

    /** The id at position {@code i}. */
    public int id(int i) {
        return ids[i];
    }

    /** A copy of this prompt with the ids at the given positions replaced (for trigger search). */
    public EncodedPrompt withIds(int[] positions, int[] newIds) {
        if (positions.length != newIds.length) {
            throw new IllegalArgumentException("positions (" + positions.length + ") and newIds (" + newIds.length
                    + ") must have the same length");
        }
        int[] copy = ids.clone();
        for (int i = 0; i < positions.length; i++) {
            copy[positions[i]] = newIds[i];
        }
        return new EncodedPrompt(copy, attentionMask, tokenTypes, maskPositions, triggerPositions);
    }

    @Override
    public int[] ids() {
        return ids.clone();
    }

    @Override
    public int[] attentionMask() {
        return attentionMask.clone();
    }

    @Override
    public int[] tokenTypes() {
        return tokenTypes.clone();
    }

    @Override
    public int[] maskPositions() {
        return maskPositions.clone();
    }

    @Override
    public int[] triggerPositions() {
        return triggerPositions.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EncodedPrompt p && Arrays.equals(ids, p.ids) && Arrays.equals(attentionMask, p.attentionMask)
                && Arrays.equals(tokenTypes, p.tokenTypes) && Arrays.equals(maskPositions, p.maskPositions)
                && Arrays.equals(triggerPositions, p.triggerPositions);
    }

    @Override
    public int hashCode() {
        int h = Arrays.hashCode(ids);
        h = 31 * h + Arrays.hashCode(attentionMask);
        h = 31 * h + Arrays.hashCode(tokenTypes);
        h = 31 * h + Arrays.hashCode(maskPositions);
        return 31 * h + Arrays.hashCode(triggerPositions);
    }

    @Override
    public String toString() {
        return "EncodedPrompt[ids=" + Arrays.toString(ids) + ", masks=" + Arrays.toString(maskPositions)
                + ", triggers=" + Arrays.toString(triggerPositions) + "]";
    }
}
