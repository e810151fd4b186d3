package io.github.prompt4j.core.model;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One input for {@link MaskedLanguageModel#softMaskLogits}: a prompt and continuous vectors that replace the word
 * embeddings at some of its positions (soft prompts, as in P-tuning, Liu et al. 2021, and prompt tuning, Lester et al.
 * 2021).
 *
 * <p>At a position with a soft vector the model's input embedding is that vector instead of the word embedding of
 * the id there; the position and token-type embeddings are still added, exactly as for
 * {@link GradientRequest#softVectors()}. With no soft vectors the input is the discrete prompt. Vector lengths are
 * checked against the hidden size by the model. Immutable; arrays are copied in and out.
 *
 * @param prompt the encoded prompt (its ids at soft positions are placeholders the vectors replace)
 * @param softVectors position to vector of length hidden size, finite values; positions inside the prompt, possibly
 *        none
 */
public record SoftInput(EncodedPrompt prompt, Map<Integer, float[]> softVectors) {

    public SoftInput {
        if (prompt == null || softVectors == null) {
            throw new IllegalArgumentException("prompt and softVectors must not be null; pass Map.of() for no vectors");
        }
        softVectors = checkedCopy(prompt, softVectors);
    }

    /**
     * An unmodifiable, position-sorted copy of soft vectors, each checked: position inside the prompt, vector
     * present, non-empty and finite. Shared with {@link GradientRequest}.
     *
     * @throws IllegalArgumentException naming the position (and index) at fault
     */
    static Map<Integer, float[]> checkedCopy(EncodedPrompt prompt, Map<Integer, float[]> softVectors) {
        TreeMap<Integer, float[]> copy = new TreeMap<>();
        for (Map.Entry<Integer, float[]> e : softVectors.entrySet()) {
            Integer p = e.getKey();
            if (p == null || p < 0 || p >= prompt.length()) {
                throw new IllegalArgumentException("soft vector position " + p + " is outside the prompt of length "
                        + prompt.length());
            }
            if (e.getValue() == null || e.getValue().length == 0) {
                throw new IllegalArgumentException("soft vector at position " + p + " is null or empty");
            }
            for (int k = 0; k < e.getValue().length; k++) {
                if (!Float.isFinite(e.getValue()[k])) {
                    throw new IllegalArgumentException("soft vector at position " + p + " has the non-finite value "
                            + e.getValue()[k] + " at index " + k);
                }
            }
            copy.put(p, e.getValue().clone());
        }
        return Collections.unmodifiableMap(copy);
    }

    /** A discrete input: no soft vectors. */
    public static SoftInput discrete(EncodedPrompt prompt) {
        return new SoftInput(prompt, Map.of());
    }

    /**
     * The soft vectors, position to vector, ascending by position. The map is unmodifiable; its arrays are the
     * record's own, so callers must not write to them (use {@link #softVector(int)} for a copy).
     */
    @Override
    public Map<Integer, float[]> softVectors() {
        return softVectors;
    }

    /** Whether the position carries a soft vector. */
    public boolean hasSoftVector(int position) {
        return softVectors.containsKey(position);
    }

    /**
     * A copy of the soft vector at a position.
     *
     * @throws IllegalArgumentException if there is none there
     */
    public float[] softVector(int position) {
        float[] v = softVectors.get(position);
        if (v == null) {
            throw new IllegalArgumentException("no soft vector at position " + position + "; soft positions are "
                    + softVectors.keySet());
        }
        return v.clone();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SoftInput s) || !prompt.equals(s.prompt)
                || !softVectors.keySet().equals(s.softVectors.keySet())) {
            return false;
        }
        for (Map.Entry<Integer, float[]> e : softVectors.entrySet()) {
            if (!Arrays.equals(e.getValue(), s.softVectors.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = prompt.hashCode();
        for (Map.Entry<Integer, float[]> e : softVectors.entrySet()) {
            h = 31 * h + e.getKey() * 17 + Arrays.hashCode(e.getValue());
        }
        return h;
    }

    @Override
    public String toString() {
        return "SoftInput[" + prompt + ", soft positions=" + softVectors.keySet() + "]";
    }
}
