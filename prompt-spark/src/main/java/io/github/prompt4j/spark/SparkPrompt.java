package io.github.prompt4j.spark;

import io.github.prompt4j.core.calibration.Calibration;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The prompt a {@link SparkPromptClassifier} runs: it travels to the executors (hence {@link Serializable}) and
 * builds the {@link PromptClassifier} there, once per executor JVM, over that JVM's model.
 *
 * <p>Use the factories: a template and verbalizer ({@link #of(Template, Verbalizer, Calibration)}) or a saved prompt
 * file that prompt4j writes ({@link #fromFile(Path)}: an AutoPrompt result or a soft prompt). For any other
 * configuration (another label mapper, truncation, multi-mask decoding) implement it, e.g. with a lambda, which
 * Java serialises when its target type is serialisable:
 * <pre>{@code
 * SparkPrompt custom = model -> PromptClassifier.builder(model).template(Template.parse("{text} It was [MASK]."))
 *         .verbalizer(Verbalizer.builder().add("neg", "bad").add("pos", "good").build())
 *         .mapper(LabelMapper.max()).build();
 * }</pre>
 *
 * <p>Implementations must be immutable, and deterministic: every executor must build the same classifier.
 */
@FunctionalInterface
public interface SparkPrompt extends Serializable {

    /**
     * Builds the classifier over an executor's model. Called once per executor JVM and classifier; the classifier is
     * then shared by that JVM's tasks.
     *
     * @throws IllegalArgumentException when the prompt does not fit the model (e.g. a label word it cannot spell)
     */
    PromptClassifier classifier(MaskedLanguageModel model);

    /**
     * A template and verbalizer without calibration.
     *
     * @throws IllegalArgumentException for a null template or verbalizer
     */
    static SparkPrompt of(Template template, Verbalizer verbalizer) {
        return of(template, verbalizer, Calibration.none());
    }

    /**
     * A template, a verbalizer and a calibration. A calibration other than {@code none()} and {@code fixed(...)}
     * costs each executor JVM its forward passes once, when it builds the classifier; all executors estimate the
     * same prior.
     *
     * @throws IllegalArgumentException for a null argument
     */
    static SparkPrompt of(Template template, Verbalizer verbalizer, Calibration calibration) {
        return ManualPrompt.of(template, verbalizer, calibration);
    }

    /**
     * A saved prompt that prompt4j writes: an AutoPrompt result ({@code TriggerSearchResult.toJson()},
     * {@code Eval autoprompt}'s {@code autoprompt-prompt.json}) or a soft prompt ({@code SoftPromptResult.toJson()}).
     * The file is read and checked here, on the driver; its text travels to the executors.
     *
     * @throws UncheckedIOException when the file cannot be read
     * @throws IllegalArgumentException when it is neither kind, is a fact-retrieval result without label words, or is
     *         an ensemble of trigger states ({@code Eval autoprompt --ensemble-top}; a Spark classifier runs one
     *         prompt)
     */
    static SparkPrompt fromFile(Path file) {
        return fromFile(file, Calibration.none());
    }

    /**
     * As {@link #fromFile(Path)}, calibrated; only AutoPrompt results can be calibrated. {@code Calibration.none()}
     * keeps the calibration an AutoPrompt result saved ({@code TriggerSearchResult.calibrationPrior()}); any other
     * replaces it.
     *
     * @throws UncheckedIOException when the file cannot be read
     * @throws IllegalArgumentException as {@link #fromFile(Path)}, or for a calibration of a soft prompt
     */
    static SparkPrompt fromFile(Path file, Calibration calibration) {
        if (file == null) {
            throw new IllegalArgumentException("saved prompt file must not be null");
        }
        String json;
        try {
            json = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the saved prompt " + file, e);
        }
        return SavedPrompt.parse(file.toString(), json, calibration);
    }

    /**
     * A saved prompt from its JSON text (see {@link #fromFile(Path)}).
     *
     * @throws IllegalArgumentException as {@link #fromFile(Path, Calibration)}
     */
    static SparkPrompt fromJson(String json, Calibration calibration) {
        return SavedPrompt.parse("JSON text", json, calibration);
    }
}
