package io.github.prompt4j.search.soft;

import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.eval.Metrics;
import io.github.prompt4j.core.mapping.LabelMapper;
import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.GradientRequest;
import io.github.prompt4j.core.model.HeadLossRequest;
import io.github.prompt4j.core.model.HeadTrainableModel;
import io.github.prompt4j.core.model.LinearHead;
import io.github.prompt4j.core.model.Prefix;
import io.github.prompt4j.core.model.PrefixGradient;
import io.github.prompt4j.core.model.PrefixHeadGradient;
import io.github.prompt4j.core.model.PrefixTunableModel;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.template.TemplateEncoder;
import io.github.prompt4j.core.template.Truncation;
import io.github.prompt4j.core.template.TruncationSide;
import io.github.prompt4j.core.verbalizer.LabelWord;
import io.github.prompt4j.core.verbalizer.LinearVerbalizer;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.trigger.SearchLoss;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prefix-tuning for masked language models (Li and Liang 2021; P-tuning v2, Liu et al. 2022): trains per-layer key
 * and value prefixes ({@link Prefix}) that every token attends to, with the model frozen, so that the model puts
 * probability on the gold class's label words at the mask of a discrete template.
 *
 * <p>Loss per example: {@code -log sum_{w in gold class} p(w | mask)} over the whole vocabulary, from
 * {@link PrefixTunableModel#prefixLabelLossGradient}, or with {@link Builder#loss} {@code CLASS_CROSS_ENTROPY} the
 * same normalised over every class's label words ({@link PrefixTunableModel#prefixClassLossGradient}); the gradient
 * of the summed loss is divided here by the mini-batch size. Adam on the prefix ({@link SoftPromptSettings}'s
 * defaults for the moments), the learning rate warmed up linearly over {@code warmupFraction} of the updates and
 * decayed linearly to 0 ({@link LearningRateSchedule#LINEAR}).
 * After every epoch the prefix classifies the selection split (carved from the training data, never the reported
 * set) as the saved prompt will ({@link LabelMapper#sum()}); the prefix with the best selection accuracy is kept (ties
 * to the earlier epoch; the initial prefix is epoch 0), training stops after {@code patience} epochs without a better
 * one, or when the time budget would be exceeded by another epoch.
 *
 * <p>Learned verbalizer ({@link Builder#learnedVerbalizer}): a linear head on the mask's transformed state (WARP,
 * Hambardzumyan et al. 2021), initialised from the label words' output embeddings
 * ({@link LinearVerbalizer#fromLabelWords}), trained together with the prefix on the head's class cross-entropy
 * ({@link HeadTrainableModel#prefixHeadLossGradient}; the head's own gradient from the same pass,
 * {@link LinearHead#lossGradient}), one Adam over both, the head at its own rate if
 * {@link Builder#headLearningRate} says so (0 keeps a warm {@link Builder#initialHead} fixed while the prefix trains);
 * the selection split classifies with the head, and the result keeps the head of the best epoch with its prefix.
 *
 * <p>Resumable: {@link Builder#checkpoints} receives a {@link PrefixTuningState} after every epoch, and
 * {@link #resume} continues from one exactly as the uninterrupted run would have (each epoch shuffles with a generator
 * seeded from the seed and the epoch number; Adam's moments are saved in float64; a learned verbalizer's head, current
 * and best, is saved with the prefix). A reparameterised run writes no checkpoints: its MLP and moments are hundreds of
 * megabytes.
 *
 * <p>Reparameterisation ({@link Builder#reparameterization}, Li and Liang 2021): the prefix is computed by an MLP
 * from a smaller trained table ({@code PrefixMlp}); Adam updates the MLP, the gradient reaching it from the prefix
 * gradient by the chain rule in Java, and the result keeps the prefix only.
 *
 * <p>Initial prefix: Gaussian with standard deviation {@code initScale} (seeded). A zero prefix already changes the
 * model (its positions take a share of every attention), so epoch 0 is measured, not assumed.
 *
 * <pre>{@code
 * PrefixTuningResult r = PrefixTuner.builder(model).template(Template.parse("{sentence} It was [MASK] ."))
 *         .verbalizer(Verbalizer.builder().add("0", "terrible").add("1", "great").build())
 *         .train(split.search()).selection(split.selection()).prefixLength(16).epochs(8).build().run();
 * PromptClassifier c = r.classifier(model);
 * }</pre>
 *
 * <p>Immutable once built; {@link #run()} may be called from one thread at a time per instance; it does not own the
 * model. Memory: a few copies of the prefix ({@code 2 * layers * length * hidden} doubles for Adam's moments), or of
 * the MLP when reparameterised.
 */
public final class PrefixTuner {

    private static final Logger log = LoggerFactory.getLogger(PrefixTuner.class);

    private final Builder b;

    private PrefixTuner(Builder b) {
        this.b = b;
    }

    /** A builder for a tuner over {@code model}. */
    public static Builder builder(PrefixTunableModel model) {
        return new Builder(model);
    }

    /**
     * Trains the prefix.
     *
     * @throws IllegalArgumentException when an example does not fit the template or has a label that is not a class
     */
    public PrefixTuningResult run() {
        return train(null);
    }

    /**
     * Continues the training that wrote {@code state} (see {@link Builder#checkpoints}): the remaining epochs run as
     * they would have without the interruption, so the result equals the uninterrupted run's (wall times aside). The
     * time budget covers all parts together. A finished checkpoint trains nothing and gives the result at once.
     *
     * @throws IllegalArgumentException when the checkpoint was written for another model, template, label words,
     *         setting or data than this tuner's, naming the difference
     */
    public PrefixTuningResult resume(PrefixTuningState state) {
        if (b.reparameterization > 0) {
            throw new IllegalStateException("a run with a reparameterisation writes no checkpoints and cannot resume; "
                    + "call run()");
        }
        if (state == null) {
            throw new IllegalArgumentException("state must not be null; call run() to start afresh");
        }
        return train(state);
    }

    private PrefixTuningResult train(PrefixTuningState from) {
        long t0 = System.nanoTime() - (from == null ? 0 : from.elapsedMillis() * 1_000_000);
        PrefixTunableModel model = b.model;
        TemplateEncoder encoder = b.template.encoder(model.tokenizer(), Truncation.of(cut(), TruncationSide.TAIL));
        List<String> classes = b.verbalizer.labels();
        Map<String, int[]> goldIds = new java.util.LinkedHashMap<>();
        for (LabelWord w : b.verbalizer.resolve(model.tokenizer())) {
            if (w.pieceIds().length != 1) {
                throw new IllegalArgumentException("label word '" + w.word() + "' of class '" + w.label() + "' is "
                        + w.pieces().size() + " pieces " + w.pieces() + "; prefix-tuning scores one mask, so use "
                        + "single-piece words");
            }
            goldIds.merge(w.label(), w.pieceIds(), (a, c) -> {
                int[] both = java.util.Arrays.copyOf(a, a.length + c.length);
                System.arraycopy(c, 0, both, a.length, c.length);
                return both;
            });
        }
        List<GradientRequest> train = new ArrayList<>(b.train.size());
        List<HeadLossRequest> headTrain = new ArrayList<>(b.learnedVerbalizer ? b.train.size() : 0);
        for (int i = 0; i < b.train.size(); i++) {
            Example e = b.train.get(i);
            if (!goldIds.containsKey(e.label())) {
                throw new IllegalArgumentException("training example " + i + " has label '" + e.label() + "', not "
                        + "a class of the verbalizer " + classes);
            }
            EncodedPrompt prompt = encoder.encode(e.valuesFor(b.template));
            train.add(GradientRequest.of(prompt, goldIds.get(e.label()), new int[0]));
            if (b.learnedVerbalizer) {
                headTrain.add(HeadLossRequest.of(prompt, classes.indexOf(e.label())));
            }
        }
        String digest = digest(b.train, b.selection);
        int[] labelIds = goldIds.values().stream().flatMapToInt(java.util.Arrays::stream).distinct().toArray();
        Progress p = from == null ? start(model) : restore(from, model, digest);
        int perEpoch = (train.size() + b.batchSize - 1) / b.batchSize;
        int total = perEpoch * b.epochs;
        int warmup = (int) Math.floor(b.warmupFraction * total);
        if (from == null) {
            p.best = accuracy(p.current, p.head);
            p.forward += b.selection.size();
            p.epochs.add(new PrefixTuningEpoch(0, 0, 0, p.best, seconds(t0)));
            b.listener.accept(p.epochs.get(0));
            checkpoint(p, digest, 0, t0);
        }
        for (int epoch = p.epochs.size(); !p.finished && epoch <= b.epochs; epoch++) {
            long e0 = System.nanoTime();
            if (b.budget != null && (e0 - t0) + p.longestEpoch > b.budget.toNanos()) {
                log.info("prefix-tuning stopped by the time budget after {} epochs", epoch - 1);
                break;
            }
            // A generator per epoch: a resumed run shuffles as the uninterrupted one did.
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < train.size(); i++) {
                order.add(i);
            }
            Collections.shuffle(order, new Random(b.seed * 1_000_003L + epoch));
            double lossSum = 0;
            for (int first = 0; first < order.size(); first += b.batchSize) {
                List<GradientRequest> batch = new ArrayList<>();
                for (int i = first; i < Math.min(order.size(), first + b.batchSize); i++) {
                    batch.add(train.get(order.get(i)));
                }
                float[] prefixGrad;
                double[] headGrad = new double[0];
                if (b.learnedVerbalizer) {
                    List<HeadLossRequest> headBatch = new ArrayList<>();
                    for (int i = first; i < Math.min(order.size(), first + b.batchSize); i++) {
                        headBatch.add(headTrain.get(order.get(i)));
                    }
                    PrefixHeadGradient g = ((HeadTrainableModel) model).prefixHeadLossGradient(headBatch, p.head,
                            p.current);
                    lossSum += g.prefix().totalLoss();
                    prefixGrad = g.prefix().flatten();
                    headGrad = headGradient(g, headBatch, p.head);
                } else {
                    PrefixGradient g = b.loss == SearchLoss.CLASS_CROSS_ENTROPY
                            ? model.prefixClassLossGradient(batch, p.current, labelIds)
                            : model.prefixLabelLossGradient(batch, p.current);
                    lossSum += g.totalLoss();
                    prefixGrad = g.flatten();
                }
                double[] grad = p.gradient(prefixGrad, headGrad);
                p.gradient += batch.size();
                for (int i = 0; i < grad.length; i++) {
                    grad[i] /= batch.size();
                }
                double factor = LearningRateSchedule.LINEAR.factor(p.adam.steps() + 1, warmup, total);
                p.adam.step(p.params, grad, b.learningRate * factor, p.prefixParams(),
                        headRate() * factor);
                p.roundToFloat();
            }
            double acc = accuracy(p.current, p.head);
            p.forward += b.selection.size();
            PrefixTuningEpoch record = new PrefixTuningEpoch(epoch, p.adam.steps(), lossSum / train.size(), acc,
                    seconds(t0));
            p.epochs.add(record);
            b.listener.accept(record);
            log.info("prefix epoch {}: train loss {} selection accuracy {} ({} s)", epoch,
                    String.format("%.4f", record.trainLoss()), String.format("%.4f", acc),
                    String.format("%.0f", record.seconds()));
            if (acc > p.best) {
                p.best = acc;
                p.bestPrefix = p.current;
                p.bestHead = p.head;
                p.bestEpoch = epoch;
            } else if (epoch - p.bestEpoch >= b.patience) {
                log.info("prefix-tuning stopped: {} epochs without a better selection accuracy", b.patience);
                p.finished = true;
            }
            p.longestEpoch = Math.max(p.longestEpoch, System.nanoTime() - e0);
            p.finished |= epoch == b.epochs;
            checkpoint(p, digest, epoch, t0);
        }
        return new PrefixTuningResult(model.info().name(), b.template.text(), b.verbalizer.words(), p.bestPrefix,
                Optional.ofNullable(p.bestHead).map(h -> LinearVerbalizer.of(classes, h)), p.epochs, p.bestEpoch,
                train.size(), b.selection.size(), p.forward, p.gradient, (System.nanoTime() - t0) / 1_000_000,
                OptionalInt.of(cut()));
    }

    /** The head's peak learning rate: the builder's, or the prefix's when unset. */
    private double headRate() {
        return Double.isNaN(b.headLearningRate) ? b.learningRate : b.headLearningRate;
    }

    /** Hands a checkpoint to the builder's consumer; a run with a reparameterisation writes none. */
    private void checkpoint(Progress p, String digest, int epoch, long t0) {
        if (b.reparameterization == 0) {
            b.checkpoints.accept(p.state(this, digest, epoch, seconds(t0)));
        }
    }

    /**
     * The summed gradient of a batch's head losses with respect to the head ({@code (softmax(z) - onehot) t^T} from
     * each example's state), laid out as {@link LinearHead#flatten()}.
     */
    private static double[] headGradient(PrefixHeadGradient g, List<HeadLossRequest> batch, LinearHead head) {
        double[] grad = new double[head.classes() * (head.hidden() + 1)];
        for (int r = 0; r < batch.size(); r++) {
            double[] h = head.lossGradient(g.state(r), batch.get(r).goldClass());
            for (int i = 0; i < grad.length; i++) {
                grad[i] += h[i];
            }
        }
        return grad;
    }

    /**
     * The prefix a fresh run starts from, its epoch 0: the seeded Gaussian, or under a reparameterisation what the
     * seeded MLP computes. Deterministic in the settings (model, length, seed, initial scale, width). A head that is to
     * train with the prefix is best warm-started on the mask states under it
     * ({@code VerbalizerTrainer.Builder.prefix}, then {@link Builder#initialHead}): even this small prefix takes a
     * share of every attention and moves the states.
     */
    public Prefix initialPrefix() {
        if (b.reparameterization > 0) {
            PrefixMlp mlp = initialMlp();
            return mlp.prefix(mlp.init(b.seed, b.initScale));
        }
        return gaussianPrefix();
    }

    /**
     * A fresh run's progress: the seeded Gaussian initial prefix (or the seeded MLP of a reparameterisation), Adam at
     * rest.
     */
    private Progress start(PrefixTunableModel model) {
        LinearHead head = b.learnedVerbalizer ? initialHead(model) : null;
        Progress p = fresh(head);
        p.bestPrefix = p.current;
        p.bestHead = head;
        p.initialHeadDigest = head == null ? null : digest(head);
        return p;
    }

    /** The head a run with a learned verbalizer starts from: the given one, or the label words'. */
    private LinearHead initialHead(PrefixTunableModel model) {
        return b.initialHead != null ? b.initialHead.head()
                : LinearVerbalizer.fromLabelWords(b.verbalizer, model).head();
    }

    /** SHA-256 (hex) of a head's flattened weights and biases (float32, little-endian). */
    private static String digest(LinearHead head) {
        float[] flat = head.flatten();
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(4 * flat.length + 8)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(head.classes()).putInt(head.hidden());
        for (float f : flat) {
            bytes.putFloat(f);
        }
        return java.util.HexFormat.of().formatHex(sha256().digest(bytes.array()));
    }

    private static java.security.MessageDigest sha256() {
        try {
            return java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks SHA-256", e);
        }
    }

    /** A fresh run's progress from {@link #initialPrefix}'s parameters; Adam's moments are allocated here. */
    private Progress fresh(LinearHead head) {
        if (b.reparameterization > 0) {
            PrefixMlp mlp = initialMlp();
            return new Progress(mlp, mlp.init(b.seed, b.initScale), head);
        }
        return new Progress(gaussianPrefix(), head);
    }

    /** The reparameterisation's MLP, before its seeded initialisation. */
    private PrefixMlp initialMlp() {
        Prefix shape = b.model.zeroPrefix(b.length);
        return new PrefixMlp(shape.layers(), b.length, shape.hidden(), b.reparameterization);
    }

    /** The seeded Gaussian prefix of a run without reparameterisation. */
    private Prefix gaussianPrefix() {
        Prefix init = b.model.zeroPrefix(b.length);
        Random rnd = new Random(b.seed);
        float[] start = new float[init.size()];
        for (int i = 0; i < start.length; i++) {
            start[i] = (float) (b.initScale * rnd.nextGaussian());
        }
        return init.withFlat(start);
    }

    /** The progress saved in a checkpoint, after checking that it belongs to this tuner's run. */
    private Progress restore(PrefixTuningState s, PrefixTunableModel model, String digest) {
        Map<String, List<Object>> differ = new java.util.LinkedHashMap<>();
        compare(differ, "model", s.modelName(), model.info().name());
        compare(differ, "template", s.template(), b.template.text());
        compare(differ, "label words", s.labelWords(), b.verbalizer.words());
        compare(differ, "prefixLength", s.prefixLength(), b.length);
        compare(differ, "loss", s.loss(), b.loss.name());
        compare(differ, "learningRate", s.learningRate(), b.learningRate);
        compare(differ, "epochs", s.epochs(), b.epochs);
        compare(differ, "batchSize", s.batchSize(), b.batchSize);
        compare(differ, "warmupFraction", s.warmupFraction(), b.warmupFraction);
        compare(differ, "maxLength", s.maxLength(), b.maxLength);
        compare(differ, "seed", s.seed(), b.seed);
        compare(differ, "training and selection data (SHA-256)", s.dataDigest(), digest);
        compare(differ, "prefix layers x hidden", s.current().layers() + " x " + s.current().hidden(),
                model.layerCount() + " x " + model.info().hiddenSize());
        compare(differ, "learned verbalizer", s.head().isPresent(), b.learnedVerbalizer);
        String headDigest = b.learnedVerbalizer ? digest(initialHead(model)) : null;
        if (s.head().isPresent() && b.learnedVerbalizer) {
            compare(differ, "headLearningRate", s.head().get().learningRate(), headRate());
            compare(differ, "initial head (SHA-256)", s.head().get().initialDigest(), headDigest);
        }
        if (!differ.isEmpty()) {
            StringBuilder m = new StringBuilder("the checkpoint was written by another run; resume with that run's "
                    + "model, template, label words, settings and data. Differences (checkpoint vs this tuner):");
            differ.forEach((k, v) -> m.append(' ').append(k).append(": ").append(v.get(0)).append(" vs ")
                    .append(v.get(1)).append(';'));
            throw new IllegalArgumentException(m.toString());
        }
        Progress p = new Progress(s.current(), s.head().map(PrefixTuningState.HeadState::current).orElse(null));
        p.initialHeadDigest = headDigest;
        p.adam.restore(s.adamFirst(), s.adamSecond(), s.steps());
        p.bestPrefix = s.best();
        p.bestHead = s.head().map(PrefixTuningState.HeadState::best).orElse(null);
        p.bestEpoch = s.bestEpoch();
        p.epochs.addAll(s.epochRecords());
        p.best = p.epochs.get(p.bestEpoch).selectionAccuracy();
        p.forward = s.forwardPasses();
        p.gradient = s.gradientPasses();
        p.longestEpoch = s.longestEpochMillis() * 1_000_000;
        p.finished = s.finished();
        log.info("resuming prefix-tuning after epoch {} of {} (best epoch {}, {} s so far)", s.epochsDone(),
                s.epochs(), s.bestEpoch(), s.elapsedMillis() / 1000);
        return p;
    }

    private static void compare(Map<String, List<Object>> differ, String what, Object saved, Object mine) {
        if (!saved.equals(mine)) {
            differ.put(what, List.of(saved, mine));
        }
    }

    /** SHA-256 of the examples' fields and labels, training then selection, in order. */
    private static String digest(List<Example> train, List<Example> selection) {
        java.security.MessageDigest sha = sha256();
        for (List<Example> part : List.of(train, selection)) {
            for (Example e : part) {
                new java.util.TreeMap<>(e.fields()).forEach((k, v) -> sha.update((k + '\u0000' + v + '\u0000')
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                sha.update((e.label() + '\u0001').getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            sha.update((byte) 2);
        }
        return java.util.HexFormat.of().formatHex(sha.digest());
    }

    /**
     * The mutable progress of one run: parameters (the prefix, or the MLP that computes it, then the learned head if
     * any), optimiser, the best prefix and head, counters.
     */
    private static final class Progress {
        Prefix current;
        /** The learned head; null without a learned verbalizer. */
        LinearHead head;
        /** The reparameterisation; null when the prefix is trained directly. */
        final PrefixMlp mlp;
        final double[] params;
        final Adam adam;
        final List<PrefixTuningEpoch> epochs = new ArrayList<>();
        Prefix bestPrefix;
        LinearHead bestHead;
        /** SHA-256 of the head the run started from, saved in checkpoints; null without a learned verbalizer. */
        String initialHeadDigest;
        int bestEpoch;
        double best;
        long forward;
        long gradient;
        long longestEpoch;
        boolean finished;

        /** Progress of a directly trained prefix. */
        Progress(Prefix current, LinearHead head) {
            this(current, null, doubles(current.flatten()), head);
        }

        /** Progress of a reparameterised prefix: {@code mlpParams} are the MLP's initial parameters. */
        Progress(PrefixMlp mlp, double[] mlpParams, LinearHead head) {
            this(mlp.prefix(mlpParams), mlp, mlpParams, head);
        }

        private Progress(Prefix current, PrefixMlp mlp, double[] prefixParams, LinearHead head) {
            this.current = current;
            this.head = head;
            this.mlp = mlp;
            double[] headFlat = head == null ? new double[0] : doubles(head.flatten());
            this.params = new double[prefixParams.length + headFlat.length];
            System.arraycopy(prefixParams, 0, params, 0, prefixParams.length);
            System.arraycopy(headFlat, 0, params, prefixParams.length, headFlat.length);
            this.adam = new Adam(params.length, 0.9, 0.999, 1e-8);
        }

        private static double[] doubles(float[] f) {
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                d[i] = f[i];
            }
            return d;
        }

        /** Parameters that compute the prefix: the prefix itself, or the MLP's. */
        private int prefixParams() {
            return mlp == null ? current.size() : mlp.size();
        }

        /**
         * The gradient laid out as {@link #params}: the prefix's (taken back through the MLP when reparameterised),
         * then the head's.
         */
        double[] gradient(float[] prefixGrad, double[] headGrad) {
            int n = prefixParams();
            double[] grad = new double[n + headGrad.length];
            if (mlp == null) {
                for (int i = 0; i < n; i++) {
                    grad[i] = prefixGrad[i];
                }
            } else {
                mlp.backward(params, doubles(prefixGrad), grad);
            }
            System.arraycopy(headGrad, 0, grad, n, headGrad.length);
            return grad;
        }

        /**
         * Rebuilds the prefix (and head) after an update: a direct prefix and the head are rounded to float32, which
         * the model sees, so a checkpoint holds them exactly; a reparameterised prefix is what the MLP computes
         * (rounded to float32), the MLP staying in double precision.
         */
        void roundToFloat() {
            int n = prefixParams();
            for (int i = mlp == null ? 0 : n; i < params.length; i++) {
                params[i] = (float) params[i];
            }
            if (mlp == null) {
                float[] next = new float[n];
                for (int i = 0; i < n; i++) {
                    next[i] = (float) params[i];
                }
                current = current.withFlat(next);
            } else {
                current = mlp.prefix(params);
            }
            if (head != null) {
                float[] next = new float[params.length - n];
                for (int i = 0; i < next.length; i++) {
                    next[i] = (float) params[n + i];
                }
                head = LinearHead.fromFlat(head.classes(), head.hidden(), next);
            }
        }

        PrefixTuningState state(PrefixTuner t, String digest, int epochsDone, double seconds) {
            Builder b = t.b;
            Optional<PrefixTuningState.HeadState> headState = Optional.ofNullable(head).map(h ->
                    new PrefixTuningState.HeadState(h, bestHead, t.headRate(), initialHeadDigest));
            return new PrefixTuningState(b.model.info().name(), b.template.text(), b.verbalizer.words(), b.length,
                    b.loss.name(), b.learningRate, b.epochs, b.batchSize, b.warmupFraction, b.maxLength, b.seed, digest,
                    epochsDone, adam.steps(), current, adam.firstMoments(), adam.secondMoments(), bestPrefix,
                    bestEpoch, epochs, forward, gradient, (long) (seconds * 1000), longestEpoch / 1_000_000,
                    finished, headState);
        }
    }

    /** The longest prompt in tokens: the builder's maxLength, within the model's limit. */
    private int cut() {
        return Math.min(b.maxLength, b.model.tokenizer().maxSequenceLength());
    }

    /**
     * Selection accuracy of a prefix (and head, if not null), classified as the saved prompt classifies: prompts cut
     * as in training.
     */
    private double accuracy(Prefix prefix, LinearHead head) {
        PromptClassifier.Builder builder = PromptClassifier.builder(b.model).template(b.template)
                .batchSize(b.batchSize * 2).prefix(prefix).maxLength(cut());
        PromptClassifier c = head == null ? builder.verbalizer(b.verbalizer).mapper(LabelMapper.sum()).build()
                : builder.learnedVerbalizer(LinearVerbalizer.of(b.verbalizer.labels(), head)).build();
        List<Classification> out = c.classifyAllFields(b.selection.stream().map(e -> e.valuesFor(b.template))
                .toList());
        return Metrics.accuracy(b.selection.stream().map(Example::label).toList(),
                out.stream().map(Classification::label).toList());
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Configures a {@link PrefixTuner}; {@link #build()} validates. Not thread-safe. */
    public static final class Builder {
        private final PrefixTunableModel model;
        private Template template;
        private Verbalizer verbalizer;
        private List<Example> train = List.of();
        private List<Example> selection = List.of();
        private int length = 16;
        private double learningRate = 5e-3;
        /** NaN: the prefix's rate. */
        private double headLearningRate = Double.NaN;
        private int epochs = 8;
        private int batchSize = 16;
        private double warmupFraction = 0.1;
        private int patience = 3;
        private double initScale = 0.02;
        private int maxLength = 128;
        private long seed = 1;
        private Duration budget;
        private Consumer<PrefixTuningEpoch> listener = e -> { };
        private Consumer<PrefixTuningState> checkpoints = c -> { };
        private SearchLoss loss = SearchLoss.LABEL_LIKELIHOOD;
        private boolean learnedVerbalizer;
        private int reparameterization;
        private LinearVerbalizer initialHead;
        private boolean checkpointsSet;

        private Builder(PrefixTunableModel model) {
            if (model == null) {
                throw new IllegalArgumentException("model must not be null");
            }
            this.model = model;
        }

        /** A discrete template with one {@code [MASK]} (required). */
        public Builder template(Template template) {
            this.template = template;
            return this;
        }

        /** Single-piece label words per class (required). */
        public Builder verbalizer(Verbalizer verbalizer) {
            this.verbalizer = verbalizer;
            return this;
        }

        /** The training examples (required). */
        public Builder train(List<Example> examples) {
            this.train = List.copyOf(examples);
            return this;
        }

        /** The selection split, carved from the training data and disjoint from it (required). */
        public Builder selection(List<Example> examples) {
            this.selection = List.copyOf(examples);
            return this;
        }

        /** Prefix positions per layer (default 16). */
        public Builder prefixLength(int positions) {
            this.length = positions;
            return this;
        }

        /**
         * The training loss (default {@link SearchLoss#LABEL_LIKELIHOOD}, {@code -log sum_{gold} p} over the
         * vocabulary); {@link SearchLoss#CLASS_CROSS_ENTROPY} normalises over every class's label words only, the
         * loss of the classifier that decides by them, at the same cost (one gradient pass per example, see
         * {@link PrefixTunableModel#prefixClassLossGradient}).
         */
        public Builder loss(SearchLoss loss) {
            this.loss = loss;
            return this;
        }

        /**
         * Whether to train a learned verbalizer together with the prefix (default false): a linear head on the mask's
         * transformed state, initialised from the label words' output embeddings, trained on its class cross-entropy
         * (the {@link #loss} setting then does not apply) and kept with the prefix in the result. Needs a
         * {@link HeadTrainableModel} (prompt-onnx's {@code OnnxMaskedLanguageModel}). Its checkpoints hold the head
         * (current and best) and its share of Adam's moments, and a resume must start from the same initial head.
         */
        public Builder learnedVerbalizer(boolean learned) {
            this.learnedVerbalizer = learned;
            return this;
        }

        /**
         * Trains the prefix through an MLP of this hidden width instead of directly (Li and Liang 2021's
         * reparameterisation; default 0, off): each prefix position is {@code W2^T tanh(W1^T E_j + b1) + b2} from a
         * trained row {@code E_j} of the model's hidden size, and the result keeps only the prefix the MLP computes.
         * The MLP has {@code width * (hidden + 2 * layers * hidden)} parameters (9.8 million for BERT-base at 512,
         * Li and Liang's width), so Adam takes about 25 times the prefix's memory, and a far smaller learning rate
         * (Li and Liang: 5e-5; every output sums {@code width} updated weights). Such a run writes no checkpoints.
         */
        public Builder reparameterization(int width) {
            this.reparameterization = width;
            return this;
        }

        /**
         * The learned verbalizer's starting weights (default null: the label words' output embeddings), e.g. a
         * logistic regression on the mask state fitted on the training examples ({@code VerbalizerTrainer} with
         * {@code refit(false)}, so that the selection split stays unseen). Needs {@link #learnedVerbalizer}
         * {@code (true)}; its classes must be the verbalizer's, in order, and its width the model's hidden size.
         */
        public Builder initialHead(LinearVerbalizer head) {
            this.initialHead = head;
            return this;
        }

        /**
         * Peak Adam learning rate of the learned verbalizer's head (default: {@link #learningRate}'s, one rate for
         * all), on the same warm-up and decay schedule. A head started from a fitted logistic regression
         * ({@link #initialHead}) is already good where the prefix starts, so a rate far below the prefix's lets the
         * prefix adapt to the head instead of the two chasing each other; 0 freezes the head. Needs
         * {@link #learnedVerbalizer}{@code (true)}.
         */
        public Builder headLearningRate(double lr) {
            if (Double.isNaN(lr)) {
                throw new IllegalArgumentException("headLearningRate must be a number >= 0, got NaN");
            }
            this.headLearningRate = lr;
            return this;
        }

        /** Peak Adam learning rate (default 5e-3). */
        public Builder learningRate(double lr) {
            this.learningRate = lr;
            return this;
        }

        /** Most epochs (default 8). */
        public Builder epochs(int n) {
            this.epochs = n;
            return this;
        }

        /** Examples per update (default 16). */
        public Builder batchSize(int n) {
            this.batchSize = n;
            return this;
        }

        /** Share of the updates spent warming the learning rate up (default 0.1). */
        public Builder warmupFraction(double f) {
            this.warmupFraction = f;
            return this;
        }

        /** Epochs without a better selection accuracy before stopping (default 3). */
        public Builder patience(int n) {
            this.patience = n;
            return this;
        }

        /** Standard deviation of the initial prefix (default 0.02). */
        public Builder initScale(double scale) {
            this.initScale = scale;
            return this;
        }

        /**
         * Longest prompt in tokens; longer inputs lose their tail (default 128), alike in training, in selection scoring
         * and in the result's classifier ({@link PrefixTuningResult#maxLength}).
         */
        public Builder maxLength(int tokens) {
            this.maxLength = tokens;
            return this;
        }

        /** Seed of the initial prefix and the shuffles (default 1). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Wall-clock budget: no epoch starts that would likely end past it (default none). */
        public Builder timeBudget(Duration budget) {
            this.budget = budget;
            return this;
        }

        /** Called after epoch 0 (the initial prefix) and every epoch (default none). */
        public Builder listener(Consumer<PrefixTuningEpoch> listener) {
            this.listener = listener == null ? e -> { } : listener;
            return this;
        }

        /**
         * Called on the training thread with a checkpoint after epoch 0 and after every epoch (default none): save
         * it ({@link PrefixTuningState#toJson()}) to continue an interrupted run with {@link PrefixTuner#resume}. An
         * exception thrown here aborts the run.
         */
        public Builder checkpoints(Consumer<PrefixTuningState> checkpoints) {
            this.checkpoints = checkpoints == null ? c -> { } : checkpoints;
            this.checkpointsSet = checkpoints != null;
            return this;
        }

        /**
         * Validates the configuration.
         *
         * @throws IllegalArgumentException naming the missing or invalid setting
         */
        public PrefixTuner build() {
            if (loss == null) {
                throw new IllegalArgumentException("loss must not be null; the default is SearchLoss.LABEL_LIKELIHOOD");
            }
            if (learnedVerbalizer && !(model instanceof HeadTrainableModel)) {
                throw new IllegalArgumentException("model '" + model.info().name() + "' cannot train a learned "
                        + "verbalizer with a prefix (it is not a HeadTrainableModel); use prompt-onnx's "
                        + "OnnxMaskedLanguageModel or drop learnedVerbalizer(true)");
            }
            if (reparameterization < 0) {
                throw new IllegalArgumentException("reparameterization must be >= 0 (0: the prefix is trained "
                        + "directly), got " + reparameterization);
            }
            if (reparameterization > 0 && checkpointsSet) {
                throw new IllegalArgumentException("a reparameterised prefix writes no checkpoints (its MLP and "
                        + "Adam's moments are " + reparameterization + " times the prefix's size); drop "
                        + "checkpoints(...) or reparameterization(...)");
            }
            if (learnedVerbalizer && loss != SearchLoss.LABEL_LIKELIHOOD) {
                throw new IllegalArgumentException("a learned verbalizer trains on its own class cross-entropy; drop "
                        + "loss(...)");
            }
            if (!Double.isNaN(headLearningRate) && (!learnedVerbalizer || !(headLearningRate >= 0)
                    || Double.isInfinite(headLearningRate))) {
                throw new IllegalArgumentException("headLearningRate is the learned verbalizer's rate: it needs "
                        + "learnedVerbalizer(true) and must be >= 0 (0 freezes the head), got " + headLearningRate
                        + (learnedVerbalizer ? "" : " without learnedVerbalizer(true)"));
            }
            if (initialHead != null && !learnedVerbalizer) {
                throw new IllegalArgumentException("initialHead(...) starts a learned verbalizer; add "
                        + "learnedVerbalizer(true) or drop initialHead(...)");
            }
            if (template == null || verbalizer == null) {
                throw new IllegalArgumentException("set the template (template(...)) and the label words "
                        + "(verbalizer(...))");
            }
            if (initialHead != null && (!initialHead.labels().equals(verbalizer.labels())
                    || initialHead.dim() != model.info().hiddenSize())) {
                throw new IllegalArgumentException("the initial head has classes " + initialHead.labels() + " and "
                        + "width " + initialHead.dim() + ", but the verbalizer's classes are " + verbalizer.labels()
                        + " and model '" + model.info().name() + "' has hidden size " + model.info().hiddenSize()
                        + "; fit the head with the same classes, in order, on the same model");
            }
            if (template.softCount() > 0 || template.triggerCount() > 0) {
                throw new IllegalArgumentException("template '" + template.text() + "' has [T] or [P] slots; "
                        + "prefix-tuning trains the prefix of a discrete template");
            }
            if (train.isEmpty() || selection.isEmpty()) {
                throw new IllegalArgumentException("prefix-tuning needs training examples (train(...)) and a "
                        + "selection split carved from the training data (selection(...)); got " + train.size()
                        + " and " + selection.size());
            }
            if (train.stream().anyMatch(new java.util.HashSet<>(selection)::contains)) {
                throw new IllegalArgumentException("a selection example is also a training example; carve the "
                        + "selection split with SelectionSplit.carve so the two are disjoint");
            }
            if (length < 1 || epochs < 1 || batchSize < 1 || patience < 1 || maxLength < 4) {
                throw new IllegalArgumentException("prefixLength, epochs, batchSize and patience must be >= 1 and "
                        + "maxLength >= 4, got " + length + ", " + epochs + ", " + batchSize + ", " + patience
                        + ", " + maxLength);
            }
            if (!(learningRate > 0) || !(warmupFraction >= 0 && warmupFraction < 1) || !(initScale >= 0)) {
                throw new IllegalArgumentException("learningRate must be > 0, warmupFraction in [0, 1) and initScale "
                        + ">= 0, got " + learningRate + ", " + warmupFraction + ", " + initScale);
            }
            return new PrefixTuner(this);
        }
    }
}
