package io.github.prompt4j.benchmarks.eval;

/**
 * A vocabulary token and its probability at a mask.
 *
 * <p>Immutable.
 *
 * @param id the token id
 * @param token the vocabulary entry, e.g. {@code Paris} or {@code ##ing}
 * @param probability its softmax probability over the whole vocabulary, in [0, 1]
 */
record TokenProbability(int id, String token, double probability) {
}
