package io.github.prompt4j.search.fact;

import io.github.prompt4j.core.model.Tokenizer;
import io.github.prompt4j.core.template.SoftPrompt;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.data.LamaRelation;
import java.util.Map;
import java.util.Optional;

/**
 * One relation's prompt for fact retrieval: a LAMA-syntax text for reading ({@code "[X] was born in [Y] ."}) and
 * the prompt4j template that encodes a fact, with either literal words, trigger slots bound to token ids (a searched
 * discrete prompt, reproduced id for id) or soft-prompt slots with their vectors (a continuous prompt).
 *
 * <p>Published prompt sets write searched word pieces glued to their neighbour ({@code "[X]vik ##..."} became
 * {@code "[X]vik"}), and their evaluation substitutes the subject into the text before tokenising, so the piece joins
 * the subject's last word. {@link #parse} reads such text the same way: letters glued to {@code [X]} travel with the
 * subject ({@link #subjectPrefix()}, {@link #subjectSuffix()}) and are tokenised with it; text glued to {@code [Y]}
 * is split from it, as a BERT tokenizer splits {@code [MASK]} from its neighbours.
 *
 * <p>Immutable and thread-safe.
 *
 * @param relation the relation id, e.g. {@code P19}
 * @param text the prompt in LAMA syntax, for reading
 * @param template the template over field {@link LamaRelation#SUBJECT}, with one mask
 * @param subjectPrefix text glued before the subject, usually empty
 * @param subjectSuffix text glued after the subject, usually empty
 * @param softPrompt the vectors of the template's {@code [P]} slots; present exactly when it has such slots
 */
public record FactPrompt(String relation, String text, Template template, String subjectPrefix, String subjectSuffix,
        Optional<SoftPrompt> softPrompt) {

    public FactPrompt {
        if (relation == null || relation.isBlank()) {
            throw new IllegalArgumentException("relation must not be blank");
        }
        if (template.maskCount() != 1) {
            throw new IllegalArgumentException("prompt of " + relation + " needs one mask, template '"
                    + template.text() + "' has " + template.maskCount());
        }
        if (!template.fields().equals(java.util.List.of(LamaRelation.SUBJECT))) {
            throw new IllegalArgumentException("prompt of " + relation + " must have the one field {"
                    + LamaRelation.SUBJECT + "}, template '" + template.text() + "' has " + template.fields());
        }
        if (template.triggerCount() > 0 && template.triggerIds().isEmpty()) {
            throw new IllegalArgumentException("prompt of " + relation + ": trigger slots of '" + template.text()
                    + "' are not bound to token ids; use Template.withTriggerIds");
        }
        if (softPrompt.map(SoftPrompt::size).orElse(0) != template.softCount()) {
            throw new IllegalArgumentException("prompt of " + relation + ": template '" + template.text() + "' has "
                    + template.softCount() + " [P] slot(s) but " + softPrompt.map(SoftPrompt::size).orElse(0)
                    + " vector(s) are given");
        }
        subjectPrefix = subjectPrefix == null ? "" : subjectPrefix;
        subjectSuffix = subjectSuffix == null ? "" : subjectSuffix;
    }

    /**
     * A prompt from LAMA-syntax text, with {@code [X]} and {@code [Y]} once each; glued text is read as the
     * published prompts' own evaluation reads it (see the class comment).
     *
     * @throws IllegalArgumentException naming the relation if {@code [X]} or {@code [Y]} is missing or repeated, or
     *         the rest is not valid template text
     */
    public static FactPrompt parse(String relation, String lamaText) {
        if (lamaText == null || count(lamaText, "[X]") != 1 || count(lamaText, "[Y]") != 1) {
            throw new IllegalArgumentException("prompt of " + relation + " must contain [X] and [Y] once each: '"
                    + lamaText + "'");
        }
        String text = lamaText.strip();
        int x = text.indexOf("[X]");
        int before = x;
        while (before > 0 && !Character.isWhitespace(text.charAt(before - 1)) && !text.startsWith("[Y]",
                Math.max(0, before - 3)) ) {
            before--;
        }
        int after = x + 3;
        while (after < text.length() && !Character.isWhitespace(text.charAt(after)) && !text.startsWith("[Y]",
                after)) {
            after++;
        }
        String prefix = text.substring(before, x);
        String suffix = text.substring(x + 3, after);
        String rest = text.substring(0, before) + "\u0000" + text.substring(after);
        String escaped = rest.replace("{", "{{").replace("}", "}}")
                .replace("\u0000", "{" + LamaRelation.SUBJECT + "}").replace("[Y]", " [MASK] ").strip()
                .replaceAll("\\s+", " ");
        Template template;
        try {
            template = Template.parse(escaped);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("prompt of " + relation + " '" + lamaText + "': " + e.getMessage(), e);
        }
        return new FactPrompt(relation, lamaText, template, prefix, suffix, Optional.empty());
    }

    /** A relation's manual LAMA template. */
    public static FactPrompt manual(LamaRelation relation) {
        return parse(relation.id(), relation.lamaTemplate());
    }

    /**
     * A searched discrete prompt: a template whose trigger slots are bound to token ids (e.g.
     * {@code TriggerSearchResult.boundTemplate()}); its text spells the triggers, gluing {@code ##} continuations to
     * the word before, as published prompt sets do.
     */
    public static FactPrompt triggers(String relation, Template bound, Tokenizer tokenizer) {
        return new FactPrompt(relation, lamaText(bound, tokenizer), bound, "", "", Optional.empty());
    }

    /** A continuous prompt: a template with {@code [P]} slots and their vectors. */
    public static FactPrompt soft(String relation, Template template, SoftPrompt vectors) {
        return new FactPrompt(relation, template.text().replace("{" + LamaRelation.SUBJECT + "}", "[X]")
                .replace("[MASK]", "[Y]"), template, "", "", Optional.of(vectors));
    }

    /** The values that encode {@code fact} with {@link #template()}: its subject, with any glued text. */
    public Map<String, String> values(Example fact) {
        return Map.of(LamaRelation.SUBJECT, subjectPrefix + FactSplit.subject(fact) + subjectSuffix);
    }

    /** The LAMA-syntax text of a template whose trigger slots are bound (a mask token in a slot reads {@code [T]}). */
    static String lamaText(Template bound, Tokenizer tokenizer) {
        int[] ids = bound.triggerIds().orElseThrow(() -> new IllegalArgumentException("template '" + bound.text()
                + "' has no bound trigger ids"));
        StringBuilder sb = new StringBuilder();
        String text = bound.text();
        int slot = 0;
        int i = 0;
        while (i < text.length()) {
            if (text.startsWith("[T]", i)) {
                int id = ids[slot++];
                String token = id == tokenizer.specialTokens().mask() ? "[T]" : tokenizer.idToToken(id);
                if (token.startsWith("##") && token.length() > 2 && sb.length() > 0
                        && sb.charAt(sb.length() - 1) == ' ') {
                    sb.setLength(sb.length() - 1);
                    token = token.substring(2);
                }
                sb.append(token);
                i += 3;
            } else if (text.startsWith("{" + LamaRelation.SUBJECT + "}", i)) {
                sb.append("[X]");
                i += LamaRelation.SUBJECT.length() + 2;
            } else if (text.startsWith("[MASK]", i)) {
                sb.append("[Y]");
                i += 6;
            } else {
                sb.append(text.charAt(i++));
            }
        }
        return sb.toString();
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
