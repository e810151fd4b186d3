package io.github.prompt4j.search.select;

import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.eval.Metrics;
import io.github.prompt4j.core.mapping.LabelMapper;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.trigger.ScoredTriggers;
import io.github.prompt4j.search.trigger.SearchMode;
import io.github.prompt4j.search.trigger.TriggerSearchResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Chooses an ensemble of a search's best trigger states on the selection split: every state of the result's
 * shortlist ({@code TriggerSearch.Builder.rescoreTop}) is scored once on the whole split, the states are ranked by
 * their own accuracy (ties: shortlist order), and the ensemble of the {@code k} best that is most accurate on the split
 * wins (ties: the smaller {@code k}; {@code k = 1} is the single best state). Members are averaged as
 * {@link PromptEnsemble} does, with equal weights; the sizes reuse the members' class distributions, so the stage costs
 * one forward pass per shortlisted state and selection example whatever the number of sizes.
 *
 * <p>The trajectory's few best states often disagree where each is unsure, so their mean can beat each of them
 * (prompt ensembles: Jiang et al. 2020, "How Can We Know What Language Models Know?"; Schick and Schütze 2021).
 *
 * <pre>{@code
 * TriggerEnsembleStageResult ensemble = TriggerEnsembleStage.builder(model).result(found)
 *         .selection(split.selection()).maxMembers(3).build().run();
 * TriggerSearchResult saved = found.withEnsemble(ensemble.members(), model.tokenizer());
 * PromptEnsemble classifier = PromptEnsemble.of(saved.memberClassifiers(model));
 * }</pre>
 *
 * <p>Members are uncalibrated: a result with a calibration prior is refused (an ensemble is not calibrated). Run the
 * stage after the label-word stage, whose new words would drop the members. Immutable once built; {@link #run()} is
 * thread-safe when the model is; it does not own the model.
 */
public final class TriggerEnsembleStage {

    private final MaskedLanguageModel model;
    private final TriggerSearchResult result;
    private final List<Example> selection;
    private final int maxMembers;
    private final int batchSize;

    private TriggerEnsembleStage(Builder b) {
        this.model = b.model;
        this.result = b.result;
        this.selection = b.selection;
        this.maxMembers = b.maxMembers;
        this.batchSize = b.batchSize;
    }

    /** A builder for a stage over {@code model}, the model the result was searched with. */
    public static Builder builder(MaskedLanguageModel model) {
        return new Builder(model);
    }

    /**
     * Scores every shortlisted state on the selection split and chooses the ensemble size.
     *
     * @throws IllegalArgumentException when a selection example does not fit the template or has a label that is not
     *         a class (naming it), or a trigger has another id in the model's vocabulary
     */
    public TriggerEnsembleStageResult run() {
        long t0 = System.nanoTime();
        List<String> classes = result.verbalizer().labels();
        for (int i = 0; i < selection.size(); i++) {
            if (!classes.contains(selection.get(i).label())) {
                throw new IllegalArgumentException("selection example " + i + " has label '"
                        + selection.get(i).label() + "', not a class of the label words " + classes);
            }
        }
        result.classifier(model); // checks the vocabulary, as a saved prompt will
        List<ScoredTriggers> shortlist = result.state().shortlist();
        Template parsed = Template.parse(result.template());
        List<Map<String, String>> inputs = selection.stream().map(e -> e.valuesFor(parsed)).toList();
        List<Scored> scored = new ArrayList<>(shortlist.size());
        for (ScoredTriggers state : shortlist) {
            PromptClassifier c = PromptClassifier.builder(model).template(parsed.withTriggerIds(state.triggers()))
                    .verbalizer(result.verbalizer()).mapper(LabelMapper.sum()).batchSize(batchSize)
                    .maxLength(Math.min(result.settings().maxLength(), model.tokenizer().maxSequenceLength()))
                    .build();
            List<Classification> out = c.classifyAllFields(inputs);
            ScoredTriggers measured = new ScoredTriggers(state.triggers(), state.iteration(),
                    Map.of(TriggerEnsembleStageResult.MEMBER_ACCURACY, accuracy(out)));
            scored.add(new Scored(measured, c, out));
        }
        List<Scored> ranked = new ArrayList<>(scored);
        ranked.sort(Comparator.comparingDouble((Scored s) -> -s.accuracy())); // stable: shortlist order on ties
        int sizes = Math.min(maxMembers, ranked.size());
        List<Double> bySize = new ArrayList<>(sizes);
        int chosen = 1;
        for (int k = 1; k <= sizes; k++) {
            List<Scored> members = ranked.subList(0, k);
            PromptEnsemble ensemble = PromptEnsemble.of(members.stream().map(Scored::classifier).toList());
            double accuracy = accuracy(ensemble.combine(members.stream().map(Scored::classifications).toList()));
            bySize.add(accuracy);
            if (accuracy > bySize.get(chosen - 1)) {
                chosen = k;
            }
        }
        return new TriggerEnsembleStageResult(ranked.stream().map(Scored::state).toList(), bySize, chosen,
                selection.size(), shortlist.size() * selection.size(), (System.nanoTime() - t0) / 1e9);
    }

    private double accuracy(List<Classification> predicted) {
        return Metrics.accuracy(selection.stream().map(Example::label).toList(),
                predicted.stream().map(Classification::label).toList());
    }

    /** A shortlisted state, its classifier and its classifications of the selection split. */
    private record Scored(ScoredTriggers state, PromptClassifier classifier, List<Classification> classifications) {
        double accuracy() {
            return state.metrics().get(TriggerEnsembleStageResult.MEMBER_ACCURACY);
        }
    }

    /** Configures a {@link TriggerEnsembleStage}. Not thread-safe. */
    public static final class Builder {
        private final MaskedLanguageModel model;
        private TriggerSearchResult result;
        private List<Example> selection = List.of();
        private int maxMembers = Integer.MAX_VALUE;
        private int batchSize = 32;

        private Builder(MaskedLanguageModel model) {
            if (model == null) {
                throw new IllegalArgumentException("model must not be null");
            }
            this.model = model;
        }

        /**
         * The classification search result whose shortlist the members come from (required; search with
         * {@code rescoreTop} of at least the largest ensemble wanted).
         */
        public Builder result(TriggerSearchResult found) {
            this.result = found;
            return this;
        }

        /** The labelled selection split the size is chosen on (required), disjoint from the reported data. */
        public Builder selection(List<Example> examples) {
            this.selection = List.copyOf(examples);
            return this;
        }

        /** The largest ensemble considered (default: the whole shortlist); at most the search's rescoreTop. */
        public Builder maxMembers(int k) {
            this.maxMembers = k;
            return this;
        }

        /** Prompts per model call (default 32). */
        public Builder batchSize(int size) {
            this.batchSize = size;
            return this;
        }

        /**
         * Validates the configuration.
         *
         * @throws IllegalArgumentException naming the missing or invalid setting
         */
        public TriggerEnsembleStage build() {
            if (result == null) {
                throw new IllegalArgumentException("set the search result (result(...)) whose shortlist the ensemble "
                        + "members come from");
            }
            if (result.settings().mode() != SearchMode.CLASSIFICATION || result.labelWords().isEmpty()) {
                throw new IllegalArgumentException("the ensemble stage needs a classification result with label "
                        + "words, got a " + result.settings().mode() + " result");
            }
            if (result.state().shortlist().isEmpty()) {
                throw new IllegalArgumentException("the result has no shortlist of trigger states; search with "
                        + "rescoreTop(k) of at least the largest ensemble wanted");
            }
            if (result.isEnsemble() || !result.calibrationPrior().isEmpty()) {
                throw new IllegalArgumentException("the result is already an ensemble or calibrated; run the ensemble "
                        + "stage on the search's result, before the calibration stage (an ensemble is not calibrated)");
            }
            if (selection.isEmpty()) {
                throw new IllegalArgumentException("the ensemble stage needs a selection split (selection(...))");
            }
            if (maxMembers < 1 || (maxMembers != Integer.MAX_VALUE && maxMembers > result.settings().rescoreTop())) {
                throw new IllegalArgumentException("maxMembers must lie in 1..rescoreTop = "
                        + result.settings().rescoreTop() + " (the shortlist's length), got " + maxMembers);
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
            }
            return new TriggerEnsembleStage(this);
        }
    }
}
