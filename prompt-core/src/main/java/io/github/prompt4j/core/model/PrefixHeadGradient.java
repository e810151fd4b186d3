package io.github.prompt4j.core.model;

import java.util.Arrays;

/**
 * The head losses of a batch under a {@link Prefix} ({@link HeadTrainableModel#prefixHeadLossGradient}), the
 * transformed state each example's head read, and the gradient of the <em>summed</em> loss with respect to the prefix.
 *
 * <p>Immutable; arrays are copied in and out.
 *
 * @param losses the head loss of each request, in request order
 * @param states the transformed mask state of each request, {@code losses.length * hidden} floats
 * @param hidden the state's length
 * @param prefix {@code d sum(losses) / d prefix}, keys and values laid out as {@link Prefix#keys()} and
 *        {@link Prefix#values()}
 */
public record PrefixHeadGradient(float[] losses, float[] states, int hidden, PrefixGradient prefix) {

    public PrefixHeadGradient {
        if (losses == null || states == null || prefix == null) {
            throw new IllegalArgumentException("losses, states and prefix must not be null");
        }
        if ((long) losses.length * hidden != states.length) {
            throw new IllegalArgumentException("expected " + (long) losses.length * hidden + " state values, got "
                    + states.length);
        }
        losses = losses.clone();
        states = states.clone();
    }

    @Override
    public float[] losses() {
        return losses.clone();
    }

    @Override
    public float[] states() {
        return states.clone();
    }

    /** A copy of the transformed state of request {@code i}. */
    public float[] state(int i) {
        return Arrays.copyOfRange(states, i * hidden, (i + 1) * hidden);
    }
}
