package io.github.prompt4j.core.model;

import java.util.List;

/**
 * A masked language model that trains a learned linear head ({@link LinearHead}) on the mask's transformed state
 * together with soft prompts or prefixes: the class cross-entropy of the head and its gradient with respect to the
 * input embeddings or the prefix, in one pass, with the state the head read (whose own gradient
 * {@link LinearHead#lossGradient} gives). A separate capability, so that a model or a test double need not support
 * it; prompt-onnx's {@code OnnxMaskedLanguageModel} does.
 *
 * <p>Implementations are thread-safe as their {@link MaskedLanguageModel} is; after {@link #close()} every method
 * throws {@link IllegalStateException}.
 */
public interface HeadTrainableModel extends MaskedLanguageModel {

    /**
     * The transformed state at every mask of prompts whose input embeddings are replaced by soft vectors at some
     * positions (as {@link #softMaskLogits}); what a learned head over soft prompts classifies. Width = hidden size.
     *
     * @throws IllegalArgumentException for a soft vector whose length is not the hidden size
     */
    MaskVectors softMaskHiddenStates(List<SoftInput> inputs);

    /**
     * For each request: the head loss {@code -log softmax(W t + b)[gold]} at the prompt's first mask ({@code t} the
     * transformed state), {@code t} itself, and the loss's gradient with respect to the input embeddings at the
     * requested positions.
     *
     * @throws IllegalArgumentException for a head whose hidden size is not the model's, a gold class outside the
     *         head's classes, or a soft vector of the wrong length
     */
    List<HeadLossGradient> headLossGradients(List<HeadLossRequest> requests, LinearHead head);

    /**
     * As {@link #headLossGradients} with the prefix in every layer (the model must be a {@link PrefixTunableModel}):
     * the losses, the states, and the gradient of the summed loss with respect to the prefix.
     *
     * @throws IllegalArgumentException for a prefix of another shape than the model's, or the reasons of
     *         {@link #headLossGradients}
     */
    PrefixHeadGradient prefixHeadLossGradient(List<HeadLossRequest> requests, LinearHead head, Prefix prefix);
}
