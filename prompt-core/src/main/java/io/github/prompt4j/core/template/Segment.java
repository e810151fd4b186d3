package io.github.prompt4j.core.template;

/** One piece of a parsed template: literal text, an input field, the mask, a trigger slot or a soft-prompt slot. */
sealed interface Segment {

    /** Literal template words as written, surrounding white space included (it matters to BPE vocabularies). */
    record Literal(String text) implements Segment {
    }

    /** An input field {@code {name}}; {@code spaceBefore} when white space precedes it in the template. */
    record Field(String name, boolean spaceBefore) implements Segment {
    }

    /** A {@code [MASK]} answer slot. */
    record Mask() implements Segment {
    }

    /** A trigger slot {@code [T]}; {@code index} counts trigger slots from 0. */
    record Trigger(int index) implements Segment {
    }

    /** A soft-prompt slot {@code [P]}; {@code index} counts soft slots from 0. */
    record Soft(int index) implements Segment {
    }
}
