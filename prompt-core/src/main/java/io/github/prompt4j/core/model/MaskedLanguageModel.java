package io.github.prompt4j.core.model;

import java.util.List;

/**
 * The backend contract: a masked language model that scores vocabulary words at {@code [MASK]} positions, exposes the
 * vector the MLM head dots with its output embeddings, and differentiates a label loss with respect to the input
 * embeddings.
 *
 * <p>All methods take a batch (a list) and return results in the same order; an empty list gives an empty result.
 * Implementations pad, bucket and split batches as they see fit; results do not depend on how a list is batched
 * beyond floating-point noise.
 *
 * <p><b>Thread safety:</b> implementations are thread-safe; one instance is meant to be shared by all threads.
 * <b>Resources:</b> the model owns native memory; {@link #close()} frees it, after which every method throws
 * {@link IllegalStateException}. Closing twice is allowed.
 */
public interface MaskedLanguageModel extends AutoCloseable {

    /** The model's tokenizer. */
    Tokenizer tokenizer();

    /** Sizes and name. */
    ModelInfo info();

    /**
     * Logits over the whole vocabulary at every mask of every prompt.
     *
     * @return width = vocabulary size, columns are token ids {@code 0..V-1}
     */
    MaskLogits maskLogits(List<EncodedPrompt> prompts);

    /**
     * Logits of the given token ids only, at every mask, with the full-vocabulary log-normaliser of each mask (so
     * log-probabilities are exact). Cheaper than {@link #maskLogits(List)} for classification.
     *
     * @param tokenIds the ids to score, in the order of the returned columns; each in {@code [0, V)}
     */
    MaskLogits maskLogits(List<EncodedPrompt> prompts, int[] tokenIds);

    /**
     * {@link #maskLogits(List, int[])} for prompts whose input embeddings are replaced by continuous vectors at some
     * positions (soft prompts): the logits of the given token ids at every mask, with the full-vocabulary
     * log-normaliser of each mask. An input without soft vectors scores as its discrete prompt would (up to
     * floating-point noise), and a soft vector equal to the word embedding of the id at its position changes nothing.
     *
     * @param inputs prompts with their soft vectors, each of length {@link ModelInfo#hiddenSize()}
     * @param tokenIds the ids to score, in the order of the returned columns; each in {@code [0, V)}
     * @throws IllegalArgumentException for a soft vector whose length is not the hidden size, or an id outside the
     *         vocabulary
     */
    MaskLogits softMaskLogits(List<SoftInput> inputs, int[] tokenIds);

    /**
     * The MLM head's transformed hidden state at every mask: the vector {@code h} with {@code logits = E h + b}, where
     * {@code E} is {@link #outputEmbeddings()} and {@code b} is {@link #outputBias()}. Width = hidden size.
     */
    MaskVectors maskHiddenStates(List<EncodedPrompt> prompts);

    /** The input (word) embedding matrix {@code [V, hidden]}. Valid until {@link #close()}. */
    EmbeddingMatrix inputEmbeddings();

    /**
     * The output embedding matrix {@code [V, hidden]} the MLM head dots with; for BERT the same matrix as
     * {@link #inputEmbeddings()} (tied decoder).
     */
    EmbeddingMatrix outputEmbeddings();

    /** The output bias {@code [V]} added to the logits; a copy. */
    float[] outputBias();

    /**
     * For each request: the label loss at the prompt's first mask and its gradient with respect to the input
     * embeddings at the requested positions.
     */
    List<LabelLossGradient> labelLossGradients(List<GradientRequest> requests);

    /** Frees native resources; afterwards every method throws {@link IllegalStateException}. Idempotent. */
    @Override
    void close();
}
