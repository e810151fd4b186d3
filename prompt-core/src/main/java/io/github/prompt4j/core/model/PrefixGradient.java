package io.github.prompt4j.core.model;

/**
 * The label losses of a batch of requests under a {@link Prefix}, and the gradient of their <em>sum</em> with respect
 * to the prefix (the prefix is shared by all requests, so per-request gradients would only be summed again).
 *
 * <p>Immutable; arrays are copied in and out.
 *
 * @param losses the label loss of each request, in request order
 * @param keys {@code d sum(losses) / d keys}, laid out as {@link Prefix#keys()}
 * @param values {@code d sum(losses) / d values}, laid out as {@link Prefix#values()}
 */
public record PrefixGradient(float[] losses, float[] keys, float[] values) {

    public PrefixGradient {
        if (losses == null || keys == null || values == null || keys.length != values.length) {
            throw new IllegalArgumentException("losses, keys and values must be set, keys and values of one length");
        }
        losses = losses.clone();
        keys = keys.clone();
        values = values.clone();
    }

    @Override
    public float[] losses() {
        return losses.clone();
    }

    @Override
    public float[] keys() {
        return keys.clone();
    }

    @Override
    public float[] values() {
        return values.clone();
    }

    /** Keys then values, as {@link Prefix#flatten()} lays out the parameters. */
    public float[] flatten() {
        float[] out = new float[2 * keys.length];
        System.arraycopy(keys, 0, out, 0, keys.length);
        System.arraycopy(values, 0, out, keys.length, values.length);
        return out;
    }

    /** The sum of the losses. */
    public double totalLoss() {
        double s = 0;
        for (float l : losses) {
            s += l;
        }
        return s;
    }
}
