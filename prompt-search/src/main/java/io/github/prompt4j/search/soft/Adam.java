package io.github.prompt4j.search.soft;

/**
 * The Adam optimiser (Kingma and Ba, ICLR 2015) over one flat parameter vector, with bias-corrected moments:
 * {@code m = b1 m + (1 - b1) g}, {@code v = b2 v + (1 - b2) g^2}, {@code theta -= lr * m_hat / (sqrt(v_hat) + eps)}
 * with {@code m_hat = m / (1 - b1^t)} and {@code v_hat = v / (1 - b2^t)}. Double precision. Not thread-safe.
 */
final class Adam {

    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double[] m;
    private final double[] v;
    private int t;

    Adam(int size, double beta1, double beta2, double epsilon) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.m = new double[size];
        this.v = new double[size];
    }

    /** One update of {@code params} in place with gradient {@code grad} and learning rate {@code lr}. */
    void step(double[] params, double[] grad, double lr) {
        step(params, grad, lr, params.length, lr);
    }

    /**
     * One update in place, the parameters from index {@code tail} on with learning rate {@code tailLr} and those
     * before it with {@code lr} (two parameter groups, e.g. a prefix and a classifier head after it); the moments
     * are updated alike whatever the rate, so a group at rate 0 stays where it is.
     */
    void step(double[] params, double[] grad, double lr, int tail, double tailLr) {
        if (params.length != m.length || grad.length != m.length) {
            throw new IllegalArgumentException("Adam over " + m.length + " parameters got " + params.length
                    + " parameters and " + grad.length + " gradient values");
        }
        t++;
        double c1 = 1 - Math.pow(beta1, t);
        double c2 = 1 - Math.pow(beta2, t);
        for (int i = 0; i < params.length; i++) {
            m[i] = beta1 * m[i] + (1 - beta1) * grad[i];
            v[i] = beta2 * v[i] + (1 - beta2) * grad[i] * grad[i];
            params[i] -= (i < tail ? lr : tailLr) * (m[i] / c1) / (Math.sqrt(v[i] / c2) + epsilon);
        }
    }

    /** Number of updates done. */
    int steps() {
        return t;
    }

    /** A copy of the first moments {@code m}. */
    double[] firstMoments() {
        return m.clone();
    }

    /** A copy of the second moments {@code v}. */
    double[] secondMoments() {
        return v.clone();
    }

    /**
     * Restores the moments and the update count of an earlier run (a resumed training), so that the next
     * {@link #step} is the one the interrupted run would have taken.
     *
     * @throws IllegalArgumentException when the moments are not of this optimiser's size or the count is negative
     */
    void restore(double[] first, double[] second, int steps) {
        if (first.length != m.length || second.length != v.length || steps < 0) {
            throw new IllegalArgumentException("Adam over " + m.length + " parameters cannot restore " + first.length
                    + " first and " + second.length + " second moments after " + steps + " updates");
        }
        System.arraycopy(first, 0, m, 0, m.length);
        System.arraycopy(second, 0, v, 0, v.length);
        t = steps;
    }
}
