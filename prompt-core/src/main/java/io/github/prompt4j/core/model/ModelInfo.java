package io.github.prompt4j.core.model;

/**
 * Static facts about a masked language model.
 *
 * @param name a human-readable name, e.g. {@code bert-base-uncased}
 * @param vocabularySize number of output classes of the MLM head (= tokenizer vocabulary size)
 * @param hiddenSize width of the hidden state and of the input embeddings
 * @param maxSequenceLength longest sequence, special tokens included
 */
public record ModelInfo(String name, int vocabularySize, int hiddenSize, int maxSequenceLength) {

    public ModelInfo {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("model name must not be blank");
        }
        if (vocabularySize <= 0 || hiddenSize <= 0 || maxSequenceLength <= 0) {
            throw new IllegalArgumentException("sizes must be positive: vocabularySize=" + vocabularySize
                    + " hiddenSize=" + hiddenSize + " maxSequenceLength=" + maxSequenceLength);
        }
    }
}
