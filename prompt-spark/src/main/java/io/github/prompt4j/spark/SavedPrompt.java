package io.github.prompt4j.spark;

import io.github.prompt4j.core.calibration.Calibration;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.search.soft.SoftPromptResult;
import io.github.prompt4j.search.trigger.SearchMode;
import io.github.prompt4j.search.trigger.TriggerSearchResult;

/**
 * A saved prompt file's text, parsed with the library's own loaders ({@link TriggerSearchResult#fromJson},
 * {@link SoftPromptResult#fromJson}) on the driver to check it and again on each executor to build the classifier.
 *
 * @param source where the text came from, for messages
 * @param json the file's text
 * @param soft whether it is a soft prompt (else an AutoPrompt result)
 * @param calibration the calibration (AutoPrompt results only)
 */
record SavedPrompt(String source, String json, boolean soft, CalibrationSpec calibration) implements SparkPrompt {

    private static final long serialVersionUID = 1L;

    /**
     * Parses and checks a saved prompt.
     *
     * @throws IllegalArgumentException when it is neither an AutoPrompt result nor a soft prompt, is a fact-retrieval
     *         result or an ensemble of trigger states, or is a soft prompt or an AutoPrompt result with a learned head
     *         given a calibration
     */
    static SavedPrompt parse(String source, String json, Calibration calibration) {
        if (json == null || calibration == null) {
            throw new IllegalArgumentException("saved prompt text and calibration must not be null; use "
                    + "Calibration.none() for none");
        }
        CalibrationSpec spec = CalibrationSpec.of(calibration);
        IllegalArgumentException notSoft;
        try {
            SoftPromptResult.fromJson(json);
            notSoft = null;
        } catch (IllegalArgumentException e) {
            notSoft = e;
        }
        if (notSoft == null) {
            if (!spec.isNone()) {
                throw new IllegalArgumentException("saved prompt " + source + " is a soft prompt, which prompt4j "
                        + "does not calibrate; drop the calibration");
            }
            return new SavedPrompt(source, json, true, spec);
        }
        TriggerSearchResult result;
        try {
            result = TriggerSearchResult.fromJson(json);
        } catch (IllegalArgumentException | NullPointerException notTrigger) {
            IllegalArgumentException e = new IllegalArgumentException("saved prompt " + source + " is neither an "
                    + "AutoPrompt result (" + notTrigger.getMessage() + ") nor a soft prompt ("
                    + notSoft.getMessage() + ")", notTrigger);
            e.addSuppressed(notSoft);
            throw e;
        }
        if (result.settings().mode() != SearchMode.CLASSIFICATION || result.labelWords().isEmpty()) {
            throw new IllegalArgumentException("saved prompt " + source + " is a " + result.settings().mode()
                    + " prompt without label words; classification needs a classification prompt");
        }
        if (result.isEnsemble()) {
            throw new IllegalArgumentException("saved prompt " + source + " is an ensemble of "
                    + result.ensembleTriggerIds().size() + " trigger states, which a Spark classifier does not run "
                    + "(it classifies with one prompt); save the single best state, e.g. rerun eval autoprompt "
                    + "without --ensemble-top, or classify with PromptEnsemble.of(result.memberClassifiers(model))");
        }
        if (result.head().isPresent() && !spec.isNone()) {
            throw new IllegalArgumentException("saved prompt " + source + " scores its classes with a learned head "
                    + "(eval autoprompt --learned-head), which has its own biases; drop the calibration");
        }
        return new SavedPrompt(source, json, false, spec);
    }

    @Override
    public PromptClassifier classifier(MaskedLanguageModel model) {
        return soft ? SoftPromptResult.fromJson(json).classifier(model)
                : calibration.isNone() ? TriggerSearchResult.fromJson(json).classifier(model) // its saved prior, if any
                : TriggerSearchResult.fromJson(json).classifier(model, calibration.toCalibration());
    }

    @Override
    public String toString() {
        return "saved " + (soft ? "soft" : "AutoPrompt") + " prompt " + source;
    }
}
