package io.github.prompt4j.search.trigger;

import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.search.fact.RankingMetrics;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The loss and the dev metrics of a search mode, computed from label-word (or object) logits with the
 * full-vocabulary normaliser, so forward passes give exact losses without scoring the whole vocabulary.
 */
final class Objective {

    static final String ACCURACY = "selection_accuracy";
    static final String P_AT_1 = "selection_p@1";
    static final String P_AT_10 = "selection_p@10";
    static final String MRR = "selection_mrr";
    static final String TRAIN_LOSS = "train_loss";
    static final String DEV_LOSS = "selection_loss";

    private final SearchMode mode;
    private final SearchLoss loss;
    private final List<String> classes;
    private final int[][] classIds;
    private final int[] labelIds;
    private final int[] candidates;

    private Objective(SearchMode mode, SearchLoss loss, List<String> classes, int[][] classIds, int[] candidates) {
        this.mode = mode;
        this.loss = loss;
        this.classes = classes;
        this.classIds = classIds;
        this.labelIds = Arrays.stream(classIds).flatMapToInt(Arrays::stream).distinct().toArray();
        this.candidates = candidates;
    }

    static Objective classification(SearchLoss loss, List<String> classes, int[][] classIds) {
        return new Objective(SearchMode.CLASSIFICATION, loss, List.copyOf(classes), classIds, new int[0]);
    }

    static Objective facts(int[] candidates) {
        return new Objective(SearchMode.FACT_RETRIEVAL, SearchLoss.LABEL_LIKELIHOOD, List.of(), new int[0][],
                candidates);
    }

    SearchLoss lossFunction() {
        return loss;
    }

    /** Every class's label-word ids, distinct: the normalising set of {@link SearchLoss#CLASS_CROSS_ENTROPY}. */
    int[] labelIds() {
        return labelIds.clone();
    }

    SearchMode mode() {
        return mode;
    }

    List<String> classes() {
        return classes;
    }

    int[][] classIds() {
        return classIds;
    }

    /** The primary dev metric's name; larger is better. */
    String primaryMetric() {
        return mode == SearchMode.CLASSIFICATION ? ACCURACY : P_AT_1;
    }

    /**
     * Whether dev metrics {@code a} beat {@code b}: a larger primary metric, or an equal one with a lower dev loss
     * (accuracy moves in steps of 1/n, so ties are common on small dev sets; the loss breaks them).
     */
    boolean better(Map<String, Double> a, Map<String, Double> b) {
        int c = Double.compare(a.get(primaryMetric()), b.get(primaryMetric()));
        return c > 0 || (c == 0 && a.get(DEV_LOSS) < b.get(DEV_LOSS));
    }

    /** The token ids whose logits a loss batch needs. */
    int[] scoredIds(List<Instance> batch) {
        if (mode == SearchMode.CLASSIFICATION) {
            return labelIds;
        }
        return batch.stream().flatMapToInt(i -> Arrays.stream(i.gold())).distinct().toArray();
    }

    /** The ids a dev batch needs: label words, or every candidate object. */
    int[] devIds() {
        return mode == SearchMode.CLASSIFICATION ? labelIds : candidates;
    }

    /**
     * The search loss of prompt {@code p} at its first mask, from subset logits (whose columns must include
     * {@link #scoredIds}) and the full-vocabulary normaliser: {@code -log sum_{g in gold} p(g)}, minus, for
     * {@link SearchLoss#CLASS_CROSS_ENTROPY}, the same over all label words.
     */
    double loss(MaskLogits logits, int p, int[] gold, Map<Integer, Integer> columns) {
        double goldMass = logMass(logits, p, gold, columns);
        return loss == SearchLoss.CLASS_CROSS_ENTROPY ? logMass(logits, p, labelIds, columns) - goldMass
                : logits.logNormalizer(p, 0) - goldMass;
    }

    private static double logMass(MaskLogits logits, int p, int[] ids, Map<Integer, Integer> columns) {
        double[] values = new double[ids.length];
        for (int i = 0; i < ids.length; i++) {
            values[i] = logits.logit(p, 0, columns.get(ids[i]));
        }
        return logSumExp(values);
    }

    static Map<Integer, Integer> columns(int[] ids) {
        Map<Integer, Integer> out = new HashMap<>();
        for (int c = 0; c < ids.length; c++) {
            out.putIfAbsent(ids[c], c);
        }
        return out;
    }

    /**
     * Accumulates dev statistics batch by batch: {@link #add} each batch's logits (over {@link #devIds()}), then
     * {@link #metrics()}.
     */
    final class DevTally {
        private final Map<Integer, Integer> columns = columns(devIds());
        private final int[] ranks;
        private int correct;
        private int count;
        private double lossSum;

        DevTally(int size) {
            this.ranks = new int[size];
        }

        void add(MaskLogits logits, List<Instance> batch) {
            for (int p = 0; p < batch.size(); p++) {
                Instance inst = batch.get(p);
                lossSum += loss(logits, p, inst.gold(), columns);
                if (mode == SearchMode.CLASSIFICATION) {
                    correct += predictClass(logits, p) == inst.goldClass() ? 1 : 0;
                } else {
                    float[] row = new float[logits.logits().width()];
                    logits.logits().copyVector(p, 0, row, 0);
                    ranks[count] = RankingMetrics.rank(row, columns.get(inst.gold()[0]));
                }
                count++;
            }
        }

        private int predictClass(MaskLogits logits, int p) {
            int best = 0;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classIds.length; c++) {
                double score = logMass(logits, p, classIds[c], columns);
                if (score > bestScore) {
                    bestScore = score;
                    best = c;
                }
            }
            return best;
        }

        Map<String, Double> metrics() {
            Map<String, Double> out = new LinkedHashMap<>();
            out.put(DEV_LOSS, lossSum / count);
            if (mode == SearchMode.CLASSIFICATION) {
                out.put(ACCURACY, (double) correct / count);
            } else {
                RankingMetrics m = RankingMetrics.fromRanks(Arrays.copyOf(ranks, count));
                out.put(P_AT_1, m.precisionAt1());
                out.put(P_AT_10, m.precisionAt10());
                out.put(MRR, m.meanReciprocalRank());
            }
            return out;
        }
    }

    static double logSumExp(double[] values) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            max = Math.max(max, v);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return max;
        }
        double s = 0;
        for (double v : values) {
            s += Math.exp(v - max);
        }
        return max + Math.log(s);
    }
}
