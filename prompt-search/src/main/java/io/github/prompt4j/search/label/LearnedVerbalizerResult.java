package io.github.prompt4j.search.label;

import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.model.Prefix;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.LinearVerbalizer;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.search.internal.FloatCodec;
import io.github.prompt4j.search.internal.Json;
import io.github.prompt4j.search.trigger.PassCounts;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A saved prompt with a learned verbalizer: the template, the label words the weights started from, the learned
 * {@link LinearVerbalizer}, the settings, the model and how the L2 strength was chosen.
 *
 * <p>Immutable; serialises to JSON ({@link #toJson()}, {@link #fromJson(String)}) with each weight row and the biases
 * stored as base64 little-endian float32, so a reloaded result holds bit-identical weights and gives identical
 * predictions.
 *
 * @param modelName the model's {@code info().name()}; the weights read its transformed mask state
 * @param template the discrete template text
 * @param labelWords class (in order) to the label words of the initialisation
 * @param verbalizer the learned weights
 * @param settings the training settings
 * @param chosenL2 the L2 strength kept
 * @param initialSelectionAccuracy the label words' own selection accuracy, before training
 * @param selectionScores the selection score of every strength tried
 * @param trainExamples examples fitted
 * @param selectionExamples examples the strength was chosen on
 * @param passes forward passes used
 * @param elapsedMillis wall time of the training
 * @param prefix the fixed prefix the mask states were read under ({@link VerbalizerTrainer.Builder#prefix}), or null
 *        for none; a result with a prefix classifies under it and is saved with its prefix-tuning run, not alone
 */
public record LearnedVerbalizerResult(String modelName, String template, Map<String, List<String>> labelWords,
        LinearVerbalizer verbalizer, VerbalizerSettings settings, double chosenL2, double initialSelectionAccuracy,
        List<SelectionScore> selectionScores, int trainExamples, int selectionExamples, PassCounts passes,
        long elapsedMillis, Prefix prefix) {

    /** The {@code format} tag of the JSON form. */
    public static final String FORMAT = "prompt4j-learned-verbalizer/1";

    public LearnedVerbalizerResult {
        if (modelName == null || template == null || labelWords == null || verbalizer == null || settings == null
                || selectionScores == null || passes == null) {
            throw new IllegalArgumentException("no component of a LearnedVerbalizerResult may be null");
        }
        Template parsed = Template.parse(template);
        if (parsed.softCount() > 0 || parsed.triggerCount() > 0) {
            throw new IllegalArgumentException("template '" + template + "' has [T] or [P] slots; a learned "
                    + "verbalizer's template is discrete");
        }
        if (!List.copyOf(labelWords.keySet()).equals(verbalizer.labels())) {
            throw new IllegalArgumentException("the label words' classes " + labelWords.keySet() + " differ from the "
                    + "learned verbalizer's " + verbalizer.labels());
        }
        Map<String, List<String>> words = new LinkedHashMap<>();
        labelWords.forEach((k, v) -> words.put(k, List.copyOf(v)));
        labelWords = Collections.unmodifiableMap(words);
        selectionScores = List.copyOf(selectionScores);
    }

    /**
     * The selection accuracy of the chosen strength ({@link #chosenL2}): on the selection examples, or out of fold under
     * cross-validation ({@link VerbalizerSettings#folds}).
     */
    public double selectionAccuracy() {
        return SelectionScore.accuracyAt(selectionScores, chosenL2);
    }

    /** The label words of the initialisation, as a verbalizer. */
    public Verbalizer initialWords() {
        return Verbalizer.of(labelWords);
    }

    /**
     * A classifier that scores the classes with the learned verbalizer over {@code model}, under {@link #prefix()}
     * when there is one.
     *
     * @throws IllegalArgumentException if {@code model} is not the model the weights were learned on (by name)
     */
    public PromptClassifier classifier(MaskedLanguageModel model) {
        String name = model.info().name();
        if (!name.equals(modelName)) {
            throw new IllegalArgumentException("the learned verbalizer was trained on model '" + modelName + "' and "
                    + "reads its mask states; it cannot run on model '" + name + "'");
        }
        PromptClassifier.Builder b = PromptClassifier.builder(model).template(Template.parse(template))
                .learnedVerbalizer(verbalizer)
                .maxLength(Math.min(settings.maxLength(), model.tokenizer().maxSequenceLength()));
        return (prefix == null ? b : b.prefix(prefix)).build();
    }

    /**
     * This result as JSON; weights and biases as base64 little-endian float32.
     *
     * @throws IllegalStateException for a result fitted under a prefix: its weights read states that only that
     *         prefix produces, so it is saved with the prefix, as a prefix-tuning result
     *         ({@code PrefixTuner.Builder.initialHead}), never alone
     */
    public String toJson() {
        if (prefix != null) {
            throw new IllegalStateException("this learned verbalizer was fitted on mask states under a prefix, which "
                    + "its file format does not hold; train the prefix with it as the initial head "
                    + "(PrefixTuner.Builder.initialHead) and save the prefix-tuning result");
        }
        List<String> rows = new ArrayList<>();
        for (float[] w : verbalizer.weights()) {
            rows.add(encode(w));
        }
        return Json.write(new StoredLearnedVerbalizer(FORMAT, modelName, template, labelWords, verbalizer.dim(), rows,
                encode(verbalizer.bias()), settings, chosenL2, initialSelectionAccuracy, selectionScores,
                trainExamples, selectionExamples, passes, elapsedMillis));
    }

    /**
     * Parses a result written by {@link #toJson()}.
     *
     * @throws IllegalArgumentException for malformed JSON, another format, or weights that are not base64 of
     *         {@code hiddenSize} float32 values per class
     */
    public static LearnedVerbalizerResult fromJson(String json) {
        StoredLearnedVerbalizer s = Json.read(json, StoredLearnedVerbalizer.class);
        if (!FORMAT.equals(s.format())) {
            throw new IllegalArgumentException("not a learned-verbalizer prompt: format '" + s.format()
                    + "', expected '" + FORMAT + "'");
        }
        List<String> labels = List.copyOf(s.labelWords().keySet());
        if (s.weights().size() != labels.size()) {
            throw new IllegalArgumentException("learned verbalizer has " + s.weights().size() + " weight rows for "
                    + labels.size() + " classes " + labels);
        }
        List<float[]> rows = new ArrayList<>();
        for (int c = 0; c < labels.size(); c++) {
            rows.add(decode(s.weights().get(c), s.hiddenSize(), "weights of class '" + labels.get(c) + "'"));
        }
        LinearVerbalizer v = LinearVerbalizer.of(labels, rows, decode(s.bias(), labels.size(), "bias"));
        return new LearnedVerbalizerResult(s.modelName(), s.template(), s.labelWords(), v, s.settings(),
                s.chosenL2(), s.initialSelectionAccuracy(), s.selectionScores(), s.trainExamples(),
                s.selectionExamples(), s.passes(), s.elapsedMillis(), null);
    }

    /** Whether a JSON text is in this format (its {@code format} field), without validating the rest. */
    public static boolean isThisFormat(String json) {
        return json != null && json.contains("\"" + FORMAT + "\"");
    }

    static String encode(float[] v) {
        return FloatCodec.encode(v);
    }

    static float[] decode(String base64, int length, String what) {
        return FloatCodec.decode(base64, length, what);
    }
}
