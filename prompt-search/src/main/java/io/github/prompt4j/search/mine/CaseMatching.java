package io.github.prompt4j.search.mine;

/**
 * Whether the prompt miner matches subjects and objects in the corpus with their exact letter case.
 *
 * <p>Thread-safe (an enum).
 */
public enum CaseMatching {
    /** "Paris" matches "Paris" only (the default: entity names are capitalised). */
    SENSITIVE,
    /** "Paris" also matches "paris" and "PARIS" (compared lower-cased, {@code Locale.ROOT}). */
    INSENSITIVE
}
