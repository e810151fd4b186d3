package io.github.prompt4j.search.mine;

import io.github.prompt4j.search.fact.RankingMetrics;

/**
 * A mined template with its fact-retrieval metrics on a set of facts.
 *
 * <p>Immutable and thread-safe.
 *
 * @param mined the template and its corpus support
 * @param metrics precision@1, precision@10 and mean reciprocal rank of the facts' objects under it
 */
public record ScoredTemplate(MinedTemplate mined, RankingMetrics metrics) {

    public ScoredTemplate {
        if (mined == null || metrics == null) {
            throw new IllegalArgumentException("mined and metrics must not be null");
        }
    }
}
