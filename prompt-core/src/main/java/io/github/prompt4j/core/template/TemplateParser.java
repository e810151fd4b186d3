package io.github.prompt4j.core.template;

import java.util.ArrayList;
import java.util.List;

/** Parses template text into segments; errors name the problem and its character position. */
final class TemplateParser {

    private static final String MASK = "[MASK]";
    private static final String TRIGGER = "[T]";

    private TemplateParser() {
    }

    static List<Segment> parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("template text must not be blank; write e.g. \"{text} It was [MASK].\"");
        }
        List<Segment> out = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int triggers = 0;
        boolean mask = false;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '{') {
                int close = text.indexOf('}', i + 1);
                int nextOpen = text.indexOf('{', i + 1);
                if (close < 0 || (nextOpen >= 0 && nextOpen < close)) {
                    throw new IllegalArgumentException("template '" + text + "': '{' at position " + i
                            + " is not closed; write input fields as {name}");
                }
                String name = text.substring(i + 1, close).trim();
                if (name.isEmpty()) {
                    throw new IllegalArgumentException("template '" + text + "': empty field name '{}' at position "
                            + i + "; name the field, e.g. {text}");
                }
                if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw new IllegalArgumentException("template '" + text + "': field name '" + name
                            + "' at position " + i + " must be letters, digits or '_' and not start with a digit");
                }
                flush(literal, out);
                out.add(new Segment.Field(name));
                i = close + 1;
            } else if (c == '}') {
                throw new IllegalArgumentException("template '" + text + "': '}' at position " + i
                        + " has no matching '{'");
            } else if (text.startsWith(MASK, i)) {
                flush(literal, out);
                out.add(new Segment.Mask());
                mask = true;
                i += MASK.length();
            } else if (text.startsWith(TRIGGER, i)) {
                flush(literal, out);
                out.add(new Segment.Trigger(triggers++));
                i += TRIGGER.length();
            } else {
                literal.append(c);
                i++;
            }
        }
        flush(literal, out);
        if (!mask) {
            throw new IllegalArgumentException("template '" + text + "' has no [MASK]; add the answer slot, e.g. \""
                    + text.strip() + " It was [MASK].\"");
        }
        return out;
    }

    private static void flush(StringBuilder literal, List<Segment> out) {
        if (!literal.toString().isBlank()) {
            out.add(new Segment.Literal(literal.toString()));
        }
        literal.setLength(0);
    }
}
