package io.github.prompt4j.core.eval;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;

/**
 * Counts of (gold, predicted) label pairs: {@code counts[g][p]} inputs of gold class {@code labels[g]} were predicted
 * as {@code labels[p]}.
 *
 * <p>Immutable.
 *
 * @param labels the classes, in row/column order
 * @param counts square count matrix
 */
public record ConfusionMatrix(List<String> labels, int[][] counts) {

    public ConfusionMatrix {
        if (labels == null || counts == null) {
            throw new IllegalArgumentException("labels and counts must not be null");
        }
        labels = List.copyOf(labels);
        if (labels.isEmpty() || new HashSet<>(labels).size() != labels.size()) {
            throw new IllegalArgumentException("labels must be non-empty and distinct, got " + labels);
        }
        if (counts.length != labels.size()) {
            throw new IllegalArgumentException("need " + labels.size() + " rows, got " + counts.length);
        }
        int[][] copy = new int[counts.length][];
        for (int i = 0; i < counts.length; i++) {
            if (counts[i].length != labels.size()) {
                throw new IllegalArgumentException("row " + i + " has " + counts[i].length + " columns, need "
                        + labels.size());
            }
            copy[i] = counts[i].clone();
            for (int c : copy[i]) {
                if (c < 0) {
                    throw new IllegalArgumentException("row " + i + " has a negative count: " + c);
                }
            }
        }
        counts = copy;
    }

    /**
     * Tallies gold and predicted labels.
     *
     * @param labels every class that may occur, in the order wanted
     * @throws IllegalArgumentException if the lists differ in length, are empty, or hold a label not in
     *         {@code labels}
     */
    public static ConfusionMatrix of(List<String> labels, List<String> gold, List<String> predicted) {
        Metrics.checkPairs(gold, predicted);
        int[][] counts = new int[labels.size()][labels.size()];
        for (int i = 0; i < gold.size(); i++) {
            counts[index(labels, gold.get(i), "gold", i)][index(labels, predicted.get(i), "predicted", i)]++;
        }
        return new ConfusionMatrix(labels, counts);
    }

    /** Tallies gold and predicted labels over the classes that occur in either list, in order of first appearance. */
    public static ConfusionMatrix of(List<String> gold, List<String> predicted) {
        Metrics.checkPairs(gold, predicted);
        return of(Metrics.labelsOf(gold, predicted), gold, predicted);
    }

    private static int index(List<String> labels, String label, String which, int row) {
        int i = labels.indexOf(label);
        if (i < 0) {
            throw new IllegalArgumentException(which + " label '" + label + "' of example " + row
                    + " is not one of " + labels);
        }
        return i;
    }

    @Override
    public int[][] counts() {
        int[][] copy = new int[counts.length][];
        for (int i = 0; i < counts.length; i++) {
            copy[i] = counts[i].clone();
        }
        return copy;
    }

    /**
     * Inputs of gold class {@code gold} predicted as {@code predicted}.
     *
     * @throws IllegalArgumentException for a label that is not a class of this matrix
     */
    public int count(String gold, String predicted) {
        return counts[classIndex(gold)][classIndex(predicted)];
    }

    /** Precision of a class: {@code TP / (TP + FP)}, 0 when the class was never predicted. */
    public double precision(String label) {
        int k = classIndex(label);
        int predicted = 0;
        for (int[] row : counts) {
            predicted += row[k];
        }
        return predicted == 0 ? 0 : (double) counts[k][k] / predicted;
    }

    /** Recall of a class: {@code TP / (TP + FN)}, 0 when the class has no gold input. */
    public double recall(String label) {
        int k = classIndex(label);
        int gold = 0;
        for (int c : counts[k]) {
            gold += c;
        }
        return gold == 0 ? 0 : (double) counts[k][k] / gold;
    }

    /** F1 of a class: {@code 2 TP / (2 TP + FP + FN)}, 0 when the class has neither gold nor predicted inputs. */
    public double f1(String label) {
        return f1(classIndex(label));
    }

    private double f1(int k) {
        int tp = counts[k][k];
        int fp = 0;
        int fn = 0;
        for (int j = 0; j < counts.length; j++) {
            if (j != k) {
                fp += counts[j][k];
                fn += counts[k][j];
            }
        }
        int denom = 2 * tp + fp + fn;
        return denom == 0 ? 0 : 2.0 * tp / denom;
    }

    private int classIndex(String label) {
        int i = labels.indexOf(label);
        if (i < 0) {
            throw new IllegalArgumentException("'" + label + "' is not a class of this matrix; classes are " + labels);
        }
        return i;
    }

    /** Total number of inputs. */
    public int total() {
        int n = 0;
        for (int[] row : counts) {
            for (int c : row) {
                n += c;
            }
        }
        return n;
    }

    /**
     * Fraction of inputs on the diagonal.
     *
     * @throws IllegalStateException if the matrix counts no input
     */
    public double accuracy() {
        if (total() == 0) {
            throw new IllegalStateException("the confusion matrix is empty; accuracy is undefined");
        }
        int correct = 0;
        for (int i = 0; i < counts.length; i++) {
            correct += counts[i][i];
        }
        return (double) correct / total();
    }

    /**
     * Unweighted mean over classes of F1 = 2 TP / (2 TP + FP + FN); a class with no gold and no predicted input has
     * F1 0 by convention (as scikit-learn's default).
     */
    public double macroF1() {
        double sum = 0;
        for (int k = 0; k < counts.length; k++) {
            sum += f1(k);
        }
        return sum / counts.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConfusionMatrix m && labels.equals(m.labels) && Arrays.deepEquals(counts, m.counts);
    }

    @Override
    public int hashCode() {
        return labels.hashCode() * 31 + Arrays.deepHashCode(counts);
    }

    @Override
    public String toString() {
        return "ConfusionMatrix" + labels + " " + Arrays.deepToString(counts);
    }
}
