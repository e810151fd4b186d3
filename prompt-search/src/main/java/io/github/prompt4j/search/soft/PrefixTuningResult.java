package io.github.prompt4j.search.soft;

import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.mapping.LabelMapper;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.model.Prefix;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.search.internal.FloatCodec;
import io.github.prompt4j.search.internal.Json;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained prefix-tuning prompt ({@link PrefixTuner}): the template, the label words and the prefix, with what the
 * training measured. Loads back into a classifier that gives the same predictions ({@link #classifier}).
 *
 * <p>JSON ({@link #toJson()}, {@link #fromJson(String)}): format tag {@value #FORMAT}; the prefix as base64
 * little-endian float32 ({@code keys}, {@code values}, each {@code layers * length * hidden} values).
 *
 * <p>Immutable and thread-safe.
 *
 * @param modelName the model's {@code info().name()}
 * @param template the template text (no {@code [T]} or {@code [P]} slot)
 * @param labelWords class to label words (one piece each), in class order
 * @param prefix the trained prefix
 * @param epochs epoch records, epoch 0 being the initial prefix
 * @param bestEpoch the epoch whose prefix is kept (best selection accuracy)
 * @param trainExamples examples trained on
 * @param selectionExamples examples the epoch was chosen on
 * @param forwardPasses prompts run forward (selection scoring)
 * @param gradientPasses prompts run through the prefix gradient graph
 * @param elapsedMillis wall time
 */
public record PrefixTuningResult(String modelName, String template, Map<String, List<String>> labelWords,
        Prefix prefix, List<PrefixTuningEpoch> epochs, int bestEpoch, int trainExamples, int selectionExamples,
        long forwardPasses, long gradientPasses, long elapsedMillis) {

    /** The {@code format} tag of the JSON form. */
    public static final String FORMAT = "prompt4j-prefix-tuning/1";

    public PrefixTuningResult {
        if (modelName == null || template == null || labelWords == null || prefix == null || epochs == null) {
            throw new IllegalArgumentException("no component of a PrefixTuningResult may be null");
        }
        Template parsed = Template.parse(template);
        if (parsed.softCount() > 0 || parsed.triggerCount() > 0) {
            throw new IllegalArgumentException("template '" + template + "' has [T] or [P] slots; a prefix-tuning "
                    + "prompt's template is discrete");
        }
        Map<String, List<String>> words = new LinkedHashMap<>();
        labelWords.forEach((k, v) -> words.put(k, List.copyOf(v)));
        labelWords = Collections.unmodifiableMap(words);
        epochs = List.copyOf(epochs);
    }

    /** The selection accuracy of the kept prefix. */
    public double selectionAccuracy() {
        return epochs.stream().filter(e -> e.epoch() == bestEpoch).findFirst().orElseThrow().selectionAccuracy();
    }

    /**
     * A classifier with this prompt over {@code model} ({@link LabelMapper#sum()}, as training scored the selection
     * split).
     *
     * @throws IllegalArgumentException when the model cannot run prefixes or has another shape
     */
    public PromptClassifier classifier(MaskedLanguageModel model) {
        return PromptClassifier.builder(model).template(Template.parse(template)).verbalizer(Verbalizer.of(labelWords))
                .mapper(LabelMapper.sum()).prefix(prefix).build();
    }

    /** This result as JSON. */
    public String toJson() {
        return Json.write(new Stored(FORMAT, modelName, template, labelWords, prefix.layers(), prefix.length(),
                prefix.hidden(), FloatCodec.encode(prefix.keys()), FloatCodec.encode(prefix.values()), epochs,
                bestEpoch, trainExamples, selectionExamples, forwardPasses, gradientPasses, elapsedMillis));
    }

    /**
     * Reads a result written by {@link #toJson()}.
     *
     * @throws IllegalArgumentException for malformed JSON, another format or a prefix of the wrong size
     */
    public static PrefixTuningResult fromJson(String json) {
        Stored s = Json.read(json, Stored.class);
        if (!FORMAT.equals(s.format())) {
            throw new IllegalArgumentException("not a prefix-tuning prompt: format '" + s.format() + "', expected '"
                    + FORMAT + "'");
        }
        int n = s.layers() * s.length() * s.hidden();
        Prefix prefix = new Prefix(s.layers(), s.length(), s.hidden(), FloatCodec.decode(s.keys(), n, "keys"),
                FloatCodec.decode(s.values(), n, "values"));
        return new PrefixTuningResult(s.modelName(), s.template(), s.labelWords(), prefix, s.epochs(), s.bestEpoch(),
                s.trainExamples(), s.selectionExamples(), s.forwardPasses(), s.gradientPasses(), s.elapsedMillis());
    }

    /** Whether a JSON text is in this format (its {@code format} field), without validating the rest. */
    public static boolean isThisFormat(String json) {
        return json != null && json.contains("\"" + FORMAT + "\"");
    }

    /** The JSON form. */
    record Stored(String format, String modelName, String template, Map<String, List<String>> labelWords, int layers,
            int length, int hidden, String keys, String values, List<PrefixTuningEpoch> epochs, int bestEpoch,
            int trainExamples, int selectionExamples, long forwardPasses, long gradientPasses, long elapsedMillis) {
    }
}
