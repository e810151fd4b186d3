package io.github.prompt4j.search.paraphrase;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The replaceable literal words of a template text: maximal runs of letters and digits, and every other non-space
 * character on its own; fields {@code {name}}, literal braces {@code {{ }}} and slots {@code [MASK]}, {@code [T]},
 * {@code [P]} are skipped (the text is assumed to parse as a template).
 */
final class TemplateWords {

    private static final Pattern SLOT = Pattern.compile("\\[([A-Z]+)]");

    private TemplateWords() {
    }

    /**
     * One literal word.
     *
     * @param start first char index in the template text
     * @param end one past the last char index
     * @param masksBefore how many {@code [MASK]} slots come before it (its mask index once it is masked)
     */
    record Word(int start, int end, int masksBefore) {

        /** The word as written in {@code text}. */
        String text(String text) {
            return text.substring(start, end);
        }

        /** {@code text} with this word replaced by {@code replacement}. */
        String replaceIn(String text, String replacement) {
            return text.substring(0, start) + replacement + text.substring(end);
        }
    }

    static List<Word> of(String text) {
        List<Word> out = new ArrayList<>();
        Matcher slot = SLOT.matcher(text);
        int masks = 0;
        int i = 0;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            if (text.startsWith("{{", i) || text.startsWith("}}", i)) {
                i += 2;
            } else if (cp == '{') {
                i = text.indexOf('}', i + 1) + 1;
            } else if (cp == '[' && slot.region(i, text.length()).lookingAt()) {
                if (slot.group(1).equals("MASK")) {
                    masks++;
                }
                i = slot.end();
            } else if (Character.isWhitespace(cp)) {
                i += Character.charCount(cp);
            } else if (Character.isLetterOrDigit(cp)) {
                int j = i;
                while (j < text.length() && Character.isLetterOrDigit(text.codePointAt(j))) {
                    j += Character.charCount(text.codePointAt(j));
                }
                out.add(new Word(i, j, masks));
                i = j;
            } else {
                out.add(new Word(i, i + Character.charCount(cp), masks));
                i += Character.charCount(cp);
            }
        }
        return out;
    }
}
