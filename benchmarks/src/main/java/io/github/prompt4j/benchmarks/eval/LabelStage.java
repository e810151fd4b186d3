package io.github.prompt4j.benchmarks.eval;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.prompt4j.core.mapping.LabelMapper;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.label.LabelWordSearch;
import io.github.prompt4j.search.label.LabelWordSearchResult;
import io.github.prompt4j.search.select.Criterion;
import io.github.prompt4j.search.select.PromptCandidate;
import io.github.prompt4j.search.select.PromptScore;
import io.github.prompt4j.search.select.PromptScorer;
import io.github.prompt4j.search.select.PromptSelection;
import io.github.prompt4j.search.trigger.TriggerSearchResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * AutoPrompt's label-word stage after a trigger search: a label-word search on the found template, whose best words
 * extend the seed words; how many to add (0 to K per class) is chosen by accuracy on the dev selection subset, with
 * the classifier the saved prompt uses ({@link LabelMapper#sum()}).
 *
 * @param search the label-word search on the found template
 * @param byAdded the selection score of the seed words plus 0, 1, ..., K searched words per class, in that order
 * @param added the chosen count
 * @param seconds wall time of the stage
 */
record LabelStage(LabelWordSearchResult search, List<PromptScore> byAdded, int added, double seconds) {

    LabelStage {
        byAdded = List.copyOf(byAdded);
    }

    /**
     * Runs the stage.
     *
     * @param maxAdded K, at least 1
     * @param train examples the label-word classifier is fitted on
     * @param select the dev selection subset
     */
    static LabelStage run(MaskedLanguageModel model, TriggerSearchResult triggers, int maxAdded, List<Example> train,
            List<Example> select, int batchSize) {
        long t0 = System.nanoTime();
        Verbalizer seeds = triggers.verbalizer();
        Template bound = triggers.boundTemplate();
        int most = seeds.words().values().stream().mapToInt(List::size).max().orElse(0);
        LabelWordSearchResult found = LabelWordSearch.builder(model).template(bound).train(train)
                .classes(seeds.labels()).wordsPerClass(maxAdded + most).batchSize(batchSize).build().run();
        List<PromptCandidate> candidates = new ArrayList<>();
        for (int k = 0; k <= maxAdded; k++) {
            candidates.add(PromptCandidate.of(bound, found.extend(seeds, k)));
        }
        PromptSelection ranked = PromptScorer.builder(model).mapper(LabelMapper.sum()).batchSize(batchSize).build()
                .rank(candidates, select, Criterion.ACCURACY);
        Map<String, PromptScore> byName = new HashMap<>();
        ranked.ranked().forEach(s -> byName.put(s.candidate().name(), s));
        List<PromptScore> byAdded = candidates.stream().map(c -> byName.get(c.name())).toList();
        int added = byAdded.indexOf(ranked.best());
        return new LabelStage(found, byAdded, added, (System.nanoTime() - t0) / 1e9);
    }

    /** The seed words plus the chosen searched words. */
    Verbalizer chosen() {
        return byAdded.get(added).candidate().verbalizer();
    }

    /** The chosen words' accuracy on the selection subset. */
    double selectionAccuracy() {
        return byAdded.get(added).accuracy();
    }

    /** The report block: searched words with scores, every count's selection metrics, the choice. */
    ObjectNode toJson() {
        ObjectNode root = SearchSupport.object();
        root.put("maxAdded", byAdded.size() - 1);
        root.put("added", added);
        root.put("seconds", seconds);
        root.put("trainAccuracy", search.trainAccuracy());
        root.put("forwardPasses", search.forwardPasses());
        root.set("searchedWords", SearchSupport.words(search));
        ArrayNode options = root.putArray("candidates");
        for (int k = 0; k < byAdded.size(); k++) {
            PromptScore s = byAdded.get(k);
            ObjectNode o = options.addObject().put("added", k).put("selectionAccuracy", s.accuracy())
                    .put("selectionLogLikelihood", s.logLikelihood());
            ObjectNode w = o.putObject("labelWords");
            s.candidate().verbalizer().words().forEach((label, list) -> w.put(label, String.join(",", list)));
        }
        return root;
    }
}
