package io.github.prompt4j.search.select;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.github.prompt4j.core.calibration.Calibration;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.mapping.LabelMapper;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.MultiTokenPolicy;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * One prompt to compare: a template and a verbalizer, with a name for reports.
 *
 * <p>Immutable and thread-safe. Serialises to JSON as {@code name}, {@code template} (text), {@code triggerIds} (the
 * bound trigger ids, empty when none are bound), {@code labelWords} and {@code policy}; a template's trigger
 * initialisation id is not saved.
 *
 * @param name a label for reports, not blank
 * @param template the cloze template
 * @param verbalizer the label words
 */
public record PromptCandidate(String name, Template template, Verbalizer verbalizer) {

    public PromptCandidate {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a prompt candidate needs a non-blank name");
        }
        if (template == null || verbalizer == null) {
            throw new IllegalArgumentException("candidate '" + name + "' needs a template and a verbalizer");
        }
    }

    /** A candidate named {@code template text | class:word,word; ...}. */
    public static PromptCandidate of(Template template, Verbalizer verbalizer) {
        if (template == null || verbalizer == null) {
            throw new IllegalArgumentException("a candidate needs a template and a verbalizer");
        }
        StringBuilder name = new StringBuilder(template.toString()).append(" | ");
        verbalizer.words().forEach((label, words) -> name.append(label).append(':').append(String.join(",", words))
                .append("; "));
        return new PromptCandidate(name.substring(0, name.length() - 2), template, verbalizer);
    }

    /** Every template with every verbalizer, template-major (all verbalizers of the first template first). */
    public static List<PromptCandidate> grid(List<Template> templates, List<Verbalizer> verbalizers) {
        if (templates == null || verbalizers == null || templates.isEmpty() || verbalizers.isEmpty()) {
            throw new IllegalArgumentException("a grid needs at least one template and one verbalizer");
        }
        List<PromptCandidate> out = new ArrayList<>(templates.size() * verbalizers.size());
        for (Template t : templates) {
            for (Verbalizer v : verbalizers) {
                out.add(of(t, v));
            }
        }
        return List.copyOf(out);
    }

    /**
     * A classifier for this candidate over {@code model}; estimating a calibration prior costs one forward pass per
     * calibration input (see {@link Calibration}).
     *
     * @throws IllegalArgumentException as {@link PromptClassifier.Builder#build()}
     */
    public PromptClassifier classifier(MaskedLanguageModel model, LabelMapper mapper, Calibration calibration) {
        return PromptClassifier.builder(model).template(template).verbalizer(verbalizer).mapper(mapper)
                .calibration(calibration).build();
    }

    @JsonValue
    Form form() {
        return new Form(name, template.text(), template.triggerIds().orElse(new int[0]),
                new LinkedHashMap<>(verbalizer.words()), verbalizer.policy());
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static PromptCandidate fromForm(Form form) {
        Template t = Template.parse(form.template());
        if (form.triggerIds() != null && form.triggerIds().length > 0) {
            t = t.withTriggerIds(form.triggerIds());
        }
        return new PromptCandidate(form.name(), t, Verbalizer.of(form.labelWords(), form.policy()));
    }

    /** The JSON form. */
    record Form(String name, String template, int[] triggerIds, LinkedHashMap<String, List<String>> labelWords,
            MultiTokenPolicy policy) {
    }

    @Override
    public String toString() {
        return name;
    }
}
