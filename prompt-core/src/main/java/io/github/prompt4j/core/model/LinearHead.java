package io.github.prompt4j.core.model;

import java.util.Arrays;

/**
 * A linear classification head on the MLM head's transformed state at the mask (a learned verbalizer, WARP:
 * Hambardzumyan et al. 2021): class logits {@code z = W t + b}, {@code W} {@code [classes, hidden]}, {@code b}
 * {@code [classes]}, {@code t} the state {@link MaskedLanguageModel#maskHiddenStates} returns. The parameter value
 * of {@link HeadTrainableModel}; the labelled, user-facing form is {@code core.verbalizer.LinearVerbalizer}.
 *
 * <p>Immutable; arrays are copied in and out. Thread-safe.
 *
 * @param classes number of classes, at least 2
 * @param hidden length of the state, at least 1
 * @param weights {@code classes * hidden} finite floats, row {@code c} at {@code c * hidden}
 * @param bias {@code classes} finite floats
 */
public record LinearHead(int classes, int hidden, float[] weights, float[] bias) {

    public LinearHead {
        if (classes < 2 || hidden < 1) {
            throw new IllegalArgumentException("a linear head needs at least 2 classes and hidden size >= 1, got "
                    + classes + " classes and hidden size " + hidden);
        }
        if (weights == null || weights.length != classes * hidden) {
            throw new IllegalArgumentException("weights must hold classes * hidden = " + classes * hidden
                    + " values, got " + (weights == null ? "none" : weights.length));
        }
        if (bias == null || bias.length != classes) {
            throw new IllegalArgumentException("bias must hold one value per class (" + classes + "), got "
                    + (bias == null ? "none" : bias.length));
        }
        for (int i = 0; i < weights.length; i++) {
            if (!Float.isFinite(weights[i])) {
                throw new IllegalArgumentException("weights[" + i + "] is " + weights[i] + "; weights must be finite");
            }
        }
        for (int c = 0; c < classes; c++) {
            if (!Float.isFinite(bias[c])) {
                throw new IllegalArgumentException("bias[" + c + "] is " + bias[c] + "; the bias must be finite");
            }
        }
        weights = weights.clone();
        bias = bias.clone();
    }

    /** A head from its parameters laid out as {@link #flatten()} returns them (weights, then bias). */
    public static LinearHead fromFlat(int classes, int hidden, float[] flat) {
        if (flat == null || flat.length != classes * hidden + classes) {
            throw new IllegalArgumentException("a flat head of " + classes + " classes x " + hidden + " needs "
                    + (classes * hidden + classes) + " values, got " + (flat == null ? "none" : flat.length));
        }
        return new LinearHead(classes, hidden, Arrays.copyOf(flat, classes * hidden),
                Arrays.copyOfRange(flat, classes * hidden, flat.length));
    }

    @Override
    public float[] weights() {
        return weights.clone();
    }

    @Override
    public float[] bias() {
        return bias.clone();
    }

    /** The parameters as one array: the weights row by row, then the bias; length {@code classes * (hidden + 1)}. */
    public float[] flatten() {
        float[] out = Arrays.copyOf(weights, weights.length + classes);
        System.arraycopy(bias, 0, out, weights.length, classes);
        return out;
    }

    /**
     * The class logits {@code W t + b} of one state, in double precision.
     *
     * @throws IllegalArgumentException for a state of another length than {@link #hidden()}
     */
    public double[] logits(float[] state) {
        if (state == null || state.length != hidden) {
            throw new IllegalArgumentException("state must have the head's hidden size " + hidden + ", got "
                    + (state == null ? "none" : state.length));
        }
        double[] z = new double[classes];
        for (int c = 0; c < classes; c++) {
            double s = bias[c];
            for (int j = 0; j < hidden; j++) {
                s += (double) weights[c * hidden + j] * state[j];
            }
            z[c] = s;
        }
        return z;
    }

    /**
     * The gradient of the class cross-entropy {@code -log softmax(W t + b)[gold]} with respect to the head's
     * parameters, laid out as {@link #flatten()}: {@code (softmax(z) - onehot(gold)) t^T}, then
     * {@code softmax(z) - onehot(gold)}.
     *
     * @throws IllegalArgumentException for a state of another length or a gold class outside {@code [0, classes)}
     */
    public double[] lossGradient(float[] state, int goldClass) {
        if (goldClass < 0 || goldClass >= classes) {
            throw new IllegalArgumentException("gold class " + goldClass + " is outside [0, " + classes + ")");
        }
        double[] p = probabilities(state);
        p[goldClass] -= 1;
        double[] g = new double[classes * hidden + classes];
        for (int c = 0; c < classes; c++) {
            for (int j = 0; j < hidden; j++) {
                g[c * hidden + j] = p[c] * state[j];
            }
            g[classes * hidden + c] = p[c];
        }
        return g;
    }

    /** The class distribution {@code softmax(W t + b)} of one state (see {@link #logits}). */
    public double[] probabilities(float[] state) {
        double[] z = logits(state);
        double max = Arrays.stream(z).max().orElseThrow();
        double sum = 0;
        double[] p = new double[z.length];
        for (int c = 0; c < z.length; c++) {
            p[c] = Math.exp(z[c] - max);
            sum += p[c];
        }
        for (int c = 0; c < z.length; c++) {
            p[c] /= sum;
        }
        return p;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LinearHead h && classes == h.classes && hidden == h.hidden
                && Arrays.equals(weights, h.weights) && Arrays.equals(bias, h.bias);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(weights) * 31 + Arrays.hashCode(bias);
    }

    @Override
    public String toString() {
        return "LinearHead[" + classes + " classes x " + hidden + "]";
    }
}
