package io.github.prompt4j.search.generate;

import java.util.List;

/**
 * Where the generated tokens go: {@code before} tokens, the label word's {@code [MASK]}, {@code after} tokens, after
 * the input ({@link Placement#INPUT_FIRST}: {@code {x} t1 t2 [MASK] t3}) or before it ({@link Placement#INPUT_LAST}:
 * {@code t1 [MASK] t2 {x}}), as LM-BFF's {@code <S1> <X> label <Y>} and {@code <X> label <Y> <S1>}.
 *
 * @param placement whether the input comes first or last
 * @param before generated tokens before the label word, {@code >= 0}
 * @param after generated tokens after it, {@code >= 0}; at least one token in all
 */
public record TemplateShape(Placement placement, int before, int after) {

    /** Whether the input precedes or follows the generated span. */
    public enum Placement {
        /** {@code {x} ... [MASK] ...}. */
        INPUT_FIRST,
        /** {@code ... [MASK] ... {x}}. */
        INPUT_LAST
    }

    public TemplateShape {
        if (placement == null || before < 0 || after < 0 || before + after == 0) {
            throw new IllegalArgumentException("a template shape needs a placement and at least one generated token, "
                    + "got " + placement + " " + before + "+" + after);
        }
    }

    /**
     * Input first with 1, 2 or 3 tokens before the label word and none or one after; input last with one before and
     * one after: seven shapes, 15 decoding steps.
     */
    public static List<TemplateShape> defaults() {
        return List.of(new TemplateShape(Placement.INPUT_FIRST, 1, 0), new TemplateShape(Placement.INPUT_FIRST, 2, 0),
                new TemplateShape(Placement.INPUT_FIRST, 3, 0), new TemplateShape(Placement.INPUT_FIRST, 1, 1),
                new TemplateShape(Placement.INPUT_FIRST, 2, 1), new TemplateShape(Placement.INPUT_FIRST, 3, 1),
                new TemplateShape(Placement.INPUT_LAST, 1, 1));
    }

    /** Number of generated tokens. */
    public int slots() {
        return before + after;
    }

    /** The template with {@code [T]} at the generated positions, e.g. {@code {sentence} [T] [T] [MASK] [T]}. */
    public String skeleton(String field) {
        return fill(field, java.util.Collections.nCopies(slots(), "[T]"));
    }

    /** The template with the given tokens at the generated positions, in order. */
    String fill(String field, List<String> tokens) {
        if (tokens.size() != slots()) {
            throw new IllegalArgumentException("shape " + this + " has " + slots() + " slots, got " + tokens);
        }
        StringBuilder span = new StringBuilder();
        for (int i = 0; i < before; i++) {
            span.append(tokens.get(i)).append(' ');
        }
        span.append("[MASK]");
        for (int i = before; i < slots(); i++) {
            span.append(' ').append(tokens.get(i));
        }
        String x = "{" + field + "}";
        return placement == Placement.INPUT_FIRST ? x + " " + span : span + " " + x;
    }

    @Override
    public String toString() {
        return (placement == Placement.INPUT_FIRST ? "input," : "") + before + "+label+" + after
                + (placement == Placement.INPUT_LAST ? ",input" : "");
    }
}
