package io.github.prompt4j.search.soft;

import io.github.prompt4j.core.model.LinearHead;
import io.github.prompt4j.core.model.Prefix;
import io.github.prompt4j.search.internal.FloatCodec;
import io.github.prompt4j.search.internal.Json;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A prefix-tuning checkpoint: everything {@link PrefixTuner#resume} needs to continue after epoch
 * {@link #epochsDone()} exactly as the uninterrupted run would have (the current prefix, Adam's moments and update
 * count, the best prefix so far, the epoch records, counters; with a learned verbalizer also its current and best
 * head, see {@link HeadState}), and the settings and data it was written with, which a resume must match. Epoch
 * {@code e} shuffles with a generator seeded from {@code (seed, e)}, so no random state needs saving.
 *
 * <p>JSON ({@link #toJson()}, {@link #fromJson(String)}): format tag {@value #FORMAT}; prefixes and heads as base64
 * little-endian float32, Adam's moments as base64 little-endian float64 (exact). A BERT-base checkpoint with prefix
 * length 16 is about 12 MB of text. A run with a learned verbalizer writes format {@value #FORMAT_WITH_HEAD}:
 * {@code state} holds the form above, and {@code head}, {@code bestHead} (each {@code classes * (hidden + 1)} floats
 * laid out as {@link LinearHead#flatten()}), {@code headClasses}, {@code headLearningRate} and
 * {@code initialHeadDigest} the head's part.
 *
 * <p>Immutable (arrays are copied in and out) and thread-safe.
 *
 * @param modelName the model's {@code info().name()}
 * @param template the template text
 * @param labelWords class to label words, in class order
 * @param prefixLength prefix positions per layer
 * @param loss the training loss, a {@code SearchLoss} name
 * @param learningRate peak Adam learning rate
 * @param epochs the planned number of epochs (the learning-rate schedule's length)
 * @param batchSize examples per update
 * @param warmupFraction share of the updates spent warming up
 * @param maxLength longest prompt in tokens
 * @param seed the run's seed
 * @param dataDigest SHA-256 (hex) of the training and selection examples, in order
 * @param epochsDone epochs completed (0: only the initial prefix was measured)
 * @param steps optimiser updates done
 * @param current the prefix after the last completed epoch
 * @param adamFirst Adam's first moments: {@code current.size()} values, then one per head parameter if any
 * @param adamSecond Adam's second moments, laid out as {@code adamFirst}
 * @param best the prefix with the best selection accuracy so far
 * @param bestEpoch the epoch that produced {@code best}
 * @param epochRecords records of epochs {@code 0..epochsDone}
 * @param forwardPasses prompts run forward so far
 * @param gradientPasses prompts run through the prefix gradient graph so far
 * @param elapsedMillis training wall time so far, all parts together
 * @param longestEpochMillis the longest epoch so far (the time budget's estimate of the next one)
 * @param finished whether training ended (early stopping or the last epoch); resuming then trains nothing
 * @param head the learned verbalizer's state; empty for a run without one
 */
public record PrefixTuningState(String modelName, String template, Map<String, List<String>> labelWords,
        int prefixLength, String loss, double learningRate, int epochs, int batchSize, double warmupFraction,
        int maxLength, long seed, String dataDigest, int epochsDone, int steps, Prefix current, double[] adamFirst,
        double[] adamSecond, Prefix best, int bestEpoch, List<PrefixTuningEpoch> epochRecords, long forwardPasses,
        long gradientPasses, long elapsedMillis, long longestEpochMillis, boolean finished, Optional<HeadState> head) {

    /** The {@code format} tag of the JSON form. */
    public static final String FORMAT = "prompt4j-prefix-tuning-checkpoint/1";
    /** The {@code format} tag of the JSON form of a run with a learned verbalizer. */
    public static final String FORMAT_WITH_HEAD = "prompt4j-prefix-tuning-checkpoint-head/1";

    public PrefixTuningState {
        if (modelName == null || template == null || labelWords == null || loss == null || dataDigest == null
                || current == null
                || adamFirst == null || adamSecond == null || best == null || epochRecords == null || head == null) {
            throw new IllegalArgumentException("no component of a PrefixTuningState may be null");
        }
        int params = current.size() + head.map(h -> h.current().classes() * (h.current().hidden() + 1)).orElse(0);
        if (adamFirst.length != params || adamSecond.length != params) {
            throw new IllegalArgumentException("Adam's moments must have one value per prefix float and head "
                    + "parameter (" + params + "), got " + adamFirst.length + " and " + adamSecond.length);
        }
        if (head.isPresent() && head.get().current().hidden() != current.hidden()) {
            throw new IllegalArgumentException("the head reads states of width " + head.get().current().hidden()
                    + ", but the prefix's hidden size is " + current.hidden());
        }
        if (current.length() != prefixLength || !sameShape(current, best)) {
            throw new IllegalArgumentException("the current prefix " + current + " and the best prefix " + best
                    + " must both have length prefixLength = " + prefixLength);
        }
        if (epochsDone < 0 || epochsDone > epochs || steps < 0 || bestEpoch < 0 || bestEpoch > epochsDone
                || epochRecords.size() != epochsDone + 1) {
            throw new IllegalArgumentException("inconsistent progress: " + epochsDone + " of " + epochs + " epochs, "
                    + steps + " steps, best epoch " + bestEpoch + ", " + epochRecords.size() + " epoch records "
                    + "(expected epochsDone + 1, epoch 0 included)");
        }
        Map<String, List<String>> words = new LinkedHashMap<>();
        labelWords.forEach((k, v) -> words.put(k, List.copyOf(v)));
        labelWords = Collections.unmodifiableMap(words);
        epochRecords = List.copyOf(epochRecords);
        adamFirst = adamFirst.clone();
        adamSecond = adamSecond.clone();
    }

    /**
     * The learned verbalizer's part of a checkpoint ({@code PrefixTuner.Builder.learnedVerbalizer}). Immutable.
     *
     * @param current the head after the last completed epoch
     * @param best the head kept with the best prefix
     * @param learningRate the head's peak learning rate
     * @param initialDigest SHA-256 (hex) of the head the run started from (the label words' or the given initial
     *        head's weights and biases), which a resume must match
     */
    public record HeadState(LinearHead current, LinearHead best, double learningRate, String initialDigest) {

        public HeadState {
            if (current == null || best == null || initialDigest == null) {
                throw new IllegalArgumentException("a HeadState needs the current and best heads and the initial "
                        + "head's digest");
            }
            if (current.classes() != best.classes() || current.hidden() != best.hidden()) {
                throw new IllegalArgumentException("the current head (" + current.classes() + " x "
                        + current.hidden() + ") and the best head (" + best.classes() + " x " + best.hidden()
                        + ") must have one shape");
            }
        }
    }

    private static boolean sameShape(Prefix a, Prefix b) {
        return a.layers() == b.layers() && a.length() == b.length() && a.hidden() == b.hidden();
    }

    @Override
    public double[] adamFirst() {
        return adamFirst.clone();
    }

    @Override
    public double[] adamSecond() {
        return adamSecond.clone();
    }

    /** This checkpoint as JSON. */
    public String toJson() {
        Stored state = new Stored(FORMAT, modelName, template, labelWords, prefixLength, loss, learningRate, epochs,
                batchSize, warmupFraction, maxLength, seed, dataDigest, epochsDone, steps, current.layers(),
                current.hidden(), FloatCodec.encode(current.keys()), FloatCodec.encode(current.values()),
                FloatCodec.encodeDoubles(adamFirst), FloatCodec.encodeDoubles(adamSecond),
                FloatCodec.encode(best.keys()), FloatCodec.encode(best.values()), bestEpoch, epochRecords,
                forwardPasses, gradientPasses, elapsedMillis, longestEpochMillis, finished);
        return Json.write(head.<Object>map(h -> new StoredWithHead(FORMAT_WITH_HEAD, state, h.current().classes(),
                FloatCodec.encode(h.current().flatten()), FloatCodec.encode(h.best().flatten()), h.learningRate(),
                h.initialDigest())).orElse(state));
    }

    /**
     * Reads a checkpoint written by {@link #toJson()}.
     *
     * @throws IllegalArgumentException for malformed JSON, another format, vectors of the wrong size, or a head
     *         given in part
     */
    public static PrefixTuningState fromJson(String json) {
        if (json != null && json.contains("\"" + FORMAT_WITH_HEAD + "\"")) {
            StoredWithHead h = Json.read(json, StoredWithHead.class);
            if (!FORMAT_WITH_HEAD.equals(h.format()) || h.headClasses() < 1) {
                throw new IllegalArgumentException("not a prefix-tuning checkpoint with a head: format '"
                        + h.format() + "' and " + h.headClasses() + " head classes, expected '" + FORMAT_WITH_HEAD
                        + "' and at least 1");
            }
            int hidden = h.state().hidden();
            int params = h.headClasses() * (hidden + 1);
            return fromStored(h.state(), Optional.of(new HeadState(LinearHead.fromFlat(h.headClasses(), hidden,
                    FloatCodec.decode(h.head(), params, "head")), LinearHead.fromFlat(h.headClasses(), hidden,
                    FloatCodec.decode(h.bestHead(), params, "bestHead")), h.headLearningRate(),
                    h.initialHeadDigest())));
        }
        return fromStored(Json.read(json, Stored.class), Optional.empty());
    }

    private static PrefixTuningState fromStored(Stored s, Optional<HeadState> head) {
        if (!FORMAT.equals(s.format())) {
            throw new IllegalArgumentException("not a prefix-tuning checkpoint: format '" + s.format()
                    + "', expected '" + FORMAT + "'");
        }
        if (s.layers() < 1 || s.prefixLength() < 1 || s.hidden() < 1) {
            throw new IllegalArgumentException("checkpoint prefix shape " + s.layers() + " x " + s.prefixLength()
                    + " x " + s.hidden() + " must be positive");
        }
        int n = s.layers() * s.prefixLength() * s.hidden();
        Prefix current = new Prefix(s.layers(), s.prefixLength(), s.hidden(), FloatCodec.decode(s.keys(), n, "keys"),
                FloatCodec.decode(s.values(), n, "values"));
        Prefix best = new Prefix(s.layers(), s.prefixLength(), s.hidden(), FloatCodec.decode(s.bestKeys(), n,
                "bestKeys"), FloatCodec.decode(s.bestValues(), n, "bestValues"));
        int headParams = head.map(h -> h.current().classes() * (s.hidden() + 1)).orElse(0);
        return new PrefixTuningState(s.modelName(), s.template(), s.labelWords(), s.prefixLength(), s.loss(),
                s.learningRate(),
                s.epochs(), s.batchSize(), s.warmupFraction(), s.maxLength(), s.seed(), s.dataDigest(),
                s.epochsDone(), s.steps(), current,
                FloatCodec.decodeDoubles(s.adamFirst(), 2 * n + headParams, "adamFirst"),
                FloatCodec.decodeDoubles(s.adamSecond(), 2 * n + headParams, "adamSecond"), best, s.bestEpoch(),
                s.epochRecords(), s.forwardPasses(), s.gradientPasses(), s.elapsedMillis(), s.longestEpochMillis(),
                s.finished(), head);
    }

    /** The JSON form. */
    record Stored(String format, String modelName, String template, Map<String, List<String>> labelWords,
            int prefixLength, String loss, double learningRate, int epochs, int batchSize, double warmupFraction,
            int maxLength, long seed, String dataDigest, int epochsDone, int steps, int layers, int hidden, String keys,
            String values, String adamFirst, String adamSecond, String bestKeys, String bestValues, int bestEpoch,
            List<PrefixTuningEpoch> epochRecords, long forwardPasses, long gradientPasses, long elapsedMillis,
            long longestEpochMillis, boolean finished) {
    }

    /** The JSON form of a run with a learned verbalizer: the state's form and the head's part. */
    record StoredWithHead(String format, Stored state, int headClasses, String head, String bestHead,
            double headLearningRate, String initialHeadDigest) {
    }
}
