package io.github.prompt4j.search.soft;

import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.mapping.LabelMapper;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.template.SoftPrompt;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.LinearVerbalizer;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.search.internal.FloatCodec;
import io.github.prompt4j.search.internal.Json;
import io.github.prompt4j.search.trigger.PassCounts;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The outcome of soft-prompt training: the template, the label words, the learned vectors of the {@code [P]} slots
 * (those with the best dev accuracy), the settings, the model and the history of the run.
 *
 * <p>Immutable; serialises to JSON ({@link #toJson()}, {@link #fromJson(String)}) with each vector stored as the
 * base64 encoding of its little-endian float32 values, so a reloaded result holds bit-identical vectors and gives
 * bit-identical predictions.
 *
 * @param modelName the model's {@code info().name()}; the vectors live in its input-embedding space
 * @param template the template text with {@code [P]} slots
 * @param labelWords class (in order) to label words
 * @param softPrompt the learned vectors, one per slot
 * @param settings the training settings
 * @param bestDevAccuracy the dev accuracy of {@link #softPrompt()}
 * @param bestDevLoss its mean dev label loss
 * @param bestEpoch the epoch that produced the vectors (0 = the initial vectors)
 * @param epochsRun epochs done (fewer than {@code settings.epochs()} after early stopping)
 * @param trainLossHistory mean training loss of each epoch
 * @param devAccuracyHistory dev accuracy after each epoch
 * @param passes forward and gradient passes used
 * @param elapsedMillis wall time
 * @param learnedVerbalizer the linear head trained with the vectors ({@link SoftPromptTrainer.Builder#learnedVerbalizer}),
 *        which then scores the classes in place of the label words; empty for a label-word prompt
 */
public record SoftPromptResult(String modelName, String template, Map<String, List<String>> labelWords,
        SoftPrompt softPrompt, SoftPromptSettings settings, double bestDevAccuracy, double bestDevLoss, int bestEpoch,
        int epochsRun, List<Double> trainLossHistory, List<Double> devAccuracyHistory, PassCounts passes,
        long elapsedMillis, Optional<LinearVerbalizer> learnedVerbalizer) {

    /** The {@code format} tag of the JSON form. */
    static final String FORMAT = "prompt4j-soft-prompt/1";
    /** The {@code format} tag of the JSON form of a result with a learned verbalizer (wrapping the plain form). */
    static final String FORMAT_WITH_HEAD = "prompt4j-soft-prompt-head/1";

    public SoftPromptResult {
        if (modelName == null || template == null || labelWords == null || softPrompt == null || settings == null
                || trainLossHistory == null || devAccuracyHistory == null || passes == null
                || learnedVerbalizer == null) {
            throw new IllegalArgumentException("no component of a SoftPromptResult may be null");
        }
        int slots = Template.parse(template).softCount();
        if (slots != softPrompt.size()) {
            throw new IllegalArgumentException("template '" + template + "' has " + slots + " soft-prompt slot(s) "
                    + "[P] but the result holds " + softPrompt.size() + " vector(s)");
        }
        Map<String, List<String>> words = new LinkedHashMap<>();
        labelWords.forEach((k, v) -> words.put(k, List.copyOf(v)));
        labelWords = Collections.unmodifiableMap(words);
        trainLossHistory = List.copyOf(trainLossHistory);
        devAccuracyHistory = List.copyOf(devAccuracyHistory);
        if (learnedVerbalizer.isPresent()
                && !learnedVerbalizer.get().labels().equals(List.copyOf(labelWords.keySet()))) {
            throw new IllegalArgumentException("the learned verbalizer's classes " + learnedVerbalizer.get().labels()
                    + " are not the label words' " + labelWords.keySet());
        }
    }

    /** A label-word prompt: no learned verbalizer. */
    public SoftPromptResult(String modelName, String template, Map<String, List<String>> labelWords,
            SoftPrompt softPrompt, SoftPromptSettings settings, double bestDevAccuracy, double bestDevLoss,
            int bestEpoch, int epochsRun, List<Double> trainLossHistory, List<Double> devAccuracyHistory,
            PassCounts passes, long elapsedMillis) {
        this(modelName, template, labelWords, softPrompt, settings, bestDevAccuracy, bestDevLoss, bestEpoch,
                epochsRun, trainLossHistory, devAccuracyHistory, passes, elapsedMillis, Optional.empty());
    }

    /** The label words as a verbalizer. */
    public Verbalizer verbalizer() {
        return Verbalizer.of(labelWords);
    }

    /**
     * A classifier with the learned prompt over {@code model}: the learned verbalizer if there is one, else the label
     * words with {@link LabelMapper#sum()} (the class score the training optimised: {@code log sum_{w in class} p(w)}).
     *
     * @throws IllegalArgumentException if {@code model} is not the model the vectors were trained on (by name) or
     *         its hidden size differs from the vectors' length
     */
    public PromptClassifier classifier(MaskedLanguageModel model) {
        String name = model.info().name();
        if (!name.equals(modelName)) {
            throw new IllegalArgumentException("the soft prompt was trained on model '" + modelName + "' and lives in "
                    + "its embedding space; it cannot run on model '" + name + "'");
        }
        if (model.info().hiddenSize() != softPrompt.dim()) {
            throw new IllegalArgumentException("soft-prompt vectors have " + softPrompt.dim() + " values but model '"
                    + name + "' has hidden size " + model.info().hiddenSize());
        }
        PromptClassifier.Builder b = PromptClassifier.builder(model).template(Template.parse(template))
                .softPrompt(softPrompt).maxLength(Math.min(settings.maxLength(), model.tokenizer().maxSequenceLength()));
        return learnedVerbalizer.isPresent() ? b.learnedVerbalizer(learnedVerbalizer.get()).build()
                : b.verbalizer(verbalizer()).mapper(LabelMapper.sum()).build();
    }

    /** This result as JSON; vectors as base64 little-endian float32. */
    public String toJson() {
        List<String> vectors = new ArrayList<>(softPrompt.size());
        for (float[] v : softPrompt.vectors()) {
            vectors.add(encode(v));
        }
        StoredSoftPromptResult plain = new StoredSoftPromptResult(FORMAT, modelName, template, labelWords,
                softPrompt.dim(), vectors, settings, bestDevAccuracy, bestDevLoss, bestEpoch, epochsRun,
                trainLossHistory, devAccuracyHistory, passes, elapsedMillis);
        return Json.write(learnedVerbalizer.<Object>map(v -> new StoredWithHead(FORMAT_WITH_HEAD, plain,
                encode(v.head().weights()), encode(v.head().bias()))).orElse(plain));
    }

    /**
     * Parses a result written by {@link #toJson()}.
     *
     * @throws IllegalArgumentException for malformed JSON, an unknown format, or a vector that is not base64 of
     *         {@code hiddenSize} little-endian float32 values
     */
    public static SoftPromptResult fromJson(String json) {
        if (json != null && json.contains("\"" + FORMAT_WITH_HEAD + "\"")) {
            StoredWithHead w = Json.read(json, StoredWithHead.class);
            StoredSoftPromptResult s = w.prompt();
            if (s.labelWords() == null || s.labelWords().size() < 2) {
                throw new IllegalArgumentException("a learned verbalizer needs the label words of two or more classes");
            }
            return fromStored(s, Optional.of(FloatCodec.decodeHead(List.copyOf(s.labelWords().keySet()),
                    s.hiddenSize(), w.headWeights(), w.headBias())));
        }
        return fromStored(Json.read(json, StoredSoftPromptResult.class), Optional.empty());
    }

    /** Whether a JSON text is a soft-prompt result (its {@code format} field), without validating the rest. */
    public static boolean isThisFormat(String json) {
        return json != null && json.contains("\"" + FORMAT + "\"");
    }

    /** The JSON form with a learned verbalizer: the plain document and the head. */
    record StoredWithHead(String format, StoredSoftPromptResult prompt, String headWeights, String headBias) {
    }

    private static SoftPromptResult fromStored(StoredSoftPromptResult s, Optional<LinearVerbalizer> head) {
        if (!FORMAT.equals(s.format())) {
            throw new IllegalArgumentException("not a soft-prompt result: format '" + s.format() + "', expected '"
                    + FORMAT + "'");
        }
        if (s.vectors() == null || s.vectors().isEmpty()) {
            throw new IllegalArgumentException("soft-prompt result has no vectors");
        }
        List<float[]> vectors = new ArrayList<>(s.vectors().size());
        for (int i = 0; i < s.vectors().size(); i++) {
            vectors.add(decode(s.vectors().get(i), s.hiddenSize(), i));
        }
        return new SoftPromptResult(s.modelName(), s.template(), s.labelWords(), SoftPrompt.of(vectors),
                s.settings(), s.bestDevAccuracy(), s.bestDevLoss(), s.bestEpoch(), s.epochsRun(),
                s.trainLossHistory(), s.devAccuracyHistory(), s.passes(), s.elapsedMillis(), head);
    }

    static String encode(float[] v) {
        ByteBuffer bytes = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(v);
        return Base64.getEncoder().encodeToString(bytes.array());
    }

    static float[] decode(String base64, int dim, int slot) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("vector of slot " + slot + " is not valid base64: " + e.getMessage(), e);
        }
        if (dim < 1 || bytes.length != dim * Float.BYTES) {
            throw new IllegalArgumentException("vector of slot " + slot + " has " + bytes.length + " bytes; hiddenSize "
                    + dim + " needs " + (long) dim * Float.BYTES);
        }
        float[] v = new float[dim];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }
}
