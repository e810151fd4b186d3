package io.github.prompt4j.search.trigger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logs every search step at INFO. */
final class LoggingSearchListener implements SearchListener {

    static final LoggingSearchListener INSTANCE = new LoggingSearchListener();
    private static final Logger log = LoggerFactory.getLogger(TriggerSearch.class);

    private LoggingSearchListener() {
    }

    @Override
    public void onStep(SearchStep s) {
        log.info("step {}/{} slot {} {} triggers {} train loss {} selection {} (best {}) passes {} fwd + {} grad, {} s",
                s.iteration(), s.iterations(), s.position(), s.accepted() ? "accepted" : "kept", s.triggerTokens(),
                String.format("%.4f", s.trainLoss()), String.format("%.4f", s.selectionMetric()),
                String.format("%.4f", s.bestSelectionMetric()), s.passes().forwardPasses(), s.passes().gradientPasses(),
                s.elapsed().toSeconds());
    }
}
