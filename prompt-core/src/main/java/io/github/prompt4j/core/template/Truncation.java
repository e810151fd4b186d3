package io.github.prompt4j.core.template;

import java.util.OptionalInt;

/**
 * How a prompt that is too long for the model is shortened: the length limit and the {@link TruncationSide}.
 *
 * <p>The rule: while the framed prompt is longer than the limit, remove one token from the input field (each
 * occurrence of a {@code {name}} counts on its own) that currently has the most tokens, the earlier one on a tie, at
 * the chosen side. Template words, triggers, soft slots and masks are never cut; when they alone (plus the special
 * tokens) exceed the limit, encoding fails with a message giving that fixed length and the limit. Immutable.
 *
 * @param maxLength the limit in tokens, special tokens included; empty for the tokenizer's
 *        {@code maxSequenceLength()}. A limit may only be smaller than the model's, never larger.
 * @param side which end of a field is cut
 */
public record Truncation(OptionalInt maxLength, TruncationSide side) {

    public Truncation {
        if (maxLength == null || side == null) {
            throw new IllegalArgumentException("maxLength and side must not be null; use Truncation.defaults()");
        }
        if (maxLength.isPresent() && maxLength.getAsInt() <= 0) {
            throw new IllegalArgumentException("maxLength must be positive, got " + maxLength.getAsInt());
        }
    }

    /** The model's own limit, cutting from the end of the longest field ({@link TruncationSide#TAIL}). */
    public static Truncation defaults() {
        return new Truncation(OptionalInt.empty(), TruncationSide.TAIL);
    }

    /** A limit of {@code maxLength} tokens (special tokens included), cutting at {@code side}. */
    public static Truncation of(int maxLength, TruncationSide side) {
        return new Truncation(OptionalInt.of(maxLength), side);
    }

    /** A copy with another limit in tokens, special tokens included. */
    public Truncation withMaxLength(int maxLength) {
        return new Truncation(OptionalInt.of(maxLength), side);
    }

    /** A copy that cuts at another side. */
    public Truncation withSide(TruncationSide side) {
        return new Truncation(maxLength, side);
    }
}
