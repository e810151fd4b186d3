package io.github.prompt4j.search.select;

import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.PromptClassifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * Classifies with several prompts at once: the weighted mean of the members' class distributions,
 * {@code P(c) = sum_m a_m P_m(c) / sum_m a_m}.
 *
 * <p>Each member is a {@link PromptClassifier} with its own template, verbalizer, mapper and calibration (calibrated
 * members contribute calibrated distributions). Every member must have the same classes in the same order. The
 * predicted class is the most probable one, the first in class order on an exact tie. An ensemble has no single mask,
 * so its {@link Classification#wordScores()} are empty; ask a member for word scores.
 *
 * <p>Each call costs one forward pass per member and input. Immutable and thread-safe (the members are); it does not
 * own the model.
 */
public final class PromptEnsemble {

    private final List<PromptClassifier> members;
    private final double[] weights;
    private final List<String> labels;

    private PromptEnsemble(List<PromptClassifier> members, double[] weights) {
        if (members == null || members.isEmpty()) {
            throw new IllegalArgumentException("an ensemble needs at least one member classifier");
        }
        if (weights.length != members.size()) {
            throw new IllegalArgumentException(members.size() + " members but " + weights.length
                    + " weights; give one weight per member");
        }
        this.labels = members.get(0).labels();
        double total = 0;
        for (int m = 0; m < members.size(); m++) {
            if (members.get(m) == null) {
                throw new IllegalArgumentException("member " + m + " is null");
            }
            if (!members.get(m).labels().equals(labels)) {
                throw new IllegalArgumentException("member " + m + " has classes " + members.get(m).labels()
                        + " but member 0 has " + labels + "; every member needs the same classes in the same order");
            }
            if (!(weights[m] >= 0) || Double.isInfinite(weights[m])) {
                throw new IllegalArgumentException("weight of member " + m + " must be finite and >= 0, got "
                        + weights[m]);
            }
            total += weights[m];
        }
        if (!(total > 0)) {
            throw new IllegalArgumentException("at least one member needs a positive weight");
        }
        this.members = List.copyOf(members);
        this.weights = new double[weights.length];
        for (int m = 0; m < weights.length; m++) {
            this.weights[m] = weights[m] / total;
        }
    }

    /** An ensemble whose members weigh the same. */
    public static PromptEnsemble of(List<PromptClassifier> members) {
        double[] w = new double[members == null ? 0 : members.size()];
        Arrays.fill(w, 1.0);
        return new PromptEnsemble(members, w);
    }

    /**
     * An ensemble with a weight per member ({@code >= 0}, not all 0; normalised to sum to 1), e.g. each member's dev
     * accuracy.
     *
     * @throws IllegalArgumentException for a count mismatch, a negative or non-finite weight, or members whose
     *         classes differ
     */
    public static PromptEnsemble weighted(List<PromptClassifier> members, double[] weights) {
        if (weights == null) {
            throw new IllegalArgumentException("weights must not be null; use PromptEnsemble.of for equal weights");
        }
        return new PromptEnsemble(members, weights.clone());
    }

    /** The members, in order. */
    public List<PromptClassifier> members() {
        return members;
    }

    /** The normalised member weights, summing to 1. */
    public double[] weights() {
        return weights.clone();
    }

    /** The class labels, in order. */
    public List<String> labels() {
        return labels;
    }

    /** Classifies one text with single-field templates. */
    public Classification classify(String text) {
        return combine(m -> List.of(m.classify(text))).get(0);
    }

    /** Classifies one input: field name to value (every member's template must have these fields). */
    public Classification classify(Map<String, String> fields) {
        return combine(m -> List.of(m.classify(fields))).get(0);
    }

    /** Classifies many texts, each member in its own batches; results in input order. */
    public List<Classification> classifyAll(List<String> texts) {
        return combine(m -> m.classifyAll(texts));
    }

    /** Classifies many multi-field inputs; results in input order. */
    public List<Classification> classifyAllFields(List<Map<String, String>> inputs) {
        return combine(m -> m.classifyAllFields(inputs));
    }

    /**
     * Combines classifications the members made earlier (for instance cached across runs that share members) into
     * the ensemble's, exactly as the classify methods do.
     *
     * @param memberResults one list per member, in {@link #members()} order, each with one classification per input
     *        in the same input order
     * @throws IllegalArgumentException if the member count or the input counts disagree
     */
    public List<Classification> combine(List<List<Classification>> memberResults) {
        if (memberResults.size() != members.size()) {
            throw new IllegalArgumentException(memberResults.size() + " result lists for " + members.size()
                    + " members; give one list per member, in members() order");
        }
        for (int m = 1; m < memberResults.size(); m++) {
            if (memberResults.get(m).size() != memberResults.get(0).size()) {
                throw new IllegalArgumentException("member " + m + " has " + memberResults.get(m).size()
                        + " classifications but member 0 has " + memberResults.get(0).size()
                        + "; every member must classify the same inputs");
            }
        }
        return combineByIndex(memberResults::get);
    }

    private List<Classification> combine(Function<PromptClassifier, List<Classification>> run) {
        return combineByIndex(m -> run.apply(members.get(m)));
    }

    private List<Classification> combineByIndex(IntFunction<List<Classification>> run) {
        double[][] mean = null;
        for (int m = 0; m < members.size(); m++) {
            List<Classification> results = run.apply(m);
            if (mean == null) {
                mean = new double[results.size()][labels.size()];
            }
            for (int i = 0; i < results.size(); i++) {
                for (int c = 0; c < labels.size(); c++) {
                    mean[i][c] += weights[m] * results.get(i).probability(labels.get(c));
                }
            }
        }
        List<Classification> out = new ArrayList<>(mean.length);
        for (double[] probs : mean) {
            Map<String, Double> byClass = new LinkedHashMap<>();
            for (int c = 0; c < probs.length; c++) {
                byClass.put(labels.get(c), probs[c]);
            }
            out.add(new Classification(labels.get(PromptScorer.argmax(probs)), byClass, Collections.emptyMap()));
        }
        return out;
    }
}
