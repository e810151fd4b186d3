package io.github.prompt4j.search.mine;

import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.search.data.LamaRelation;
import java.util.List;

/**
 * A cloze template mined from a corpus, in LAMA syntax ({@code [X]} the subject, {@code [Y]} the object), with how
 * many relation pairs support it.
 *
 * <p>Immutable and thread-safe.
 *
 * @param template the template, e.g. {@code "[X] was born in [Y] ."}; words separated by single spaces
 * @param kind whether it is the words between subject and object or those plus their surroundings
 * @param support the number of distinct (subject, object) pairs seen with it, at least 1
 * @param examples some corpus sentences it was mined from, in corpus order, at least one
 */
public record MinedTemplate(String template, Kind kind, int support, List<String> examples) {

    /** Which words of a sentence a template keeps (Jiang et al. 2020, LPAQA, "middle-word" mining). */
    public enum Kind {
        /** The words between subject and object: {@code "[X] <middle> [Y] ."}. */
        MIDDLE,
        /** The middle words plus up to a few words left of the first entity and right of the second. */
        SURROUNDINGS
    }

    public MinedTemplate {
        if (template == null || !template.contains("[X]") || !template.contains("[Y]")) {
            throw new IllegalArgumentException("a mined template must contain [X] and [Y]: '" + template + "'");
        }
        if (kind == null) {
            throw new IllegalArgumentException("kind must not be null");
        }
        if (support < 1) {
            throw new IllegalArgumentException("support must be at least 1, got " + support + " for '" + template
                    + "'");
        }
        examples = List.copyOf(examples);
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("template '" + template + "' needs at least one example sentence");
        }
    }

    /** The template in prompt4j syntax: {@code [X]} becomes the field {@code {sub}}, {@code [Y]} the mask. */
    public Template toTemplate() {
        return Template.parse(LamaRelation.toPromptSyntax(template));
    }
}
