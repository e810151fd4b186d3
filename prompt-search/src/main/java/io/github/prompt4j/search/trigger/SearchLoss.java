package io.github.prompt4j.search.trigger;

/**
 * The training loss a classification trigger search minimises: it steers both the gradient that proposes candidates
 * and the forward-pass comparison that accepts them.
 */
public enum SearchLoss {
    /**
     * The paper's loss, {@code -log sum_{w in W_y} p(w | mask)} with p over the whole vocabulary. It rewards raising
     * the mass of every class's label words alike, so it can accept triggers that make the mask predict label words
     * in general without separating the classes. The only loss of fact retrieval.
     */
    LABEL_LIKELIHOOD,
    /**
     * Cross-entropy of the gold class among the classes, {@code -log (sum_{w in W_y} p(w) / sum_{w in W} p(w))} with
     * W every class's label words: the loss of the classifier that predicts from those words, so accepted triggers
     * are the ones that separate the classes. Its gradient is the label-likelihood gradient of the gold words minus
     * that of all label words, so each example costs two gradient passes.
     */
    CLASS_CROSS_ENTROPY
}
