package io.github.prompt4j.core.model;

import java.util.Arrays;

/**
 * One model input: a framed token sequence (special tokens included), where its masks, trigger slots and soft-prompt
 * slots are, and how many input tokens truncation removed to make it fit.
 *
 * <p>Produced by {@code TemplateEncoder}; consumed by {@link MaskedLanguageModel} (which reads the ids, attention mask,
 * token types and mask positions) and by whoever places soft-prompt vectors at {@link #softPositions()} (a
 * {@code SoftPrompt} makes the {@link SoftInput}). Immutable and thread-safe; arrays are copied in and out. Unpadded:
 * batching pads.
 *
 * @param ids token ids, length n, special tokens included, each {@code >= 0} (the model checks the upper bound)
 * @param attentionMask 1 for real tokens (always 1 here, since the sequence is unpadded), length n, each 0 or 1
 * @param tokenTypes segment ids, length n (0 for single-segment prompts), each {@code >= 0}
 * @param maskPositions indices in {@code ids} of the {@code [MASK]} answer slots, ascending, at least one
 * @param triggerPositions indices in {@code ids} of trigger slots {@code [T]}, ascending, possibly none
 * @param softPositions indices in {@code ids} of the soft-prompt slots {@code [P]}, slot 0 first, ascending, possibly
 *        none; never a mask or trigger position. The ids there are placeholders that the slots' vectors replace.
 * @param truncatedTokens input-field tokens removed to fit the length limit, {@code >= 0} (0 when nothing was cut);
 *        provenance only, the model does not read it
 */
public record EncodedPrompt(int[] ids, int[] attentionMask, int[] tokenTypes, int[] maskPositions,
        int[] triggerPositions, int[] softPositions, int truncatedTokens) {

    public EncodedPrompt {
        if (ids == null || attentionMask == null || tokenTypes == null || maskPositions == null
                || triggerPositions == null || softPositions == null) {
            throw new IllegalArgumentException("no array of an EncodedPrompt may be null; pass an empty array for no "
                    + "trigger or soft positions");
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
        checkPositions("softPositions", softPositions, ids.length);
        checkSoftSlotsApart(softPositions, maskPositions, triggerPositions);
        if (truncatedTokens < 0) {
            throw new IllegalArgumentException("truncatedTokens = " + truncatedTokens + " is negative; it counts the "
                    + "input tokens truncation removed, 0 when nothing was cut");
        }
        ids = ids.clone();
        attentionMask = attentionMask.clone();
        tokenTypes = tokenTypes.clone();
        maskPositions = maskPositions.clone();
        triggerPositions = triggerPositions.clone();
        softPositions = softPositions.clone();
    }

    /**
     * A single-segment prompt with all-ones attention mask and zero token types, no soft-prompt slots and nothing
     * truncated.
     *
     * @throws IllegalArgumentException as the canonical constructor
     */
    public static EncodedPrompt of(int[] ids, int[] maskPositions, int[] triggerPositions) {
        if (ids == null) {
            throw new IllegalArgumentException("ids must not be null");
        }
        int[] ones = new int[ids.length];
        Arrays.fill(ones, 1);
        return new EncodedPrompt(ids, ones, new int[ids.length], maskPositions, triggerPositions, new int[0], 0);
    }

    private static void checkPositions(String what, int[] positions, int length) {
        for (int i = 0; i < positions.length; i++) {
            if (positions[i] < 0 || positions[i] >= length) {
                throw new IllegalArgumentException(what + "[" + i + "] = " + positions[i]
                        + " is outside the sequence of length " + length + "; positions index ids from 0 to "
                        + (length - 1) + ", special tokens included");
            }
            if (i > 0 && positions[i] <= positions[i - 1]) {
                throw new IllegalArgumentException(what + " must be strictly ascending: " + Arrays.toString(positions)
                        + "; list each position once, in sequence order");
            }
        }
    }

    /** A soft slot's vector replaces the embedding at its position, so it may not sit on a mask or a trigger. */
    private static void checkSoftSlotsApart(int[] softPositions, int[] maskPositions, int[] triggerPositions) {
        for (int i = 0; i < softPositions.length; i++) {
            if (Arrays.binarySearch(maskPositions, softPositions[i]) >= 0) {
                throw new IllegalArgumentException("softPositions[" + i + "] = " + softPositions[i] + " is also a "
                        + "mask position; a soft vector there would replace the [MASK] the model scores, so put the "
                        + "[P] slot at a position of its own");
            }
            if (Arrays.binarySearch(triggerPositions, softPositions[i]) >= 0) {
                throw new IllegalArgumentException("softPositions[" + i + "] = " + softPositions[i] + " is also a "
                        + "trigger position; a slot holds either a trigger id [T] or a soft vector [P], so give it "
                        + "one role");
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

    /** Number of soft-prompt slots {@code [P]}; 0 for a discrete prompt. */
    public int softCount() {
        return softPositions.length;
    }

    /** Whether truncation removed any input token ({@code truncatedTokens() > 0}). */
    public boolean truncated() {
        return truncatedTokens > 0;
    }

    /** The id at position {@code i}. */
    public int id(int i) {
        return ids[i];
    }

    /**
     * A copy of this prompt with the ids at the given positions replaced (for trigger search); every position, the
     * soft slots and the truncation count stay.
     *
     * @throws IllegalArgumentException if the arrays differ in length or a new id is negative
     */
    public EncodedPrompt withIds(int[] positions, int[] newIds) {
        if (positions.length != newIds.length) {
            throw new IllegalArgumentException("positions (" + positions.length + ") and newIds (" + newIds.length
                    + ") must have the same length");
        }
        int[] copy = ids.clone();
        for (int i = 0; i < positions.length; i++) {
            copy[positions[i]] = newIds[i];
        }
        return new EncodedPrompt(copy, attentionMask, tokenTypes, maskPositions, triggerPositions, softPositions,
                truncatedTokens);
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
    public int[] softPositions() {
        return softPositions.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EncodedPrompt p && Arrays.equals(ids, p.ids) && Arrays.equals(attentionMask, p.attentionMask)
                && Arrays.equals(tokenTypes, p.tokenTypes) && Arrays.equals(maskPositions, p.maskPositions)
                && Arrays.equals(triggerPositions, p.triggerPositions) && Arrays.equals(softPositions, p.softPositions)
                && truncatedTokens == p.truncatedTokens;
    }

    @Override
    public int hashCode() {
        int h = Arrays.hashCode(ids);
        h = 31 * h + Arrays.hashCode(attentionMask);
        h = 31 * h + Arrays.hashCode(tokenTypes);
        h = 31 * h + Arrays.hashCode(maskPositions);
        h = 31 * h + Arrays.hashCode(triggerPositions);
        h = 31 * h + Arrays.hashCode(softPositions);
        return 31 * h + truncatedTokens;
    }

    @Override
    public String toString() {
        return "EncodedPrompt[ids=" + Arrays.toString(ids) + ", masks=" + Arrays.toString(maskPositions)
                + ", triggers=" + Arrays.toString(triggerPositions) + ", soft=" + Arrays.toString(softPositions)
                + ", truncated=" + truncatedTokens + "]";
    }
}
