package io.github.prompt4j.onnx.export.testing;

import io.github.prompt4j.onnx.export.checkpoint.BertConfig;
import io.github.prompt4j.onnx.export.checkpoint.BertParameters;
import io.github.prompt4j.onnx.export.checkpoint.Checkpoint;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.commons.math3.special.Erf;

/**
 * A plain, loop-by-loop Java implementation of the BERT masked-LM forward pass in double precision, the independent
 * expectation for the exported ONNX graphs (Devlin et al. 2019, "BERT"; Vaswani et al. 2017 for attention).
 *
 * <p>For one sequence of length {@code seq} it computes: embeddings {@code word + position + token type}, LayerNorm;
 * then per layer: multi-head self-attention ({@code softmax(q k^T / sqrt(headSize) + (1 - mask) * -10000) v}), output
 * dense, residual, LayerNorm; intermediate dense, GELU ({@code 0.5 x (1 + erf(x / sqrt 2))}), output dense, residual,
 * LayerNorm. The MLM head at a position: transform dense, GELU, LayerNorm, then
 * {@code logits = transformed . wordEmbeddings^T + outputBias}. LayerNorm uses the biased variance and
 * {@code (x - mean) / sqrt(var + eps) * gamma + beta}.
 *
 * <p>Weights are canonical ({@link BertParameters} names, kernels {@code [in, out]}), widened to double once. Immutable
 * after construction and thread-safe; correctness over speed (a BERT-base sequence takes seconds).
 */
public final class ReferenceBert {

    /** The additive score for a masked key, as in Google's and HuggingFace's BERT. */
    public static final double MASKED_SCORE = -10000.0;

    private final BertConfig config;
    private final Map<String, double[]> weights;

    /**
     * Builds the reference model from canonical weights.
     *
     * @param canonicalWeights every {@link BertParameters#names(BertConfig)} entry with
     *        {@code product(shape)} floats; extra entries are ignored; the arrays are copied
     * @throws IllegalArgumentException naming the parameter when one is missing or has the wrong length
     */
    public ReferenceBert(BertConfig config, Map<String, float[]> canonicalWeights) {
        this.config = config;
        Map<String, double[]> w = new HashMap<>();
        for (Map.Entry<String, long[]> e : BertParameters.shapes(config).entrySet()) {
            float[] values = canonicalWeights.get(e.getKey());
            long expected = Arrays.stream(e.getValue()).reduce(1L, Math::multiplyExact);
            if (values == null || values.length != expected) {
                throw new IllegalArgumentException("parameter '" + e.getKey() + "' must have " + expected
                        + " values (shape " + Arrays.toString(e.getValue()) + "), got "
                        + (values == null ? "none" : values.length));
            }
            double[] d = new double[values.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = values[i];
            }
            w.put(e.getKey(), d);
        }
        this.weights = w;
    }

    /** Reads every parameter of a checkpoint (which the caller still owns and closes). */
    public static ReferenceBert fromCheckpoint(Checkpoint checkpoint) {
        return new ReferenceBert(checkpoint.config(), readAll(checkpoint));
    }

    /** Every canonical parameter of a checkpoint, in {@link BertParameters#names} order. */
    public static Map<String, float[]> readAll(Checkpoint checkpoint) {
        Map<String, float[]> all = new LinkedHashMap<>();
        for (String name : BertParameters.names(checkpoint.config())) {
            all.put(name, checkpoint.read(name));
        }
        return all;
    }

    /** The architecture. */
    public BertConfig config() {
        return config;
    }

    /** The word-embedding rows of the given ids, {@code [seq][hidden]}: the {@code inputEmbeds} of these ids. */
    public double[][] wordEmbeddings(int[] tokenIds) {
        int h = config.hiddenSize();
        double[] table = weights.get(BertParameters.WORD_EMBEDDINGS);
        double[][] out = new double[tokenIds.length][];
        for (int s = 0; s < tokenIds.length; s++) {
            checkIndex("token id", tokenIds[s], config.vocabSize(), s);
            out[s] = Arrays.copyOfRange(table, tokenIds[s] * h, (tokenIds[s] + 1) * h);
        }
        return out;
    }

    /** Forward pass of one unpadded sequence (attention mask all ones). */
    public Output forward(int[] tokenIds, int[] tokenTypes) {
        return forward(tokenIds, tokenTypes, ones(tokenIds.length));
    }

    /**
     * Forward pass of one sequence with an attention mask.
     *
     * @param tokenIds {@code [seq]} ids in {@code [0, vocabSize)}
     * @param tokenTypes {@code [seq]} segment ids in {@code [0, typeVocabSize)}
     * @param attentionMask {@code [seq]} 1 for real tokens, 0 for padding (masked as keys)
     */
    public Output forward(int[] tokenIds, int[] tokenTypes, int[] attentionMask) {
        return forwardEmbeds(wordEmbeddings(tokenIds), tokenTypes, attentionMask);
    }

    /** Forward pass from input embeddings (the word-embedding lookup result), attention mask all ones. */
    public Output forwardEmbeds(double[][] inputEmbeds, int[] tokenTypes) {
        return forwardEmbeds(inputEmbeds, tokenTypes, ones(inputEmbeds.length));
    }

    /**
     * Forward pass from input embeddings; position and token-type embeddings are added here.
     *
     * @param inputEmbeds {@code [seq][hidden]}, used in place of the word-embedding lookup
     * @param tokenTypes {@code [seq]}
     * @param attentionMask {@code [seq]} of 0/1
     */
    public Output forwardEmbeds(double[][] inputEmbeds, int[] tokenTypes, int[] attentionMask) {
        return forwardEmbeds(inputEmbeds, tokenTypes, attentionMask, null, null);
    }

    /**
     * As {@link #forwardEmbeds(double[][], int[], int[])} with prefix-tuning prefixes: in layer {@code l} the keys and
     * values of the attention are {@code prefixKeys[l]} and {@code prefixValues[l]} ({@code [prefix][hidden]}, in
     * the layer's projected key and value space) followed by the tokens' own; every token attends to every prefix
     * position. Null prefixes mean none.
     */
    public Output forwardEmbeds(double[][] inputEmbeds, int[] tokenTypes, int[] attentionMask,
            double[][][] prefixKeys, double[][][] prefixValues) {
        int seq = inputEmbeds.length;
        int h = config.hiddenSize();
        if (seq == 0 || seq > config.maxPositions()) {
            throw new IllegalArgumentException("sequence length must be 1.." + config.maxPositions() + ", got " + seq);
        }
        if (tokenTypes.length != seq || attentionMask.length != seq) {
            throw new IllegalArgumentException("inputEmbeds has " + seq + " positions but tokenTypes has "
                    + tokenTypes.length + " and attentionMask " + attentionMask.length);
        }
        double[] positionTable = weights.get(BertParameters.POSITION_EMBEDDINGS);
        double[] typeTable = weights.get(BertParameters.TOKEN_TYPE_EMBEDDINGS);
        double[][] x = new double[seq][h];
        for (int s = 0; s < seq; s++) {
            if (inputEmbeds[s].length != h) {
                throw new IllegalArgumentException("inputEmbeds[" + s + "] has " + inputEmbeds[s].length
                        + " values, expected hidden size " + h);
            }
            checkIndex("token type", tokenTypes[s], config.typeVocabSize(), s);
            if (attentionMask[s] != 0 && attentionMask[s] != 1) {
                throw new IllegalArgumentException("attentionMask[" + s + "] must be 0 or 1, got " + attentionMask[s]);
            }
            for (int d = 0; d < h; d++) {
                x[s][d] = inputEmbeds[s][d] + positionTable[s * h + d] + typeTable[tokenTypes[s] * h + d];
            }
            x[s] = layerNorm(x[s], w(BertParameters.EMBEDDINGS_LN_GAMMA), w(BertParameters.EMBEDDINGS_LN_BETA),
                    config.layerNormEps());
        }
        double[][][] layers = new double[config.numLayers() + 1][][];
        layers[0] = x;
        for (int l = 0; l < config.numLayers(); l++) {
            layers[l + 1] = encoderLayer(l, layers[l], attentionMask, prefixKeys == null ? new double[0][] : prefixKeys[l],
                    prefixValues == null ? new double[0][] : prefixValues[l]);
        }
        return new Output(layers);
    }

    private double[][] encoderLayer(int l, double[][] x, int[] tokenMask, double[][] prefixK, double[][] prefixV) {
        int seq = x.length;
        int heads = config.numHeads();
        int headSize = config.headSize();
        int m = prefixK.length;
        double[][] q = new double[seq][];
        double[][] k = new double[m + seq][];
        double[][] v = new double[m + seq][];
        int[] mask = new int[m + seq];
        for (int p = 0; p < m; p++) {
            k[p] = prefixK[p];
            v[p] = prefixV[p];
            mask[p] = 1;
        }
        for (int s = 0; s < seq; s++) {
            q[s] = dense(x[s], lw(l, BertParameters.QUERY_KERNEL), lw(l, BertParameters.QUERY_BIAS));
            k[m + s] = dense(x[s], lw(l, BertParameters.KEY_KERNEL), lw(l, BertParameters.KEY_BIAS));
            v[m + s] = dense(x[s], lw(l, BertParameters.VALUE_KERNEL), lw(l, BertParameters.VALUE_BIAS));
            mask[m + s] = tokenMask[s];
        }
        double scale = 1.0 / Math.sqrt(headSize);
        double[][] context = new double[seq][config.hiddenSize()];
        for (int head = 0; head < heads; head++) {
            int offset = head * headSize;
            for (int i = 0; i < seq; i++) {
                double[] scores = new double[m + seq];
                for (int j = 0; j < m + seq; j++) {
                    double dot = 0;
                    for (int d = 0; d < headSize; d++) {
                        dot += q[i][offset + d] * k[j][offset + d];
                    }
                    scores[j] = dot * scale + (1 - mask[j]) * MASKED_SCORE;
                }
                double[] p = softmax(scores);
                for (int j = 0; j < m + seq; j++) {
                    for (int d = 0; d < headSize; d++) {
                        context[i][offset + d] += p[j] * v[j][offset + d];
                    }
                }
            }
        }
        double eps = config.layerNormEps();
        double[][] out = new double[seq][];
        for (int s = 0; s < seq; s++) {
            double[] attention = dense(context[s], lw(l, BertParameters.ATTENTION_OUTPUT_KERNEL),
                    lw(l, BertParameters.ATTENTION_OUTPUT_BIAS));
            double[] a = layerNorm(add(attention, x[s]), lw(l, BertParameters.ATTENTION_LN_GAMMA),
                    lw(l, BertParameters.ATTENTION_LN_BETA), eps);
            double[] inner = dense(a, lw(l, BertParameters.INTERMEDIATE_KERNEL), lw(l, BertParameters.INTERMEDIATE_BIAS));
            for (int d = 0; d < inner.length; d++) {
                inner[d] = gelu(inner[d]);
            }
            double[] ffn = dense(inner, lw(l, BertParameters.OUTPUT_KERNEL), lw(l, BertParameters.OUTPUT_BIAS));
            out[s] = layerNorm(add(ffn, a), lw(l, BertParameters.OUTPUT_LN_GAMMA), lw(l, BertParameters.OUTPUT_LN_BETA),
                    eps);
        }
        return out;
    }

    /** The result of one forward pass; the MLM head is evaluated on demand per position. Immutable. */
    public final class Output {

        private final double[][][] layers;

        private Output(double[][][] layers) {
            this.layers = layers;
        }

        /** Sequence length. */
        public int length() {
            return layers[0].length;
        }

        /** Final hidden states {@code [seq][hidden]} (a copy). */
        public double[][] hiddenStates() {
            return hiddenStates(config.numLayers());
        }

        /**
         * Hidden states after a layer {@code [seq][hidden]} (a copy): 0 is the embedding LayerNorm output,
         * {@code numLayers} the final encoder output.
         */
        public double[][] hiddenStates(int layer) {
            checkIndex("layer", layer, layers.length, 0);
            double[][] copy = new double[layers[layer].length][];
            for (int s = 0; s < copy.length; s++) {
                copy[s] = layers[layer][s].clone();
            }
            return copy;
        }

        /** Final hidden state at one position {@code [hidden]}. */
        public double[] hiddenState(int position) {
            return finalState(position).clone();
        }

        /** The MLM head's transformed state at a position: {@code LayerNorm(gelu(h W + b))}, {@code [hidden]}. */
        public double[] transformed(int position) {
            double[] t = dense(finalState(position), w(BertParameters.HEAD_TRANSFORM_KERNEL),
                    w(BertParameters.HEAD_TRANSFORM_BIAS));
            for (int d = 0; d < t.length; d++) {
                t[d] = gelu(t[d]);
            }
            return layerNorm(t, w(BertParameters.HEAD_LN_GAMMA), w(BertParameters.HEAD_LN_BETA),
                    config.layerNormEps());
        }

        /** Transformed states at several positions {@code [positions][hidden]}. */
        public double[][] transformed(int[] positions) {
            double[][] out = new double[positions.length][];
            for (int i = 0; i < positions.length; i++) {
                out[i] = transformed(positions[i]);
            }
            return out;
        }

        /** MLM logits at a position, {@code [vocabSize]}: {@code transformed . wordEmbeddings^T + outputBias}. */
        public double[] logits(int position) {
            double[] t = transformed(position);
            int h = config.hiddenSize();
            double[] table = w(BertParameters.WORD_EMBEDDINGS);
            double[] bias = w(BertParameters.HEAD_OUTPUT_BIAS);
            double[] logits = new double[config.vocabSize()];
            for (int word = 0; word < logits.length; word++) {
                double dot = 0;
                for (int d = 0; d < h; d++) {
                    dot += t[d] * table[word * h + d];
                }
                logits[word] = dot + bias[word];
            }
            return logits;
        }

        /** MLM logits at several positions {@code [positions][vocabSize]}. */
        public double[][] logits(int[] positions) {
            double[][] out = new double[positions.length][];
            for (int i = 0; i < positions.length; i++) {
                out[i] = logits(positions[i]);
            }
            return out;
        }

        /**
         * The label loss at a position: {@code -log sum_{w in gold} softmax(logits)_w}, computed with
         * log-sum-exp. Non-negative; 0 only if the gold words take all the probability.
         *
         * @param goldIds distinct word ids, at least one
         */
        public double labelLoss(int position, int... goldIds) {
            if (goldIds.length == 0 || Arrays.stream(goldIds).distinct().count() != goldIds.length) {
                throw new IllegalArgumentException("gold ids must be distinct and non-empty, got "
                        + Arrays.toString(goldIds));
            }
            double[] logits = logits(position);
            double[] gold = new double[goldIds.length];
            for (int i = 0; i < goldIds.length; i++) {
                checkIndex("gold id", goldIds[i], logits.length, i);
                gold[i] = logits[goldIds[i]];
            }
            return logSumExp(logits) - logSumExp(gold);
        }

        private double[] finalState(int position) {
            checkIndex("position", position, length(), 0);
            return layers[config.numLayers()][position];
        }
    }

    /** GELU with erf: {@code 0.5 x (1 + erf(x / sqrt 2))} (Hendrycks and Gimpel 2016), as in Google's BERT. */
    public static double gelu(double x) {
        return 0.5 * x * (1 + Erf.erf(x / Math.sqrt(2)));
    }

    /** LayerNorm of one vector: {@code (x - mean) / sqrt(var + eps) * gamma + beta}, biased variance. */
    public static double[] layerNorm(double[] x, double[] gamma, double[] beta, double eps) {
        double mean = 0;
        for (double value : x) {
            mean += value;
        }
        mean /= x.length;
        double variance = 0;
        for (double value : x) {
            variance += (value - mean) * (value - mean);
        }
        variance /= x.length;
        double inv = 1 / Math.sqrt(variance + eps);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (x[i] - mean) * inv * gamma[i] + beta[i];
        }
        return out;
    }

    /** Numerically stable softmax. */
    public static double[] softmax(double[] x) {
        double max = Arrays.stream(x).max().orElseThrow();
        double[] out = new double[x.length];
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            out[i] = Math.exp(x[i] - max);
            sum += out[i];
        }
        for (int i = 0; i < x.length; i++) {
            out[i] /= sum;
        }
        return out;
    }

    /** {@code log sum_i exp(x_i)}, stable. */
    public static double logSumExp(double[] x) {
        double max = Arrays.stream(x).max().orElseThrow();
        double sum = 0;
        for (double value : x) {
            sum += Math.exp(value - max);
        }
        return max + Math.log(sum);
    }

    /**
     * A dense layer {@code x @ kernel + bias}.
     *
     * @param kernel row-major {@code [in, out]} with {@code in = x.length}
     * @param bias {@code [out]}
     */
    public static double[] dense(double[] x, double[] kernel, double[] bias) {
        int out = bias.length;
        if (kernel.length != x.length * out) {
            throw new IllegalArgumentException("kernel has " + kernel.length + " values, expected [" + x.length + ", "
                    + out + "]");
        }
        double[] y = bias.clone();
        for (int i = 0; i < x.length; i++) {
            for (int o = 0; o < out; o++) {
                y[o] += x[i] * kernel[i * out + o];
            }
        }
        return y;
    }

    private static double[] add(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] + b[i];
        }
        return out;
    }

    private double[] w(String name) {
        return weights.get(name);
    }

    private double[] lw(int layer, String suffix) {
        return weights.get(BertParameters.layer(layer, suffix));
    }

    private static int[] ones(int n) {
        int[] mask = new int[n];
        Arrays.fill(mask, 1);
        return mask;
    }

    private static void checkIndex(String what, int value, int bound, int at) {
        if (value < 0 || value >= bound) {
            throw new IllegalArgumentException(what + " " + value + " (at " + at + ") is outside [0, " + bound + ")");
        }
    }
}
