package io.github.prompt4j.search.label;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.MaskStateCache;
import io.github.prompt4j.core.model.MaskVectors;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.model.Prefix;
import io.github.prompt4j.core.model.PrefixTunableModel;
import io.github.prompt4j.core.model.SoftInput;
import io.github.prompt4j.core.model.Tokenizer;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.template.TemplateEncoder;
import io.github.prompt4j.core.template.Truncation;
import io.github.prompt4j.core.template.TruncationSide;
import io.github.prompt4j.core.verbalizer.LinearVerbalizer;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.trigger.PassCounts;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns a {@link LinearVerbalizer}: a multinomial logistic regression on the MLM head's transformed mask state
 * ({@link MaskedLanguageModel#maskHiddenStates}) of the training prompts, the model frozen.
 *
 * <p>The weights start at, and are pulled towards, the label words' output embeddings and biases
 * ({@link LinearVerbalizer#fromLabelWords}, the initialisation of WARP, Hambardzumyan et al. 2021, and of prototypical
 * verbalizers): the objective is {@code mean cross-entropy + (l2/2) sum_c |w_c - e_c|^2}, biases free. A strong
 * penalty keeps the label words' own classifier, a weak one gives a free logistic regression (AutoPrompt's label-word
 * classifier, Shin et al. 2020). The objective is strictly convex, so L-BFGS (to convergence) finds its one optimum and
 * no early stopping is needed: the L2 strength is what regularises, and it is chosen on selection examples, by
 * accuracy and then by cross-entropy. The selection examples are given, or carved from the training examples
 * (stratified, seeded); nothing else is read. With {@code refit} the chosen strength is then fitted on training and
 * selection examples together. With {@link Builder#crossValidation} the strength is chosen instead by stratified k-fold
 * cross-validation over training and selection examples together (each scored by the fit on the other folds), then
 * fitted on all of them: for few-shot data, where a small dev split decides by single examples.
 *
 * <p>With {@link Builder#prefix} the states are read under a fixed prefix-tuning prefix: the warm start of a head that
 * trains with that prefix ({@code PrefixTuner.Builder.initialHead}); even a small prefix takes a share of every
 * attention and moves the states, so a head fitted without it starts worse under it.
 *
 * <p>With {@link Builder#stateCache} the states are read through a {@link MaskStateCache}: examples another fit (or a
 * classifier) already read under the same template cost no forward pass, which matters when several learned
 * verbalizers are fitted on overlapping examples (a teacher's and its students' in self-training).
 *
 * <p>Cost: one forward pass per training and selection example not in the state cache; the fits take milliseconds to
 * seconds.
 * {@link Builder#build()} only configures; {@link #run()} does the work. Not thread-safe; the model is shared.
 */
public final class VerbalizerTrainer {

    private static final Logger log = LoggerFactory.getLogger(VerbalizerTrainer.class);

    private final MaskedLanguageModel model;
    private final Template template;
    private final Verbalizer verbalizer;
    private final List<Example> train;
    private final List<Example> selection;
    private final VerbalizerSettings settings;
    private final int batchSize;
    private final Prefix prefix;
    private final MaskStateCache cache;

    private VerbalizerTrainer(Builder b) {
        this.model = b.model;
        this.template = b.template;
        this.verbalizer = b.verbalizer;
        this.train = b.train;
        this.selection = b.selection;
        this.settings = new VerbalizerSettings(b.l2Grid, b.selection == null ? b.selectionFraction : 0, b.seed,
                b.refit, b.maxIterations, b.maxLength, b.folds);
        this.batchSize = b.batchSize;
        this.prefix = b.prefix;
        this.cache = b.cache;
    }

    /** A builder for a trainer over {@code model}. */
    public static Builder builder(MaskedLanguageModel model) {
        return new Builder(model);
    }

    /**
     * The training examples actually fitted and the selection examples, in that order: the given selection set, or a
     * stratified, seeded split of the training examples ({@code round(fraction * n_c)} of each class, at least one,
     * and at least one left to fit).
     */
    List<List<Example>> split() {
        if (selection != null) {
            return List.of(train, selection);
        }
        Map<String, List<Example>> byClass = new LinkedHashMap<>();
        verbalizer.labels().forEach(c -> byClass.put(c, new ArrayList<>()));
        for (Example e : train) {
            List<Example> items = byClass.get(e.label());
            if (items == null) {
                throw new IllegalArgumentException("training example with label '" + e.label() + "' names no class "
                        + "of " + verbalizer.labels() + "; give label words for every class");
            }
            items.add(e);
        }
        Random random = new Random(settings.seed());
        List<Example> fit = new ArrayList<>();
        List<Example> held = new ArrayList<>();
        for (Map.Entry<String, List<Example>> e : byClass.entrySet()) {
            List<Example> items = new ArrayList<>(e.getValue());
            Collections.shuffle(items, random);
            int n = items.size();
            if (n < 2) {
                throw new IllegalArgumentException("class '" + e.getKey() + "' has " + n + " training example(s); "
                        + "carving a selection split needs at least 2 per class, or give selection(...) examples");
            }
            int k = Math.max(1, Math.min(n - 1, (int) Math.round(settings.selectionFraction() * n)));
            held.addAll(items.subList(0, k));
            fit.addAll(items.subList(k, n));
        }
        return List.of(fit, held);
    }

    /** Extracts the mask states, fits every L2 strength, keeps the best on the selection examples. */
    public LearnedVerbalizerResult run() {
        Fitted f = fit();
        return new LearnedVerbalizerResult(model.info().name(), template.text(), verbalizer.words(), f.verbalizer(),
                settings, f.chosenL2(), f.initialSelectionAccuracy(), f.scores(), f.trainExamples(),
                f.selectionExamples(), f.passes(), f.millis(), prefix);
    }

    /**
     * What {@link #fit()} learned: the weights, the chosen strength, every strength's selection score, the label words'
     * own selection accuracy, the examples fitted and scored, the passes and the wall time.
     */
    record Fitted(LinearVerbalizer verbalizer, double chosenL2, double initialSelectionAccuracy,
            List<SelectionScore> scores, int trainExamples, int selectionExamples, PassCounts passes, long millis) {

        /** The chosen strength's selection accuracy. */
        double selectionAccuracy() {
            return SelectionScore.accuracyAt(scores, chosenL2);
        }
    }

    /** The work of {@link #run()}, for any template this trainer accepts (bound triggers included, see the builder). */
    Fitted fit() {
        long t0 = System.nanoTime();
        List<List<Example>> parts = split();
        List<Example> fit = parts.get(0);
        List<Example> held = parts.get(1);
        LinearVerbalizer init = LinearVerbalizer.fromLabelWords(verbalizer, model);
        int cachedBefore = cache == null ? 0 : cache.size();
        Tokenizer tokenizer = model.tokenizer();
        TemplateEncoder encoder = template.encoder(tokenizer,
                Truncation.of(Math.min(settings.maxLength(), tokenizer.maxSequenceLength()), TruncationSide.TAIL));
        Features xf = features(encoder, fit, "training");
        Features xs = features(encoder, held, "selection");
        int classes = init.classCount();
        double[][] centre = new double[classes][];
        double[] startBias = new double[classes];
        for (int c = 0; c < classes; c++) {
            float[] w = init.weights(c);
            centre[c] = new double[w.length];
            for (int j = 0; j < w.length; j++) {
                centre[c][j] = w[j];
            }
            startBias[c] = init.bias()[c];
        }
        Features all = concat(xf, xs);
        boolean cv = settings.folds() >= 2;
        SelectionScore initial = score(toFit(init), cv ? all : xs, 0, 0);
        log.info("label words alone: selection accuracy {} on {} examples", fmt(initial.accuracy()),
                cv ? all.x.length : held.size());
        int[] fold = cv ? folds(all.y, classes, settings.folds(), settings.seed()) : null;
        List<SelectionScore> scores = new ArrayList<>();
        SelectionScore best = null;
        LogisticRegression.Fit bestFit = null;
        for (double l2 : settings.l2Grid()) {
            // under cross-validation no single fit is kept: the chosen strength is refit on all examples below
            LogisticRegression.Fit f = null;
            SelectionScore s;
            if (cv) {
                s = crossValidate(all, fold, classes, l2, centre, startBias);
            } else {
                f = LogisticRegression.fit(xf.x, xf.y, classes, l2, centre, startBias, settings.maxIterations(), 1e-6);
                s = score(f, xs, l2, f.iterations());
            }
            scores.add(s);
            log.info("l2 {}: {} accuracy {}, cross-entropy {}, {} L-BFGS iterations", l2,
                    cv ? "cross-validated" : "selection", fmt(s.accuracy()), fmt(s.logLoss()), s.iterations());
            if (best == null || s.accuracy() > best.accuracy()
                    || (s.accuracy() == best.accuracy() && s.logLoss() < best.logLoss())) {
                best = s;
                bestFit = f;
            }
        }
        LogisticRegression.Fit chosen = bestFit;
        if (settings.refit()) {
            chosen = LogisticRegression.fit(all.x, all.y, classes, best.l2(), centre, startBias,
                    settings.maxIterations(), 1e-6);
        }
        List<float[]> weights = new ArrayList<>(classes);
        float[] bias = new float[classes];
        for (int c = 0; c < classes; c++) {
            float[] row = new float[chosen.weights()[c].length];
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) chosen.weights()[c][j];
            }
            weights.add(row);
            bias[c] = (float) chosen.bias()[c];
        }
        LinearVerbalizer learned = LinearVerbalizer.of(init.labels(), weights, bias);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        log.info("learned verbalizer: l2 {} chosen (selection accuracy {}), {} ms", best.l2(), fmt(best.accuracy()),
                millis);
        return new Fitted(learned, best.l2(), initial.accuracy(), List.copyOf(scores), cv ? all.x.length : fit.size(),
                cv ? all.x.length : held.size(),
                new PassCounts(cache == null ? fit.size() + held.size() : cache.size() - cachedBefore, 0), millis);
    }

    /** The mask states of the examples as double rows, with class indices. */
    private Features features(TemplateEncoder encoder, List<Example> examples, String what) {
        int dim = model.info().hiddenSize();
        double[][] x = new double[examples.size()][dim];
        int[] y = new int[examples.size()];
        float[] row = new float[dim];
        for (int from = 0; from < examples.size(); from += batchSize) {
            List<Example> chunk = examples.subList(from, Math.min(examples.size(), from + batchSize));
            List<EncodedPrompt> prompts = new ArrayList<>(chunk.size());
            for (Example e : chunk) {
                prompts.add(encoder.encode(e.valuesFor(template)));
            }
            MaskVectors h;
            if (prefix != null) {
                h = ((PrefixTunableModel) model).prefixMaskHiddenStates(
                        prompts.stream().map(SoftInput::discrete).toList(), prefix);
            } else {
                h = cache == null ? model.maskHiddenStates(prompts) : cache.maskHiddenStates(prompts);
            }
            for (int p = 0; p < chunk.size(); p++) {
                h.copyVector(p, 0, row, 0);
                for (int j = 0; j < dim; j++) {
                    x[from + p][j] = row[j];
                }
                int c = verbalizer.labels().indexOf(chunk.get(p).label());
                if (c < 0) {
                    throw new IllegalArgumentException(what + " example with label '" + chunk.get(p).label()
                            + "' names no class of " + verbalizer.labels() + "; give label words for every class");
                }
                y[from + p] = c;
            }
            log.debug("{} mask states: {} of {}", what, from + chunk.size(), examples.size());
        }
        return new Features(x, y);
    }

    private record Features(double[][] x, int[] y) {
    }

    /** The rows of {@code a}, then those of {@code b}. */
    private static Features concat(Features a, Features b) {
        double[][] x = new double[a.x.length + b.x.length][];
        int[] y = new int[x.length];
        System.arraycopy(a.x, 0, x, 0, a.x.length);
        System.arraycopy(b.x, 0, x, a.x.length, b.x.length);
        System.arraycopy(a.y, 0, y, 0, a.y.length);
        System.arraycopy(b.y, 0, y, a.y.length, b.y.length);
        return new Features(x, y);
    }

    /**
     * Stratified fold of every row: each class's rows shuffled with {@code seed}, then dealt to the folds in turn,
     * the next class continuing where the last one stopped, so fold sizes differ by at most one.
     */
    static int[] folds(int[] y, int classes, int k, long seed) {
        if (y.length < k) {
            throw new IllegalArgumentException(k + "-fold cross-validation needs at least " + k + " examples, got "
                    + y.length + "; use fewer folds or a selection set");
        }
        Random random = new Random(seed);
        int[] fold = new int[y.length];
        int next = 0;
        for (int c = 0; c < classes; c++) {
            List<Integer> rows = new ArrayList<>();
            for (int i = 0; i < y.length; i++) {
                if (y[i] == c) {
                    rows.add(i);
                }
            }
            Collections.shuffle(rows, random);
            for (int i : rows) {
                fold[i] = next++ % k;
            }
        }
        return fold;
    }

    /**
     * The out-of-fold score of one strength: each fold classified by the fit on the other folds, accuracy and
     * cross-entropy pooled over every row; the iterations are the folds' total.
     */
    private SelectionScore crossValidate(Features all, int[] fold, int classes, double l2, double[][] centre,
            double[] startBias) {
        int correct = 0;
        double loss = 0;
        int iterations = 0;
        for (int f = 0; f < settings.folds(); f++) {
            List<Integer> in = new ArrayList<>();
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < fold.length; i++) {
                (fold[i] == f ? out : in).add(i);
            }
            LogisticRegression.Fit fit = LogisticRegression.fit(rows(all.x, in), ints(all.y, in), classes, l2, centre,
                    startBias, settings.maxIterations(), 1e-6);
            SelectionScore s = score(fit, new Features(rows(all.x, out), ints(all.y, out)), l2, 0);
            correct += (int) Math.round(s.accuracy() * out.size());
            loss += s.logLoss() * out.size();
            iterations += fit.iterations();
        }
        return new SelectionScore(l2, (double) correct / fold.length, loss / fold.length, iterations);
    }

    private static double[][] rows(double[][] x, List<Integer> which) {
        return which.stream().map(i -> x[i]).toArray(double[][]::new);
    }

    private static int[] ints(int[] y, List<Integer> which) {
        return which.stream().mapToInt(i -> y[i]).toArray();
    }

    private static LogisticRegression.Fit toFit(LinearVerbalizer v) {
        double[][] w = new double[v.classCount()][v.dim()];
        double[] b = new double[v.classCount()];
        for (int c = 0; c < w.length; c++) {
            float[] row = v.weights(c);
            for (int j = 0; j < row.length; j++) {
                w[c][j] = row[j];
            }
            b[c] = v.bias()[c];
        }
        return new LogisticRegression.Fit(w, b, 0, Double.NaN);
    }

    /** Accuracy and mean cross-entropy of a fit on the selection features. */
    private static SelectionScore score(LogisticRegression.Fit f, Features s, double l2, int iterations) {
        int correct = 0;
        double loss = 0;
        int classes = f.weights().length;
        double[] z = new double[classes];
        for (int i = 0; i < s.x.length; i++) {
            double max = Double.NEGATIVE_INFINITY;
            int best = 0;
            for (int c = 0; c < classes; c++) {
                double v = f.bias()[c];
                for (int j = 0; j < s.x[i].length; j++) {
                    v += f.weights()[c][j] * s.x[i][j];
                }
                z[c] = v;
                if (v > max) {
                    max = v;
                    best = c;
                }
            }
            double sum = 0;
            for (double v : z) {
                sum += Math.exp(v - max);
            }
            loss += max + Math.log(sum) - z[s.y[i]];
            correct += best == s.y[i] ? 1 : 0;
        }
        return new SelectionScore(l2, (double) correct / s.x.length, loss / s.x.length, iterations);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    /** Configures a {@link VerbalizerTrainer}; {@link #build()} only checks and copies. Not thread-safe. */
    public static final class Builder {
        private final MaskedLanguageModel model;
        private Template template;
        private Verbalizer verbalizer;
        private List<Example> train;
        private List<Example> selection;
        private List<Double> l2Grid = VerbalizerSettings.DEFAULT_L2_GRID;
        private double selectionFraction = 0.2;
        private long seed = 42;
        private boolean refit = true;
        private int maxIterations = 500;
        private int maxLength = 128;
        private int batchSize = 64;
        private Prefix prefix;
        private int folds;
        private MaskStateCache cache;
        private boolean boundTriggers;

        private Builder(MaskedLanguageModel model) {
            if (model == null) {
                throw new IllegalArgumentException("model must not be null");
            }
            this.model = model;
        }

        /** The cloze template with one {@code [MASK]} (required). */
        public Builder template(Template template) {
            this.template = template;
            return this;
        }

        /** The label words the weights start from and are pulled towards, one class per data label (required). */
        public Builder verbalizer(Verbalizer verbalizer) {
            this.verbalizer = verbalizer;
            return this;
        }

        /** The training examples (required). */
        public Builder train(List<Example> train) {
            this.train = train == null ? null : List.copyOf(train);
            return this;
        }

        /**
         * Selection examples, e.g. a few-shot dev split; by default a {@link #selectionFraction} of the training
         * examples is held out instead. Never the examples a result is reported on.
         */
        public Builder selection(List<Example> selection) {
            this.selection = selection == null ? null : List.copyOf(selection);
            return this;
        }

        /** The share of each class held out for selection when no selection set is given (default 0.2). */
        public Builder selectionFraction(double fraction) {
            this.selectionFraction = fraction;
            return this;
        }

        /** The L2 strengths tried (default {@link VerbalizerSettings#DEFAULT_L2_GRID}). */
        public Builder l2Grid(List<Double> grid) {
            this.l2Grid = grid;
            return this;
        }

        /** Seed of the selection split (default 42). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Whether the chosen strength is fitted again on training and selection examples (default true). */
        public Builder refit(boolean refit) {
            this.refit = refit;
            return this;
        }

        /** L-BFGS iteration cap per fit (default 500). */
        public Builder maxIterations(int maxIterations) {
            this.maxIterations = maxIterations;
            return this;
        }

        /** Longest prompt in tokens (default 128, at most the model's limit). */
        public Builder maxLength(int maxLength) {
            this.maxLength = maxLength;
            return this;
        }

        /** Prompts per model call (default 64). */
        public Builder batchSize(int batchSize) {
            if (batchSize <= 0) {
                throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Reads the mask states under this fixed prefix (default none); the model must run prefixes
         * ({@link PrefixTunableModel}). The result then classifies under the prefix and is not saved alone.
         */
        public Builder prefix(Prefix prefix) {
            this.prefix = prefix;
            return this;
        }

        /**
         * Reads the mask states through {@code cache} (default none: every example runs through the model): states
         * it holds cost no forward pass, and those computed here are added to it. The cache must be over this
         * trainer's model; not with {@link #prefix}, whose states depend on the prefix.
         */
        public Builder stateCache(MaskStateCache cache) {
            this.cache = cache;
            return this;
        }

        /**
         * Chooses the L2 strength by stratified, seeded k-fold cross-validation over the training and selection
         * examples together instead of on the selection examples alone (default 0: off), then fits the chosen
         * strength on all of them. For few-shot data, where a 32-example dev split decides by single examples: every
         * labelled example then both trains and selects, each fold's score from a fit that did not see it. The
         * mask states are read once; the fits cost {@code k} times the grid's.
         */
        public Builder crossValidation(int folds) {
            this.folds = folds;
            return this;
        }

        /**
         * Accepts a template whose trigger slots are bound ({@link Template#withTriggerIds}), for {@link #fit()}
         * (the head of a trigger-search result, {@link LearnedHeadStage}); {@link #run()}'s result holds discrete
         * templates only.
         */
        Builder boundTriggers() {
            this.boundTriggers = true;
            return this;
        }

        /**
         * Checks the configuration.
         *
         * @throws IllegalArgumentException for a missing template, verbalizer or training set, a template with
         *         {@code [T]} or {@code [P]} slots, an empty selection set, a prefix on a model that runs none, a state
         *         cache over another model or with a prefix, or invalid settings
         */
        public VerbalizerTrainer build() {
            if (template == null) {
                throw new IllegalArgumentException("set a template: builder.template(Template.parse(\"{sentence} It "
                        + "was [MASK] .\"))");
            }
            boolean unbound = template.triggerCount() > 0 && !(boundTriggers && template.triggerIds().isPresent());
            if (unbound || template.softCount() > 0) {
                throw new IllegalArgumentException("template '" + template.text() + "' has [T] or [P] slots; a "
                        + "learned verbalizer is trained on a discrete template (bind the triggers first)");
            }
            if (verbalizer == null) {
                throw new IllegalArgumentException("set the label words the weights start from: builder.verbalizer("
                        + "Verbalizer.builder().add(\"0\", \"terrible\").add(\"1\", \"great\").build())");
            }
            if (train == null || train.isEmpty()) {
                throw new IllegalArgumentException("give training examples: builder.train(examples)");
            }
            if (selection != null && selection.isEmpty()) {
                throw new IllegalArgumentException("the selection set is empty; give examples or drop selection(...) "
                        + "to carve it from the training examples");
            }
            if (selection == null && !(selectionFraction > 0 && selectionFraction < 1)) {
                throw new IllegalArgumentException("selectionFraction must be in (0, 1), got " + selectionFraction);
            }
            if (cache != null && prefix != null) {
                throw new IllegalArgumentException("stateCache(...) and prefix(...) together: a cache holds states "
                        + "without a prefix; drop one of them");
            }
            if (prefix != null && !(model instanceof PrefixTunableModel)) {
                throw new IllegalArgumentException("prefix(...) needs a model that runs prefixes (a "
                        + "PrefixTunableModel such as OnnxMaskedLanguageModel), but model '" + model.info().name()
                        + "' is a " + model.getClass().getSimpleName() + "; drop prefix(...) or open the model "
                        + "through prompt-onnx");
            }
            if (cache != null && cache.model() != model) {
                throw new IllegalArgumentException("stateCache(...) holds the states of model '"
                        + cache.model().info().name() + "', not of this trainer's model '" + model.info().name()
                        + "'; build the cache over the same model instance: new MaskStateCache(model)");
            }
            new VerbalizerSettings(l2Grid, selection == null ? selectionFraction : 0, seed, refit, maxIterations,
                    maxLength, folds);
            return new VerbalizerTrainer(this);
        }
    }
}
