package io.github.prompt4j.search.trigger;

/** What a trigger search optimises. */
public enum SearchMode {
    /**
     * Classification: loss {@code -log sum_{w in W_y} p(w | mask)} over the gold class's label words; dev metric
     * accuracy, predicting the class with the largest total label-word probability.
     */
    CLASSIFICATION,
    /**
     * Fact retrieval (LAMA): the gold is the object token; loss {@code -log p(object | mask)}; dev metric precision
     * at 1 among the candidate vocabulary.
     */
    FACT_RETRIEVAL
}
