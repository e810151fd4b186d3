package io.github.prompt4j.core.template;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.SoftInput;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The continuous vectors of a template's soft-prompt slots {@code [P]}: one vector per slot, in slot order, each in
 * the input-embedding space of one model (length = its hidden size).
 *
 * <p>Learned by a soft-prompt trainer or initialised from word embeddings; given to a classifier, each vector replaces
 * the word embedding at its slot's position ({@link EncodedPrompt#softPositions()}; {@link #inputFor} makes the
 * {@link SoftInput}). Immutable and thread-safe; arrays are copied in and out.
 */
public final class SoftPrompt {

    private final float[][] vectors;

    private SoftPrompt(float[][] vectors) {
        this.vectors = vectors;
    }

    /**
     * The vectors of slots {@code 0..n-1}.
     *
     * @throws IllegalArgumentException for no vectors, an empty or null vector, vectors of different lengths, or a
     *         non-finite value (each named by slot)
     */
    public static SoftPrompt of(List<float[]> vectors) {
        if (vectors == null || vectors.isEmpty()) {
            throw new IllegalArgumentException("a soft prompt needs one vector per [P] slot, got none");
        }
        float[][] copy = new float[vectors.size()][];
        for (int s = 0; s < copy.length; s++) {
            float[] v = vectors.get(s);
            if (v == null || v.length == 0) {
                throw new IllegalArgumentException("soft-prompt vector of slot " + s + " is null or empty");
            }
            if (v.length != vectors.get(0).length) {
                throw new IllegalArgumentException("soft-prompt vector of slot " + s + " has " + v.length
                        + " values but slot 0 has " + vectors.get(0).length + "; all must have the hidden size");
            }
            for (int j = 0; j < v.length; j++) {
                if (!Float.isFinite(v[j])) {
                    throw new IllegalArgumentException("soft-prompt vector of slot " + s + " has the non-finite value "
                            + v[j] + " at index " + j);
                }
            }
            copy[s] = v.clone();
        }
        return new SoftPrompt(copy);
    }

    /** The vectors of slots {@code 0..n-1}; see {@link #of(List)}. */
    public static SoftPrompt of(float[]... vectors) {
        return of(Arrays.asList(vectors));
    }

    /** Number of slots. */
    public int size() {
        return vectors.length;
    }

    /** Length of every vector (the hidden size of the model it belongs to). */
    public int dim() {
        return vectors[0].length;
    }

    /** A copy of the vector of slot {@code slot}. */
    public float[] vector(int slot) {
        if (slot < 0 || slot >= vectors.length) {
            throw new IndexOutOfBoundsException("slot " + slot + " of a soft prompt with " + vectors.length
                    + " slots");
        }
        return vectors[slot].clone();
    }

    /** Copies of all vectors, in slot order. */
    public List<float[]> vectors() {
        List<float[]> out = new ArrayList<>(vectors.length);
        for (float[] v : vectors) {
            out.add(v.clone());
        }
        return out;
    }

    /**
     * The vectors placed at a prompt's soft positions: position to vector (a copy), for a
     * {@link io.github.prompt4j.core.model.GradientRequest}.
     *
     * @param prompt a prompt encoded from a template with one {@code [P]} slot per vector
     * @throws IllegalArgumentException if the prompt's number of soft slots differs from {@link #size()}
     */
    public Map<Integer, float[]> atPositions(EncodedPrompt prompt) {
        int[] softPositions = prompt.softPositions();
        if (softPositions.length != vectors.length) {
            throw new IllegalArgumentException("the prompt has " + softPositions.length + " soft slots [P] but this "
                    + "soft prompt has " + vectors.length + " vectors; encode the prompt with the template the vectors "
                    + "were made for");
        }
        Map<Integer, float[]> out = new LinkedHashMap<>();
        for (int s = 0; s < vectors.length; s++) {
            out.put(softPositions[s], vectors[s].clone());
        }
        return out;
    }

    /**
     * The model input that runs {@code prompt} with these vectors at its soft positions, for
     * {@link io.github.prompt4j.core.model.MaskedLanguageModel#softMaskLogits}.
     *
     * @throws IllegalArgumentException as {@link #atPositions(EncodedPrompt)}
     */
    public SoftInput inputFor(EncodedPrompt prompt) {
        return new SoftInput(prompt, atPositions(prompt));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SoftPrompt p && Arrays.deepEquals(vectors, p.vectors);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(vectors);
    }

    @Override
    public String toString() {
        return "SoftPrompt[" + vectors.length + " slots x " + vectors[0].length + "]";
    }
}
