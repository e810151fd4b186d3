package io.github.prompt4j.search.label;

import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.eval.Metrics;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.select.PromptEnsemble;
import io.github.prompt4j.search.trigger.SearchMode;
import io.github.prompt4j.search.trigger.TriggerSearchResult;
import java.util.List;
import java.util.Map;

/**
 * Chooses, on the selection split, how a trigger-search result scores its classes: with its label words as it
 * stands (one prompt or an ensemble of trigger states, calibrated or not), or with a learned verbalizer, a linear head
 * on the found prompt's transformed mask state ({@link VerbalizerTrainer}: started from and pulled towards the label
 * words' output embeddings, its L2 strength chosen on the same split). AutoPrompt's label-word search fits this
 * logistic regression to rank words (Shin et al. 2020, section 3); here it may replace them as the classifier, as WARP
 * and prototypical verbalizers do.
 *
 * <p>The head is fitted on {@code train} only, never refitted with the selection examples, so its selection accuracy
 * is measured on examples it did not fit, as the result's is. It is kept only when strictly more accurate on the
 * split than the result as it stands: a tie keeps the label words. The head reads the best trigger state
 * ({@link TriggerSearchResult#boundTemplate()}), so a chosen head replaces an ensemble by that state alone.
 *
 * <pre>{@code
 * LearnedHeadStageResult stage = LearnedHeadStage.builder(model).result(found)
 *         .train(split.search()).selection(split.selection()).build().run();
 * TriggerSearchResult saved = stage.applyTo(found);   // found.withHead(stage.head()) when the head won
 * }</pre>
 *
 * <p>Run it with the model at the precision the prompt will be used at: a head fitted on one precision's states
 * reads the other's slightly differently. Pass a selection split carved from the training data
 * ({@link io.github.prompt4j.search.protocol.SelectionSplit}), never the data you report on.
 *
 * <p>Cost: one forward pass per training example and two per selection example (its mask state for the head, its
 * label-word scores under each member of the result); the fits take seconds. Immutable once built; {@link #run()} is
 * not thread-safe (the trainer it runs is not); it does not own the model.
 */
public final class LearnedHeadStage {

    private final MaskedLanguageModel model;
    private final TriggerSearchResult result;
    private final List<Example> selection;
    private final VerbalizerTrainer trainer;

    private LearnedHeadStage(Builder b, VerbalizerTrainer trainer) {
        this.model = b.model;
        this.result = b.result;
        this.selection = b.selection;
        this.trainer = trainer;
    }

    /** A builder for a stage over {@code model}, the model the result was searched with. */
    public static Builder builder(MaskedLanguageModel model) {
        return new Builder(model);
    }

    /**
     * Fits the head, scores the result as it stands on the selection split and chooses.
     *
     * @throws IllegalArgumentException when an example does not fit the template or has a label that is not a class
     *         (naming it), or a trigger has another id in the model's vocabulary
     */
    public LearnedHeadStageResult run() {
        long t0 = System.nanoTime();
        // the trainer checks every example's label against the classes first, naming a stray one
        VerbalizerTrainer.Fitted fitted = trainer.fit();
        PromptEnsemble asItStands = PromptEnsemble.of(result.memberClassifiers(model));
        Template parsed = Template.parse(result.template());
        List<Map<String, String>> inputs = selection.stream().map(e -> e.valuesFor(parsed)).toList();
        List<Classification> predicted = asItStands.classifyAllFields(inputs);
        double promptAccuracy = Metrics.accuracy(selection.stream().map(Example::label).toList(),
                predicted.stream().map(Classification::label).toList());
        long passes = (long) asItStands.members().size() * selection.size() + fitted.passes().forwardPasses();
        return new LearnedHeadStageResult(fitted.verbalizer(), fitted.chosenL2(), fitted.scores(),
                fitted.trainExamples(), promptAccuracy, fitted.selectionAccuracy() > promptAccuracy, passes,
                (System.nanoTime() - t0) / 1e9);
    }

    /** Configures a {@link LearnedHeadStage}; {@link #build()} only checks. Not thread-safe. */
    public static final class Builder {
        private final MaskedLanguageModel model;
        private TriggerSearchResult result;
        private List<Example> train = List.of();
        private List<Example> selection = List.of();
        private List<Double> l2Grid = VerbalizerSettings.DEFAULT_L2_GRID;
        private int batchSize = 32;

        private Builder(MaskedLanguageModel model) {
            if (model == null) {
                throw new IllegalArgumentException("model must not be null");
            }
            this.model = model;
        }

        /** The classification search result, after any label-word, ensemble or calibration stage (required). */
        public Builder result(TriggerSearchResult found) {
            this.result = found;
            return this;
        }

        /** The labelled training examples the head is fitted on (required), none of them in the selection split. */
        public Builder train(List<Example> examples) {
            this.train = List.copyOf(examples);
            return this;
        }

        /** The labelled selection split the L2 strength and the choice are made on (required). */
        public Builder selection(List<Example> examples) {
            this.selection = List.copyOf(examples);
            return this;
        }

        /** The L2 strengths tried (default {@link VerbalizerSettings#DEFAULT_L2_GRID}). */
        public Builder l2Grid(List<Double> grid) {
            this.l2Grid = grid == null ? null : List.copyOf(grid);
            return this;
        }

        /** Prompts per model call (default 32). */
        public Builder batchSize(int size) {
            this.batchSize = size;
            return this;
        }

        /**
         * Validates the configuration and configures the head's trainer (which checks the L2 grid and batch size).
         *
         * @throws IllegalArgumentException naming the missing or invalid setting
         */
        public LearnedHeadStage build() {
            if (result == null) {
                throw new IllegalArgumentException("set the search result (result(...)) whose prompt the head reads");
            }
            if (result.settings().mode() != SearchMode.CLASSIFICATION || result.labelWords().isEmpty()) {
                throw new IllegalArgumentException("the head stage needs a classification result with label words, "
                        + "got a " + result.settings().mode() + " result");
            }
            if (result.head().isPresent()) {
                throw new IllegalArgumentException("the result already has a learned head; run the stage on the "
                        + "result with its label words");
            }
            if (train.isEmpty() || selection.isEmpty()) {
                throw new IllegalArgumentException("the head stage needs training examples (train(...)) and a "
                        + "selection split (selection(...)), got " + train.size() + " and " + selection.size());
            }
            return new LearnedHeadStage(this, VerbalizerTrainer.builder(model).template(result.boundTemplate())
                    .verbalizer(result.verbalizer()).train(train).selection(selection).l2Grid(l2Grid).refit(false)
                    .maxLength(Math.min(result.settings().maxLength(), model.tokenizer().maxSequenceLength()))
                    .batchSize(batchSize).boundTriggers().build());
        }
    }
}
