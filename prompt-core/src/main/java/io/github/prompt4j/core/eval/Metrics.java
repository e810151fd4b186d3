package io.github.prompt4j.core.eval;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Classification metrics over parallel lists of gold and predicted labels. Stateless and thread-safe. */
public final class Metrics {

    private Metrics() {
    }

    /**
     * Fraction of inputs whose prediction equals the gold label.
     *
     * @throws IllegalArgumentException if the lists are empty or differ in length
     */
    public static double accuracy(List<String> gold, List<String> predicted) {
        checkPairs(gold, predicted);
        int correct = 0;
        for (int i = 0; i < gold.size(); i++) {
            if (gold.get(i).equals(predicted.get(i))) {
                correct++;
            }
        }
        return (double) correct / gold.size();
    }

    /** Macro-averaged F1 over every label that occurs in either list (see {@link ConfusionMatrix#macroF1()}). */
    public static double macroF1(List<String> gold, List<String> predicted) {
        return ConfusionMatrix.of(labelsOf(gold, predicted), gold, predicted).macroF1();
    }

    /** The labels of both lists in order of first appearance. */
    static List<String> labelsOf(List<String> gold, List<String> predicted) {
        Set<String> labels = new LinkedHashSet<>(gold);
        labels.addAll(predicted);
        return new ArrayList<>(labels);
    }

    static void checkPairs(List<String> gold, List<String> predicted) {
        if (gold == null || predicted == null || gold.isEmpty()) {
            throw new IllegalArgumentException("need at least one (gold, predicted) pair");
        }
        if (gold.size() != predicted.size()) {
            throw new IllegalArgumentException(gold.size() + " gold labels but " + predicted.size()
                    + " predictions; pass one prediction per input");
        }
        for (int i = 0; i < gold.size(); i++) {
            if (gold.get(i) == null || predicted.get(i) == null) {
                throw new IllegalArgumentException("label of example " + i + " is null");
            }
        }
    }
}
