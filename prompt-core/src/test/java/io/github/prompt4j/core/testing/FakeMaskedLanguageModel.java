package io.github.prompt4j.core.testing;

import io.github.prompt4j.core.model.EmbeddingMatrix;
import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.GradientRequest;
import io.github.prompt4j.core.model.LabelLossGradient;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.core.model.MaskVectors;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.model.ModelInfo;
import io.github.prompt4j.core.model.Tokenizer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deterministic {@link MaskedLanguageModel} for tests, with a scoring rule simple enough to check by hand.
 *
 * <p>Rule: let {@code s = (#positive words) - (#negative words)} among the prompt's ids, where positive words are
 * {@link #POSITIVE} ({@code great, good, fun, happy}, and the piece {@code fant}) and negative words are
 * {@link #NEGATIVE} ({@code bad, terrible, awful, sad}). At every mask, the logit of a positive word is {@code +s},
 * of a negative word {@code -s}, and of every other token 0. So for "good movie" ({@code s = 1}) with the 38-token
 * vocabulary: 5 tokens at logit 1, 4 at -1, 29 at 0, and {@code log p(good) = 1 - log(5e + 4/e + 29)}.
 *
 * <p>Embeddings: {@code E[v][j] = sin((v + 1) * (j + 1))}, hidden size 4; tied output embeddings, zero bias. The
 * hidden state at a mask is {@code (s, #positive, #negative, length)}. The "gradient" is a documented plumbing
 * function, not a derivative: at position {@code k} it is {@code loss * E[id_k]} (or {@code loss * soft vector}).
 * The label loss is exact: {@code -log sum_{w in gold} p(w)} under the rule above.
 *
 * <p>Thread-safe; counts calls ({@link #maskLogitCalls()}); {@link #close()} makes every method throw.
 */
public final class FakeMaskedLanguageModel implements MaskedLanguageModel {

    /** Token ids with logit {@code +s}. */
    public static final Set<Integer> POSITIVE = Set.of(FakeTokenizer.id("great"), FakeTokenizer.id("good"),
            FakeTokenizer.id("fun"), FakeTokenizer.id("happy"), FakeTokenizer.id("fant"));
    /** Token ids with logit {@code -s}. */
    public static final Set<Integer> NEGATIVE = Set.of(FakeTokenizer.id("bad"), FakeTokenizer.id("terrible"),
            FakeTokenizer.id("awful"), FakeTokenizer.id("sad"));
    /** Hidden size. */
    public static final int HIDDEN = 4;

    private final FakeTokenizer tokenizer;
    private final AtomicInteger maskLogitCalls = new AtomicInteger();
    private volatile boolean closed;

    /** A model with the default {@link FakeTokenizer}. */
    public FakeMaskedLanguageModel() {
        this(new FakeTokenizer());
    }

    /** A model with the given tokenizer (e.g. a short length limit). */
    public FakeMaskedLanguageModel(FakeTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** How many times a maskLogits method was called. */
    public int maskLogitCalls() {
        return maskLogitCalls.get();
    }

    /** The sentiment score {@code s} of a prompt. */
    public static int sentiment(EncodedPrompt p) {
        int s = 0;
        for (int id : p.ids()) {
            s += POSITIVE.contains(id) ? 1 : NEGATIVE.contains(id) ? -1 : 0;
        }
        return s;
    }

    /** The logit of token {@code v} at any mask of a prompt with sentiment {@code s}. */
    public static float logit(int s, int v) {
        return POSITIVE.contains(v) ? s : NEGATIVE.contains(v) ? -s : 0f;
    }

    /** {@code log sum_v exp(logit_v)} for sentiment {@code s}. */
    public static double logNormalizer(int s) {
        int v = FakeTokenizer.VOCABULARY.size();
        int others = v - POSITIVE.size() - NEGATIVE.size();
        return Math.log(POSITIVE.size() * Math.exp(s) + NEGATIVE.size() * Math.exp(-s) + others);
    }

    @Override
    public Tokenizer tokenizer() {
        check();
        return tokenizer;
    }

    @Override
    public ModelInfo info() {
        return new ModelInfo("fake", tokenizer.vocabularySize(), HIDDEN, tokenizer.maxSequenceLength());
    }

    @Override
    public MaskLogits maskLogits(List<EncodedPrompt> prompts) {
        int[] all = new int[tokenizer.vocabularySize()];
        Arrays.setAll(all, i -> i);
        return maskLogits(prompts, all);
    }

    @Override
    public MaskLogits maskLogits(List<EncodedPrompt> prompts, int[] tokenIds) {
        check();
        maskLogitCalls.incrementAndGet();
        int[] counts = new int[prompts.size()];
        List<Float> values = new ArrayList<>();
        List<Float> norms = new ArrayList<>();
        for (int p = 0; p < prompts.size(); p++) {
            EncodedPrompt prompt = prompts.get(p);
            checkLength(prompt);
            counts[p] = prompt.maskCount();
            int s = sentiment(prompt);
            for (int m = 0; m < prompt.maskCount(); m++) {
                for (int id : tokenIds) {
                    values.add(logit(s, id));
                }
                norms.add((float) logNormalizer(s));
            }
        }
        return new MaskLogits(tokenIds, new MaskVectors(tokenIds.length, counts, toArray(values)), toArray(norms));
    }

    @Override
    public MaskVectors maskHiddenStates(List<EncodedPrompt> prompts) {
        check();
        int[] counts = new int[prompts.size()];
        List<Float> values = new ArrayList<>();
        for (int p = 0; p < prompts.size(); p++) {
            EncodedPrompt prompt = prompts.get(p);
            counts[p] = prompt.maskCount();
            int pos = 0;
            int neg = 0;
            for (int id : prompt.ids()) {
                pos += POSITIVE.contains(id) ? 1 : 0;
                neg += NEGATIVE.contains(id) ? 1 : 0;
            }
            for (int m = 0; m < prompt.maskCount(); m++) {
                values.addAll(List.of((float) (pos - neg), (float) pos, (float) neg, (float) prompt.length()));
            }
        }
        return new MaskVectors(HIDDEN, counts, toArray(values));
    }

    @Override
    public EmbeddingMatrix inputEmbeddings() {
        check();
        return EMBEDDINGS;
    }

    @Override
    public EmbeddingMatrix outputEmbeddings() {
        return inputEmbeddings();
    }

    @Override
    public float[] outputBias() {
        check();
        return new float[tokenizer.vocabularySize()];
    }

    @Override
    public List<LabelLossGradient> labelLossGradients(List<GradientRequest> requests) {
        check();
        List<LabelLossGradient> out = new ArrayList<>();
        for (GradientRequest r : requests) {
            int s = sentiment(r.prompt());
            double sum = 0;
            for (int g : r.goldTokenIds()) {
                sum += Math.exp(logit(s, g) - logNormalizer(s));
            }
            float loss = (float) -Math.log(sum);
            int[] positions = r.gradientPositions();
            float[] grads = new float[positions.length * HIDDEN];
            for (int k = 0; k < positions.length; k++) {
                float[] e = r.softVectors().containsKey(positions[k]) ? r.softVector(positions[k])
                        : EMBEDDINGS.row(r.prompt().id(positions[k]));
                for (int j = 0; j < HIDDEN; j++) {
                    grads[k * HIDDEN + j] = loss * e[j];
                }
            }
            out.add(new LabelLossGradient(loss, positions, grads, HIDDEN));
        }
        return out;
    }

    @Override
    public void close() {
        closed = true;
    }

    private void check() {
        if (closed) {
            throw new IllegalStateException("fake model is closed");
        }
    }

    private void checkLength(EncodedPrompt p) {
        if (p.length() > tokenizer.maxSequenceLength()) {
            throw new IllegalArgumentException("prompt of " + p.length() + " tokens exceeds "
                    + tokenizer.maxSequenceLength());
        }
    }

    private static float[] toArray(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    private static final EmbeddingMatrix EMBEDDINGS = new EmbeddingMatrix() {
        @Override
        public int rows() {
            return FakeTokenizer.VOCABULARY.size();
        }

        @Override
        public int dim() {
            return HIDDEN;
        }

        @Override
        public float get(int row, int column) {
            return (float) Math.sin((row + 1.0) * (column + 1.0));
        }

        @Override
        public void copyRow(int row, float[] dst, int offset) {
            for (int j = 0; j < HIDDEN; j++) {
                dst[offset + j] = get(row, j);
            }
        }

        @Override
        public FloatBuffer asReadOnlyBuffer() {
            float[] all = new float[rows() * HIDDEN];
            for (int r = 0; r < rows(); r++) {
                copyRow(r, all, r * HIDDEN);
            }
            return FloatBuffer.wrap(all).asReadOnlyBuffer();
        }
    };
}
