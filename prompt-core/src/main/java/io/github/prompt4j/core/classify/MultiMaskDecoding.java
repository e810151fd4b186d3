package io.github.prompt4j.core.classify;

import io.github.prompt4j.core.verbalizer.MultiTokenPolicy;

/**
 * How a {@link PromptClassifier} computes the piece log-probabilities of a label word of {@code k} pieces
 * {@code t_1..t_k} under a multi-mask policy ({@link MultiTokenPolicy#MULTI_MASK},
 * {@link MultiTokenPolicy#MULTI_MASK_MEAN}), where the template's {@code [MASK]} is widened to {@code k} consecutive
 * masks {@code m_1..m_k}.
 *
 * <p>Thread-safe (an enum).
 */
public enum MultiMaskDecoding {
    /**
     * One forward pass with all {@code k} masks in place: {@code l_i = log p(t_i at m_i | m_1..m_k masked)}. Each
     * piece is predicted without seeing the others, so the sum is an approximation of the word's log-probability
     * (the pieces are treated as independent). Cost: one prompt per input and distinct word length.
     */
    PARALLEL,
    /**
     * Autoregressive, left to right: {@code l_i = log p(t_i at m_i | t_1..t_{i-1} filled into m_1..m_{i-1},
     * m_i..m_k masked)}, so the sum is the exact chain-rule log-probability of the word under this filling order.
     * Cost: {@code k} dependent rounds of passes; round {@code i} needs one prompt per input and distinct prefix
     * {@code t_1..t_{i-1}} among the words of length {@code k}.
     */
    LEFT_TO_RIGHT
}
