package io.github.prompt4j.search.soft;

import io.github.prompt4j.core.model.Prefix;
import io.github.prompt4j.search.internal.FloatCodec;
import io.github.prompt4j.search.internal.Json;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A prefix-tuning checkpoint: everything {@link PrefixTuner#resume} needs to continue after epoch
 * {@link #epochsDone()} exactly as the uninterrupted run would have (the current prefix, Adam's moments and update
 * count, the best prefix so far, the epoch records, counters), and the settings and data it was written with, which a
 * resume must match. Epoch {@code e} shuffles with a generator seeded from {@code (seed, e)}, so no random state needs
 * saving.
 *
 * <p>JSON ({@link #toJson()}, {@link #fromJson(String)}): format tag {@value #FORMAT}; prefixes as base64
 * little-endian float32, Adam's moments as base64 little-endian float64 (exact). A BERT-base checkpoint with prefix
 * length 16 is about 12 MB of text.
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
 * @param adamFirst Adam's first moments, {@code current.size()} values
 * @param adamSecond Adam's second moments, {@code current.size()} values
 * @param best the prefix with the best selection accuracy so far
 * @param bestEpoch the epoch that produced {@code best}
 * @param epochRecords records of epochs {@code 0..epochsDone}
 * @param forwardPasses prompts run forward so far
 * @param gradientPasses prompts run through the prefix gradient graph so far
 * @param elapsedMillis training wall time so far, all parts together
 * @param longestEpochMillis the longest epoch so far (the time budget's estimate of the next one)
 * @param finished whether training ended (early stopping or the last epoch); resuming then trains nothing
 */
public record PrefixTuningState(String modelName, String template, Map<String, List<String>> labelWords,
        int prefixLength, String loss, double learningRate, int epochs, int batchSize, double warmupFraction,
        int maxLength, long seed, String dataDigest, int epochsDone, int steps, Prefix current, double[] adamFirst,
        double[] adamSecond, Prefix best, int bestEpoch, List<PrefixTuningEpoch> epochRecords, long forwardPasses,
        long gradientPasses, long elapsedMillis, long longestEpochMillis, boolean finished) {

    /** The {@code format} tag of the JSON form. */
    public static final String FORMAT = "prompt4j-prefix-tuning-checkpoint/1";

    public PrefixTuningState {
        if (modelName == null || template == null || labelWords == null || loss == null || dataDigest == null
                || current == null
                || adamFirst == null || adamSecond == null || best == null || epochRecords == null) {
            throw new IllegalArgumentException("no component of a PrefixTuningState may be null");
        }
        if (adamFirst.length != current.size() || adamSecond.length != current.size()) {
            throw new IllegalArgumentException("Adam's moments must have one value per prefix float ("
                    + current.size() + "), got " + adamFirst.length + " and " + adamSecond.length);
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
        return Json.write(new Stored(FORMAT, modelName, template, labelWords, prefixLength, loss, learningRate, epochs,
                batchSize, warmupFraction, maxLength, seed, dataDigest, epochsDone, steps, current.layers(),
                current.hidden(), FloatCodec.encode(current.keys()), FloatCodec.encode(current.values()),
                FloatCodec.encodeDoubles(adamFirst), FloatCodec.encodeDoubles(adamSecond),
                FloatCodec.encode(best.keys()), FloatCodec.encode(best.values()), bestEpoch, epochRecords,
                forwardPasses, gradientPasses, elapsedMillis, longestEpochMillis, finished));
    }

    /**
     * Reads a checkpoint written by {@link #toJson()}.
     *
     * @throws IllegalArgumentException for malformed JSON, another format, or vectors of the wrong size
     */
    public static PrefixTuningState fromJson(String json) {
        Stored s = Json.read(json, Stored.class);
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
        return new PrefixTuningState(s.modelName(), s.template(), s.labelWords(), s.prefixLength(), s.loss(),
                s.learningRate(),
                s.epochs(), s.batchSize(), s.warmupFraction(), s.maxLength(), s.seed(), s.dataDigest(),
                s.epochsDone(), s.steps(), current, FloatCodec.decodeDoubles(s.adamFirst(), 2 * n, "adamFirst"),
                FloatCodec.decodeDoubles(s.adamSecond(), 2 * n, "adamSecond"), best, s.bestEpoch(), s.epochRecords(),
                s.forwardPasses(), s.gradientPasses(), s.elapsedMillis(), s.longestEpochMillis(), s.finished());
    }

    /** The JSON form. */
    record Stored(String format, String modelName, String template, Map<String, List<String>> labelWords,
            int prefixLength, String loss, double learningRate, int epochs, int batchSize, double warmupFraction,
            int maxLength, long seed, String dataDigest, int epochsDone, int steps, int layers, int hidden, String keys,
            String values, String adamFirst, String adamSecond, String bestKeys, String bestValues, int bestEpoch,
            List<PrefixTuningEpoch> epochRecords, long forwardPasses, long gradientPasses, long elapsedMillis,
            long longestEpochMillis, boolean finished) {
    }
}
