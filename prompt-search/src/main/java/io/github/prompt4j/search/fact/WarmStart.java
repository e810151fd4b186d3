package io.github.prompt4j.search.fact;

import io.github.prompt4j.core.model.Tokenizer;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.search.data.LamaRelation;
import java.util.ArrayList;
import java.util.List;

/**
 * A search's starting point taken from a relation's manual LAMA template: every word piece of the template becomes a
 * slot ({@code [T]} for a trigger search, {@code [P]} for soft-prompt training) that starts at that piece, while
 * {@code [X]} (the subject) and {@code [Y]} (the mask) stay where the template puts them, and a final {@code .} stays
 * a literal. {@code "The capital of [X] is [Y] ."} becomes {@code "[T] [T] [T] {sub} [T] [MASK] ."} starting at
 * {@code The, capital, of, is}, so a search starts from the manual prompt (the same token ids) and can only
 * improve on it where its selection facts agree.
 *
 * <p>Immutable and thread-safe.
 *
 * @param template the template with one slot per word piece, the subject field {@link LamaRelation#SUBJECT} and a mask
 * @param initialTokens each slot's starting token, spelled as in the vocabulary ({@code ##} continuations included)
 */
public record WarmStart(Template template, List<String> initialTokens) {

    /** The kind of slot the template's words become. */
    public enum Slot {
        /** Discrete trigger slots {@code [T]} (AutoPrompt). */
        TRIGGER("[T]"),
        /** Continuous soft-prompt slots {@code [P]} (OptiPrompt). */
        SOFT("[P]");

        private final String syntax;

        Slot(String syntax) {
            this.syntax = syntax;
        }
    }

    public WarmStart {
        initialTokens = List.copyOf(initialTokens);
        int slots = template.triggerCount() + template.softCount();
        if (slots != initialTokens.size()) {
            throw new IllegalArgumentException(initialTokens.size() + " initial tokens for " + slots + " slots of '"
                    + template.text() + "'");
        }
    }

    /**
     * The warm start of a LAMA template ({@code [X]} subject, {@code [Y]} object, words separated by spaces).
     *
     * @throws IllegalArgumentException if {@code [X]} or {@code [Y]} is missing or glued to a word, or a word has
     *         a piece the tokenizer does not know
     */
    public static WarmStart of(String lamaTemplate, Tokenizer tokenizer, Slot slot) {
        String[] words = lamaTemplate.strip().split("\\s+");
        StringBuilder text = new StringBuilder();
        List<String> tokens = new ArrayList<>();
        boolean subject = false;
        boolean object = false;
        int unk = tokenizer.specialTokens().unk();
        for (int w = 0; w < words.length; w++) {
            String word = words[w];
            String part;
            if (word.equals("[X]")) {
                part = "{" + LamaRelation.SUBJECT + "}";
                subject = true;
            } else if (word.equals("[Y]")) {
                part = "[MASK]";
                object = true;
            } else if (word.contains("[X]") || word.contains("[Y]")) {
                throw new IllegalArgumentException("template '" + lamaTemplate + "': '" + word + "' glues [X] or [Y] "
                        + "to a word; a warm start needs them as separate words");
            } else if (w == words.length - 1 && word.equals(".")) {
                part = ".";
            } else {
                int[] pieces = tokenizer.encode(word).ids();
                List<String> slots = new ArrayList<>();
                for (int id : pieces) {
                    if (id == unk) {
                        throw new IllegalArgumentException("template '" + lamaTemplate + "': word '" + word
                                + "' has a piece the tokenizer does not know");
                    }
                    tokens.add(tokenizer.idToToken(id));
                    slots.add(slot.syntax);
                }
                part = String.join(" ", slots);
            }
            if (!part.isEmpty()) {
                text.append(text.length() == 0 ? "" : " ").append(part);
            }
        }
        if (!subject || !object) {
            throw new IllegalArgumentException("template '" + lamaTemplate + "' needs [X] and [Y] as words");
        }
        return new WarmStart(Template.parse(text.toString()), tokens);
    }

    /** The warm start of a relation's manual template. */
    public static WarmStart of(LamaRelation relation, Tokenizer tokenizer, Slot slot) {
        return of(relation.lamaTemplate(), tokenizer, slot);
    }
}
