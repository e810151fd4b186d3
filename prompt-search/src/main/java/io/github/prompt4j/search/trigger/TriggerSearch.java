package io.github.prompt4j.search.trigger;

import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.model.Tokenizer;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.vocab.VocabularyFilter;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * AutoPrompt trigger search (Shin et al., EMNLP 2020): finds discrete trigger tokens for the {@code [T]} slots of a
 * template that make a masked language model put probability on the gold label words (or the gold object in fact
 * retrieval).
 *
 * <p>Each step: draw {@code accumulationSteps} batches of training examples, sum the gradient of the loss
 * ({@code -log sum_{w in gold} p(w | mask)}, or the class cross-entropy of {@link SearchLoss}) with respect to the input embedding of one trigger slot j (chosen at random
 * or round-robin), propose the k tokens with the largest {@code -(grad_j . e_w)} that pass the
 * {@link VocabularyFilter}, score the replacements with forward passes on a fresh evaluation batch (exhaustively or by
 * successive halving), and keep the best {@code beamWidth} sequences; the current triggers change only when a
 * candidate has a strictly lower loss on that batch. When they change, the selection metrics are computed on the
 * selection split (or a fixed batch of it); the result holds the triggers with the best selection metric (ties broken
 * by the lower selection loss), optionally after re-scoring the few best states on the whole split.
 *
 * <p>Protocol: the selection split is training data set aside ({@link io.github.prompt4j.search.protocol.SelectionSplit});
 * the search refuses a selection example that is also a training example, and never sees the data a result is
 * reported on. Score that once, at the end ({@link io.github.prompt4j.search.protocol.HeldOut}).
 *
 * <pre>{@code
 * TriggerSearchResult r = TriggerSearch.builder(model)
 *         .template(Template.parse("{sentence} [T] [T] [T] [MASK] ."))
 *         .verbalizer(Verbalizer.builder().add("negative", "terrible").add("positive", "fantastic").build())
 *         .train(split.search()).selection(split.selection()).iterations(50).seed(1)
 *         .build().run();
 * PromptClassifier c = r.classifier(model);
 * }</pre>
 *
 * <p>Deterministic: step i draws its position and batches from a generator seeded by {@code (seed, i)}, so the same
 * seed, data and model give the same triggers, and a search resumed from a saved {@link TriggerSearchState} ends
 * where an uninterrupted one does. An optional {@linkplain Builder#timeBudget time budget} ends a search early, before
 * a step that would likely overrun it; where it stops then depends on the machine's speed, so the result records the
 * steps it ran ({@link TriggerSearchResult#iterations()}), and resuming with a larger budget continues
 * deterministically. Configured instances are immutable; {@link #run()} may be called from one thread
 * at a time per instance's listener. The model is shared, not owned.
 *
 * <p>Precision: candidate and selection scoring are forward passes and run at the model's precision; the gradient
 * passes that propose candidates are float32 whatever the model's precision. With prompt-onnx, a model opened with
 * {@code OnnxMaskedLanguageModel.builder().precision(Precision.INT8)} therefore scores in int8 and takes gradients
 * in float32 (the {@code --precision} option of {@code Eval autoprompt}).
 */
public final class TriggerSearch {

    private final MaskedLanguageModel model;
    private final Template template;
    private final SearchObjective objective;
    private final List<Example> train;
    private final List<Example> selection;
    private final TriggerSearchSettings settings;
    private final SearchListener listener;
    private final Duration timeBudget;
    private final LongSupplier ticker;

    private TriggerSearch(Builder b, TriggerSearchSettings settings) {
        this.model = b.model;
        this.template = b.template;
        this.objective = b.objective;
        this.train = b.trainExamples;
        this.selection = b.selectionExamples;
        this.settings = settings;
        this.listener = b.listener;
        this.timeBudget = b.timeBudget;
        this.ticker = b.ticker;
    }

    /** A builder for a search over {@code model}. */
    public static Builder builder(MaskedLanguageModel model) {
        return new Builder(model);
    }

    /** The settings, defaults filled in. */
    public TriggerSearchSettings settings() {
        return settings;
    }

    /** The objective. */
    public SearchObjective objective() {
        return objective;
    }

    /**
     * Runs the search from the initial triggers for {@link TriggerSearchSettings#iterations()} steps.
     *
     * @throws IllegalArgumentException naming the problem when the data do not fit the model or the objective: a
     *         label word or object absent from the vocabulary or not a single word piece, an example label that is
     *         not a class, a class without training examples, an unknown initial trigger token
     */
    public TriggerSearchResult run() {
        return execution().from(null);
    }

    /**
     * Continues a search from a saved state up to this search's {@link TriggerSearchSettings#iterations()} steps
     * (a state already at or past that count just becomes a result).
     *
     * @throws IllegalArgumentException if the state belongs to another model, template or settings (other than
     *         the number of iterations), or as {@link #run()}
     */
    public TriggerSearchResult resume(TriggerSearchState state) {
        if (!state.modelName().equals(model.info().name())) {
            throw new IllegalArgumentException("state was saved for model '" + state.modelName()
                    + "', this search runs '" + model.info().name() + "'");
        }
        if (!state.template().equals(template.text())) {
            throw new IllegalArgumentException("state was saved for template '" + state.template()
                    + "', this search uses '" + template.text() + "'");
        }
        if (!state.settings().withIterations(settings.iterations()).equals(settings)) {
            throw new IllegalArgumentException("state was saved with settings " + state.settings()
                    + "; resume with the same settings (only iterations may differ), not " + settings);
        }
        return execution().from(state);
    }

    /** Encodes the data and prepares one execution. */
    private SearchRun execution() {
        SearchData data = SearchData.encode(model, template, objective, settings, train, selection);
        return new SearchRun(model, template, settings, data, listener, timeBudget, ticker);
    }

    /** Configures a {@link TriggerSearch}. Not thread-safe. */
    public static final class Builder {
        private final MaskedLanguageModel model;
        private Template template;
        private SearchObjective objective;
        private List<Example> trainExamples = List.of();
        private List<Example> selectionExamples = List.of();
        private List<String> initialTriggers;
        private String initToken;
        private int candidates = 10;
        private int gradientBatchSize = 32;
        private int accumulationSteps = 1;
        private int evaluationBatchSize = 32;
        private int forwardBatchSize = 32;
        private int iterations = 50;
        private PositionChoice positionChoice = PositionChoice.RANDOM;
        private int beamWidth = 1;
        private CandidateEvaluation candidateEvaluation = CandidateEvaluation.EXHAUSTIVE;
        private int racingStartSize = 8;
        private int confirmationBatchSize;
        private int selectionBatchSize;
        private int rescoreTop;
        private VocabularyFilter filter;
        private boolean excludeGoldObjects = true;
        private int maxLength = 128;
        private SearchLoss loss = SearchLoss.LABEL_LIKELIHOOD;
        private long seed = 0;
        private SearchListener listener = SearchListener.logging();
        private Duration timeBudget;
        private LongSupplier ticker = System::nanoTime;

        private Builder(MaskedLanguageModel model) {
            if (model == null) {
                throw new IllegalArgumentException("model must not be null");
            }
            this.model = model;
        }

        /** The template with {@code [T]} trigger slots and a {@code [MASK]} (required). */
        public Builder template(Template template) {
            this.template = template;
            return this;
        }

        /** What the search optimises (required; or set it with one of the shortcuts below). */
        public Builder objective(SearchObjective objective) {
            if (objective == null) {
                throw new IllegalArgumentException("objective must not be null; e.g. "
                        + "SearchObjective.classification(verbalizer)");
            }
            this.objective = objective;
            return this;
        }

        /** Classification with these classes and label words (single word pieces): {@link SearchObjective#classification(Verbalizer)}. */
        public Builder verbalizer(Verbalizer verbalizer) {
            return objective(SearchObjective.classification(verbalizer));
        }

        /** Classification with label words given as vocabulary ids: class (in order) to ids. */
        public Builder labelTokens(Map<String, int[]> classToIds) {
            return objective(SearchObjective.classification(classToIds));
        }

        /** Fact retrieval over the whole vocabulary: each example's label is its gold object token. */
        public Builder factRetrieval() {
            return objective(SearchObjective.factRetrieval());
        }

        /** Fact retrieval with selection metrics among a candidate vocabulary (e.g. LAMA's common vocabulary). */
        public Builder factRetrieval(int[] candidateIds) {
            return objective(SearchObjective.factRetrieval(candidateIds));
        }

        /** Training examples, for gradients and candidate scoring (required, non-empty). */
        public Builder train(List<Example> examples) {
            this.trainExamples = List.copyOf(examples);
            return this;
        }

        /**
         * The selection split (required, non-empty): the examples the best triggers are chosen on. Carve it from the
         * training data ({@link io.github.prompt4j.search.protocol.SelectionSplit#carve}), disjoint from
         * {@link #train}; never pass the data you report on (keep that in a
         * {@link io.github.prompt4j.search.protocol.HeldOut}).
         */
        public Builder selection(List<Example> examples) {
            this.selectionExamples = List.copyOf(examples);
            return this;
        }

        /**
         * The former name of {@link #selection}.
         *
         * @deprecated the set the search chooses on is a selection split carved from the training data, not the
         *             dev file that is reported; use {@link #selection}
         */
        @Deprecated
        public Builder dev(List<Example> examples) {
            return selection(examples);
        }

        /**
         * Score each accepted step's triggers on a fixed seeded batch of this many selection examples instead of the
         * whole split (default 0: the whole split); pair with {@link #rescoreTop} so the choice is still made on the
         * whole split.
         */
        public Builder selectionBatchSize(int size) {
            this.selectionBatchSize = size;
            return this;
        }

        /**
         * Keep the {@code m} best trigger states by selection-batch metric and re-score them on the whole selection
         * split before choosing (default 0: choose by the per-step scores). A small batch's best is often noise; this
         * spends {@code m} whole-split passes once instead of one per accepted step.
         */
        public Builder rescoreTop(int m) {
            this.rescoreTop = m;
            return this;
        }

        /** The token every trigger slot starts from (default {@code [MASK]}, as in the paper). */
        public Builder initToken(String token) {
            this.initToken = token;
            this.initialTriggers = null;
            return this;
        }

        /** The starting token of each slot, spelled as in the vocabulary. */
        public Builder initialTriggers(List<String> tokens) {
            this.initialTriggers = List.copyOf(tokens);
            this.initToken = null;
            return this;
        }

        /** k: candidates proposed per step (default 10). */
        public Builder candidates(int k) {
            this.candidates = k;
            return this;
        }

        /** Examples per gradient batch (default 32). */
        public Builder gradientBatchSize(int size) {
            this.gradientBatchSize = size;
            return this;
        }

        /** Gradient batches summed per step (default 1). */
        public Builder accumulationSteps(int steps) {
            this.accumulationSteps = steps;
            return this;
        }

        /** Examples the candidates are scored on per step (default 32). */
        public Builder evaluationBatchSize(int size) {
            this.evaluationBatchSize = size;
            return this;
        }

        /** Sequences per forward call (default 32); bounds memory. */
        public Builder forwardBatchSize(int size) {
            this.forwardBatchSize = size;
            return this;
        }

        /** Number of steps (default 50). */
        public Builder iterations(int steps) {
            this.iterations = steps;
            return this;
        }

        /** Slot choice per step (default {@link PositionChoice#RANDOM}). */
        public Builder positionChoice(PositionChoice choice) {
            this.positionChoice = choice;
            return this;
        }

        /** Trigger sequences kept per step (default 1, the paper). */
        public Builder beamWidth(int width) {
            this.beamWidth = width;
            return this;
        }

        /** How candidates are scored (default {@link CandidateEvaluation#EXHAUSTIVE}). */
        public Builder candidateEvaluation(CandidateEvaluation evaluation) {
            this.candidateEvaluation = evaluation;
            return this;
        }

        /** Examples in the first successive-halving round (default 8). */
        public Builder racingStartSize(int size) {
            this.racingStartSize = size;
            return this;
        }

        /**
         * Fresh training examples on which a step's winning candidate must beat the current triggers again before it
         * is accepted (default 0: accept the evaluation batch's winner, as the paper). Costs two forward passes per
         * example on steps whose winner differs from the current triggers.
         */
        public Builder confirmationBatchSize(int size) {
            this.confirmationBatchSize = size;
            return this;
        }

        /**
         * Which tokens may be proposed (default: {@link VocabularyFilter#defaults()} for classification; for fact
         * retrieval additionally capitalised and non-alphabetic tokens and continuations are excluded).
         */
        public Builder filter(VocabularyFilter filter) {
            this.filter = filter;
            return this;
        }

        /** Fact retrieval: never propose a training fact's gold object (default true). */
        public Builder excludeGoldObjects(boolean exclude) {
            this.excludeGoldObjects = exclude;
            return this;
        }

        /** Longest prompt in tokens, special tokens included (default 128, capped at the model's limit). */
        public Builder maxLength(int tokens) {
            this.maxLength = tokens;
            return this;
        }

        /** Classification: the training loss (default {@link SearchLoss#LABEL_LIKELIHOOD}, the paper's). */
        public Builder loss(SearchLoss loss) {
            if (loss == null) {
                throw new IllegalArgumentException("loss must not be null; the paper's is SearchLoss.LABEL_LIKELIHOOD");
            }
            this.loss = loss;
            return this;
        }

        /** The random seed (default 0). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Progress listener (default {@link SearchListener#logging()}). */
        public Builder listener(SearchListener listener) {
            if (listener == null) {
                throw new IllegalArgumentException("listener must not be null; use SearchListener.none()");
            }
            this.listener = listener;
            return this;
        }

        /**
         * Wall-clock budget of the whole search, resumed parts included (default: none). Before each step the search
         * stops if the time spent plus its longest step so far (kept in the saved state) would pass the budget, so it
         * ends within the budget unless a step runs far longer than all before it. Not a setting: it changes where a
         * search stops, not what its steps do, so a search stopped by its budget resumes like one stopped by its
         * iteration count.
         *
         * @param budget a positive duration, or {@code null} for none
         */
        public Builder timeBudget(Duration budget) {
            if (budget != null && (budget.isZero() || budget.isNegative())) {
                throw new IllegalArgumentException("time budget must be positive, got " + budget);
            }
            this.timeBudget = budget;
            return this;
        }

        /** The clock, in nanoseconds (default {@link System#nanoTime}); tests drive the time budget with it. */
        Builder ticker(LongSupplier nanos) {
            this.ticker = nanos;
            return this;
        }

        /**
         * Validates the configuration and fills in the defaults; encodes nothing (that happens when the search runs).
         *
         * @throws IllegalArgumentException naming the problem: no template or a template without {@code [T]}, no
         *         objective, an empty training set or selection split, a selection example that is also a training
         *         example, a loss the objective lacks, a wrong number of initial triggers, an invalid size
         */
        public TriggerSearch build() {
            if (template == null) {
                throw new IllegalArgumentException("set a template with trigger slots, e.g. "
                        + "Template.parse(\"{sentence} [T] [T] [T] [MASK] .\")");
            }
            if (template.triggerCount() == 0) {
                throw new IllegalArgumentException("template '" + template.text() + "' has no trigger slot [T]; add "
                        + "slots for the search to fill, e.g. '" + template.text().replace("[MASK]", "[T] [T] [T] [MASK]")
                        + "'");
            }
            if (objective == null) {
                throw new IllegalArgumentException("set the label words (verbalizer(...) or labelTokens(...)) or "
                        + "choose factRetrieval()");
            }
            if (trainExamples.isEmpty()) {
                throw new IllegalArgumentException("the training set is empty; pass examples with train(...)");
            }
            if (selectionExamples.isEmpty()) {
                throw new IllegalArgumentException("the selection split is empty; carve one from the training data "
                        + "(SelectionSplit.carve) and pass it with selection(...)");
            }
            Set<Example> training = new HashSet<>(trainExamples);
            for (Example e : selectionExamples) {
                if (training.contains(e)) {
                    throw new IllegalArgumentException("selection example " + e.fields() + " (label '" + e.label()
                            + "') is also a training example; the selection split must be disjoint from the search "
                            + "batches: carve it with SelectionSplit.carve");
                }
            }
            SearchMode mode = objective.mode();
            TriggerSearchSettings.checkLoss(mode, loss);
            Tokenizer tokenizer = model.tokenizer();
            List<String> init = initialTriggers != null ? initialTriggers : Collections.nCopies(
                    template.triggerCount(), initToken != null ? initToken
                            : tokenizer.idToToken(tokenizer.specialTokens().mask()));
            if (init.size() != template.triggerCount()) {
                throw new IllegalArgumentException(init.size() + " initial triggers for " + template.triggerCount()
                        + " slots [T] of template '" + template.text() + "'");
            }
            int limit = Math.min(maxLength, tokenizer.maxSequenceLength());
            VocabularyFilter vocabFilter = filter != null ? filter : Objective.defaultFilter(objective);
            TriggerSearchSettings settings = new TriggerSearchSettings(mode, loss, init, candidates, gradientBatchSize,
                    accumulationSteps, evaluationBatchSize, forwardBatchSize, iterations, positionChoice, beamWidth,
                    candidateEvaluation, racingStartSize, confirmationBatchSize, selectionBatchSize, rescoreTop,
                    vocabFilter, mode == SearchMode.FACT_RETRIEVAL && excludeGoldObjects, limit, seed);
            return new TriggerSearch(this, settings);
        }
    }
}
