package io.github.prompt4j.search.trigger;

/**
 * Receives the progress of a trigger search: one call per step, and the resumable state after each step.
 *
 * <p>Called on the searching thread; implementations should return quickly. Exceptions thrown by a listener abort
 * the search.
 */
public interface SearchListener {

    /** Called after every step. */
    void onStep(SearchStep step);

    /** Called after every step with the state to save for a later {@link TriggerSearch#resume}; ignored by default. */
    default void onCheckpoint(TriggerSearchState state) {
    }

    /** A listener that logs each step at INFO through SLF4J (the default). */
    static SearchListener logging() {
        return LoggingSearchListener.INSTANCE;
    }

    /** A listener that ignores everything. */
    static SearchListener none() {
        return step -> {
        };
    }
}
