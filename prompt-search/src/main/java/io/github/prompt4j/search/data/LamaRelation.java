package io.github.prompt4j.search.data;

import io.github.prompt4j.core.template.Template;

/**
 * A LAMA relation with its manual cloze template, e.g. {@code P19 "[X] was born in [Y] ."}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param id the Wikidata relation id, e.g. {@code P19}
 * @param lamaTemplate the template in LAMA syntax: {@code [X]} the subject, {@code [Y]} the object
 * @param label the relation's name, e.g. {@code place of birth}
 */
public record LamaRelation(String id, String lamaTemplate, String label) {

    /** The field name prompt4j templates use for the subject. */
    public static final String SUBJECT = "sub";

    public LamaRelation {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("relation id must not be blank");
        }
        if (lamaTemplate == null || !lamaTemplate.contains("[X]") || !lamaTemplate.contains("[Y]")) {
            throw new IllegalArgumentException("template of relation " + id + " must contain [X] and [Y]: '"
                    + lamaTemplate + "'");
        }
        if (label == null) {
            label = "";
        }
    }

    /** The manual template as a prompt4j template: {@code [X]} becomes {@code {sub}}, {@code [Y]} becomes {@code [MASK]}. */
    public Template manualTemplate() {
        return Template.parse(toPromptSyntax(lamaTemplate));
    }

    /**
     * AutoPrompt's fact template with {@code triggers} trigger slots: {@code "{sub} [T] ... [T] [MASK] ."}
     * (Shin et al. 2020, section 4).
     *
     * @throws IllegalArgumentException if {@code triggers < 1}
     */
    public static Template autoPromptTemplate(int triggers) {
        if (triggers < 1) {
            throw new IllegalArgumentException("need at least one trigger slot, got " + triggers);
        }
        return Template.parse("{" + SUBJECT + "} " + "[T] ".repeat(triggers) + "[MASK] .");
    }

    /** Rewrites LAMA syntax ({@code [X]}, {@code [Y]}) into prompt4j template syntax. */
    public static String toPromptSyntax(String lamaTemplate) {
        return lamaTemplate.replace("[X]", "{" + SUBJECT + "}").replace("[Y]", "[MASK]");
    }
}
