package io.github.prompt4j.core.model;

import java.util.List;

/**
 * A masked language model that runs with prefix-tuning prefixes ({@link Prefix}): per-layer key and value positions
 * that every token attends to, the model's own weights frozen. A separate capability, so that a model (or a test
 * double) need not support it; prompt-onnx's {@code OnnxMaskedLanguageModel} does.
 *
 * <p>Implementations are thread-safe as their {@link MaskedLanguageModel} is; after {@link #close()} every method
 * throws {@link IllegalStateException}.
 */
public interface PrefixTunableModel extends MaskedLanguageModel {

    /** The number of layers a {@link Prefix} for this model must have. */
    int layerCount();

    /** A zero prefix of {@code length} positions shaped for this model. */
    default Prefix zeroPrefix(int length) {
        return Prefix.zeros(layerCount(), length, info().hiddenSize());
    }

    /**
     * As {@link #softMaskLogits}, with the prefix in every layer.
     *
     * @throws IllegalArgumentException for a prefix of another shape than this model's ({@link #layerCount()} layers,
     *         {@code info().hiddenSize()}), or for the reasons {@link #softMaskLogits} gives
     */
    MaskLogits prefixMaskLogits(List<SoftInput> inputs, Prefix prefix, int[] tokenIds);

    /**
     * The head's transformed hidden state at every mask with the prefix in every layer (as
     * {@link #maskHiddenStates}), for a learned verbalizer over a prefix-tuned model.
     *
     * @throws IllegalArgumentException for a prefix of another shape than this model's
     */
    MaskVectors prefixMaskHiddenStates(List<SoftInput> inputs, Prefix prefix);

    /**
     * Label losses of the requests (gold ids at each request's first mask, soft vectors as given) with the prefix in
     * every layer, and the gradient of their sum with respect to the prefix.
     *
     * @throws IllegalArgumentException for a prefix of another shape than this model's, or for the reasons
     *         {@link #labelLossGradients} gives
     */
    PrefixGradient prefixLabelLossGradient(List<GradientRequest> requests, Prefix prefix);

    /**
     * As {@link #prefixLabelLossGradient}, with the class cross-entropy among the label words as each request's loss:
     * {@code -log (sum_{w in gold} p(w) / sum_{w in labelTokenIds} p(w))}, the loss of the classifier that decides
     * by those words (the likelihood's share of the whole vocabulary no longer counts). The default implementation
     * refuses; prompt-onnx's {@code OnnxMaskedLanguageModel} computes it in one gradient pass.
     *
     * @param labelTokenIds every class's label-word ids; each request's gold ids must be among them
     * @throws UnsupportedOperationException when the model does not implement it
     * @throws IllegalArgumentException for a gold id outside {@code labelTokenIds}, or the reasons of
     *         {@link #prefixLabelLossGradient}
     */
    default PrefixGradient prefixClassLossGradient(List<GradientRequest> requests, Prefix prefix,
            int[] labelTokenIds) {
        throw new UnsupportedOperationException("model '" + info().name() + "' does not compute the class "
                + "cross-entropy of a prefix; use prefixLabelLossGradient (the label likelihood) or prompt-onnx's "
                + "OnnxMaskedLanguageModel");
    }
}
