package io.github.prompt4j.core.template;

/**
 * Which end of an input field loses tokens when a prompt is too long for the model.
 *
 * <p>Only input fields are ever shortened; template words, triggers, soft slots and masks are never cut.
 */
public enum TruncationSide {
    /** Cut tokens from the start of the field and keep its end (when the end of a text carries the verdict). */
    HEAD,
    /** Cut tokens from the end of the field and keep its beginning (the default). */
    TAIL
}
