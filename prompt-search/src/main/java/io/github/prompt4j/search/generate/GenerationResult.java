package io.github.prompt4j.search.generate;

import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.select.Criterion;
import io.github.prompt4j.search.select.PromptCandidate;
import io.github.prompt4j.search.select.PromptScorer;
import io.github.prompt4j.search.select.PromptSelection;
import io.github.prompt4j.search.trigger.PassCounts;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The templates a {@link TemplateGenerator} decoded: each shape's beams, best first, shapes in generation order.
 * Immutable.
 *
 * @param modelName the model that generated them
 * @param labelWords class to label words
 * @param templates the generated templates
 * @param beamWidth beams per shape
 * @param examples generation examples
 * @param passes forward passes used
 * @param elapsedMillis wall time
 */
public record GenerationResult(String modelName, Map<String, List<String>> labelWords,
        List<GeneratedTemplate> templates, int beamWidth, int examples, PassCounts passes, long elapsedMillis) {

    public GenerationResult {
        Map<String, List<String>> words = new LinkedHashMap<>();
        labelWords.forEach((k, v) -> words.put(k, List.copyOf(v)));
        labelWords = Collections.unmodifiableMap(words);
        templates = List.copyOf(templates);
    }

    /**
     * Ranks the distinct generated templates, each with the label words, by accuracy (ties by log-likelihood) on
     * selection examples: LM-BFF's choice of the best generated template. The selection examples must not be the
     * examples a result is reported on.
     *
     * @param scorer the scorer (mapper and calibration as the templates will be used)
     */
    public PromptSelection rank(PromptScorer scorer, List<Example> selection) {
        Verbalizer words = Verbalizer.of(labelWords);
        Set<String> seen = new LinkedHashSet<>();
        List<PromptCandidate> candidates = new ArrayList<>();
        for (GeneratedTemplate t : templates) {
            if (seen.add(t.template())) {
                candidates.add(new PromptCandidate(t.template(), t.parsed(), words));
            }
        }
        return scorer.rank(candidates, selection, Criterion.ACCURACY);
    }
}
