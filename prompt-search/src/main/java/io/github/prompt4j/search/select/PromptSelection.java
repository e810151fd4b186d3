package io.github.prompt4j.search.select;

import io.github.prompt4j.search.internal.Json;
import java.util.List;

/**
 * Candidates ranked by a {@link Criterion}, best first.
 *
 * <p>Immutable and thread-safe; serialises to JSON ({@link #toJson()}, {@link #fromJson(String)}).
 *
 * @param criterion what the ranking is by
 * @param ranked every candidate's score, best first; ties keep the order the candidates were given in
 */
public record PromptSelection(Criterion criterion, List<PromptScore> ranked) {

    public PromptSelection {
        if (criterion == null || ranked == null || ranked.isEmpty()) {
            throw new IllegalArgumentException("a selection needs a criterion and at least one scored candidate");
        }
        ranked = List.copyOf(ranked);
    }

    /** The best candidate's score. */
    public PromptScore best() {
        return ranked.get(0);
    }

    /**
     * The {@code n} best candidates (all of them when there are fewer), best first, e.g. for a {@link PromptEnsemble}.
     *
     * @throws IllegalArgumentException if n is not positive
     */
    public List<PromptCandidate> top(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("n must be positive, got " + n);
        }
        return ranked.subList(0, Math.min(n, ranked.size())).stream().map(PromptScore::candidate).toList();
    }

    /** This selection as JSON. */
    public String toJson() {
        return Json.write(this);
    }

    /**
     * Parses a selection written by {@link #toJson()}.
     *
     * @throws IllegalArgumentException for malformed JSON or a candidate whose template or label words are invalid
     */
    public static PromptSelection fromJson(String json) {
        return Json.read(json, PromptSelection.class);
    }
}
