package io.github.prompt4j.search.trigger;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.GradientRequest;
import io.github.prompt4j.core.model.LabelLossGradient;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.search.protocol.Protocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * One execution of a configured {@link TriggerSearch} over its {@link SearchData}: the steps, the counters and the
 * clock. Made by {@link TriggerSearch#run()} and {@link TriggerSearch#resume}; used once, from one thread.
 */
final class SearchRun {

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

    SearchRun(MaskedLanguageModel model, Template template, TriggerSearchSettings settings, SearchData data,
            SearchListener listener, Duration timeBudget, LongSupplier ticker) {
        this.model = model;
        this.template = template;
        this.settings = settings;
        this.objective = data.objective();
        this.train = data.train();
        this.selection = data.selection();
        this.allowed = data.allowed();
        this.initialIds = data.initialIds();
        this.labelWords = data.objective().labelWords();
        this.listener = listener;
        this.timeBudget = timeBudget;
        this.ticker = ticker;
        this.selectionBatch = selectionBatch();
    }

    private long forward;
    private long gradient;
    private long startNanos;
    private long priorMillis;
    private PassCounts priorPasses = PassCounts.zero();
    /** The examples accepted steps are scored on: the whole selection split, or a fixed seeded part of it. */
    private final List<Instance> selectionBatch;

    /** Runs from {@code saved} ({@code null}: from the initial triggers) to the settings' step count or the budget. */
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
        List<Instance> drawn = new ArrayList<>(sample.length);
        for (int i : sample) {
            drawn.add(train.get(i));
        }
        for (List<Instance> chunk : batches(drawn, settings.gradientBatchSize())) {
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
        for (List<int[]> chunk : batches(jobs, settings.forwardBatchSize())) {
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
        Objective.Tally tally = objective.tally(examples.size());
        int[] ids = objective.selectionIds();
        for (List<Instance> chunk : batches(examples, settings.forwardBatchSize())) {
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
                state, Protocol.unrecorded(), Map.of(), List.of(), Optional.empty());
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

    /**
     * The one batching rule of a search: consecutive runs of {@code size} items (the last may be shorter), as views
     * of {@code items}. Gradient batches, candidate scoring and selection scoring all go through it.
     */
    static <T> List<List<T>> batches(List<T> items, int size) {
        List<List<T>> out = new ArrayList<>((items.size() + size - 1) / size);
        for (int from = 0; from < items.size(); from += size) {
            out.add(items.subList(from, Math.min(items.size(), from + size)));
        }
        return out;
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
        return TriggerSearchResult.spell(ids, model.tokenizer());
    }

    private String filled(int[] ids) {
        return TriggerSearchResult.fill(template.text(), ids, model.tokenizer());
    }
}
