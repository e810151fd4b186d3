package io.github.prompt4j.search.trigger;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.core.model.Tokenizer;
import io.github.prompt4j.core.verbalizer.LabelWord;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.fact.FactRetrieval;
import io.github.prompt4j.search.fact.RankingMetrics;
import io.github.prompt4j.search.vocab.VocabularyFilter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link SearchObjective} resolved against a vocabulary: the loss and the selection metrics, computed from
 * label-word (or object) logits with the full-vocabulary normaliser, so forward passes give exact losses without
 * scoring the whole vocabulary; and how an example becomes an {@link Instance}. One subclass per objective, so no
 * code asks which mode it is in.
 */
abstract sealed class Objective permits Objective.Classes, Objective.Facts {

    static final String ACCURACY = "selection_accuracy";
    static final String P_AT_1 = "selection_p@1";
    static final String P_AT_10 = "selection_p@10";
    static final String MRR = "selection_mrr";
    static final String TRAIN_LOSS = "train_loss";
    static final String SELECTION_LOSS = "selection_loss";

    /** Classification with these class ids (label words unspelled). */
    static Objective classification(SearchLoss loss, List<String> classes, int[][] classIds) {
        Map<String, List<String>> words = new LinkedHashMap<>();
        classes.forEach(c -> words.put(c, List.of()));
        return new Classes(loss, List.copyOf(classes), classIds, words);
    }

    /** Fact retrieval with selection metrics among {@code candidates}. */
    static Objective facts(int[] candidates) {
        return new Facts(candidates);
    }

    /**
     * Resolves {@code spec} against the tokenizer's vocabulary.
     *
     * @throws IllegalArgumentException for a label word absent from the vocabulary or of several word pieces, a
     *         label id outside it or given to two classes, fewer than two classes, or a loss the objective lacks
     */
    static Objective resolve(SearchObjective spec, SearchLoss loss, Tokenizer tokenizer) {
        TriggerSearchSettings.checkLoss(spec.mode(), loss);
        if (spec instanceof SearchObjective.Facts f) {
            return facts(f.candidates().orElseGet(() -> FactRetrieval.wholeVocabulary(tokenizer)));
        }
        Map<String, List<String>> words = new LinkedHashMap<>();
        Map<String, int[]> classIds = spec instanceof SearchObjective.LabelWords w
                ? resolveWords(w, tokenizer, words)
                : checkIds(((SearchObjective.LabelTokens) spec).classToIds(), tokenizer, words);
        return new Classes(loss, new ArrayList<>(classIds.keySet()), classIds.values().toArray(new int[0][]), words);
    }

    private static Map<String, int[]> resolveWords(SearchObjective.LabelWords spec, Tokenizer tokenizer,
            Map<String, List<String>> words) {
        Map<String, List<Integer>> ids = new LinkedHashMap<>();
        for (String label : spec.verbalizer().labels()) {
            ids.put(label, new ArrayList<>());
            words.put(label, new ArrayList<>());
        }
        for (LabelWord w : spec.verbalizer().resolve(tokenizer)) {
            if (!w.singlePiece()) {
                throw new IllegalArgumentException("label word '" + w.word() + "' of class '" + w.label()
                        + "' is " + w.pieceIds().length + " word pieces " + w.pieces() + "; trigger search "
                        + "needs single-piece label words");
            }
            ids.get(w.label()).add(w.pieceIds()[0]);
            words.get(w.label()).add(w.word());
        }
        Map<String, int[]> out = new LinkedHashMap<>();
        ids.forEach((k, v) -> out.put(k, v.stream().distinct().mapToInt(Integer::intValue).toArray()));
        return out;
    }

    private static Map<String, int[]> checkIds(Map<String, int[]> classToIds, Tokenizer tokenizer,
            Map<String, List<String>> words) {
        if (classToIds.size() < 2) {
            throw new IllegalArgumentException("need label tokens for at least two classes, got "
                    + classToIds.keySet());
        }
        Set<Integer> seen = new HashSet<>();
        classToIds.forEach((label, ids) -> {
            if (ids.length == 0) {
                throw new IllegalArgumentException("class '" + label + "' has no label token ids");
            }
            List<String> spelled = new ArrayList<>();
            for (int id : ids) {
                if (id < 0 || id >= tokenizer.vocabularySize()) {
                    throw new IllegalArgumentException("label token id " + id + " of class '" + label
                            + "' is outside the vocabulary of " + tokenizer.vocabularySize() + " tokens");
                }
                if (!seen.add(id)) {
                    throw new IllegalArgumentException("label token '" + tokenizer.idToToken(id)
                            + "' is given to more than one class");
                }
                spelled.add(tokenizer.idToToken(id));
            }
            words.put(label, spelled);
        });
        return classToIds;
    }

    /** The mode recorded in the settings. */
    abstract SearchMode mode();

    /** The training loss. */
    abstract SearchLoss lossFunction();

    /** Every class's label-word ids, distinct: the normalising set of {@link SearchLoss#CLASS_CROSS_ENTROPY}. */
    abstract int[] labelIds();

    /** Class to label words as spelled by the caller (empty for fact retrieval). */
    abstract Map<String, List<String>> labelWords();

    /** The primary selection metric's name; larger is better. */
    abstract String primaryMetric();

    /** The token ids whose logits a loss batch needs. */
    abstract int[] scoredIds(List<Instance> batch);

    /** The ids a selection batch needs: label words, or every candidate object. */
    abstract int[] selectionIds();

    /**
     * The search loss of prompt {@code p} at its first mask, from subset logits (whose columns must include
     * {@link #scoredIds}) and the full-vocabulary normaliser: {@code -log sum_{g in gold} p(g)}, minus, for
     * {@link SearchLoss#CLASS_CROSS_ENTROPY}, the same over all label words.
     */
    abstract double loss(MaskLogits logits, int p, int[] gold, Map<Integer, Integer> columns);

    /** A fresh accumulator of selection statistics over {@code size} examples. */
    abstract Tally tally(int size);

    /**
     * The instance of one encoded example.
     *
     * @param set the set's name for messages ("training", "selection")
     * @throws IllegalArgumentException for a label that is not a class, or an object outside the candidates
     */
    abstract Instance instance(Example example, EncodedPrompt prompt, Tokenizer tokenizer, String set);

    /**
     * Which tokens may be proposed when the caller sets no filter: the defaults for classification; for fact
     * retrieval also no capitalised or non-alphabetic tokens and no continuations.
     */
    static VocabularyFilter defaultFilter(SearchObjective spec) {
        return spec instanceof SearchObjective.Facts ? VocabularyFilter.defaults().withExcludeCapitalised(true)
                .withExcludeNonAlphabetic(true).withExcludeContinuations(true) : VocabularyFilter.defaults();
    }

    /**
     * Checks the encoded training set and removes from {@code allowed} what must never be proposed given it.
     *
     * @throws IllegalArgumentException for a class without training examples
     */
    abstract void prepare(List<Instance> train, boolean[] allowed, boolean excludeGoldObjects);

    /**
     * Whether selection metrics {@code a} beat {@code b}: a larger primary metric, or an equal one with a lower
     * selection loss (accuracy moves in steps of 1/n, so ties are common on small splits; the loss breaks them).
     */
    final boolean better(Map<String, Double> a, Map<String, Double> b) {
        int c = Double.compare(a.get(primaryMetric()), b.get(primaryMetric()));
        return c > 0 || (c == 0 && a.get(SELECTION_LOSS) < b.get(SELECTION_LOSS));
    }

    static Map<Integer, Integer> columns(int[] ids) {
        Map<Integer, Integer> out = new HashMap<>();
        for (int c = 0; c < ids.length; c++) {
            out.putIfAbsent(ids[c], c);
        }
        return out;
    }

    static double logMass(MaskLogits logits, int p, int[] ids, Map<Integer, Integer> columns) {
        double[] values = new double[ids.length];
        for (int i = 0; i < ids.length; i++) {
            values[i] = logits.logit(p, 0, columns.get(ids[i]));
        }
        return logSumExp(values);
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

    /**
     * Accumulates selection statistics batch by batch: {@link #add} each batch's logits (over
     * {@link #selectionIds()}), then {@link #metrics()}.
     */
    abstract class Tally {
        final Map<Integer, Integer> columns = columns(selectionIds());
        int count;
        double lossSum;

        void add(MaskLogits logits, List<Instance> batch) {
            for (int p = 0; p < batch.size(); p++) {
                Instance inst = batch.get(p);
                lossSum += loss(logits, p, inst.gold(), columns);
                score(logits, p, inst);
                count++;
            }
        }

        /** Records prompt {@code p}'s prediction; {@code count} is its index. */
        abstract void score(MaskLogits logits, int p, Instance inst);

        Map<String, Double> metrics() {
            Map<String, Double> out = new LinkedHashMap<>();
            out.put(SELECTION_LOSS, lossSum / count);
            addMetrics(out);
            return out;
        }

        abstract void addMetrics(Map<String, Double> out);
    }

    /** Classification: the gold is a class's label words. */
    static final class Classes extends Objective {
        private final SearchLoss loss;
        private final List<String> classes;
        private final int[][] classIds;
        private final int[] labelIds;
        private final Map<String, List<String>> words;

        private Classes(SearchLoss loss, List<String> classes, int[][] classIds, Map<String, List<String>> words) {
            this.loss = loss;
            this.classes = classes;
            this.classIds = classIds;
            this.labelIds = Arrays.stream(classIds).flatMapToInt(Arrays::stream).distinct().toArray();
            this.words = words;
        }

        @Override
        SearchMode mode() {
            return SearchMode.CLASSIFICATION;
        }

        @Override
        SearchLoss lossFunction() {
            return loss;
        }

        @Override
        int[] labelIds() {
            return labelIds.clone();
        }

        @Override
        Map<String, List<String>> labelWords() {
            return words;
        }

        @Override
        String primaryMetric() {
            return ACCURACY;
        }

        @Override
        int[] scoredIds(List<Instance> batch) {
            return labelIds;
        }

        @Override
        int[] selectionIds() {
            return labelIds;
        }

        @Override
        double loss(MaskLogits logits, int p, int[] gold, Map<Integer, Integer> columns) {
            double goldMass = logMass(logits, p, gold, columns);
            return loss == SearchLoss.CLASS_CROSS_ENTROPY ? logMass(logits, p, labelIds, columns) - goldMass
                    : logits.logNormalizer(p, 0) - goldMass;
        }

        @Override
        Instance instance(Example e, EncodedPrompt prompt, Tokenizer tokenizer, String set) {
            int c = classes.indexOf(e.label());
            if (c < 0) {
                throw new IllegalArgumentException(set + " example " + e.fields() + " has label '" + e.label()
                        + "', which is not one of the classes " + classes);
            }
            return new Instance(prompt, prompt.triggerPositions(), classIds[c], c);
        }

        @Override
        void prepare(List<Instance> train, boolean[] allowed, boolean excludeGoldObjects) {
            int[] counts = new int[classes.size()];
            train.forEach(i -> counts[i.goldClass()]++);
            for (int c = 0; c < counts.length; c++) {
                if (counts[c] == 0) {
                    throw new IllegalArgumentException("class '" + classes.get(c) + "' has no training example; "
                            + "every class of the label words needs at least one");
                }
            }
        }

        @Override
        Tally tally(int size) {
            return new Tally() {
                private int correct;

                @Override
                void score(MaskLogits logits, int p, Instance inst) {
                    correct += predictClass(logits, p, columns) == inst.goldClass() ? 1 : 0;
                }

                @Override
                void addMetrics(Map<String, Double> out) {
                    out.put(ACCURACY, (double) correct / count);
                }
            };
        }

        private int predictClass(MaskLogits logits, int p, Map<Integer, Integer> columns) {
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
    }

    /** Fact retrieval: the gold is the object token, ranked among the candidate vocabulary. */
    static final class Facts extends Objective {
        private final int[] candidates;
        private final Set<Integer> candidateSet = new HashSet<>();

        private Facts(int[] candidates) {
            this.candidates = candidates.clone();
            Arrays.stream(candidates).forEach(candidateSet::add);
        }

        @Override
        SearchMode mode() {
            return SearchMode.FACT_RETRIEVAL;
        }

        @Override
        SearchLoss lossFunction() {
            return SearchLoss.LABEL_LIKELIHOOD;
        }

        @Override
        int[] labelIds() {
            return new int[0];
        }

        @Override
        Map<String, List<String>> labelWords() {
            return Map.of();
        }

        @Override
        String primaryMetric() {
            return P_AT_1;
        }

        @Override
        int[] scoredIds(List<Instance> batch) {
            return batch.stream().flatMapToInt(i -> Arrays.stream(i.gold())).distinct().toArray();
        }

        @Override
        int[] selectionIds() {
            return candidates;
        }

        @Override
        double loss(MaskLogits logits, int p, int[] gold, Map<Integer, Integer> columns) {
            return logits.logNormalizer(p, 0) - logMass(logits, p, gold, columns);
        }

        @Override
        Instance instance(Example e, EncodedPrompt prompt, Tokenizer tokenizer, String set) {
            int id = FactRetrieval.objectId(tokenizer, e);
            if (!candidateSet.contains(id)) {
                throw new IllegalArgumentException(set + " fact " + e.fields() + " has object '" + e.label()
                        + "', which is not in the candidate vocabulary; filter the facts to it");
            }
            return new Instance(prompt, prompt.triggerPositions(), new int[] {id}, -1);
        }

        @Override
        void prepare(List<Instance> train, boolean[] allowed, boolean excludeGoldObjects) {
            if (excludeGoldObjects) {
                train.forEach(i -> allowed[i.gold()[0]] = false);
            }
        }

        @Override
        Tally tally(int size) {
            return new Tally() {
                private final int[] ranks = new int[size];

                @Override
                void score(MaskLogits logits, int p, Instance inst) {
                    float[] row = new float[logits.logits().width()];
                    logits.logits().copyVector(p, 0, row, 0);
                    ranks[count] = RankingMetrics.rank(row, columns.get(inst.gold()[0]));
                }

                @Override
                void addMetrics(Map<String, Double> out) {
                    RankingMetrics m = RankingMetrics.fromRanks(Arrays.copyOf(ranks, count));
                    out.put(P_AT_1, m.precisionAt1());
                    out.put(P_AT_10, m.precisionAt10());
                    out.put(MRR, m.meanReciprocalRank());
                }
            };
        }
    }
}
