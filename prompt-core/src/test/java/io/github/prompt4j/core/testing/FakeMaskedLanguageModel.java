package io.github.prompt4j.core.testing;

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
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deterministic {@link MaskedLanguageModel} for tests: a bag-of-embeddings "sentiment" model whose every number
 * can be checked by hand, and which honours the whole contract (logits from hidden states and output embeddings,
 * exact label-loss gradients).
 *
 * <p><b>Words.</b> Each token has a sign: {@code +1} for the positive words {@link #POSITIVE_WORDS} ({@code great,
 * good, fun, happy} and the piece {@code fant}), {@code -1} for the negative words {@link #NEGATIVE_WORDS}
 * ({@code bad, terrible, awful, sad}), 0 for all others (specials included). In space-sensitive mode {@code Ġgood}
 * has the sign of {@code good}.
 *
 * <p><b>Embeddings</b> ({@code [V, 4]}, input and output tied): {@code E[v] = (sign_v, sin(2(v+1)), sin(3(v+1)),
 * sin(4(v+1)))}. Dimension 0 carries the sentiment; dimensions 1 to 3 are inert but make rows distinct (so
 * nearest-neighbour projections of soft prompts are meaningful). Output bias: 0.
 *
 * <p><b>Rule.</b> The input embedding at position {@code i} is {@code x_i = E[id_i]} (or the soft vector there, from a
 * {@link GradientRequest} or a {@link SoftInput}, so {@link #softMaskLogits} and the gradient see the same input).
 * The hidden state at every mask is {@code h = (s, 0, 0, 0)} with {@code s = sum_i x_i[0]} over all positions:
 * for a discrete prompt, {@code s = (#positive tokens) - (#negative tokens)}. Logits are {@code E h + b}, i.e.
 * {@code logit_v = sign_v * s}: positive words get {@code +s}, negative words {@code -s}, every other token 0. So for
 * "a good movie" ({@code s = 1}) with the 38-token vocabulary (5 positive, 4 negative, 29 neutral):
 * {@code log p(good) = 1 - log(5e + 4/e + 29)}.
 *
 * <p><b>Gradient.</b> The label loss at the first mask is {@code L = -log sum_{g in gold} p_g}. Since
 * {@code dh/dx_i = diag(1, 0, 0, 0)} at every position, {@code dL/dx_i = (sum_v p_v sign_v - sum_g q_g sign_g, 0, 0,
 * 0)} with {@code q_g = p_g / sum_{g'} p_{g'}}, the same for every position: exact, not an approximation.
 *
 * <p>Thread-safe. Records calls ({@link #maskLogitCalls()}, {@link #batchSizes()}). {@link #close()} makes every
 * method throw {@link IllegalStateException}; closing twice is allowed.
 */
public final class FakeMaskedLanguageModel implements MaskedLanguageModel {

    /** Hidden size. */
    public static final int HIDDEN = 4;
    /** Token strings with sign {@code +1}. */
    public static final Set<String> POSITIVE_WORDS = Set.of("great", "good", "fun", "happy", "fant");
    /** Token strings with sign {@code -1}. */
    public static final Set<String> NEGATIVE_WORDS = Set.of("bad", "terrible", "awful", "sad");
    /** Standard-vocabulary ids with logit {@code +s}. */
    public static final Set<Integer> POSITIVE = Set.of(FakeTokenizer.id("great"), FakeTokenizer.id("good"),
            FakeTokenizer.id("fun"), FakeTokenizer.id("happy"), FakeTokenizer.id("fant"));
    /** Standard-vocabulary ids with logit {@code -s}. */
    public static final Set<Integer> NEGATIVE = Set.of(FakeTokenizer.id("bad"), FakeTokenizer.id("terrible"),
            FakeTokenizer.id("awful"), FakeTokenizer.id("sad"));

    private final FakeTokenizer tokenizer;
    private final float[] sign;
    private final float[] embeddings;
    private final EmbeddingMatrix matrix;
    private final AtomicInteger maskLogitCalls = new AtomicInteger();
    private final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean closed;

    /** A model with the default {@link FakeTokenizer} (lower-casing, 512 tokens). */
    public FakeMaskedLanguageModel() {
        this(new FakeTokenizer());
    }

    /** A model with the given tokenizer (e.g. a short length limit, or space-sensitive). */
    public FakeMaskedLanguageModel(FakeTokenizer tokenizer) {
        this.tokenizer = tokenizer;
        List<String> vocab = tokenizer.vocabulary();
        int v = vocab.size();
        this.sign = new float[v];
        this.embeddings = new float[v * HIDDEN];
        for (int id = 0; id < v; id++) {
            String t = vocab.get(id);
            String word = t.startsWith(FakeTokenizer.SPACE_PREFIX) ? t.substring(1) : t;
            sign[id] = POSITIVE_WORDS.contains(word) ? 1f : NEGATIVE_WORDS.contains(word) ? -1f : 0f;
            embeddings[id * HIDDEN] = sign[id];
            for (int j = 1; j < HIDDEN; j++) {
                embeddings[id * HIDDEN + j] = (float) Math.sin((j + 1.0) * (id + 1.0));
            }
        }
        this.matrix = new Embeddings();
    }

    /** How many times a maskLogits method was called. */
    public int maskLogitCalls() {
        return maskLogitCalls.get();
    }

    /** The number of prompts of every maskLogits call so far, in call order (a copy). */
    public List<Integer> batchSizes() {
        synchronized (batchSizes) {
            return List.copyOf(batchSizes);
        }
    }

    /** The sentiment score {@code s} of a discrete prompt: positive minus negative tokens (standard vocabulary). */
    public static int sentiment(EncodedPrompt p) {
        int s = 0;
        for (int id : p.ids()) {
            s += POSITIVE.contains(id) ? 1 : NEGATIVE.contains(id) ? -1 : 0;
        }
        return s;
    }

    /** The logit of standard-vocabulary token {@code v} at any mask of a prompt with sentiment {@code s}. */
    public static float logit(double s, int v) {
        return (float) (POSITIVE.contains(v) ? s : NEGATIVE.contains(v) ? -s : 0);
    }

    /** {@code log sum_v exp(logit_v)} over the standard 38-token vocabulary for sentiment {@code s}. */
    public static double logNormalizer(double s) {
        int others = FakeTokenizer.VOCABULARY.size() - POSITIVE.size() - NEGATIVE.size();
        return Math.log(POSITIVE.size() * Math.exp(s) + NEGATIVE.size() * Math.exp(-s) + others);
    }

    @Override
    public Tokenizer tokenizer() {
        check();
        return tokenizer;
    }

    @Override
    public ModelInfo info() {
        check();
        return new ModelInfo("fake-sentiment-mlm", tokenizer.vocabularySize(), HIDDEN, tokenizer.maxSequenceLength());
    }

    @Override
    public MaskLogits maskLogits(List<EncodedPrompt> prompts) {
        int[] all = new int[tokenizer.vocabularySize()];
        Arrays.setAll(all, i -> i);
        return maskLogits(prompts, all);
    }

    @Override
    public MaskLogits maskLogits(List<EncodedPrompt> prompts, int[] tokenIds) {
        return softMaskLogits(prompts.stream().map(SoftInput::discrete).toList(), tokenIds);
    }

    @Override
    public MaskLogits softMaskLogits(List<SoftInput> inputs, int[] tokenIds) {
        check();
        for (int id : tokenIds) {
            checkId(id);
        }
        maskLogitCalls.incrementAndGet();
        batchSizes.add(inputs.size());
        int[] counts = new int[inputs.size()];
        int rows = 0;
        for (int p = 0; p < inputs.size(); p++) {
            checkPrompt(inputs.get(p).prompt());
            checkSoftVectors(inputs.get(p).softVectors());
            counts[p] = inputs.get(p).prompt().maskCount();
            rows += counts[p];
        }
        float[] values = new float[rows * tokenIds.length];
        float[] norms = new float[rows];
        int row = 0;
        for (SoftInput input : inputs) {
            EncodedPrompt prompt = input.prompt();
            double s = score(prompt, input.softVectors());
            float norm = (float) logSumExp(s);
            for (int m = 0; m < prompt.maskCount(); m++, row++) {
                for (int k = 0; k < tokenIds.length; k++) {
                    values[row * tokenIds.length + k] = (float) (sign[tokenIds[k]] * s);
                }
                norms[row] = norm;
            }
        }
        return new MaskLogits(tokenIds, new MaskVectors(tokenIds.length, counts, values), norms);
    }

    @Override
    public MaskVectors maskHiddenStates(List<EncodedPrompt> prompts) {
        check();
        int[] counts = new int[prompts.size()];
        int rows = 0;
        for (int p = 0; p < prompts.size(); p++) {
            checkPrompt(prompts.get(p));
            counts[p] = prompts.get(p).maskCount();
            rows += counts[p];
        }
        float[] values = new float[rows * HIDDEN];
        int row = 0;
        for (EncodedPrompt prompt : prompts) {
            float s = (float) score(prompt, Map.of());
            for (int m = 0; m < prompt.maskCount(); m++, row++) {
                values[row * HIDDEN] = s;
            }
        }
        return new MaskVectors(HIDDEN, counts, values);
    }

    @Override
    public EmbeddingMatrix inputEmbeddings() {
        check();
        return matrix;
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
        List<LabelLossGradient> out = new ArrayList<>(requests.size());
        for (GradientRequest r : requests) {
            checkPrompt(r.prompt());
            for (int g : r.goldTokenIds()) {
                checkId(g);
            }
            checkSoftVectors(r.softVectors());
            double s = score(r.prompt(), r.softVectors());
            double logZ = logSumExp(s);
            double expected = 0;
            for (int v = 0; v < sign.length; v++) {
                expected += Math.exp(sign[v] * s - logZ) * sign[v];
            }
            int[] gold = r.goldTokenIds();
            double goldMass = 0;
            double goldSign = 0;
            for (int g : gold) {
                double p = Math.exp(sign[g] * s - logZ);
                goldMass += p;
                goldSign += p * sign[g];
            }
            float loss = (float) -Math.log(goldMass);
            float d0 = (float) (expected - goldSign / goldMass);
            int[] positions = r.gradientPositions();
            int[] attention = r.prompt().attentionMask();
            float[] grads = new float[positions.length * HIDDEN];
            for (int k = 0; k < positions.length; k++) {
                grads[k * HIDDEN] = attention[positions[k]] == 1 ? d0 : 0f;
            }
            out.add(new LabelLossGradient(loss, positions, grads, HIDDEN));
        }
        return out;
    }

    @Override
    public void close() {
        closed = true;
    }

    /** {@code s = sum_i x_i[0]} over attended positions, soft vectors replacing word embeddings. */
    private double score(EncodedPrompt prompt, Map<Integer, float[]> soft) {
        int[] ids = prompt.ids();
        int[] attention = prompt.attentionMask();
        double s = 0;
        for (int i = 0; i < ids.length; i++) {
            if (attention[i] == 0) {
                continue;
            }
            if (soft.containsKey(i)) {
                s += soft.get(i)[0];
            } else {
                s += sign[ids[i]];
            }
        }
        return s;
    }

    /** {@code log sum_v exp(sign_v * s)} over this model's vocabulary. */
    private double logSumExp(double s) {
        double m = Math.abs(s);
        double sum = 0;
        for (float g : sign) {
            sum += Math.exp(g * s - m);
        }
        return m + Math.log(sum);
    }

    private static void checkSoftVectors(Map<Integer, float[]> soft) {
        soft.forEach((pos, vec) -> {
            if (vec.length != HIDDEN) {
                throw new IllegalArgumentException("soft vector at position " + pos + " has " + vec.length
                        + " values; the hidden size is " + HIDDEN);
            }
        });
    }

    private void check() {
        if (closed) {
            throw new IllegalStateException("the fake model is closed; create a new one");
        }
    }

    private void checkId(int id) {
        if (id < 0 || id >= sign.length) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + sign.length);
        }
    }

    private void checkPrompt(EncodedPrompt p) {
        if (p.length() > tokenizer.maxSequenceLength()) {
            throw new IllegalArgumentException("prompt of " + p.length() + " tokens exceeds the limit of "
                    + tokenizer.maxSequenceLength());
        }
        for (int id : p.ids()) {
            checkId(id);
        }
    }

    /** The embedding table; reads throw after {@link #close()}, as a native-backed matrix would be invalid. */
    private final class Embeddings implements EmbeddingMatrix {
        @Override
        public int rows() {
            return sign.length;
        }

        @Override
        public int dim() {
            return HIDDEN;
        }

        @Override
        public float get(int row, int column) {
            check();
            if (column < 0 || column >= HIDDEN) {
                throw new IndexOutOfBoundsException("column " + column + " of " + HIDDEN);
            }
            checkId(row);
            return embeddings[row * HIDDEN + column];
        }

        @Override
        public void copyRow(int row, float[] dst, int offset) {
            check();
            checkId(row);
            System.arraycopy(embeddings, row * HIDDEN, dst, offset, HIDDEN);
        }

        @Override
        public FloatBuffer asReadOnlyBuffer() {
            check();
            return FloatBuffer.wrap(embeddings).asReadOnlyBuffer();
        }
    }
}
