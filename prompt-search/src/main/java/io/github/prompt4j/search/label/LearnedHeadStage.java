package io.github.prompt4j.search.label;

import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.eval.Metrics;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.model.Tokenizer;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.select.PromptEnsemble;
import io.github.prompt4j.search.trigger.ScoredTriggers;
import io.github.prompt4j.search.trigger.SearchMode;
import io.github.prompt4j.search.trigger.TriggerSearchResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Chooses, on the selection split, how a trigger-search result scores its classes: with its label words as it
 * stands (one prompt or an ensemble of trigger states, calibrated or not), or with a learned verbalizer, a linear head
 * on a found prompt's transformed mask state ({@link VerbalizerTrainer}: started from and pulled towards the label
 * words' output embeddings, its L2 strength chosen on the same split). AutoPrompt's label-word search fits this
 * logistic regression to rank words (Shin et al. 2020, section 3); here it may replace them as the classifier, as WARP
 * and prototypical verbalizers do.
 *
 * <p>The head is fitted on {@code train} only, never refitted with the selection examples, so its selection accuracy
 * is measured on examples it did not fit, as the result's is. It is kept only when strictly more accurate on the
 * split than the result as it stands: a tie keeps the label words.
 *
 * <p>Which trigger state the head reads is a {@link States} choice. By default ({@link States#BEST}) it reads the best
 * state ({@link TriggerSearchResult#boundTemplate()}). With {@link States#SHORTLIST} a head is fitted on each of the
 * best state, the search's re-scored shortlist and its warm start, and the most accurate on the selection split is
 * the candidate (a tie keeps the earlier, the best state first). The state a search's label words prefer is not always
 * the one whose mask state a head separates best, and the warm start guards against a search that wandered off. A
 * chosen head replaces an ensemble by its state alone.
 *
 * <pre>{@code
 * LearnedHeadStageResult stage = LearnedHeadStage.builder(model).result(found).states(States.SHORTLIST)
 *         .train(split.search()).selection(split.selection()).build().run();
 * TriggerSearchResult saved = stage.applyTo(found, model.tokenizer());   // found's head state with the head, if won
 * }</pre>
 *
 * <p>Run it with the model at the precision the prompt will be used at: a head fitted on one precision's states
 * reads the other's slightly differently. Pass a selection split carved from the training data
 * ({@link io.github.prompt4j.search.protocol.SelectionSplit}), never the data you report on.
 *
 * <p>Cost: per state, one forward pass per training example and one per selection example (its mask state for the
 * head), plus one per selection example and member of the result (its label-word scores); the fits take seconds.
 * Immutable once built; {@link #run()} is not thread-safe (the trainers it runs are not); it does not own the model.
 */
public final class LearnedHeadStage {

    /** The trigger states a {@link LearnedHeadStage} fits a head on. */
    public enum States {
        /** The result's best trigger state only (its {@link TriggerSearchResult#boundTemplate()}). */
        BEST,
        /**
         * The best state, then each state of the re-scored shortlist ({@link TriggerSearchResult#state()}), then the
         * warm start (the search's initial triggers, unless one of them is the mask token), each once.
         */
        SHORTLIST
    }

    private final MaskedLanguageModel model;
    private final TriggerSearchResult result;
    private final List<Example> selection;
    private final List<ScoredTriggers> states;
    private final List<VerbalizerTrainer> trainers;

    private LearnedHeadStage(Builder b, List<ScoredTriggers> states, List<VerbalizerTrainer> trainers) {
        this.model = b.model;
        this.result = b.result;
        this.selection = b.selection;
        this.states = states;
        this.trainers = trainers;
    }

    /** A builder for a stage over {@code model}, the model the result was searched with. */
    public static Builder builder(MaskedLanguageModel model) {
        return new Builder(model);
    }

    /**
     * Fits a head on each state of the {@link States} choice (the best state alone by default), scores the result as
     * it stands on the selection split and chooses.
     *
     * @throws IllegalArgumentException when an example does not fit the template or has a label that is not a class
     *         (naming it), or a trigger has another id in the model's vocabulary
     */
    public LearnedHeadStageResult run() {
        long t0 = System.nanoTime();
        long passes = 0;
        List<LearnedHeadStageResult.StateScore> scored = new ArrayList<>(states.size());
        VerbalizerTrainer.Fitted best = null;
        int bestIndex = -1;
        for (int i = 0; i < states.size(); i++) {
            // the trainer checks every example's label against the classes first, naming a stray one
            VerbalizerTrainer.Fitted fitted = trainers.get(i).fit();
            passes += fitted.passes().forwardPasses();
            scored.add(new LearnedHeadStageResult.StateScore(states.get(i), fitted.chosenL2(),
                    fitted.selectionAccuracy()));
            if (best == null || fitted.selectionAccuracy() > best.selectionAccuracy()) {
                best = fitted;
                bestIndex = i;
            }
        }
        PromptEnsemble asItStands = PromptEnsemble.of(result.memberClassifiers(model));
        Template parsed = Template.parse(result.template());
        List<Map<String, String>> inputs = selection.stream().map(e -> e.valuesFor(parsed)).toList();
        List<Classification> predicted = asItStands.classifyAllFields(inputs);
        double promptAccuracy = Metrics.accuracy(selection.stream().map(Example::label).toList(),
                predicted.stream().map(Classification::label).toList());
        passes += (long) asItStands.members().size() * selection.size();
        return new LearnedHeadStageResult(states.get(bestIndex), best.verbalizer(), best.chosenL2(), best.scores(),
                scored, best.trainExamples(), promptAccuracy, best.selectionAccuracy() > promptAccuracy, passes,
                (System.nanoTime() - t0) / 1e9);
    }

    /** The states of {@code choice}, best first, each once. */
    private static List<ScoredTriggers> candidates(TriggerSearchResult result, States choice, Tokenizer tokenizer) {
        Map<List<Integer>, ScoredTriggers> out = new LinkedHashMap<>();
        out.put(key(result.triggerIds()), new ScoredTriggers(result.triggerIds(), result.bestIteration(), Map.of()));
        if (choice == States.SHORTLIST) {
            for (ScoredTriggers s : result.state().shortlist()) {
                out.putIfAbsent(key(s.triggers()), s);
            }
            int[] warm = new int[result.settings().initialTriggers().size()];
            boolean words = true;
            for (int i = 0; i < warm.length; i++) {
                OptionalInt id = tokenizer.tokenToId(result.settings().initialTriggers().get(i));
                words &= id.isPresent() && id.getAsInt() != tokenizer.specialTokens().mask();
                warm[i] = id.orElse(-1);
            }
            if (words) {
                out.putIfAbsent(key(warm), new ScoredTriggers(warm, 0, Map.of()));
            }
        }
        return List.copyOf(out.values());
    }

    private static List<Integer> key(int[] ids) {
        return Arrays.stream(ids).boxed().toList();
    }

    /** Configures a {@link LearnedHeadStage}; {@link #build()} only checks. Not thread-safe. */
    public static final class Builder {
        private final MaskedLanguageModel model;
        private TriggerSearchResult result;
        private List<Example> train = List.of();
        private List<Example> selection = List.of();
        private List<Double> l2Grid = VerbalizerSettings.DEFAULT_L2_GRID;
        private int batchSize = 32;
        private States states = States.BEST;

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

        /** The trigger states a head is fitted on (default {@link States#BEST}). */
        public Builder states(States choice) {
            this.states = choice;
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
            if (states == null) {
                throw new IllegalArgumentException("states must not be null; use States.BEST for the best state only");
            }
            List<ScoredTriggers> chosen = candidates(result, states, model.tokenizer());
            Template parsed = Template.parse(result.template());
            List<VerbalizerTrainer> trainers = new ArrayList<>(chosen.size());
            for (ScoredTriggers s : chosen) {
                trainers.add(VerbalizerTrainer.builder(model).template(parsed.withTriggerIds(s.triggers()))
                        .verbalizer(result.verbalizer()).train(train).selection(selection).l2Grid(l2Grid).refit(false)
                        .maxLength(Math.min(result.settings().maxLength(), model.tokenizer().maxSequenceLength()))
                        .batchSize(batchSize).boundTriggers().build());
            }
            return new LearnedHeadStage(this, chosen, List.copyOf(trainers));
        }
    }
}
