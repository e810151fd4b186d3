package io.github.prompt4j.search.trigger;

/**
 * How much model work a search used, independent of hardware: one pass is one sequence through the model.
 *
 * @param forwardPasses sequences run through the forward (logits) graph
 * @param gradientPasses sequences run through the gradient graph (each costs roughly 2-3 forward passes)
 */
public record PassCounts(long forwardPasses, long gradientPasses) {

    public PassCounts {
        if (forwardPasses < 0 || gradientPasses < 0) {
            throw new IllegalArgumentException("pass counts must be >= 0: forward=" + forwardPasses + " gradient="
                    + gradientPasses);
        }
    }

    /** No passes. */
    public static PassCounts zero() {
        return new PassCounts(0, 0);
    }

    /** The sum of both counts. */
    public PassCounts plus(long forward, long gradient) {
        return new PassCounts(forwardPasses + forward, gradientPasses + gradient);
    }
}
