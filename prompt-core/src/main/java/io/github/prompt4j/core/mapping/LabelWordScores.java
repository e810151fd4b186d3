package io.github.prompt4j.core.mapping;

import java.util.HashSet;
import java.util.List;

/**
 * The scores of every label word at the mask for one input: natural-log probabilities (full-vocabulary softmax),
 * grouped by class, after the multi-piece policy.
 *
 * <p>Immutable; arrays are copied in and out.
 *
 * @param labels class labels in order
 * @param words label words per class, parallel to {@code logProbs}
 * @param logProbs {@code logProbs[c][w]} = log p(word w of class c | mask)
 */
public record LabelWordScores(List<String> labels, List<List<String>> words, double[][] logProbs) {

    public LabelWordScores {
        if (labels == null || words == null || logProbs == null) {
            throw new IllegalArgumentException("labels, words and logProbs must not be null");
        }
        labels = List.copyOf(labels);
        words = words.stream().map(List::copyOf).toList();
        if (new HashSet<>(labels).size() != labels.size()) {
            throw new IllegalArgumentException("class labels repeat: " + labels);
        }
        if (labels.size() != words.size() || labels.size() != logProbs.length) {
            throw new IllegalArgumentException("labels (" + labels.size() + "), words (" + words.size()
                    + ") and logProbs (" + logProbs.length + ") must have one entry per class");
        }
        double[][] copy = new double[logProbs.length][];
        for (int c = 0; c < logProbs.length; c++) {
            if (logProbs[c].length != words.get(c).size() || logProbs[c].length == 0) {
                throw new IllegalArgumentException("class '" + labels.get(c) + "' has " + words.get(c).size()
                        + " words but " + logProbs[c].length + " scores");
            }
            copy[c] = logProbs[c].clone();
            for (int w = 0; w < copy[c].length; w++) {
                if (Double.isNaN(copy[c][w]) || copy[c][w] == Double.POSITIVE_INFINITY) {
                    throw new IllegalArgumentException("log-probability of word '" + words.get(c).get(w)
                            + "' of class '" + labels.get(c) + "' is " + copy[c][w] + "; expected a value <= 0");
                }
            }
        }
        logProbs = copy;
    }

    @Override
    public double[][] logProbs() {
        double[][] copy = new double[logProbs.length][];
        for (int c = 0; c < logProbs.length; c++) {
            copy[c] = logProbs[c].clone();
        }
        return copy;
    }

    /** Number of classes. */
    public int classCount() {
        return labels.size();
    }

    /** log p of word {@code w} of class {@code c}. */
    public double logProb(int c, int w) {
        return logProbs[c][w];
    }

    /** Number of words of class {@code c}. */
    public int wordCount(int c) {
        return logProbs[c].length;
    }
}
