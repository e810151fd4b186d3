package io.github.prompt4j.search.mine;

import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.fact.FactRetrieval;
import io.github.prompt4j.search.fact.RankingMetrics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ranks mined templates by how well the model retrieves known facts with them (LPAQA's selection of the best mined
 * prompt on training facts, Jiang et al. 2020): each template is evaluated with
 * {@link FactRetrieval#evaluate} and the templates are ordered by precision@1.
 *
 * <p>Stateless and thread-safe (the model is shared, not owned).
 */
public final class TemplateScoring {

    private static final Logger log = LoggerFactory.getLogger(TemplateScoring.class);

    private TemplateScoring() {
    }

    /**
     * Scores every template on the facts and ranks them.
     *
     * @param templates mined templates, e.g. from {@link PromptMiner#mine(List, List)}
     * @param facts facts with the subject in field {@code sub} and the object token as label (see
     *        {@link io.github.prompt4j.search.data.Datasets#lamaFacts})
     * @param candidates candidate object ids (see {@link FactRetrieval#candidateIds}); every object must be among them
     * @param batchSize prompts per model call, at least 1
     * @return templates by precision@1 (descending), then mean reciprocal rank, then support, then input order
     * @throws IllegalArgumentException for no facts, a batch size below 1, a template that does not fit the model's
     *         limit, or an object outside the candidates (as {@link FactRetrieval#evaluate})
     */
    public static List<ScoredTemplate> rank(MaskedLanguageModel model, List<MinedTemplate> templates,
            List<Example> facts, int[] candidates, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        }
        if (facts.isEmpty()) {
            throw new IllegalArgumentException("no facts to score the templates on; pass training facts");
        }
        List<ScoredTemplate> out = new ArrayList<>(templates.size());
        for (MinedTemplate t : templates) {
            RankingMetrics m = FactRetrieval.evaluate(model, t.toTemplate(), facts, candidates, batchSize);
            log.debug("template '{}' (support {}): P@1 {}", t.template(), t.support(), m.precisionAt1());
            out.add(new ScoredTemplate(t, m));
        }
        out.sort(Comparator.comparingDouble((ScoredTemplate s) -> -s.metrics().precisionAt1())
                .thenComparingDouble(s -> -s.metrics().meanReciprocalRank())
                .thenComparingInt(s -> -s.mined().support()));
        return out;
    }
}
