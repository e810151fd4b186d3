package io.github.prompt4j.benchmarks.eval;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * A terminal progress bar on standard error for a long run, or nothing when switched off (tests, logs).
 *
 * <p>Not thread-safe; close it when the work ends.
 */
final class Progress implements AutoCloseable {

    private final ProgressBar bar;

    private Progress(ProgressBar bar) {
        this.bar = bar;
    }

    /**
     * Starts a bar of {@code total} steps.
     *
     * @param task the name shown left of the bar
     * @param unit the name of one step, shown in the speed, e.g. {@code sent.}
     * @param show {@code false} for a silent no-op
     */
    static Progress start(String task, String unit, long total, boolean show) {
        if (!show) {
            return new Progress(null);
        }
        return new Progress(new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setUnit(" " + unit, 1)
                .showSpeed().setUpdateIntervalMillis(500).build());
    }

    /** Advances the bar by {@code n} steps. */
    void step(long n) {
        if (bar != null) {
            bar.stepBy(n);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
