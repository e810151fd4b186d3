package io.github.prompt4j.search.protocol;

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
import io.github.prompt4j.core.testing.FakeTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A model double that watches which prompts are scored: reported examples carry a sentinel opening
 * ({@value #SENTINEL}, three tokens no planted example has, right after {@code [CLS]}); scoring one before
 * {@link #finalEvaluation} is set fails the test on the spot. It also records the sentence tokens of every forward
 * and gradient prompt.
 */
final class SpyModel implements MaskedLanguageModel {

    static final String SENTINEL = "story okay neutral";
    private static final int[] SENTINEL_IDS = {FakeTokenizer.id("story"), FakeTokenizer.id("okay"),
        FakeTokenizer.id("neutral")};

    private final MaskedLanguageModel inner;
    volatile boolean finalEvaluation;
    int reportedScored;
    final List<int[]> forwardPrompts = new ArrayList<>();
    final List<int[]> gradientPrompts = new ArrayList<>();

    SpyModel(MaskedLanguageModel inner) {
        this.inner = inner;
    }

    private void watch(EncodedPrompt p, List<int[]> log) {
        int[] ids = p.ids();
        log.add(ids);
        if (ids.length > SENTINEL_IDS.length && Arrays.equals(Arrays.copyOfRange(ids, 1, 1 + SENTINEL_IDS.length),
                SENTINEL_IDS)) {
            if (!finalEvaluation) {
                throw new AssertionError("a reported example was scored before the final evaluation: "
                        + Arrays.toString(ids));
            }
            reportedScored++;
        }
    }

    private void watchAll(List<EncodedPrompt> prompts) {
        prompts.forEach(p -> watch(p, forwardPrompts));
    }

    @Override
    public Tokenizer tokenizer() {
        return inner.tokenizer();
    }

    @Override
    public ModelInfo info() {
        return inner.info();
    }

    @Override
    public MaskLogits maskLogits(List<EncodedPrompt> prompts) {
        watchAll(prompts);
        return inner.maskLogits(prompts);
    }

    @Override
    public MaskLogits maskLogits(List<EncodedPrompt> prompts, int[] tokenIds) {
        watchAll(prompts);
        return inner.maskLogits(prompts, tokenIds);
    }

    @Override
    public MaskLogits softMaskLogits(List<SoftInput> inputs, int[] tokenIds) {
        inputs.forEach(i -> watch(i.prompt(), forwardPrompts));
        return inner.softMaskLogits(inputs, tokenIds);
    }

    @Override
    public MaskVectors maskHiddenStates(List<EncodedPrompt> prompts) {
        watchAll(prompts);
        return inner.maskHiddenStates(prompts);
    }

    @Override
    public EmbeddingMatrix inputEmbeddings() {
        return inner.inputEmbeddings();
    }

    @Override
    public EmbeddingMatrix outputEmbeddings() {
        return inner.outputEmbeddings();
    }

    @Override
    public float[] outputBias() {
        return inner.outputBias();
    }

    @Override
    public List<LabelLossGradient> labelLossGradients(List<GradientRequest> requests) {
        requests.forEach(r -> watch(r.prompt(), gradientPrompts));
        return inner.labelLossGradients(requests);
    }

    @Override
    public void close() {
        inner.close();
    }
}
