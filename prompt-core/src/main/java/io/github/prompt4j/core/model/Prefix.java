package io.github.prompt4j.core.model;

import java.util.Arrays;

/**
 * Prefix-tuning prefixes (Li and Liang 2021; P-tuning v2, Liu et al. 2022): for each of the model's layers, the keys
 * and values of {@code length} extra attention positions that every token attends to, in the layer's projected key
 * and value space (split into heads as the layer's own keys and values are). Row-major {@code [layers, length,
 * hidden]}: element {@code (l, p, j)} is at {@code (l * length + p) * hidden + j}.
 *
 * <p>Immutable (arrays are copied in and out) and thread-safe. A BERT-base prefix of length 16 holds 2 x 12 x 16 x 768
 * floats (1.2 MB).
 *
 * @param layers the model's layer count
 * @param length prefix positions per layer (0: no prefix, the model as it is)
 * @param hidden the model's hidden size
 * @param keys key prefixes, {@code layers * length * hidden} finite values
 * @param values value prefixes, as {@code keys}
 */
public record Prefix(int layers, int length, int hidden, float[] keys, float[] values) {

    public Prefix {
        if (layers < 1 || length < 0 || hidden < 1) {
            throw new IllegalArgumentException("a prefix needs layers >= 1, length >= 0 and hidden >= 1, got "
                    + layers + ", " + length + ", " + hidden);
        }
        long n = (long) layers * length * hidden;
        if (keys == null || values == null || keys.length != n || values.length != n) {
            throw new IllegalArgumentException("keys and values must each hold layers x length x hidden = " + layers
                    + " x " + length + " x " + hidden + " = " + n + " floats, got " + (keys == null ? "null"
                    : keys.length) + " and " + (values == null ? "null" : values.length));
        }
        keys = checkedCopy(keys, "keys", length, hidden);
        values = checkedCopy(values, "values", length, hidden);
    }

    /** A prefix of zeros (keys 0: every prefix position gets the same attention score, 0). */
    public static Prefix zeros(int layers, int length, int hidden) {
        long n = (long) layers * Math.max(0, length) * hidden;
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("prefix of " + n + " floats is too large");
        }
        return new Prefix(layers, length, hidden, new float[(int) Math.max(0, n)], new float[(int) Math.max(0, n)]);
    }

    private static float[] checkedCopy(float[] a, String what, int length, int hidden) {
        for (int i = 0; i < a.length; i++) {
            if (!Float.isFinite(a[i])) {
                int row = i / hidden;
                throw new IllegalArgumentException("prefix " + what + " of layer " + row / length + ", position "
                        + row % length + ", dimension " + i % hidden + " is " + a[i] + "; every value must be finite");
            }
        }
        return a.clone();
    }

    @Override
    public float[] keys() {
        return keys.clone();
    }

    @Override
    public float[] values() {
        return values.clone();
    }

    /** Number of trainable floats: keys and values together. */
    public int size() {
        return 2 * keys.length;
    }

    /** Keys then values, one array of {@link #size()} floats (a parameter vector for an optimiser). */
    public float[] flatten() {
        float[] out = new float[size()];
        System.arraycopy(keys, 0, out, 0, keys.length);
        System.arraycopy(values, 0, out, keys.length, values.length);
        return out;
    }

    /** A prefix of this shape from keys then values, as {@link #flatten()} writes them. */
    public Prefix withFlat(float[] flat) {
        if (flat == null || flat.length != size()) {
            throw new IllegalArgumentException("expected " + size() + " floats (keys then values), got "
                    + (flat == null ? "null" : flat.length));
        }
        return new Prefix(layers, length, hidden, Arrays.copyOfRange(flat, 0, keys.length),
                Arrays.copyOfRange(flat, keys.length, flat.length));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Prefix p && layers == p.layers && length == p.length && hidden == p.hidden
                && Arrays.equals(keys, p.keys) && Arrays.equals(values, p.values);
    }

    @Override
    public int hashCode() {
        return ((layers * 31 + length) * 31 + hidden) * 31 + Arrays.hashCode(keys) * 17 + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "Prefix[" + layers + " layers x " + length + " positions x " + hidden + "]";
    }
}
