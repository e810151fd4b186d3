package io.github.prompt4j.core.model;

/**
 * The head loss of one example ({@link HeadTrainableModel#headLossGradients}) with its gradient with respect to the
 * input embeddings at the requested positions, and the transformed state the head read. The head's own gradient
 * follows from the state: {@link LinearHead#lossGradient}.
 *
 * <p>Immutable; arrays are copied in and out.
 *
 * @param state the MLM head transform {@code t} at the mask, of the hidden size
 * @param gradient the loss {@code -log softmax(W t + b)[gold]} (natural log) and {@code d loss / d embedding} at the
 *        requested positions, laid out as for the label loss
 */
public record HeadLossGradient(float[] state, LabelLossGradient gradient) {

    public HeadLossGradient {
        if (state == null || gradient == null) {
            throw new IllegalArgumentException("state and gradient must not be null");
        }
        if (state.length != gradient.dim()) {
            throw new IllegalArgumentException("state has " + state.length + " values, expected the hidden size "
                    + gradient.dim());
        }
        state = state.clone();
    }

    @Override
    public float[] state() {
        return state.clone();
    }

    /** The head loss, {@code -log softmax(W t + b)[gold]}. */
    public float loss() {
        return gradient.loss();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HeadLossGradient g && java.util.Arrays.equals(state, g.state)
                && gradient.equals(g.gradient);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(state) * 31 + gradient.hashCode();
    }

    @Override
    public String toString() {
        return "HeadLossGradient[loss=" + loss() + "]";
    }
}
