package io.github.prompt4j.search.testing;

import io.github.prompt4j.core.model.EmbeddingMatrix;
import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.GradientRequest;
import io.github.prompt4j.core.model.LabelLossGradient;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.core.model.MaskVectors;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.model.ModelInfo;
import io.github.prompt4j.core.model.SoftInput;
import io.github.prompt4j.core.model.Tokenizer;
import io.github.prompt4j.core.testing.FakeMaskedLanguageModel;
import java.util.List;

/**
 * prompt-core's {@link FakeMaskedLanguageModel} behind a class that test doubles extend to add a capability (prefixes,
 * a learned head) while every {@link MaskedLanguageModel} method stays the fake's.
 */
public abstract class FakeModelDelegate implements MaskedLanguageModel {

    /** The fake every method delegates to. */
    protected final FakeMaskedLanguageModel fake = new FakeMaskedLanguageModel();

    @Override
    public Tokenizer tokenizer() {
        return fake.tokenizer();
    }

    @Override
    public ModelInfo info() {
        return fake.info();
    }

    @Override
    public MaskLogits maskLogits(List<EncodedPrompt> prompts) {
        return fake.maskLogits(prompts);
    }

    @Override
    public MaskLogits maskLogits(List<EncodedPrompt> prompts, int[] tokenIds) {
        return fake.maskLogits(prompts, tokenIds);
    }

    @Override
    public MaskLogits softMaskLogits(List<SoftInput> inputs, int[] tokenIds) {
        return fake.softMaskLogits(inputs, tokenIds);
    }

    @Override
    public MaskVectors maskHiddenStates(List<EncodedPrompt> prompts) {
        return fake.maskHiddenStates(prompts);
    }

    @Override
    public EmbeddingMatrix inputEmbeddings() {
        return fake.inputEmbeddings();
    }

    @Override
    public EmbeddingMatrix outputEmbeddings() {
        return fake.outputEmbeddings();
    }

    @Override
    public float[] outputBias() {
        return fake.outputBias();
    }

    @Override
    public List<LabelLossGradient> labelLossGradients(List<GradientRequest> requests) {
        return fake.labelLossGradients(requests);
    }

    @Override
    public void close() {
        fake.close();
    }
}
