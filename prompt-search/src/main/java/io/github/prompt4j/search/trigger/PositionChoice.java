package io.github.prompt4j.search.trigger;

/** Which trigger slot a search step tries to replace. */
public enum PositionChoice {
    /** A uniformly random slot each step, as AutoPrompt's released code does. */
    RANDOM,
    /** Slots in turn: step i replaces slot {@code (i - 1) mod T}. */
    ROUND_ROBIN
}
