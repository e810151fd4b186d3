package io.github.prompt4j.search.label;

/**
 * A label word proposed by {@link LabelWordSearch} with its score for its class.
 *
 * @param word the vocabulary token
 * @param id its vocabulary id
 * @param score {@code w_c . e_word} (plus the output bias when enabled): larger means more indicative of the class
 */
public record ScoredWord(String word, int id, double score) {

    public ScoredWord {
        if (word == null || word.isBlank()) {
            throw new IllegalArgumentException("a scored word must not be blank");
        }
    }
}
