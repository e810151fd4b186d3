package io.github.prompt4j.search.soft;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.GradientRequest;
import io.github.prompt4j.core.model.HeadLossGradient;
import io.github.prompt4j.core.model.HeadLossRequest;
import io.github.prompt4j.core.model.HeadTrainableModel;
import io.github.prompt4j.core.model.LabelLossGradient;
import io.github.prompt4j.core.model.LinearHead;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.core.model.MaskVectors;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.model.SoftInput;
import io.github.prompt4j.core.model.Tokenizer;
import io.github.prompt4j.core.template.SoftPrompt;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.template.TemplateEncoder;
import io.github.prompt4j.core.template.Truncation;
import io.github.prompt4j.core.template.TruncationSide;
import io.github.prompt4j.core.verbalizer.LabelWord;
import io.github.prompt4j.core.verbalizer.LinearVerbalizer;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.fact.FactRetrieval;
import io.github.prompt4j.search.fact.RankingMetrics;
import io.github.prompt4j.search.trigger.PassCounts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/**
 * Trains soft prompts (P-tuning, Liu et al. 2021; prompt tuning, Lester et al. 2021): continuous vectors for the
 * {@code [P]} slots of a template, with the masked language model frozen, so that the model puts probability on the
 * gold class's label words at the mask.
 *
 * <p>Loss per example: {@code -log sum_{w in gold class} p(w | mask)} at the first mask, from
 * {@link MaskedLanguageModel#labelLossGradients} with the slots' vectors as soft vectors and the slots' positions as
 * gradient positions. Each update averages the gradient over a mini-batch and takes one Adam step
 * ({@link SoftPromptSettings}) on the vectors only, with the learning rate of the {@link LearningRateSchedule}. After
 * every epoch the vectors are scored on the dev set (class score {@code log sum_{w in class} p(w)}, ties to the
 * first class); the result holds the vectors with the best dev accuracy (ties to the lower dev loss, then the
 * earlier epoch; the initial vectors count as epoch 0), and training stops after {@code patience} epochs without
 * a strictly better dev accuracy.
 *
 * <pre>{@code
 * SoftPromptResult r = SoftPromptTrainer.builder(model)
 *         .template(Template.parse("{sentence} [P] [P] [P] [MASK] ."))
 *         .verbalizer(Verbalizer.builder().add("negative", "terrible").add("positive", "great").build())
 *         .train(split.search()).selection(split.selection()).initWords(List.of("it", "was", "really")).epochs(10).seed(1)
 *         .build().run();
 * PromptClassifier c = r.classifier(model);
 * }</pre>
 *
 * <p><b>Learned verbalizer</b> ({@link Builder#learnedVerbalizer}; WARP, Hambardzumyan et al. 2021): a linear head
 * on the mask's transformed state, initialised from the label words' output embeddings
 * ({@link LinearVerbalizer#fromLabelWords}), trained together with the vectors on the head's class cross-entropy
 * ({@link HeadTrainableModel#headLossGradients}: the vectors' gradient and the state, whose
 * {@link LinearHead#lossGradient} is the head's), one Adam over both; the dev evaluation classifies with the head
 * (its accuracy, and its mean cross-entropy as the loss), and the result keeps the best epoch's head with its vectors.
 *
 * <p><b>Fact retrieval</b> ({@link Builder#factRetrieval}; OptiPrompt, Zhong et al. 2021): each example's label is
 * its gold object token, the loss is {@code -log p(gold | mask)} over the whole vocabulary, and the dev metric is
 * precision at 1 among the candidate tokens (e.g. LAMA's common vocabulary), ties broken by the lower dev loss;
 * {@link SoftPromptResult#bestDevAccuracy()} then holds that precision and the result has no label words.
 *
 * <p>An optional {@linkplain Builder#timeBudget time budget} ends training before an update that would leave too
 * little time for the dev evaluation that follows it; the vectors at that point are evaluated like an epoch's.
 *
 * <p>Deterministic: epoch e shuffles with a generator seeded by {@code (seed, e)} and random initialisation uses
 * {@code seed}, so the same seed, data and model give the same vectors. Configured instances are immutable and
 * {@link #run()} may be called repeatedly (each run starts from the initial vectors). The model is shared, not
 * owned.
 *
 * <p>Precision: the dev evaluation is a forward pass at the model's precision (with prompt-onnx,
 * {@code OnnxMaskedLanguageModel.builder().precision(...)}); the training gradients are float32 whatever it is.
 */
public final class SoftPromptTrainer {

    /** One encoded example: prompt (with its soft-slot positions), gold label-word ids, gold class. */
    private record Instance(EncodedPrompt prompt, int[] gold, int goldClass) {
    }

    private final MaskedLanguageModel model;
    private final Template template;
    private final SoftPromptSettings settings;
    private final List<String> classes;
    private final int[][] classIds;
    private final int[] labelIds;
    private final Map<String, List<String>> labelWords;
    private final List<Instance> train;
    private final List<Instance> dev;
    private final float[][] initial;
    private final SoftPromptListener listener;
    private final int[] factCandidates;
    private final Duration timeBudget;
    private final LongSupplier ticker;
    /** The learned verbalizer's initial head; null without one. */
    private final LinearHead initialHead;

    private SoftPromptTrainer(Builder b, SoftPromptSettings settings, List<String> classes, int[][] classIds,
            Map<String, List<String>> labelWords, List<Instance> train, List<Instance> dev, float[][] initial,
            LinearHead initialHead) {
        this.initialHead = initialHead;
        this.model = b.model;
        this.template = b.template;
        this.settings = settings;
        this.classes = classes;
        this.classIds = classIds;
        this.labelIds = Arrays.stream(classIds).flatMapToInt(Arrays::stream).toArray();
        this.labelWords = labelWords;
        this.train = train;
        this.dev = dev;
        this.initial = initial;
        this.listener = b.listener;
        this.factCandidates = b.factCandidates;
        this.timeBudget = b.timeBudget;
        this.ticker = b.ticker;
    }

    /** A builder for training over {@code model}. */
    public static Builder builder(MaskedLanguageModel model) {
        return new Builder(model);
    }

    /** The settings, defaults filled in. */
    public SoftPromptSettings settings() {
        return settings;
    }

    /** The initial vectors (word embeddings or random draws), before any update. */
    public SoftPrompt initialSoftPrompt() {
        return SoftPrompt.of(initial);
    }

    /** Trains from the initial vectors and returns the vectors with the best dev accuracy. */
    public SoftPromptResult run() {
        long start = ticker.getAsLong();
        int slots = initial.length;
        int h = initial[0].length;
        float[] headFlat = initialHead == null ? new float[0] : initialHead.flatten();
        double[] params = new double[slots * h + headFlat.length];
        for (int s = 0; s < slots; s++) {
            for (int j = 0; j < h; j++) {
                params[s * h + j] = initial[s][j];
            }
        }
        for (int i = 0; i < headFlat.length; i++) {
            params[slots * h + i] = headFlat[i];
        }
        Adam adam = new Adam(params.length, settings.beta1(), settings.beta2(), settings.epsilon());
        int n = train.size();
        int batch = settings.batchSize();
        int perEpoch = (n + batch - 1) / batch;
        int total = perEpoch * settings.epochs();
        int warmup = (int) Math.floor(settings.warmupFraction() * total);
        long[] passes = new long[2];

        SoftPrompt best = vectors(params, slots, h);
        LinearHead bestHead = head(params, slots, h);
        double[] bestEval = evaluate(best, bestHead, passes);
        long evaluationNanos = ticker.getAsLong() - start;
        long longestUpdate = 0;
        boolean outOfTime = false;
        int bestEpoch = 0;
        int sinceBest = 0;
        List<Double> trainLosses = new ArrayList<>();
        List<Double> devAccuracies = new ArrayList<>();
        int epoch = 0;
        double lr = 0;
        while (!outOfTime && epoch < settings.epochs()
                && (settings.patience() == 0 || sinceBest < settings.patience())) {
            epoch++;
            int[] order = permutation(new SplittableRandom(settings.seed() ^ (0x9E3779B97F4A7C15L * epoch)), n);
            double lossSum = 0;
            int seen = 0;
            for (int from = 0; from < n; from += batch) {
                long updateStart = ticker.getAsLong();
                if (timeBudget != null && updateStart - start + longestUpdate + evaluationNanos
                        > timeBudget.toNanos()) {
                    outOfTime = true;
                    break;
                }
                SoftPrompt current = vectors(params, slots, h);
                LinearHead head = head(params, slots, h);
                int count = Math.min(n, from + batch) - from;
                double[] grad = new double[params.length];
                if (head == null) {
                    List<GradientRequest> requests = new ArrayList<>(count);
                    for (int i = from; i < from + count; i++) {
                        Instance inst = train.get(order[i]);
                        requests.add(new GradientRequest(inst.prompt(), inst.gold(),
                                current.atPositions(inst.prompt()), inst.prompt().softPositions()));
                    }
                    for (LabelLossGradient g : model.labelLossGradients(requests)) {
                        lossSum += g.loss();
                        addSlotGradients(grad, g, count);
                    }
                } else {
                    List<HeadLossRequest> requests = new ArrayList<>(count);
                    for (int i = from; i < from + count; i++) {
                        Instance inst = train.get(order[i]);
                        requests.add(new HeadLossRequest(inst.prompt(), inst.goldClass(),
                                current.atPositions(inst.prompt()), inst.prompt().softPositions()));
                    }
                    List<HeadLossGradient> grads = ((HeadTrainableModel) model).headLossGradients(requests, head);
                    for (int r = 0; r < count; r++) {
                        HeadLossGradient g = grads.get(r);
                        lossSum += g.loss();
                        addSlotGradients(grad, g.gradient(), count);
                        double[] hg = head.lossGradient(g.state(), requests.get(r).goldClass());
                        for (int i = 0; i < hg.length; i++) {
                            grad[slots * h + i] += hg[i] / count;
                        }
                    }
                }
                passes[1] += count;
                lr = settings.learningRate() * settings.schedule().factor(adam.steps() + 1, warmup, total);
                adam.step(params, grad, lr);
                seen += count;
                longestUpdate = Math.max(longestUpdate, ticker.getAsLong() - updateStart);
            }
            if (seen == 0) {
                epoch--;
                break;
            }
            SoftPrompt current = vectors(params, slots, h);
            LinearHead currentHead = head(params, slots, h);
            double[] eval = evaluate(current, currentHead, passes);
            trainLosses.add(lossSum / seen);
            devAccuracies.add(eval[0]);
            // Patience counts epochs without a strictly better accuracy; a lower loss at equal accuracy only
            // changes which vectors are kept.
            sinceBest = eval[0] > bestEval[0] ? 0 : sinceBest + 1;
            if (eval[0] > bestEval[0] || (eval[0] == bestEval[0] && eval[1] < bestEval[1])) {
                best = current;
                bestHead = currentHead;
                bestEval = eval;
                bestEpoch = epoch;
            }
            listener.onEpoch(new SoftPromptEpoch(epoch, settings.epochs(), lossSum / seen, eval[0], eval[1],
                    bestEval[0], bestEpoch, lr, new PassCounts(passes[0], passes[1]),
                    Duration.ofNanos(ticker.getAsLong() - start)));
        }
        return new SoftPromptResult(model.info().name(), template.text(), labelWords, best, settings, bestEval[0],
                bestEval[1], bestEpoch, epoch, trainLosses, devAccuracies, new PassCounts(passes[0], passes[1]),
                (ticker.getAsLong() - start) / 1_000_000,
                java.util.Optional.ofNullable(bestHead).map(hd -> LinearVerbalizer.of(classes, hd)));
    }

    /** Adds one example's slot gradients, divided by the batch size, to the first {@code slots * h} entries. */
    private static void addSlotGradients(double[] grad, LabelLossGradient g, int count) {
        int h = g.dim();
        for (int s = 0; s < g.positions().length; s++) {
            float[] row = g.gradient(s);
            for (int j = 0; j < h; j++) {
                grad[s * h + j] += row[j] / count;
            }
        }
    }

    /** The learned head held in {@code params} after the vectors (float32, as the model sees it); null if none. */
    private LinearHead head(double[] params, int slots, int h) {
        if (initialHead == null) {
            return null;
        }
        float[] flat = new float[params.length - slots * h];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = (float) params[slots * h + i];
        }
        return LinearHead.fromFlat(initialHead.classes(), initialHead.hidden(), flat);
    }

    /**
     * Dev accuracy (fact retrieval: precision at 1 among the candidates) and mean dev label loss of a soft prompt.
     */
    private double[] evaluate(SoftPrompt vectors, LinearHead head, long[] passes) {
        if (factCandidates != null) {
            return evaluateFacts(vectors, passes);
        }
        if (head != null) {
            return evaluateHead(vectors, head, passes);
        }
        int correct = 0;
        double lossSum = 0;
        Map<Integer, Integer> column = new LinkedHashMap<>();
        for (int k = 0; k < labelIds.length; k++) {
            column.putIfAbsent(labelIds[k], k);
        }
        for (int from = 0; from < dev.size(); from += settings.forwardBatchSize()) {
            List<Instance> chunk = dev.subList(from, Math.min(dev.size(), from + settings.forwardBatchSize()));
            List<SoftInput> inputs = new ArrayList<>(chunk.size());
            for (Instance inst : chunk) {
                inputs.add(vectors.inputFor(inst.prompt()));
            }
            MaskLogits logits = model.softMaskLogits(inputs, labelIds);
            passes[0] += inputs.size();
            for (int p = 0; p < chunk.size(); p++) {
                int predicted = 0;
                double[] scores = new double[classIds.length];
                for (int c = 0; c < classIds.length; c++) {
                    double[] lp = new double[classIds[c].length];
                    for (int k = 0; k < lp.length; k++) {
                        lp[k] = logits.logProb(p, 0, column.get(classIds[c][k]));
                    }
                    scores[c] = logSumExp(lp);
                    if (scores[c] > scores[predicted]) {
                        predicted = c;
                    }
                }
                int gold = chunk.get(p).goldClass();
                correct += predicted == gold ? 1 : 0;
                lossSum -= scores[gold];
            }
        }
        return new double[] {(double) correct / dev.size(), lossSum / dev.size()};
    }

    /**
     * Dev accuracy of a learned head over the soft prompt's mask states (the most probable class, the first on a tie,
     * as {@code PromptClassifier} decides) and its mean cross-entropy.
     */
    private double[] evaluateHead(SoftPrompt vectors, LinearHead head, long[] passes) {
        int correct = 0;
        double lossSum = 0;
        for (int from = 0; from < dev.size(); from += settings.forwardBatchSize()) {
            List<Instance> chunk = dev.subList(from, Math.min(dev.size(), from + settings.forwardBatchSize()));
            List<SoftInput> inputs = new ArrayList<>(chunk.size());
            for (Instance inst : chunk) {
                inputs.add(vectors.inputFor(inst.prompt()));
            }
            MaskVectors states = ((HeadTrainableModel) model).softMaskHiddenStates(inputs);
            passes[0] += inputs.size();
            for (int p = 0; p < chunk.size(); p++) {
                double[] probs = head.probabilities(states.vector(p, 0));
                int predicted = 0;
                for (int c = 1; c < probs.length; c++) {
                    if (probs[c] > probs[predicted]) {
                        predicted = c;
                    }
                }
                int gold = chunk.get(p).goldClass();
                correct += predicted == gold ? 1 : 0;
                lossSum -= Math.log(probs[gold]);
            }
        }
        return new double[] {(double) correct / dev.size(), lossSum / dev.size()};
    }

    private double[] evaluateFacts(SoftPrompt vectors, long[] passes) {
        Map<Integer, Integer> column = new LinkedHashMap<>();
        for (int k = 0; k < factCandidates.length; k++) {
            column.putIfAbsent(factCandidates[k], k);
        }
        int[] ranks = new int[dev.size()];
        double lossSum = 0;
        float[] row = new float[factCandidates.length];
        for (int from = 0; from < dev.size(); from += settings.forwardBatchSize()) {
            List<Instance> chunk = dev.subList(from, Math.min(dev.size(), from + settings.forwardBatchSize()));
            List<SoftInput> inputs = new ArrayList<>(chunk.size());
            for (Instance inst : chunk) {
                inputs.add(vectors.inputFor(inst.prompt()));
            }
            MaskLogits logits = model.softMaskLogits(inputs, factCandidates);
            passes[0] += inputs.size();
            for (int p = 0; p < chunk.size(); p++) {
                int gold = column.get(chunk.get(p).gold()[0]);
                logits.logits().copyVector(p, 0, row, 0);
                ranks[from + p] = RankingMetrics.rank(row, gold);
                lossSum -= logits.logProb(p, 0, gold);
            }
        }
        return new double[] {RankingMetrics.fromRanks(ranks).precisionAt1(), lossSum / dev.size()};
    }

    private static double logSumExp(double[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            max = Math.max(max, v);
        }
        double s = 0;
        for (double v : x) {
            s += Math.exp(v - max);
        }
        return max + Math.log(s);
    }

    private static SoftPrompt vectors(double[] params, int slots, int h) {
        List<float[]> out = new ArrayList<>(slots);
        for (int s = 0; s < slots; s++) {
            float[] v = new float[h];
            for (int j = 0; j < h; j++) {
                v[j] = (float) params[s * h + j];
            }
            out.add(v);
        }
        return SoftPrompt.of(out);
    }

    private static int[] permutation(SplittableRandom rng, int n) {
        int[] perm = new int[n];
        Arrays.setAll(perm, i -> i);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        return perm;
    }

    /** Configures a {@link SoftPromptTrainer}. Not thread-safe. */
    public static final class Builder {
        private final MaskedLanguageModel model;
        private Template template;
        private Verbalizer verbalizer;
        private List<Example> trainExamples = List.of();
        private List<Example> devExamples = List.of();
        private List<String> initWords = List.of();
        private double initStd = 0.02;
        private double learningRate = 3e-3;
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double epsilon = 1e-8;
        private int batchSize = 8;
        private int epochs = 10;
        private double warmupFraction = 0.1;
        private LearningRateSchedule schedule = LearningRateSchedule.LINEAR;
        private int patience = 3;
        private int forwardBatchSize = 32;
        private int maxLength = 128;
        private long seed;
        private SoftPromptListener listener = SoftPromptListener.logging();
        private int[] factCandidates;
        private Duration timeBudget;
        private LongSupplier ticker = System::nanoTime;
        private boolean learnedVerbalizer;

        private Builder(MaskedLanguageModel model) {
            if (model == null) {
                throw new IllegalArgumentException("model must not be null");
            }
            this.model = model;
        }

        /** The template with {@code [P]} soft-prompt slots and a {@code [MASK]} (required). */
        public Builder template(Template template) {
            this.template = template;
            return this;
        }

        /** The classes and their label words, each a single word piece (required, unless fact retrieval). */
        public Builder verbalizer(Verbalizer verbalizer) {
            this.verbalizer = verbalizer;
            this.factCandidates = null;
            return this;
        }

        /**
         * Fact retrieval instead of classification: each example's label is its gold object (a single vocabulary
         * token among {@code candidateIds}), the loss is its negative log-probability over the whole vocabulary and
         * the dev metric precision at 1 among the candidates (OptiPrompt, Zhong et al. 2021).
         */
        public Builder factRetrieval(int[] candidateIds) {
            if (candidateIds == null || candidateIds.length == 0) {
                throw new IllegalArgumentException("fact retrieval needs candidate token ids, e.g. "
                        + "FactRetrieval.candidateIds(tokenizer, commonVocabulary)");
            }
            this.factCandidates = candidateIds.clone();
            this.verbalizer = null;
            return this;
        }

        /**
         * Wall-clock budget of a run (default: none): before each update the run stops if the time spent plus its
         * longest update and one dev evaluation would pass the budget.
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

        /**
         * Whether to train a learned verbalizer together with the vectors (default false): a linear head on the mask's
         * transformed state, initialised from the label words' output embeddings, trained on its class cross-entropy
         * and kept with the vectors in the result. Needs a {@link HeadTrainableModel} (prompt-onnx's
         * {@code OnnxMaskedLanguageModel}); not with fact retrieval.
         */
        public Builder learnedVerbalizer(boolean learned) {
            this.learnedVerbalizer = learned;
            return this;
        }

        /** The clock, in nanoseconds (default {@link System#nanoTime}); tests drive the time budget with it. */
        Builder ticker(LongSupplier nanos) {
            this.ticker = nanos;
            return this;
        }

        /** Training examples (required, non-empty, every class represented). */
        public Builder train(List<Example> examples) {
            this.trainExamples = List.copyOf(examples);
            return this;
        }

        /**
         * The selection split, for choosing the best vectors and early stopping (required, non-empty): labelled
         * examples set aside from the training data (e.g. {@code SelectionSplit.carve}, or a few-shot task's own dev
         * split), never the data that is reported.
         */
        public Builder selection(List<Example> examples) {
            this.devExamples = List.copyOf(examples);
            return this;
        }

        /**
         * The former name of {@link #selection}.
         *
         * @deprecated the set the trainer chooses on is a selection split, not the reported dev file; use
         *             {@link #selection}
         */
        @Deprecated
        public Builder dev(List<Example> examples) {
            return selection(examples);
        }

        /** Start each slot at the input embedding of a vocabulary word, one per slot in order. */
        public Builder initWords(List<String> words) {
            this.initWords = List.copyOf(words);
            return this;
        }

        /**
         * Start from values drawn from {@code N(0, std^2)} with the seed (the default, with std 0.02, BERT's
         * initialiser range).
         */
        public Builder initRandom(double std) {
            this.initStd = std;
            this.initWords = List.of();
            return this;
        }

        /** Adam's base learning rate (default 3e-3). */
        public Builder learningRate(double lr) {
            this.learningRate = lr;
            return this;
        }

        /** Adam's moment decays (default 0.9, 0.999). */
        public Builder betas(double beta1, double beta2) {
            this.beta1 = beta1;
            this.beta2 = beta2;
            return this;
        }

        /** Adam's epsilon (default 1e-8). */
        public Builder epsilon(double epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        /** Training examples per update (default 8). */
        public Builder batchSize(int size) {
            this.batchSize = size;
            return this;
        }

        /** Most passes over the training set (default 10). */
        public Builder epochs(int epochs) {
            this.epochs = epochs;
            return this;
        }

        /** Fraction of all updates in linear warmup (default 0.1). */
        public Builder warmupFraction(double fraction) {
            this.warmupFraction = fraction;
            return this;
        }

        /** Decay after warmup (default {@link LearningRateSchedule#LINEAR}). */
        public Builder schedule(LearningRateSchedule schedule) {
            this.schedule = schedule;
            return this;
        }

        /** Epochs without a better dev accuracy before stopping (default 3; 0 = never stop early). */
        public Builder patience(int epochs) {
            this.patience = epochs;
            return this;
        }

        /** Dev sequences per forward call (default 32). */
        public Builder forwardBatchSize(int size) {
            this.forwardBatchSize = size;
            return this;
        }

        /** Longest prompt in tokens, special tokens included (default 128, capped at the model's limit). */
        public Builder maxLength(int tokens) {
            this.maxLength = tokens;
            return this;
        }

        /** The random seed (default 0). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Progress listener (default {@link SoftPromptListener#logging()}). */
        public Builder listener(SoftPromptListener listener) {
            if (listener == null) {
                throw new IllegalArgumentException("listener must not be null; use SoftPromptListener.none()");
            }
            this.listener = listener;
            return this;
        }

        /**
         * Validates the configuration, encodes the examples and prepares the initial vectors.
         *
         * @throws IllegalArgumentException naming the problem: no template or one without {@code [P]}, no
         *         verbalizer, a label word that is not a single word piece, an empty training or dev set, a class
         *         without training examples, an example label that is not a class, a number of init words that
         *         differs from the slots or a word absent from the vocabulary, an invalid setting
         */
        public SoftPromptTrainer build() {
            if (template == null) {
                throw new IllegalArgumentException("set a template with soft-prompt slots, e.g. "
                        + "Template.parse(\"{sentence} [P] [P] [P] [MASK] .\")");
            }
            if (template.softCount() == 0) {
                throw new IllegalArgumentException("template '" + template.text() + "' has no soft-prompt slot [P]; "
                        + "add slots to train, e.g. '" + template.text().replace("[MASK]", "[P] [P] [P] [MASK]")
                        + "'");
            }
            if (verbalizer == null && factCandidates == null) {
                throw new IllegalArgumentException("set the label words: verbalizer(Verbalizer.builder()...), or "
                        + "choose factRetrieval(candidateIds)");
            }
            if (trainExamples.isEmpty()) {
                throw new IllegalArgumentException("the training set is empty; pass examples with train(...)");
            }
            if (devExamples.isEmpty()) {
                throw new IllegalArgumentException("the dev set (selection split) is empty; pass examples with selection(...) to select the "
                        + "best vectors");
            }
            Tokenizer tokenizer = model.tokenizer();
            int slots = template.softCount();
            SoftPromptSettings settings = new SoftPromptSettings(initWords.isEmpty() ? SoftPromptInit.RANDOM_NORMAL
                    : SoftPromptInit.WORDS, initWords, initStd, learningRate, beta1, beta2, epsilon, batchSize,
                    epochs, warmupFraction, schedule, patience, forwardBatchSize,
                    Math.min(maxLength, tokenizer.maxSequenceLength()), seed);

            if (learnedVerbalizer && factCandidates != null) {
                throw new IllegalArgumentException("a learned verbalizer scores classes; fact retrieval ranks "
                        + "vocabulary tokens, so drop learnedVerbalizer(true)");
            }
            if (learnedVerbalizer && !(model instanceof HeadTrainableModel)) {
                throw new IllegalArgumentException("model '" + model.info().name() + "' cannot train a learned "
                        + "verbalizer with soft prompts (it is not a HeadTrainableModel); use prompt-onnx's "
                        + "OnnxMaskedLanguageModel or drop learnedVerbalizer(true)");
            }
            if (factCandidates != null) {
                TemplateEncoder encoder = template.encoder(tokenizer, Truncation.of(settings.maxLength(),
                        TruncationSide.TAIL));
                return new SoftPromptTrainer(this, settings, List.of(), new int[0][], Map.of(),
                        encodeFacts(encoder, trainExamples, "training"), encodeFacts(encoder, devExamples, "dev"),
                        initialVectors(settings, slots), null);
            }
            List<String> classes = verbalizer.labels();
            Map<String, LinkedHashSet<Integer>> ids = new LinkedHashMap<>();
            classes.forEach(c -> ids.put(c, new LinkedHashSet<>()));
            for (LabelWord w : verbalizer.resolve(tokenizer)) {
                if (!w.singlePiece()) {
                    throw new IllegalArgumentException("label word '" + w.word() + "' of class '" + w.label()
                            + "' is " + w.pieceIds().length + " word pieces " + w.pieces() + "; soft-prompt "
                            + "training needs single-piece label words");
                }
                ids.get(w.label()).add(w.pieceIds()[0]);
            }
            int[][] classIds = new int[classes.size()][];
            for (int c = 0; c < classIds.length; c++) {
                classIds[c] = ids.get(classes.get(c)).stream().mapToInt(Integer::intValue).toArray();
            }
            TemplateEncoder encoder = template.encoder(tokenizer, Truncation.of(settings.maxLength(),
                    TruncationSide.TAIL));
            List<Instance> trainSet = encode(encoder, classes, classIds, trainExamples, "training");
            List<Instance> devSet = encode(encoder, classes, classIds, devExamples, "dev");
            int[] counts = new int[classes.size()];
            trainSet.forEach(i -> counts[i.goldClass()]++);
            for (int c = 0; c < counts.length; c++) {
                if (counts[c] == 0) {
                    throw new IllegalArgumentException("class '" + classes.get(c) + "' has no training example; "
                            + "every class of the verbalizer needs at least one");
                }
            }
            return new SoftPromptTrainer(this, settings, classes, classIds, verbalizer.words(), trainSet, devSet,
                    initialVectors(settings, slots),
                    learnedVerbalizer ? LinearVerbalizer.fromLabelWords(verbalizer, model).head() : null);
        }

        private float[][] initialVectors(SoftPromptSettings settings, int slots) {
            int h = model.info().hiddenSize();
            float[][] out = new float[slots][h];
            if (settings.init() == SoftPromptInit.WORDS) {
                if (initWords.size() != slots) {
                    throw new IllegalArgumentException(initWords.size() + " init words " + initWords + " for "
                            + slots + " soft-prompt slot(s) [P] of template '" + template.text()
                            + "'; give one word per slot");
                }
                for (int s = 0; s < slots; s++) {
                    out[s] = model.inputEmbeddings().row(wordId(initWords.get(s)));
                }
            } else {
                Random random = new Random(settings.seed());
                for (float[] v : out) {
                    for (int j = 0; j < h; j++) {
                        v[j] = (float) (settings.initStd() * random.nextGaussian());
                    }
                }
            }
            return out;
        }

        private int wordId(String word) {
            Tokenizer tokenizer = model.tokenizer();
            OptionalInt id = tokenizer.tokenToId(word);
            if (id.isPresent()) {
                return id.getAsInt();
            }
            int[] pieces = tokenizer.encode(word).ids();
            if (pieces.length != 1 || pieces[0] == tokenizer.specialTokens().unk()) {
                throw new IllegalArgumentException("init word '" + word + "' is not a single vocabulary token (it "
                        + "encodes to " + pieces.length + " piece(s) "
                        + Arrays.stream(pieces).mapToObj(tokenizer::idToToken).toList()
                        + "); use a word of the vocabulary");
            }
            return pieces[0];
        }

        private List<Instance> encodeFacts(TemplateEncoder encoder, List<Example> examples, String set) {
            Set<Integer> candidates = new HashSet<>();
            Arrays.stream(factCandidates).forEach(candidates::add);
            List<Instance> out = new ArrayList<>(examples.size());
            for (Example e : examples) {
                int id = FactRetrieval.objectId(model.tokenizer(), e);
                if (!candidates.contains(id)) {
                    throw new IllegalArgumentException(set + " fact " + e.fields() + " has object '" + e.label()
                            + "', which is not among the candidate tokens; filter the facts to them");
                }
                out.add(new Instance(encoder.encode(e.valuesFor(template)), new int[] {id}, -1));
            }
            return out;
        }

        private List<Instance> encode(TemplateEncoder encoder, List<String> classes, int[][] classIds,
                List<Example> examples, String set) {
            List<Instance> out = new ArrayList<>(examples.size());
            for (Example e : examples) {
                int c = classes.indexOf(e.label());
                if (c < 0) {
                    throw new IllegalArgumentException(set + " example " + e.fields() + " has label '" + e.label()
                            + "', which is not one of the classes " + classes);
                }
                out.add(new Instance(encoder.encode(e.valuesFor(template)), classIds[c], c));
            }
            return out;
        }
    }
}
