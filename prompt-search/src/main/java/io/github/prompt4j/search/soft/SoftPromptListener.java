package io.github.prompt4j.search.soft;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives the progress of soft-prompt training, one call per epoch.
 *
 * <p>Called on the training thread; implementations should return quickly. An exception thrown by a listener aborts
 * the run.
 */
public interface SoftPromptListener {

    /** Called after every epoch. */
    void onEpoch(SoftPromptEpoch epoch);

    /** A listener that logs each epoch at INFO through SLF4J (the default). */
    static SoftPromptListener logging() {
        Logger log = LoggerFactory.getLogger(SoftPromptTrainer.class);
        return e -> log.info("epoch {}/{} train loss {} dev accuracy {} dev loss {} (best {} at epoch {}) lr {} "
                + "passes {} fwd + {} grad, {} s", e.epoch(), e.epochs(), String.format("%.4f", e.trainLoss()),
                String.format("%.4f", e.devAccuracy()), String.format("%.4f", e.devLoss()),
                String.format("%.4f", e.bestDevAccuracy()), e.bestEpoch(), String.format("%.2e", e.learningRate()),
                e.passes().forwardPasses(), e.passes().gradientPasses(), e.elapsed().toSeconds());
    }

    /** A listener that ignores everything. */
    static SoftPromptListener none() {
        return e -> {
        };
    }
}
