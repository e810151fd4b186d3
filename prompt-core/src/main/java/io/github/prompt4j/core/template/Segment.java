package io.github.prompt4j.core.template;

/** One piece of a parsed template: literal text, an input field, the mask, or a trigger slot. */
sealed interface Segment {

    /** Literal template words, encoded as they stand. */
    record Literal(String text) implements Segment {
    }

    /** An input field {@code {name}}. */
    record Field(String name) implements Segment {
    }

    /** A {@code [MASK]} answer slot. */
    record Mask() implements Segment {
    }

    /** A trigger slot {@code [T]}; {@code index} counts trigger slots from 0. */
    record Trigger(int index) implements Segment {
    }
}
