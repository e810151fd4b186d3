package io.github.prompt4j.search.soft;

import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.mapping.LabelMapper;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.model.Prefix;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.LinearVerbalizer;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.search.internal.FloatCodec;
import io.github.prompt4j.search.internal.Json;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A trained prefix-tuning prompt ({@link PrefixTuner}): the template, the label words and the prefix, with what the
 * training measured. Loads back into a classifier that gives the same predictions ({@link #classifier}).
 *
 * <p>JSON ({@link #toJson()}, {@link #fromJson(String)}): format tag {@value #FORMAT}; the prefix as base64
 * little-endian float32 ({@code keys}, {@code values}, each {@code layers * length * hidden} values). With a learned
 * verbalizer the document is tagged {@value #FORMAT_WITH_HEAD}: {@code prompt} holds the prefix document as above,
 * {@code headWeights} ({@code classes * hidden}, class rows in label order) and {@code headBias} ({@code classes})
 * the head, in the same encoding. {@code maxLength} holds the cut in tokens the prefix was trained at; files written
 * before it existed lack it (read as not recorded: classified at the model's limit, as they were measured).
 *
 * <p>Immutable and thread-safe.
 *
 * @param modelName the model's {@code info().name()}
 * @param template the template text (no {@code [T]} or {@code [P]} slot)
 * @param labelWords class to label words (one piece each), in class order
 * @param prefix the trained prefix
 * @param learnedVerbalizer the linear head trained with the prefix ({@link PrefixTuner.Builder#learnedVerbalizer}),
 *        which then scores the classes in place of the label words; empty for a label-word prompt
 * @param epochs epoch records, epoch 0 being the initial prefix
 * @param bestEpoch the epoch whose prefix is kept (best selection accuracy)
 * @param trainExamples examples trained on
 * @param selectionExamples examples the epoch was chosen on
 * @param forwardPasses prompts run forward (selection scoring)
 * @param gradientPasses prompts run through the prefix gradient graph
 * @param elapsedMillis wall time
 * @param maxLength the longest prompt in tokens (special tokens included) the prefix was trained and selected at, which
 *        {@link #classifier} keeps; empty in files written before the field existed (stop 28), whose selection was
 *        scored at the model's limit, as their classifier still is
 */
public record PrefixTuningResult(String modelName, String template, Map<String, List<String>> labelWords,
        Prefix prefix, Optional<LinearVerbalizer> learnedVerbalizer, List<PrefixTuningEpoch> epochs, int bestEpoch, int trainExamples, int selectionExamples,
        long forwardPasses, long gradientPasses, long elapsedMillis, OptionalInt maxLength) {

    /** The {@code format} tag of the JSON form. */
    public static final String FORMAT = "prompt4j-prefix-tuning/1";
    /** The {@code format} tag of the JSON form of a result with a learned verbalizer. */
    public static final String FORMAT_WITH_HEAD = "prompt4j-prefix-tuning-head/1";

    public PrefixTuningResult {
        if (modelName == null || template == null || labelWords == null || prefix == null || epochs == null
                || learnedVerbalizer == null || maxLength == null) {
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
        if (maxLength.isPresent() && maxLength.getAsInt() < 4) {
            throw new IllegalArgumentException("maxLength must be at least 4 tokens, got " + maxLength.getAsInt());
        }
        if (learnedVerbalizer.isPresent()
                && !learnedVerbalizer.get().labels().equals(List.copyOf(labelWords.keySet()))) {
            throw new IllegalArgumentException("the learned verbalizer's classes " + learnedVerbalizer.get().labels()
                    + " are not the label words' " + labelWords.keySet());
        }
    }

    /** A label-word prompt: no learned verbalizer. */
    public PrefixTuningResult(String modelName, String template, Map<String, List<String>> labelWords, Prefix prefix,
            List<PrefixTuningEpoch> epochs, int bestEpoch, int trainExamples, int selectionExamples,
            long forwardPasses, long gradientPasses, long elapsedMillis, OptionalInt maxLength) {
        this(modelName, template, labelWords, prefix, Optional.empty(), epochs, bestEpoch, trainExamples,
                selectionExamples, forwardPasses, gradientPasses, elapsedMillis, maxLength);
    }

    /** The selection accuracy of the kept prefix. */
    public double selectionAccuracy() {
        return epochs.stream().filter(e -> e.epoch() == bestEpoch).findFirst().orElseThrow().selectionAccuracy();
    }

    /**
     * A classifier with this prompt over {@code model}, as training scored the selection split: the learned
     * verbalizer if there is one, else the label words with {@link LabelMapper#sum()}; prompts cut to
     * {@link #maxLength} tokens (the model's limit when empty, or when the model's is lower).
     *
     * @throws IllegalArgumentException when the model cannot run prefixes or has another shape
     */
    public PromptClassifier classifier(MaskedLanguageModel model) {
        PromptClassifier.Builder b = PromptClassifier.builder(model).template(Template.parse(template)).prefix(prefix);
        maxLength.ifPresent(n -> b.maxLength(Math.min(n, model.tokenizer().maxSequenceLength())));
        return learnedVerbalizer.isPresent() ? b.learnedVerbalizer(learnedVerbalizer.get()).build()
                : b.verbalizer(Verbalizer.of(labelWords)).mapper(LabelMapper.sum()).build();
    }

    /** This result as JSON. */
    public String toJson() {
        Stored prompt = new Stored(FORMAT, modelName, template, labelWords, prefix.layers(), prefix.length(),
                prefix.hidden(), FloatCodec.encode(prefix.keys()), FloatCodec.encode(prefix.values()), epochs,
                bestEpoch, trainExamples, selectionExamples, forwardPasses, gradientPasses, elapsedMillis,
                maxLength.orElse(0));
        return Json.write(learnedVerbalizer.<Object>map(v -> new StoredWithHead(FORMAT_WITH_HEAD, prompt,
                FloatCodec.encode(v.head().weights()), FloatCodec.encode(v.head().bias()))).orElse(prompt));
    }

    /**
     * Reads a result written by {@link #toJson()}.
     *
     * @throws IllegalArgumentException for malformed JSON, another format or a prefix or head of the wrong size
     */
    public static PrefixTuningResult fromJson(String json) {
        if (json != null && json.contains("\"" + FORMAT_WITH_HEAD + "\"")) {
            StoredWithHead h = Json.read(json, StoredWithHead.class);
            Stored s = h.prompt();
            return fromStored(s, Optional.of(FloatCodec.decodeHead(List.copyOf(s.labelWords().keySet()), s.hidden(),
                    h.headWeights(), h.headBias())));
        }
        return fromStored(Json.read(json, Stored.class), Optional.empty());
    }

    private static PrefixTuningResult fromStored(Stored s, Optional<LinearVerbalizer> head) {
        if (!FORMAT.equals(s.format())) {
            throw new IllegalArgumentException("not a prefix-tuning prompt: format '" + s.format() + "', expected '"
                    + FORMAT + "'");
        }
        int n = s.layers() * s.length() * s.hidden();
        Prefix prefix = new Prefix(s.layers(), s.length(), s.hidden(), FloatCodec.decode(s.keys(), n, "keys"),
                FloatCodec.decode(s.values(), n, "values"));
        return new PrefixTuningResult(s.modelName(), s.template(), s.labelWords(), prefix, head, s.epochs(),
                s.bestEpoch(), s.trainExamples(), s.selectionExamples(), s.forwardPasses(), s.gradientPasses(),
                s.elapsedMillis(), s.maxLength() == 0 ? OptionalInt.empty() : OptionalInt.of(s.maxLength()));
    }

    /** Whether a JSON text is in this format (its {@code format} field), without validating the rest. */
    public static boolean isThisFormat(String json) {
        return json != null && json.contains("\"" + FORMAT + "\"");
    }

    /** The JSON form with a learned verbalizer: the prefix document and the head. */
    record StoredWithHead(String format, Stored prompt, String headWeights, String headBias) {
    }

    /** The JSON form; {@code maxLength} 0 (or absent, in files written before it existed) when not recorded. */
    record Stored(String format, String modelName, String template, Map<String, List<String>> labelWords, int layers,
            int length, int hidden, String keys, String values, List<PrefixTuningEpoch> epochs, int bestEpoch,
            int trainExamples, int selectionExamples, long forwardPasses, long gradientPasses, long elapsedMillis,
            int maxLength) {
    }
}
