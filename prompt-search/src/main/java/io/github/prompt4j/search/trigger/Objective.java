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

    static final String ACCURACY = "dev_accuracy";
    static final String P_AT_1 = "dev_p@1";
    static final String P_AT_10 = "dev_p@10";
    static final String MRR = "dev_mrr";
    static final String TRAIN_LOSS = "train_loss";
    static final String DEV_LOSS = "dev_loss";

    private final SearchMode mode;
    private final List<String> classes;
    private final int[][] classIds;
    private final int[] labelIds;
    private final int[] candidates;

    private Objective(SearchMode mode, List<String> classes, int[][] classIds, int[] candidates) {
        this.mode = mode;
        this.classes = classes;
        this.classIds = classIds;
        this.labelIds = Arrays.stream(classIds).flatMapToInt(Arrays::stream).distinct().toArray();
        this.candidates = candidates;
    }

    static Objective classification(List<String> classes, int[][] classIds) {
        return new Objective(SearchMode.CLASSIFICATION, List.copyOf(classes), classIds, new int[0]);
    }

    static Objective facts(int[] candidates) {
        return new Objective(SearchMode.FACT_RETRIEVAL, List.of(), new int[0][], candidates);
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

    /** {@code -log sum_{g in gold} p(g | first mask)} of prompt {@code p}, from subset logits and the normaliser. */
    static double loss(MaskLogits logits, int p, int[] gold, Map<Integer, Integer> columns) {
        double[] values = new double[gold.length];
        for (int i = 0; i < gold.length; i++) {
            values[i] = logits.logit(p, 0, columns.get(gold[i]));
        }
        return logits.logNormalizer(p, 0) - logSumExp(values);
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
                double[] v = new double[classIds[c].length];
                for (int i = 0; i < v.length; i++) {
                    v[i] = logits.logit(p, 0, columns.get(classIds[c][i]));
                }
                double score = logSumExp(v);
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
