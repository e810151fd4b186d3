package io.github.prompt4j.core.model;

import java.util.Arrays;

/**
 * The label loss of one example and its gradient with respect to the input embeddings at the requested positions.
 *
 * <p>The input embedding at a position is the word embedding (or soft vector) before position and token-type
 * embeddings are added. Immutable.
 *
 * @param loss {@code -log sum_{w in gold} p(w | mask)}, natural log
 * @param positions the positions the gradients belong to, as requested
 * @param gradients {@code positions.length * dim} floats, row i is {@code d loss / d embedding[positions[i]]}
 * @param dim the hidden size
 */
public record LabelLossGradient(float loss, int[] positions, float[] gradients, int dim) {

    public LabelLossGradient {
        if ((long) positions.length * dim != gradients.length) {
            throw new IllegalArgumentException("expected " + (long) positions.length * dim + " gradient values, got "
                    + gradients.length);
        }
        positions = positions.clone();
        gradients = gradients.clone();
    }

    /** A copy of the gradient at the i-th requested position. */
    public float[] gradient(int i) {
        return Arrays.copyOfRange(gradients, i * dim, (i + 1) * dim);
    }

    @Override
    public int[] positions() {
        return positions.clone();
    }

    @Override
    public float[] gradients() {
        return gradients.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelLossGradient g && Float.compare(loss, g.loss) == 0 && dim == g.dim
                && Arrays.equals(positions, g.positions) && Arrays.equals(gradients, g.gradients);
    }

    @Override
    public int hashCode() {
        return Float.hashCode(loss) * 31 + Arrays.hashCode(gradients);
    }

    @Override
    public String toString() {
        return "LabelLossGradient[loss=" + loss + ", positions=" + Arrays.toString(positions) + "]";
    }
}
