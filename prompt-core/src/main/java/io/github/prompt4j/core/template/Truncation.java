package io.github.prompt4j.core.template;

/**
 * Which end of an input field is kept when a prompt is too long for the model. Only input fields are ever
 * shortened, longest field first, one token at a time; template words, triggers and masks are never cut.
 */
public enum Truncation {
    /** Keep the beginning of the field, cut tokens from its end (the default). */
    KEEP_HEAD,
    /** Keep the end of the field, cut tokens from its beginning. */
    KEEP_TAIL
}
