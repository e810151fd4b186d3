package io.github.prompt4j.search.soft;

/**
 * How the learning rate changes over the updates of soft-prompt training: after a linear warmup, constant, linear
 * decay or cosine decay (as in the schedules of BERT fine-tuning).
 *
 * <p>For update {@code k = 1..T} with {@code W} warmup updates the rate is {@code lr * k / W} while {@code k <= W};
 * afterwards, with {@code p = (k - W - 1) / (T - W)} in {@code [0, 1)}, it is {@code lr} (CONSTANT),
 * {@code lr * (1 - p)} (LINEAR) or {@code lr * (1 + cos(pi p)) / 2} (COSINE), so the first update after warmup uses
 * the full rate and the last one a small positive rate.
 */
public enum LearningRateSchedule {
    /** No decay after warmup. */
    CONSTANT,
    /** Linear decay towards 0 after warmup. */
    LINEAR,
    /** Half-cosine decay towards 0 after warmup. */
    COSINE;

    /**
     * The factor multiplying the base learning rate at update {@code k} (1-based) of {@code total}, with
     * {@code warmup} warmup updates.
     */
    public double factor(int k, int warmup, int total) {
        if (k < 1 || k > total || warmup < 0 || warmup >= Math.max(total, 1)) {
            throw new IllegalArgumentException("update " + k + " of " + total + " with " + warmup
                    + " warmup updates: need 1 <= k <= total and 0 <= warmup < total");
        }
        if (k <= warmup) {
            return (double) k / warmup;
        }
        double p = (double) (k - warmup - 1) / (total - warmup);
        return switch (this) {
            case CONSTANT -> 1.0;
            case LINEAR -> 1.0 - p;
            case COSINE -> 0.5 * (1.0 + Math.cos(Math.PI * p));
        };
    }
}
