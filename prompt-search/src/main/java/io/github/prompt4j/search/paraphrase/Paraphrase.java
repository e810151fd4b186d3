package io.github.prompt4j.search.paraphrase;

import io.github.prompt4j.core.template.Template;

/**
 * One proposed template variant: which literal word of which template was replaced, by what, and how probable the
 * model found the replacement.
 *
 * <p>Immutable and thread-safe.
 *
 * @param template the variant
 * @param source the template the word was replaced in (the original in round 1, a round-1 variant in round 2)
 * @param round 1 for a single replacement, 2 for a replacement in a round-1 variant, and so on
 * @param wordIndex which literal word of {@code source} was replaced, counting literal words from 0
 * @param original the replaced word as written in {@code source}
 * @param replacement the word written instead
 * @param logProb the mean natural-log probability of the replacement token at the masked word over the fill inputs
 */
public record Paraphrase(Template template, Template source, int round, int wordIndex, String original,
        String replacement, double logProb) {

    public Paraphrase {
        if (template == null || source == null || original == null || replacement == null) {
            throw new IllegalArgumentException("a paraphrase needs its template, source and words");
        }
        if (round < 1 || wordIndex < 0) {
            throw new IllegalArgumentException("round must be >= 1 and wordIndex >= 0, got " + round + " and "
                    + wordIndex);
        }
    }
}
