package io.github.prompt4j.search.trigger;

import io.github.prompt4j.core.verbalizer.Verbalizer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a trigger search optimises: classification with label words (given as words or as vocabulary ids), or fact
 * retrieval (LAMA), where each example's label is its gold object token. The search resolves the words against the
 * model's vocabulary when it runs.
 *
 * <ul>
 *   <li>{@link #classification(Verbalizer)}: loss {@code -log sum_{w in W_y} p(w | mask)} (or the class
 *       cross-entropy of {@link SearchLoss}); selection metric accuracy, predicting the class with the largest total
 *       label-word probability;</li>
 *   <li>{@link #classification(Map)}: the same, with label words as vocabulary ids;</li>
 *   <li>{@link #factRetrieval()} / {@link #factRetrieval(int[])}: loss {@code -log p(object | mask)}; selection
 *       metric precision at 1 among the whole vocabulary or a candidate vocabulary.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe values.
 */
public sealed interface SearchObjective {

    /**
     * Classification with these classes and label words (single word pieces).
     *
     * @throws IllegalArgumentException for a null verbalizer
     */
    static SearchObjective classification(Verbalizer labelWords) {
        return new LabelWords(labelWords);
    }

    /**
     * Classification with label words given as vocabulary ids: class (in order) to ids.
     *
     * @throws IllegalArgumentException for a null map
     */
    static SearchObjective classification(Map<String, int[]> classToIds) {
        return new LabelTokens(classToIds);
    }

    /** Fact retrieval over the whole vocabulary: each example's label is its gold object token. */
    static SearchObjective factRetrieval() {
        return new Facts(Optional.empty());
    }

    /** Fact retrieval with selection metrics among a candidate vocabulary (e.g. LAMA's common vocabulary). */
    static SearchObjective factRetrieval(int[] candidateIds) {
        return new Facts(Optional.of(candidateIds));
    }

    /** The mode recorded in a result's settings. */
    SearchMode mode();

    /**
     * Classification by label words.
     *
     * @param verbalizer classes and their single-piece label words
     */
    record LabelWords(Verbalizer verbalizer) implements SearchObjective {
        public LabelWords {
            if (verbalizer == null) {
                throw new IllegalArgumentException("verbalizer must not be null");
            }
        }

        @Override
        public SearchMode mode() {
            return SearchMode.CLASSIFICATION;
        }
    }

    /**
     * Classification by label-word ids.
     *
     * @param classToIds class (in order) to vocabulary ids; copied
     */
    record LabelTokens(Map<String, int[]> classToIds) implements SearchObjective {
        public LabelTokens {
            if (classToIds == null) {
                throw new IllegalArgumentException("label tokens must not be null");
            }
            Map<String, int[]> copy = new LinkedHashMap<>();
            classToIds.forEach((k, v) -> copy.put(k, v.clone()));
            classToIds = copy;
        }

        @Override
        public Map<String, int[]> classToIds() {
            Map<String, int[]> copy = new LinkedHashMap<>();
            classToIds.forEach((k, v) -> copy.put(k, v.clone()));
            return copy;
        }

        @Override
        public SearchMode mode() {
            return SearchMode.CLASSIFICATION;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof LabelTokens t) || !t.classToIds.keySet().equals(classToIds.keySet())) {
                return false;
            }
            return classToIds.entrySet().stream().allMatch(e -> Arrays.equals(e.getValue(),
                    t.classToIds.get(e.getKey())));
        }

        @Override
        public int hashCode() {
            return classToIds.keySet().hashCode();
        }
    }

    /**
     * Fact retrieval.
     *
     * @param candidates the candidate vocabulary of the selection metrics; empty for the whole vocabulary
     */
    record Facts(Optional<int[]> candidates) implements SearchObjective {
        public Facts {
            candidates = candidates.map(int[]::clone);
        }

        @Override
        public Optional<int[]> candidates() {
            return candidates.map(int[]::clone);
        }

        @Override
        public SearchMode mode() {
            return SearchMode.FACT_RETRIEVAL;
        }
    }
}
