package io.github.prompt4j.search.label;

import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.search.internal.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The label words found for each class, best first, with the settings and the classifier's fit.
 *
 * <p>Immutable; serialises to JSON ({@link #toJson()}, {@link #fromJson(String)}).
 *
 * @param modelName the model's {@code info().name()}
 * @param template the template text the hidden states were collected with
 * @param words class (in class order) to its words, best first, the same count for every class
 * @param trainAccuracy accuracy of the logistic regression on the training hidden states
 * @param l2 the L2 penalty used
 * @param withOutputBias whether the MLM output bias was added to the word scores
 * @param fitIterations L-BFGS iterations of the fit
 * @param forwardPasses sequences run through the model
 * @param candidatePool words that competed (the most probable at the mask), 0 for the whole vocabulary
 */
public record LabelWordSearchResult(String modelName, String template, Map<String, List<ScoredWord>> words,
        double trainAccuracy, double l2, boolean withOutputBias, int fitIterations, long forwardPasses,
        int candidatePool) {

    public LabelWordSearchResult {
        Map<String, List<ScoredWord>> copy = new LinkedHashMap<>();
        words.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        words = Collections.unmodifiableMap(copy);
    }

    /** The words as a verbalizer, classes in order, best word first. */
    public Verbalizer verbalizer() {
        Verbalizer.Builder b = Verbalizer.builder();
        words.forEach((label, list) -> b.add(label, list.stream().map(ScoredWord::word).toArray(String[]::new)));
        return b.build();
    }

    /**
     * The seed words of each class followed by its {@code k} best searched words that are not already a seed word
     * of any class (as AutoPrompt's label search, but keeping the words a user chose): searched words extend a
     * hand-made verbalizer instead of replacing it. {@code k = 0} gives the seed words.
     *
     * @throws IllegalArgumentException for a negative {@code k}, classes that differ from the search's, or fewer
     *         than {@code k} new searched words for a class (search with more words per class)
     */
    public Verbalizer extend(Verbalizer seeds, int k) {
        if (k < 0) {
            throw new IllegalArgumentException("words to add per class must be >= 0, got " + k);
        }
        if (!seeds.labels().equals(classes())) {
            throw new IllegalArgumentException("seed classes " + seeds.labels() + " differ from the searched classes "
                    + classes() + "; search on data with the verbalizer's classes");
        }
        Set<String> taken = new HashSet<>();
        seeds.words().values().forEach(taken::addAll);
        Verbalizer.Builder b = Verbalizer.builder().policy(seeds.policy());
        for (String label : seeds.labels()) {
            List<String> out = new ArrayList<>(seeds.words().get(label));
            List<String> added = words.get(label).stream().map(ScoredWord::word).filter(w -> !taken.contains(w))
                    .limit(k).toList();
            if (added.size() < k) {
                throw new IllegalArgumentException("class '" + label + "' has " + added.size() + " searched words "
                        + "besides the seed words, " + k + " asked; search with more words per class");
            }
            out.addAll(added);
            b.add(label, out.toArray(String[]::new));
        }
        return b.build();
    }

    /** The words as vocabulary ids per class, for {@code TriggerSearch.Builder.labelTokens}. */
    public Map<String, int[]> labelTokens() {
        Map<String, int[]> out = new LinkedHashMap<>();
        words.forEach((label, list) -> out.put(label, list.stream().mapToInt(ScoredWord::id).toArray()));
        return out;
    }

    /** The classes in order. */
    public List<String> classes() {
        return new ArrayList<>(words.keySet());
    }

    /** This result as JSON. */
    public String toJson() {
        return Json.write(this);
    }

    /**
     * Parses a result written by {@link #toJson()}.
     *
     * @throws IllegalArgumentException for malformed JSON
     */
    public static LabelWordSearchResult fromJson(String json) {
        return Json.read(json, LabelWordSearchResult.class);
    }
}
