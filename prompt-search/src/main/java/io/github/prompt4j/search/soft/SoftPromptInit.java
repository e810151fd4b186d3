package io.github.prompt4j.search.soft;

/** How the soft-prompt vectors start. */
public enum SoftPromptInit {
    /** Each slot starts at the input embedding of a given vocabulary word (Lester et al. 2021 found this helps). */
    WORDS,
    /** Each value is drawn from a normal distribution with mean 0 and a given standard deviation, seeded. */
    RANDOM_NORMAL
}
