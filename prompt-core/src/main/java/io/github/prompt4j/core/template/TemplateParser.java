package io.github.prompt4j.core.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses template text into segments; errors name the problem, its character position and the fix.
 *
 * <p>Syntax: {@code {name}} an input field (letters, digits, {@code _}, not starting with a digit), {@code [MASK]} an
 * answer slot, {@code [T]} a trigger slot, {@code [P]} a soft-prompt slot, {@code {{} and {@code }}} literal braces.
 * Any other text is literal. Special tokens such as {@code [CLS]} are refused (the tokenizer adds them), and so is any
 * other all-capitals bracket word such as {@code [MAKS]}, which is almost always a typo.
 */
final class TemplateParser {

    private static final Pattern SLOT = Pattern.compile("\\[([A-Z]+)]");
    private static final Pattern FIELD_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Set<String> SPECIAL = Set.of("CLS", "SEP", "PAD", "UNK");

    private TemplateParser() {
    }

    static List<Segment> parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("template text must not be blank; write e.g. \"{text} It was [MASK].\"");
        }
        List<Segment> out = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int triggers = 0;
        int softs = 0;
        boolean mask = false;
        Matcher slot = SLOT.matcher(text);
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '{' && text.startsWith("{{", i)) {
                literal.append('{');
                i += 2;
            } else if (c == '}' && text.startsWith("}}", i)) {
                literal.append('}');
                i += 2;
            } else if (c == '{') {
                int close = text.indexOf('}', i + 1);
                int nextOpen = text.indexOf('{', i + 1);
                if (close < 0 || (nextOpen >= 0 && nextOpen < close)) {
                    throw new IllegalArgumentException("template '" + text + "': '{' at position " + i
                            + " is not closed; write input fields as {name} (and a literal brace as {{)");
                }
                String name = text.substring(i + 1, close).trim();
                if (name.isEmpty()) {
                    throw new IllegalArgumentException("template '" + text + "': empty field name '{}' at position "
                            + i + "; name the field, e.g. {text}");
                }
                if (!FIELD_NAME.matcher(name).matches()) {
                    throw new IllegalArgumentException("template '" + text + "': field name '" + name
                            + "' at position " + i + " must be letters, digits or '_' and not start with a digit");
                }
                flush(literal, out);
                out.add(new Segment.Field(name, i > 0 && Character.isWhitespace(text.charAt(i - 1))));
                i = close + 1;
            } else if (c == '}') {
                throw new IllegalArgumentException("template '" + text + "': '}' at position " + i
                        + " has no matching '{'; write a literal brace as }}");
            } else if (c == '[' && slot.region(i, text.length()).lookingAt()) {
                String name = slot.group(1);
                flush(literal, out);
                switch (name) {
                    case "MASK" -> {
                        out.add(new Segment.Mask());
                        mask = true;
                    }
                    case "T" -> out.add(new Segment.Trigger(triggers++));
                    case "P" -> out.add(new Segment.Soft(softs++));
                    default -> throw new IllegalArgumentException("template '" + text + "': [" + name
                            + "] at position " + i + (SPECIAL.contains(name)
                                    ? " is a special token, which the tokenizer adds itself; remove it"
                                    : " is not a slot; use [MASK] (answer), [T] (trigger) or [P] (soft prompt)"));
                }
                i = slot.end();
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
