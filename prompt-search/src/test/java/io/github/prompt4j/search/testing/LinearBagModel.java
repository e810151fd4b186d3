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
import io.github.prompt4j.core.testing.FakeTokenizer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A masked "language model" whose loss and gradient are known in closed form, for search tests: the hidden state at
 * every mask is the sum of the input embeddings of all non-mask positions, {@code h = sum_i x_i}, and the logits are
 * {@code W h + b}. For gold set G, {@code loss = logsumexp(l) - logsumexp(l_G)} and the gradient at any non-mask
 * position is {@code W^T (p - q)}, with {@code p = softmax(l)} and {@code q_g = p_g / sum_G p} on G, 0 elsewhere.
 *
 * <p>Uses the {@link FakeTokenizer}; input embeddings {@code X}, output embeddings {@code W} and bias {@code b} are
 * given by the test. Counts sequences. Thread-safe for the tests' single-threaded use.
 */
public final class LinearBagModel implements MaskedLanguageModel {

    private final FakeTokenizer tokenizer = new FakeTokenizer();
    private final float[][] input;
    private final float[][] output;
    private final float[] bias;
    private final int dim;
    private long forwardSequences;
    private long gradientSequences;

    public LinearBagModel(float[][] input, float[][] output, float[] bias) {
        this.input = input;
        this.output = output;
        this.bias = bias;
        this.dim = input[0].length;
    }

    public long forwardSequences() {
        return forwardSequences;
    }

    public long gradientSequences() {
        return gradientSequences;
    }

    /** {@code h} of a prompt (soft vectors replace the embeddings at their positions). */
    public double[] hidden(EncodedPrompt p, GradientRequest soft) {
        return softHidden(p, soft == null ? Map.of() : soft.softVectors());
    }

    /** {@code h} of a prompt with soft vectors (position to vector) replacing the embeddings at their positions. */
    public double[] softHidden(EncodedPrompt p, Map<Integer, float[]> soft) {
        double[] h = new double[dim];
        Set<Integer> masks = new HashSet<>();
        for (int m : p.maskPositions()) {
            masks.add(m);
        }
        for (int i = 0; i < p.length(); i++) {
            if (masks.contains(i)) {
                continue;
            }
            float[] x = soft.containsKey(i) ? soft.get(i) : input[p.id(i)];
            if (x.length != dim) {
                throw new IllegalArgumentException("soft vector at position " + i + " has " + x.length
                        + " values; the hidden size is " + dim);
            }
            for (int j = 0; j < dim; j++) {
                h[j] += x[j];
            }
        }
        return h;
    }

    /** Logits {@code W h + b} over the whole vocabulary. */
    public double[] logits(double[] h) {
        double[] l = new double[output.length];
        for (int v = 0; v < output.length; v++) {
            double s = bias[v];
            for (int j = 0; j < dim; j++) {
                s += output[v][j] * h[j];
            }
            l[v] = s;
        }
        return l;
    }

    static double logSumExp(double[] l, int[] subset) {
        double max = Double.NEGATIVE_INFINITY;
        for (int v : subset) {
            max = Math.max(max, l[v]);
        }
        double s = 0;
        for (int v : subset) {
            s += Math.exp(l[v] - max);
        }
        return max + Math.log(s);
    }

    static int[] all(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    /** The label loss of a prompt for gold ids, in double precision. */
    public double loss(EncodedPrompt p, int[] gold) {
        double[] l = logits(softHidden(p, Map.of()));
        return logSumExp(l, all(l.length)) - logSumExp(l, gold);
    }

    @Override
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public ModelInfo info() {
        return new ModelInfo("linear-bag", output.length, dim, tokenizer.maxSequenceLength());
    }

    @Override
    public MaskLogits maskLogits(List<EncodedPrompt> prompts) {
        return maskLogits(prompts, all(output.length));
    }

    @Override
    public MaskLogits maskLogits(List<EncodedPrompt> prompts, int[] tokenIds) {
        return softMaskLogits(prompts.stream().map(SoftInput::discrete).toList(), tokenIds);
    }

    @Override
    public MaskLogits softMaskLogits(List<SoftInput> inputs, int[] tokenIds) {
        forwardSequences += inputs.size();
        int[] counts = new int[inputs.size()];
        List<float[]> rows = new ArrayList<>();
        List<Float> norms = new ArrayList<>();
        for (int p = 0; p < inputs.size(); p++) {
            EncodedPrompt prompt = inputs.get(p).prompt();
            counts[p] = prompt.maskCount();
            double[] l = logits(softHidden(prompt, inputs.get(p).softVectors()));
            for (int m = 0; m < prompt.maskCount(); m++) {
                float[] row = new float[tokenIds.length];
                for (int c = 0; c < tokenIds.length; c++) {
                    row[c] = (float) l[tokenIds[c]];
                }
                rows.add(row);
                norms.add((float) logSumExp(l, all(l.length)));
            }
        }
        float[] values = new float[rows.size() * tokenIds.length];
        for (int r = 0; r < rows.size(); r++) {
            System.arraycopy(rows.get(r), 0, values, r * tokenIds.length, tokenIds.length);
        }
        float[] n = new float[norms.size()];
        for (int i = 0; i < n.length; i++) {
            n[i] = norms.get(i);
        }
        return new MaskLogits(tokenIds, new MaskVectors(tokenIds.length, counts, values), n);
    }

    @Override
    public MaskVectors maskHiddenStates(List<EncodedPrompt> prompts) {
        forwardSequences += prompts.size();
        int[] counts = new int[prompts.size()];
        List<Float> values = new ArrayList<>();
        for (int p = 0; p < prompts.size(); p++) {
            counts[p] = prompts.get(p).maskCount();
            double[] h = softHidden(prompts.get(p), Map.of());
            for (int m = 0; m < counts[p]; m++) {
                for (double x : h) {
                    values.add((float) x);
                }
            }
        }
        float[] v = new float[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i);
        }
        return new MaskVectors(dim, counts, v);
    }

    @Override
    public EmbeddingMatrix inputEmbeddings() {
        return matrix(input);
    }

    @Override
    public EmbeddingMatrix outputEmbeddings() {
        return matrix(output);
    }

    @Override
    public float[] outputBias() {
        return bias.clone();
    }

    @Override
    public List<LabelLossGradient> labelLossGradients(List<GradientRequest> requests) {
        gradientSequences += requests.size();
        List<LabelLossGradient> out = new ArrayList<>();
        for (GradientRequest r : requests) {
            double[] l = logits(hidden(r.prompt(), r));
            double norm = logSumExp(l, all(l.length));
            int[] gold = r.goldTokenIds();
            double goldNorm = logSumExp(l, gold);
            double[] diff = new double[l.length];
            for (int v = 0; v < l.length; v++) {
                diff[v] = Math.exp(l[v] - norm);
            }
            for (int g : gold) {
                diff[g] -= Math.exp(l[g] - goldNorm);
            }
            double[] grad = new double[dim];
            for (int v = 0; v < l.length; v++) {
                for (int j = 0; j < dim; j++) {
                    grad[j] += output[v][j] * diff[v];
                }
            }
            int[] positions = r.gradientPositions();
            float[] g = new float[positions.length * dim];
            for (int k = 0; k < positions.length; k++) {
                for (int j = 0; j < dim; j++) {
                    g[k * dim + j] = (float) grad[j];
                }
            }
            out.add(new LabelLossGradient((float) (norm - goldNorm), positions, g, dim));
        }
        return out;
    }

    @Override
    public void close() {
    }

    private static EmbeddingMatrix matrix(float[][] m) {
        return new EmbeddingMatrix() {
            @Override
            public int rows() {
                return m.length;
            }

            @Override
            public int dim() {
                return m[0].length;
            }

            @Override
            public float get(int row, int column) {
                return m[row][column];
            }

            @Override
            public void copyRow(int row, float[] dst, int offset) {
                System.arraycopy(m[row], 0, dst, offset, m[row].length);
            }

            @Override
            public FloatBuffer asReadOnlyBuffer() {
                float[] flat = new float[m.length * m[0].length];
                for (int r = 0; r < m.length; r++) {
                    System.arraycopy(m[r], 0, flat, r * m[0].length, m[0].length);
                }
                return FloatBuffer.wrap(flat).asReadOnlyBuffer();
            }
        };
    }
}
