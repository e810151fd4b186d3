package io.github.prompt4j.onnx.export.bert;

import io.github.prompt4j.onnx.export.checkpoint.BertConfig;
import io.github.prompt4j.onnx.export.checkpoint.BertParameters;
import java.util.Map;
import org.apache.commons.math3.special.Erf;

/**
 * Test-side reference: a plain-loop, double-precision BERT masked LM for one sequence at a time, written from the
 * paper's equations independently of the graph builder.
 */
final class NaiveBert {

    private final BertConfig c;
    private final Map<String, float[]> p;

    NaiveBert(BertConfig config, Map<String, float[]> params) {
        this.c = config;
        this.p = params;
    }

    /** Word embeddings of the ids, {@code [seq][hidden]}. */
    double[][] embed(long[] ids) {
        int h = c.hiddenSize();
        double[][] out = new double[ids.length][h];
        float[] we = p.get(BertParameters.WORD_EMBEDDINGS);
        for (int t = 0; t < ids.length; t++) {
            for (int j = 0; j < h; j++) {
                out[t][j] = we[(int) ids[t] * h + j];
            }
        }
        return out;
    }

    /** Final encoder hidden states {@code [seq][hidden]} of one sequence from its word embeddings. */
    double[][] encode(double[][] words, long[] types, long[] mask) {
        int s = words.length;
        int h = c.hiddenSize();
        float[] pe = p.get(BertParameters.POSITION_EMBEDDINGS);
        float[] te = p.get(BertParameters.TOKEN_TYPE_EMBEDDINGS);
        double[][] x = new double[s][h];
        for (int t = 0; t < s; t++) {
            for (int j = 0; j < h; j++) {
                x[t][j] = words[t][j] + pe[t * h + j] + te[(int) types[t] * h + j];
            }
            x[t] = layerNorm(x[t], BertParameters.EMBEDDINGS_LN_GAMMA, BertParameters.EMBEDDINGS_LN_BETA);
        }
        for (int l = 0; l < c.numLayers(); l++) {
            x = layer(l, x, mask);
        }
        return x;
    }

    private double[][] layer(int l, double[][] x, long[] mask) {
        int s = x.length;
        int h = c.hiddenSize();
        int heads = c.numHeads();
        int d = c.headSize();
        double[][] q = dense(x, L(l, BertParameters.QUERY_KERNEL), L(l, BertParameters.QUERY_BIAS));
        double[][] k = dense(x, L(l, BertParameters.KEY_KERNEL), L(l, BertParameters.KEY_BIAS));
        double[][] v = dense(x, L(l, BertParameters.VALUE_KERNEL), L(l, BertParameters.VALUE_BIAS));
        double[][] ctx = new double[s][h];
        for (int a = 0; a < heads; a++) {
            for (int i = 0; i < s; i++) {
                double[] sc = new double[s];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < s; j++) {
                    double dot = 0;
                    for (int e = 0; e < d; e++) {
                        dot += q[i][a * d + e] * k[j][a * d + e];
                    }
                    sc[j] = dot / Math.sqrt(d) + (1 - mask[j]) * -10000.0;
                    max = Math.max(max, sc[j]);
                }
                double z = 0;
                for (int j = 0; j < s; j++) {
                    sc[j] = Math.exp(sc[j] - max);
                    z += sc[j];
                }
                for (int j = 0; j < s; j++) {
                    for (int e = 0; e < d; e++) {
                        ctx[i][a * d + e] += sc[j] / z * v[j][a * d + e];
                    }
                }
            }
        }
        double[][] att = dense(ctx, L(l, BertParameters.ATTENTION_OUTPUT_KERNEL),
                L(l, BertParameters.ATTENTION_OUTPUT_BIAS));
        double[][] x1 = new double[s][];
        for (int t = 0; t < s; t++) {
            x1[t] = layerNorm(add(att[t], x[t]), L(l, BertParameters.ATTENTION_LN_GAMMA),
                    L(l, BertParameters.ATTENTION_LN_BETA));
        }
        double[][] inner = dense(x1, L(l, BertParameters.INTERMEDIATE_KERNEL), L(l, BertParameters.INTERMEDIATE_BIAS));
        for (double[] row : inner) {
            for (int j = 0; j < row.length; j++) {
                row[j] = gelu(row[j]);
            }
        }
        double[][] out = dense(inner, L(l, BertParameters.OUTPUT_KERNEL), L(l, BertParameters.OUTPUT_BIAS));
        double[][] x2 = new double[s][];
        for (int t = 0; t < s; t++) {
            x2[t] = layerNorm(add(out[t], x1[t]), L(l, BertParameters.OUTPUT_LN_GAMMA),
                    L(l, BertParameters.OUTPUT_LN_BETA));
        }
        return x2;
    }

    /** The MLM head transform of one hidden vector. */
    double[] transform(double[] hidden) {
        double[] t = dense(new double[][] {hidden}, BertParameters.HEAD_TRANSFORM_KERNEL,
                BertParameters.HEAD_TRANSFORM_BIAS)[0];
        for (int j = 0; j < t.length; j++) {
            t[j] = gelu(t[j]);
        }
        return layerNorm(t, BertParameters.HEAD_LN_GAMMA, BertParameters.HEAD_LN_BETA);
    }

    /** Vocabulary logits of a transformed vector (tied decoder). */
    double[] logits(double[] transformed) {
        int h = c.hiddenSize();
        float[] we = p.get(BertParameters.WORD_EMBEDDINGS);
        float[] bias = p.get(BertParameters.HEAD_OUTPUT_BIAS);
        double[] out = new double[c.vocabSize()];
        for (int v = 0; v < out.length; v++) {
            double s = bias[v];
            for (int j = 0; j < h; j++) {
                s += transformed[j] * we[v * h + j];
            }
            out[v] = s;
        }
        return out;
    }

    /** {@code -log sum_g softmax(logits)[gold_g]} over the real gold ids. */
    double loss(double[][] words, long[] types, long[] mask, int position, long[] gold, float[] goldMask) {
        double[] logits = logits(transform(encode(words, types, mask)[position]));
        double lse = logSumExp(logits);
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < gold.length; i++) {
            if (goldMask[i] != 0) {
                max = Math.max(max, logits[(int) gold[i]]);
            }
        }
        double s = 0;
        for (int i = 0; i < gold.length; i++) {
            if (goldMask[i] != 0) {
                s += Math.exp(logits[(int) gold[i]] - max);
            }
        }
        return lse - (max + Math.log(s));
    }

    static double logSumExp(double[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            max = Math.max(max, v);
        }
        double s = 0;
        for (double v : x) {
            s += Math.exp(v - max);
        }
        return max + Math.log(s);
    }

    private static String L(int l, String suffix) {
        return BertParameters.layer(l, suffix);
    }

    private static double gelu(double x) {
        return 0.5 * x * (1 + Erf.erf(x / Math.sqrt(2)));
    }

    private static double[] add(double[] a, double[] b) {
        double[] o = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            o[i] = a[i] + b[i];
        }
        return o;
    }

    private double[][] dense(double[][] x, String kernel, String bias) {
        float[] k = p.get(kernel);
        float[] b = p.get(bias);
        int out = b.length;
        int in = x[0].length;
        double[][] y = new double[x.length][out];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < out; o++) {
                double s = b[o];
                for (int i = 0; i < in; i++) {
                    s += x[t][i] * k[i * out + o];
                }
                y[t][o] = s;
            }
        }
        return y;
    }

    private double[] layerNorm(double[] x, String gamma, String beta) {
        float[] gm = p.get(gamma);
        float[] bt = p.get(beta);
        double mean = 0;
        for (double v : x) {
            mean += v;
        }
        mean /= x.length;
        double var = 0;
        for (double v : x) {
            var += (v - mean) * (v - mean);
        }
        var /= x.length;
        double inv = 1 / Math.sqrt(var + c.layerNormEps());
        double[] o = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            o[i] = (x[i] - mean) * inv * gm[i] + bt[i];
        }
        return o;
    }
}
