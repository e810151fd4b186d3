package io.github.prompt4j.search.trigger;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.GradientRequest;
import io.github.prompt4j.core.model.LabelLossGradient;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.model.Tokenizer;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.template.TemplateEncoder;
import io.github.prompt4j.core.template.Truncation;
import io.github.prompt4j.core.template.TruncationSide;
import io.github.prompt4j.core.verbalizer.LabelWord;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.fact.FactRetrieval;
import io.github.prompt4j.search.protocol.Protocol;
import io.github.prompt4j.search.vocab.VocabularyFilter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SplittableRandom;
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
    private final TriggerSearchSettings settings;
    private final Objective objective;
    private final List<Instance> train;
    private final List<Instance> selection;
    private final boolean[] allowed;
    private final int[] initialIds;
    private final Map<String, List<String>> labelWords;
    private final SearchListener listener;
    private final Duration timeBudget;
    private final LongSupplier ticker;

    private TriggerSearch(Builder b, TriggerSearchSettings settings, Objective objective, List<Instance> train,
            List<Instance> selection, boolean[] allowed, int[] initialIds, Map<String, List<String>> labelWords) {
        this.model = b.model;
        this.template = b.template;
        this.settings = settings;
        this.objective = objective;
        this.train = train;
        this.selection = selection;
        this.allowed = allowed;
        this.initialIds = initialIds;
        this.labelWords = labelWords;
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

    /** Runs the search from the initial triggers for {@link TriggerSearchSettings#iterations()} steps. */
    public TriggerSearchResult run() {
        return new Run().from(null);
    }

    /**
     * Continues a search from a saved state up to this search's {@link TriggerSearchSettings#iterations()} steps
     * (a state already at or past that count just becomes a result).
     *
     * @throws IllegalArgumentException if the state belongs to another model, template or settings (other than
     *         the number of iterations)
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
        return new Run().from(state);
    }

    /** One execution: counters and the clock. */
    private final class Run {
        private long forward;
        private long gradient;
        private long startNanos;
        private long priorMillis;
        private PassCounts priorPasses = PassCounts.zero();
        /** The examples accepted steps are scored on: the whole selection split, or a fixed seeded part of it. */
        private final List<Instance> selectionBatch = selectionBatch();

        TriggerSearchResult from(TriggerSearchState saved) {
            startNanos = ticker.getAsLong();
            TriggerSearchState state = saved;
            if (state == null) {
                Map<String, Double> metrics = selectionMetrics(selectionBatch, initialIds);
                List<ScoredTriggers> shortlist = settings.rescoreTop() > 0
                        ? List.of(new ScoredTriggers(initialIds, 0, metrics)) : List.of();
                state = new TriggerSearchState(model.info().name(), template.text(), settings, 0,
                        List.of(initialIds), metrics.get(objective.primaryMetric()), initialIds, metrics, 0,
                        Double.NaN, passes(), elapsedMillis(), 0, shortlist);
            } else {
                priorMillis = saved.elapsedMillis();
                priorPasses = saved.passes();
            }
            while (state.iteration() < settings.iterations()) {
                if (timeBudget != null && elapsedMillis() + stepEstimate(state) > timeBudget.toMillis()) {
                    break;
                }
                state = step(state);
            }
            return result(state);
        }

        /** The longest step so far; for a state saved without it (older JSON), the mean step. */
        private long stepEstimate(TriggerSearchState state) {
            if (state.longestStepMillis() > 0 || state.iteration() == 0) {
                return state.longestStepMillis();
            }
            return state.elapsedMillis() / state.iteration();
        }

        private TriggerSearchState step(TriggerSearchState state) {
            long stepStart = elapsedMillis();
            int it = state.iteration() + 1;
            SplittableRandom rng = new SplittableRandom(settings.seed() ^ (0x9E3779B97F4A7C15L * it));
            int slots = initialIds.length;
            int position = settings.positionChoice() == PositionChoice.RANDOM ? rng.nextInt(slots) : (it - 1) % slots;
            List<int[]> beam = state.beam();
            int[] gradientSample = sample(rng, train.size(), settings.gradientBatchSize() * settings.accumulationSteps());
            int[] evalSample = sample(rng, train.size(), settings.evaluationBatchSize());

            Map<String, int[]> pool = new LinkedHashMap<>();
            for (int[] member : beam) {
                pool.put(Arrays.toString(member), member);
            }
            for (int[] member : beam) {
                double[] grad = gradientAt(member, position, gradientSample);
                boolean[] here = allowed.clone();
                here[member[position]] = false;
                for (int w : CandidateScores.best(model.inputEmbeddings(), grad, here, settings.candidates())) {
                    int[] candidate = member.clone();
                    candidate[position] = w;
                    pool.putIfAbsent(Arrays.toString(candidate), candidate);
                }
            }
            List<int[]> sequences = new ArrayList<>(pool.values());
            double[] losses = evaluate(sequences, beam.size(), evalSample);
            Integer[] order = new Integer[sequences.size()];
            Arrays.setAll(order, i -> i);
            // stable sort: on equal loss the earlier entry (a current member) stays ahead
            Arrays.sort(order, (a, b) -> Double.compare(losses[a], losses[b]));
            List<int[]> next = new ArrayList<>();
            for (int i = 0; i < order.length && next.size() < settings.beamWidth(); i++) {
                if (Double.isFinite(losses[order[i]])) {
                    next.add(sequences.get(order[i]));
                }
            }
            boolean accepted = !Arrays.equals(next.get(0), beam.get(0));
            double trainLoss = losses[order[0]];
            if (accepted && settings.confirmationBatchSize() > 0) {
                // the best of k noisy batch means beats the current one by chance too often (winner's curse):
                // the winner must win again on examples that did not choose it
                int[] fresh = sample(rng, train.size(), settings.confirmationBatchSize());
                double[] check = evaluate(List.of(beam.get(0), next.get(0)), 2, fresh);
                if (!(check[1] < check[0])) {
                    next = beam;
                    accepted = false;
                    trainLoss = losses[0];
                }
            }
            double currentSelection = state.currentSelectionMetric();
            int[] best = state.bestTriggers();
            Map<String, Double> bestMetrics = state.bestSelectionMetrics();
            int bestIteration = state.bestIteration();
            List<ScoredTriggers> shortlist = state.shortlist();
            if (accepted) {
                Map<String, Double> metrics = selectionMetrics(selectionBatch, next.get(0));
                currentSelection = metrics.get(objective.primaryMetric());
                if (objective.better(metrics, bestMetrics)) {
                    best = next.get(0);
                    bestMetrics = metrics;
                    bestIteration = it;
                }
                shortlist = shortlisted(shortlist, new ScoredTriggers(next.get(0), it, metrics));
            }
            long stepEnd = elapsedMillis();
            TriggerSearchState after = new TriggerSearchState(state.modelName(), state.template(), settings, it,
                    next, currentSelection, best, bestMetrics, bestIteration, trainLoss, passes(), stepEnd,
                    Math.max(state.longestStepMillis(), stepEnd - stepStart), shortlist);
            listener.onStep(new SearchStep(it, settings.iterations(), position, next.get(0), tokens(next.get(0)),
                    trainLoss, accepted, currentSelection, bestMetrics.get(objective.primaryMetric()), after.passes(),
                    Duration.ofMillis(after.elapsedMillis())));
            listener.onCheckpoint(after);
            return after;
        }

        /** The loss gradient at one trigger slot, summed over the sampled examples. */
        private double[] gradientAt(int[] triggers, int position, int[] sample) {
            double[] sum = new double[model.info().hiddenSize()];
            int batch = settings.gradientBatchSize();
            for (int from = 0; from < sample.length; from += batch) {
                List<Instance> chunk = new ArrayList<>();
                for (int i = from; i < Math.min(sample.length, from + batch); i++) {
                    chunk.add(train.get(sample[i]));
                }
                gradient += addGradient(model, objective, chunk, triggers, position, sum);
            }
            return sum;
        }

        /**
         * Mean loss of each sequence on the evaluation sample; sequences eliminated by successive halving get
         * +infinity. The first {@code protectedCount} sequences (the current beam) are always scored in full.
         */
        private double[] evaluate(List<int[]> sequences, int protectedCount, int[] sample) {
            int n = sample.length;
            double[][] losses = new double[sequences.size()][n];
            int[] done = new int[sequences.size()];
            List<Integer> alive = new ArrayList<>();
            for (int s = protectedCount; s < sequences.size(); s++) {
                alive.add(s);
            }
            boolean racing = settings.candidateEvaluation() == CandidateEvaluation.SUCCESSIVE_HALVING
                    && alive.size() > 1;
            int prefix = racing ? Math.min(n, settings.racingStartSize()) : n;
            while (true) {
                List<Integer> active = new ArrayList<>();
                for (int s = 0; s < protectedCount; s++) {
                    active.add(s);
                }
                active.addAll(alive);
                computeLosses(sequences, active, sample, losses, done, prefix);
                if (prefix >= n) {
                    break;
                }
                final int upTo = prefix;
                alive.sort((a, b) -> {
                    int c = Double.compare(mean(losses[a], upTo), mean(losses[b], upTo));
                    return c != 0 ? c : Integer.compare(a, b);
                });
                alive = new ArrayList<>(alive.subList(0, (alive.size() + 1) / 2));
                prefix = Math.min(n, prefix * 2);
            }
            double[] out = new double[sequences.size()];
            Arrays.fill(out, Double.POSITIVE_INFINITY);
            for (int s = 0; s < sequences.size(); s++) {
                if (done[s] == n) {
                    out[s] = mean(losses[s], n);
                }
            }
            return out;
        }

        /** Fills {@code losses[s][done[s] .. upTo)} for the active sequences with batched forward passes. */
        private void computeLosses(List<int[]> sequences, List<Integer> active, int[] sample, double[][] losses,
                int[] done, int upTo) {
            List<int[]> jobs = new ArrayList<>();
            for (int s : active) {
                for (int e = done[s]; e < upTo; e++) {
                    jobs.add(new int[] {s, e});
                }
                done[s] = Math.max(done[s], upTo);
            }
            int batch = settings.forwardBatchSize();
            for (int from = 0; from < jobs.size(); from += batch) {
                List<int[]> chunk = jobs.subList(from, Math.min(jobs.size(), from + batch));
                List<Instance> instances = new ArrayList<>(chunk.size());
                List<EncodedPrompt> prompts = new ArrayList<>(chunk.size());
                for (int[] job : chunk) {
                    Instance inst = train.get(sample[job[1]]);
                    instances.add(inst);
                    prompts.add(inst.with(sequences.get(job[0])));
                }
                int[] ids = objective.scoredIds(instances);
                MaskLogits logits = model.maskLogits(prompts, ids);
                forward += prompts.size();
                Map<Integer, Integer> columns = Objective.columns(ids);
                for (int p = 0; p < chunk.size(); p++) {
                    losses[chunk.get(p)[0]][chunk.get(p)[1]] = objective.loss(logits, p, instances.get(p).gold(),
                            columns);
                }
            }
        }

        /**
         * The shortlist with one more scored state: distinct triggers, best first by {@link Objective#better}
         * (earlier states first among equals), at most {@code rescoreTop} of them.
         */
        private List<ScoredTriggers> shortlisted(List<ScoredTriggers> shortlist, ScoredTriggers scored) {
            if (settings.rescoreTop() == 0) {
                return shortlist;
            }
            List<ScoredTriggers> out = new ArrayList<>(shortlist);
            if (out.stream().anyMatch(s -> Arrays.equals(s.triggers(), scored.triggers()))) {
                return shortlist;
            }
            int at = out.size();
            while (at > 0 && objective.better(scored.metrics(), out.get(at - 1).metrics())) {
                at--;
            }
            out.add(at, scored);
            return List.copyOf(out.subList(0, Math.min(out.size(), settings.rescoreTop())));
        }

        private List<Instance> selectionBatch() {
            int size = settings.selectionBatchSize();
            if (size == 0 || size >= selection.size()) {
                return selection;
            }
            int[] picked = sample(new SplittableRandom(settings.seed() ^ 0x5E1EC7104L), selection.size(), size);
            List<Instance> out = new ArrayList<>(size);
            for (int i : picked) {
                out.add(selection.get(i));
            }
            return List.copyOf(out);
        }

        private Map<String, Double> selectionMetrics(List<Instance> examples, int[] triggers) {
            Objective.DevTally tally = objective.new DevTally(examples.size());
            int[] ids = objective.devIds();
            int batch = settings.forwardBatchSize();
            for (int from = 0; from < examples.size(); from += batch) {
                List<Instance> chunk = examples.subList(from, Math.min(examples.size(), from + batch));
                List<EncodedPrompt> prompts = new ArrayList<>(chunk.size());
                for (Instance inst : chunk) {
                    prompts.add(inst.with(triggers));
                }
                tally.add(model.maskLogits(prompts, ids), chunk);
                forward += prompts.size();
            }
            return tally.metrics();
        }

        private PassCounts passes() {
            return priorPasses.plus(forward, gradient);
        }

        private long elapsedMillis() {
            return priorMillis + (ticker.getAsLong() - startNanos) / 1_000_000;
        }

        /**
         * The result: the state's best triggers, or, when the search scored a batch of the selection split and
         * re-scores, the best of the shortlist on the whole split (earlier states win ties).
         */
        private TriggerSearchResult result(TriggerSearchState state) {
            int[] best = state.bestTriggers();
            Map<String, Double> metrics = new LinkedHashMap<>(state.bestSelectionMetrics());
            int bestIteration = state.bestIteration();
            PassCounts used = state.passes();
            if (!state.shortlist().isEmpty() && selectionBatch.size() < selection.size()) {
                long before = forward;
                Map<String, Double> bestFull = null;
                for (ScoredTriggers candidate : state.shortlist()) {
                    Map<String, Double> full = selectionMetrics(selection, candidate.triggers());
                    if (bestFull == null || objective.better(full, bestFull)) {
                        bestFull = full;
                        best = candidate.triggers();
                        bestIteration = candidate.iteration();
                    }
                }
                metrics = new LinkedHashMap<>(bestFull);
                used = used.plus(forward - before, 0);
            }
            if (!Double.isNaN(state.trainLoss())) {
                metrics.put(Objective.TRAIN_LOSS, state.trainLoss());
            }
            return new TriggerSearchResult(state.modelName(), template.text(), filled(best), best, tokens(best),
                    labelWords, metrics, settings, used, state.elapsedMillis(), state.iteration(), bestIteration,
                    state, Protocol.unrecorded());
        }
    }

    /**
     * Adds the search loss's gradient at trigger slot {@code position}, summed over {@code batch}, to {@code sum}
     * with one gradient call; returns the sequences it ran. The class cross-entropy's gradient is the gold words'
     * label-loss gradient minus that of all label words (the model returns label-loss gradients only): two requests
     * per example.
     */
    static int addGradient(MaskedLanguageModel model, Objective objective, List<Instance> batch, int[] triggers,
            int position, double[] sum) {
        boolean crossEntropy = objective.lossFunction() == SearchLoss.CLASS_CROSS_ENTROPY;
        int[] allLabels = objective.labelIds();
        List<GradientRequest> requests = new ArrayList<>();
        for (Instance inst : batch) {
            int[] at = {inst.triggerPositions()[position]};
            EncodedPrompt prompt = inst.with(triggers);
            requests.add(GradientRequest.of(prompt, inst.gold(), at));
            if (crossEntropy) {
                requests.add(GradientRequest.of(prompt, allLabels, at));
            }
        }
        List<LabelLossGradient> grads = model.labelLossGradients(requests);
        for (int r = 0; r < grads.size(); r++) {
            float[] row = grads.get(r).gradient(0);
            double sign = crossEntropy && r % 2 == 1 ? -1 : 1;
            for (int j = 0; j < sum.length; j++) {
                sum[j] += sign * row[j];
            }
        }
        return requests.size();
    }

    private static double mean(double[] values, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += values[i];
        }
        return s / n;
    }

    /** {@code count} indices of {@code [0, n)}: without replacement within each run of n, reshuffled between runs. */
    static int[] sample(SplittableRandom rng, int n, int count) {
        int[] perm = new int[n];
        Arrays.setAll(perm, i -> i);
        int[] out = new int[count];
        int filled = 0;
        while (filled < count) {
            for (int i = 0; i < n && filled < count; i++) {
                int j = i + rng.nextInt(n - i);
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
                out[filled++] = perm[i];
            }
        }
        return out;
    }

    private List<String> tokens(int[] ids) {
        List<String> out = new ArrayList<>(ids.length);
        for (int id : ids) {
            out.add(model.tokenizer().idToToken(id));
        }
        return out;
    }

    /** The template with each trigger slot spelled as its token; slots still holding the mask token stay {@code [T]}. */
    private String filled(int[] ids) {
        StringBuilder sb = new StringBuilder();
        String text = template.text();
        int slot = 0;
        int i = 0;
        while (i < text.length()) {
            if (text.startsWith("[T]", i)) {
                int id = ids[slot++];
                // A slot still holding the mask token reads as an unfilled slot, never as a second [MASK].
                sb.append(id == model.tokenizer().specialTokens().mask() ? "[T]" : model.tokenizer().idToToken(id));
                i += 3;
            } else {
                sb.append(text.charAt(i++));
            }
        }
        return sb.toString();
    }

    /** Configures a {@link TriggerSearch}. Not thread-safe. */
    public static final class Builder {
        private final MaskedLanguageModel model;
        private Template template;
        private Verbalizer verbalizer;
        private Map<String, int[]> labelTokens;
        private int[] factCandidates;
        private boolean facts;
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

        /** Classification with these classes and label words (single word pieces). */
        public Builder verbalizer(Verbalizer verbalizer) {
            this.verbalizer = verbalizer;
            this.labelTokens = null;
            this.facts = false;
            return this;
        }

        /** Classification with label words given as vocabulary ids: class (in order) to ids. */
        public Builder labelTokens(Map<String, int[]> classToIds) {
            Map<String, int[]> copy = new LinkedHashMap<>();
            classToIds.forEach((k, v) -> copy.put(k, v.clone()));
            this.labelTokens = copy;
            this.verbalizer = null;
            this.facts = false;
            return this;
        }

        /** Fact retrieval over the whole vocabulary: each example's label is its gold object token. */
        public Builder factRetrieval() {
            this.facts = true;
            this.factCandidates = null;
            this.verbalizer = null;
            this.labelTokens = null;
            return this;
        }

        /** Fact retrieval with dev metrics among a candidate vocabulary (e.g. LAMA's common vocabulary). */
        public Builder factRetrieval(int[] candidateIds) {
            factRetrieval();
            this.factCandidates = candidateIds.clone();
            return this;
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
         * Validates the configuration and encodes the examples.
         *
         * @throws IllegalArgumentException naming the problem: no template or a template without {@code [T]}, no
         *         labels or mode, an empty training or dev set, a class without training examples, an example
         *         label that is not a class, a label word or object absent from the vocabulary or not a single
         *         word piece, an unknown initial trigger token, an invalid size
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
            if (verbalizer == null && labelTokens == null && !facts) {
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
            Set<Example> trainSet0 = new HashSet<>(trainExamples);
            for (Example e : selectionExamples) {
                if (trainSet0.contains(e)) {
                    throw new IllegalArgumentException("selection example " + e.fields() + " (label '" + e.label()
                            + "') is also a training example; the selection split must be disjoint from the search "
                            + "batches: carve it with SelectionSplit.carve");
                }
            }
            Tokenizer tokenizer = model.tokenizer();
            SearchMode mode = facts ? SearchMode.FACT_RETRIEVAL : SearchMode.CLASSIFICATION;
            TriggerSearchSettings.checkLoss(mode, loss);
            Objective objective;
            Map<String, List<String>> words = new LinkedHashMap<>();
            Set<Integer> labelIds = new HashSet<>();
            if (mode == SearchMode.CLASSIFICATION) {
                Map<String, int[]> classIds = verbalizer != null ? resolve(verbalizer, tokenizer, words)
                        : checkIds(labelTokens, tokenizer, words);
                classIds.values().forEach(ids -> Arrays.stream(ids).forEach(labelIds::add));
                objective = Objective.classification(loss, new ArrayList<>(classIds.keySet()),
                        classIds.values().toArray(new int[0][]));
            } else {
                objective = Objective.facts(factCandidates != null ? factCandidates
                        : FactRetrieval.wholeVocabulary(tokenizer));
            }
            int limit = Math.min(maxLength, tokenizer.maxSequenceLength());
            TemplateEncoder encoder = template.encoder(tokenizer, Truncation.of(limit, TruncationSide.TAIL));
            List<Instance> trainSet = encode(encoder, objective, trainExamples, "training");
            List<Instance> selectionSet = encode(encoder, objective, selectionExamples, "selection");
            if (mode == SearchMode.CLASSIFICATION) {
                int[] counts = new int[objective.classes().size()];
                trainSet.forEach(i -> counts[i.goldClass()]++);
                for (int c = 0; c < counts.length; c++) {
                    if (counts[c] == 0) {
                        throw new IllegalArgumentException("class '" + objective.classes().get(c)
                                + "' has no training example; every class of the label words needs at least one");
                    }
                }
            }
            VocabularyFilter vocabFilter = filter != null ? filter : mode == SearchMode.CLASSIFICATION
                    ? VocabularyFilter.defaults()
                    : VocabularyFilter.defaults().withExcludeCapitalised(true).withExcludeNonAlphabetic(true)
                            .withExcludeContinuations(true);
            boolean[] allowed = vocabFilter.allowed(tokenizer, labelIds);
            if (mode == SearchMode.FACT_RETRIEVAL && excludeGoldObjects) {
                trainSet.forEach(i -> allowed[i.gold()[0]] = false);
            }
            List<String> init = initialTriggers != null ? initialTriggers : Collections.nCopies(
                    template.triggerCount(), initToken != null ? initToken
                            : tokenizer.idToToken(tokenizer.specialTokens().mask()));
            if (init.size() != template.triggerCount()) {
                throw new IllegalArgumentException(init.size() + " initial triggers for " + template.triggerCount()
                        + " slots [T] of template '" + template.text() + "'");
            }
            int[] initIds = new int[init.size()];
            for (int i = 0; i < initIds.length; i++) {
                OptionalInt id = tokenizer.tokenToId(init.get(i));
                if (id.isEmpty()) {
                    throw new IllegalArgumentException("initial trigger '" + init.get(i) + "' is not a vocabulary "
                            + "token; use e.g. '[MASK]' or 'the'");
                }
                initIds[i] = id.getAsInt();
            }
            TriggerSearchSettings settings = new TriggerSearchSettings(mode, loss, init, candidates, gradientBatchSize,
                    accumulationSteps, evaluationBatchSize, forwardBatchSize, iterations, positionChoice, beamWidth,
                    candidateEvaluation, racingStartSize, confirmationBatchSize, selectionBatchSize, rescoreTop,
                    vocabFilter,
                    mode == SearchMode.FACT_RETRIEVAL && excludeGoldObjects, limit, seed);
            return new TriggerSearch(this, settings, objective, trainSet, selectionSet, allowed, initIds, words);
        }

        private static Map<String, int[]> resolve(Verbalizer verbalizer, Tokenizer tokenizer,
                Map<String, List<String>> words) {
            Map<String, List<Integer>> ids = new LinkedHashMap<>();
            for (String label : verbalizer.labels()) {
                ids.put(label, new ArrayList<>());
                words.put(label, new ArrayList<>());
            }
            for (LabelWord w : verbalizer.resolve(tokenizer)) {
                if (!w.singlePiece()) {
                    throw new IllegalArgumentException("label word '" + w.word() + "' of class '" + w.label()
                            + "' is " + w.pieceIds().length + " word pieces " + w.pieces() + "; trigger search "
                            + "needs single-piece label words");
                }
                ids.get(w.label()).add(w.pieceIds()[0]);
                words.get(w.label()).add(w.word());
            }
            Map<String, int[]> out = new LinkedHashMap<>();
            ids.forEach((k, v) -> out.put(k, v.stream().distinct().mapToInt(Integer::intValue).toArray()));
            return out;
        }

        private static Map<String, int[]> checkIds(Map<String, int[]> classToIds, Tokenizer tokenizer,
                Map<String, List<String>> words) {
            if (classToIds.size() < 2) {
                throw new IllegalArgumentException("need label tokens for at least two classes, got "
                        + classToIds.keySet());
            }
            Set<Integer> seen = new HashSet<>();
            classToIds.forEach((label, ids) -> {
                if (ids.length == 0) {
                    throw new IllegalArgumentException("class '" + label + "' has no label token ids");
                }
                List<String> spelled = new ArrayList<>();
                for (int id : ids) {
                    if (id < 0 || id >= tokenizer.vocabularySize()) {
                        throw new IllegalArgumentException("label token id " + id + " of class '" + label
                                + "' is outside the vocabulary of " + tokenizer.vocabularySize() + " tokens");
                    }
                    if (!seen.add(id)) {
                        throw new IllegalArgumentException("label token '" + tokenizer.idToToken(id)
                                + "' is given to more than one class");
                    }
                    spelled.add(tokenizer.idToToken(id));
                }
                words.put(label, spelled);
            });
            return classToIds;
        }

        private List<Instance> encode(TemplateEncoder encoder, Objective objective, List<Example> examples,
                String set) {
            Tokenizer tokenizer = model.tokenizer();
            Set<Integer> candidateSet = new HashSet<>();
            if (objective.mode() == SearchMode.FACT_RETRIEVAL) {
                Arrays.stream(objective.devIds()).forEach(candidateSet::add);
            }
            List<Instance> out = new ArrayList<>(examples.size());
            for (Example e : examples) {
                EncodedPrompt prompt = encoder.encode(e.valuesFor(template));
                if (objective.mode() == SearchMode.CLASSIFICATION) {
                    int c = objective.classes().indexOf(e.label());
                    if (c < 0) {
                        throw new IllegalArgumentException(set + " example " + e.fields() + " has label '" + e.label()
                                + "', which is not one of the classes " + objective.classes());
                    }
                    out.add(new Instance(prompt, prompt.triggerPositions(), objective.classIds()[c], c));
                } else {
                    int id = FactRetrieval.objectId(tokenizer, e);
                    if (!candidateSet.contains(id)) {
                        throw new IllegalArgumentException(set + " fact " + e.fields() + " has object '" + e.label()
                                + "', which is not in the candidate vocabulary; filter the facts to it");
                    }
                    out.add(new Instance(prompt, prompt.triggerPositions(), new int[] {id}, -1));
                }
            }
            return out;
        }
    }
}
