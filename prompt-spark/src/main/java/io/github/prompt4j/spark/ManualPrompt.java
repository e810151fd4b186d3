package io.github.prompt4j.spark;

import io.github.prompt4j.core.calibration.Calibration;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.MultiTokenPolicy;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A template, a verbalizer and a calibration in serialisable form (the core types are not {@code Serializable}).
 *
 * @param template the template text
 * @param triggerIds the template's bound trigger ids, or null when unbound
 * @param triggerInitId the id unbound triggers render as, or -1 for the mask id
 * @param labelWords class (in order) to label words
 * @param policy how multi-piece label words are scored
 * @param calibration the calibration
 */
record ManualPrompt(String template, int[] triggerIds, int triggerInitId,
        LinkedHashMap<String, ArrayList<String>> labelWords, MultiTokenPolicy policy, CalibrationSpec calibration)
        implements SparkPrompt {

    private static final long serialVersionUID = 1L;

    static ManualPrompt of(Template template, Verbalizer verbalizer, Calibration calibration) {
        if (template == null || verbalizer == null || calibration == null) {
            throw new IllegalArgumentException("template, verbalizer and calibration must not be null; use "
                    + "Calibration.none() for none");
        }
        LinkedHashMap<String, ArrayList<String>> words = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : verbalizer.words().entrySet()) {
            words.put(e.getKey(), new ArrayList<>(e.getValue()));
        }
        return new ManualPrompt(template.text(), template.triggerIds().orElse(null),
                template.triggerInitId().orElse(-1), words, verbalizer.policy(), CalibrationSpec.of(calibration));
    }

    @Override
    public PromptClassifier classifier(MaskedLanguageModel model) {
        Template t = Template.parse(template);
        if (triggerIds != null) {
            t = t.withTriggerIds(triggerIds);
        }
        if (triggerInitId >= 0) {
            t = t.withTriggerInitId(triggerInitId);
        }
        Map<String, List<String>> words = new LinkedHashMap<>(labelWords);
        return PromptClassifier.builder(model).template(t).verbalizer(Verbalizer.of(words, policy))
                .calibration(calibration.toCalibration()).build();
    }

    @Override
    public String toString() {
        return "prompt '" + template + "' " + labelWords + (calibration.isNone() ? "" : " " + calibration);
    }
}
