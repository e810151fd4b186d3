package io.github.prompt4j.search.label;

import io.github.prompt4j.core.mapping.LabelMapper;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.select.Criterion;
import io.github.prompt4j.search.select.PromptCandidate;
import io.github.prompt4j.search.select.PromptScore;
import io.github.prompt4j.search.select.PromptScorer;
import io.github.prompt4j.search.select.PromptSelection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * AutoPrompt's label-word stage after a trigger search (Shin et al. 2020, section 3): a {@link LabelWordSearch} on
 * the found template proposes words per class; the seed words plus the best 0, 1, ..., K of them per class are the
 * candidates, and the count with the best accuracy on the selection split is kept (ties: the higher gold-class
 * log-likelihood, then the fewer words), classified as the saved prompt classifies ({@link LabelMapper#sum()} by
 * default).
 *
 * <p>The command line ({@code Eval autoprompt --label-search K}) runs exactly this, so code and command line choose
 * the same words. Pass a selection split carved from the training data
 * ({@link io.github.prompt4j.search.protocol.SelectionSplit}), never the data you report on.
 *
 * <pre>{@code
 * LabelStageResult stage = LabelStage.builder(model).template(triggers.boundTemplate())
 *         .seedWords(triggers.verbalizer()).maxAdded(5).train(split.search()).selection(split.selection())
 *         .build().run();
 * TriggerSearchResult withWords = triggers.withLabelWords(stage.chosen());
 * }</pre>
 *
 * <p>Immutable once built; {@link #run()} is thread-safe when the model is. Cost: the label-word search's forward
 * passes on {@code train} plus one forward pass per selection example (all candidates share the template).
 */
public final class LabelStage {

    private final MaskedLanguageModel model;
    private final Template template;
    private final Verbalizer seeds;
    private final int maxAdded;
    private final List<Example> train;
    private final List<Example> selection;
    private final int batchSize;
    private final LabelMapper mapper;

    private LabelStage(Builder b) {
        this.model = b.model;
        this.template = b.template;
        this.seeds = b.seeds;
        this.maxAdded = b.maxAdded;
        this.train = b.train;
        this.selection = b.selection;
        this.batchSize = b.batchSize;
        this.mapper = b.mapper;
    }

    /** A builder for a stage over {@code model}. */
    public static Builder builder(MaskedLanguageModel model) {
        return new Builder(model);
    }

    /**
     * Searches the words and chooses the count on the selection split.
     *
     * @throws IllegalArgumentException from the label-word search or the scorer (e.g. an example whose label is not
     *         a class of the seed words)
     */
    public LabelStageResult run() {
        long t0 = System.nanoTime();
        int most = seeds.words().values().stream().mapToInt(List::size).max().orElse(0);
        LabelWordSearchResult found = LabelWordSearch.builder(model).template(template).train(train)
                .classes(seeds.labels()).wordsPerClass(maxAdded + most).batchSize(batchSize).build().run();
        List<PromptCandidate> candidates = new ArrayList<>();
        for (int k = 0; k <= maxAdded; k++) {
            candidates.add(PromptCandidate.of(template, found.extend(seeds, k)));
        }
        PromptSelection ranked = PromptScorer.builder(model).mapper(mapper).batchSize(batchSize).build()
                .rank(candidates, selection, Criterion.ACCURACY);
        Map<String, PromptScore> byName = new HashMap<>();
        ranked.ranked().forEach(s -> byName.put(s.candidate().name(), s));
        List<PromptScore> byAdded = candidates.stream().map(c -> byName.get(c.name())).toList();
        int added = byAdded.indexOf(ranked.best());
        return new LabelStageResult(found, byAdded, added, (System.nanoTime() - t0) / 1e9);
    }

    /** Configures a {@link LabelStage}. Not thread-safe. */
    public static final class Builder {
        private final MaskedLanguageModel model;
        private Template template;
        private Verbalizer seeds;
        private int maxAdded = 5;
        private List<Example> train = List.of();
        private List<Example> selection = List.of();
        private int batchSize = 32;
        private LabelMapper mapper = LabelMapper.sum();

        private Builder(MaskedLanguageModel model) {
            if (model == null) {
                throw new IllegalArgumentException("model must not be null");
            }
            this.model = model;
        }

        /** The found template, its trigger slots bound (e.g. {@code TriggerSearchResult.boundTemplate()}). */
        public Builder template(Template template) {
            this.template = template;
            return this;
        }

        /** The words every candidate keeps, e.g. the search's own label words (required). */
        public Builder seedWords(Verbalizer seeds) {
            this.seeds = seeds;
            return this;
        }

        /** K: at most this many searched words per class are added (default 5). */
        public Builder maxAdded(int k) {
            this.maxAdded = k;
            return this;
        }

        /** The examples the label-word search fits on: training data (required). */
        public Builder train(List<Example> examples) {
            this.train = List.copyOf(examples);
            return this;
        }

        /** The selection split the count is chosen on (required), disjoint from the reported data. */
        public Builder selection(List<Example> examples) {
            this.selection = List.copyOf(examples);
            return this;
        }

        /** Prompts per model call (default 32). */
        public Builder batchSize(int size) {
            this.batchSize = size;
            return this;
        }

        /** How label-word scores become class scores (default {@link LabelMapper#sum()}, as a saved prompt). */
        public Builder mapper(LabelMapper mapper) {
            this.mapper = mapper;
            return this;
        }

        /**
         * Validates the configuration.
         *
         * @throws IllegalArgumentException naming the missing or invalid setting
         */
        public LabelStage build() {
            if (template == null || seeds == null) {
                throw new IllegalArgumentException("set the found template (template(...)) and the seed words "
                        + "(seedWords(...))");
            }
            if (maxAdded < 1) {
                throw new IllegalArgumentException("maxAdded must be at least 1 (0 keeps the seed words: skip the "
                        + "stage), got " + maxAdded);
            }
            if (train.isEmpty() || selection.isEmpty()) {
                throw new IllegalArgumentException("the label stage needs training examples (train(...)) and a "
                        + "selection split (selection(...)); got " + train.size() + " and " + selection.size());
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
            }
            if (mapper == null) {
                throw new IllegalArgumentException("mapper must not be null; the default is LabelMapper.sum()");
            }
            return new LabelStage(this);
        }
    }
}
