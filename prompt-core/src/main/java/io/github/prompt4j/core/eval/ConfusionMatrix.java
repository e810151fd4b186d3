package io.github.prompt4j.core.eval;

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
        labels = List.copyOf(labels);
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

    /** Inputs of gold class {@code gold} predicted as {@code predicted}. */
    public int count(String gold, String predicted) {
        return counts[labels.indexOf(gold)][labels.indexOf(predicted)];
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

    /** Fraction of inputs on the diagonal. */
    public double accuracy() {
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
            sum += denom == 0 ? 0 : 2.0 * tp / denom;
        }
        return sum / counts.length;
    }
}
