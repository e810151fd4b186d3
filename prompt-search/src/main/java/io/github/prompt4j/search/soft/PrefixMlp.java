package io.github.prompt4j.search.soft;

import io.github.prompt4j.core.model.Prefix;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * The reparameterisation of prefix-tuning (Li and Liang 2021, section 4.3): the prefix is not trained directly but
 * computed by a two-layer MLP from a smaller table, {@code P_j = W2^T tanh(W1^T E_j + b1) + b2} for each prefix
 * position {@code j}, where {@code P_j} holds position {@code j}'s keys and values in every layer ({@code 2 * layers
 * * hidden} values). The optimiser updates {@code E}, {@code W1}, {@code b1}, {@code W2}, {@code b2}; the trained
 * prefix is what the MLP computes, and the MLP is dropped afterwards.
 *
 * <p>Parameters, one flat vector in this order: {@code E [length, hidden]}, {@code W1 [hidden, width]},
 * {@code b1 [width]}, {@code W2 [width, out]}, {@code b2 [out]} with {@code out = 2 * layers * hidden}; output
 * element {@code (kv, l, k)} of a position ({@code kv} 0 for keys, 1 for values) is at {@code (kv * layers + l) *
 * hidden + k}. Initialisation (seeded): {@code E} standard normal, {@code W1} uniform in {@code +-1/sqrt(hidden)},
 * {@code b1} and {@code b2} zero, {@code W2} normal with the standard deviation that gives the initial prefix values
 * a standard deviation of about {@code initScale} (as the directly trained prefix starts).
 *
 * <p>Memory: {@code width * (hidden + 2 * layers * hidden)} parameters (9.8 million for BERT-base at width 512),
 * held in double precision by the trainer with Adam's two moments. Not thread-safe; the matrix products run on the
 * common fork-join pool.
 */
final class PrefixMlp {

    private final int layers;
    private final int length;
    private final int hidden;
    private final int width;
    private final int out;
    private final int offW1;
    private final int offB1;
    private final int offW2;
    private final int offB2;
    private final int size;

    PrefixMlp(int layers, int length, int hidden, int width) {
        if (width < 1) {
            throw new IllegalArgumentException("the reparameterisation width must be >= 1, got " + width);
        }
        this.layers = layers;
        this.length = length;
        this.hidden = hidden;
        this.width = width;
        this.out = 2 * layers * hidden;
        this.offW1 = length * hidden;
        this.offB1 = offW1 + hidden * width;
        this.offW2 = offB1 + width;
        this.offB2 = offW2 + width * out;
        long n = (long) offB2 + out;
        if (n > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("a reparameterisation of width " + width + " has " + n
                    + " parameters, more than one array holds; use a smaller width");
        }
        this.size = (int) n;
    }

    /** Number of parameters. */
    int size() {
        return size;
    }

    /** The MLP's hidden width. */
    int width() {
        return width;
    }

    /** Seeded initial parameters (see the class comment). */
    double[] init(long seed, double initScale) {
        Random rnd = new Random(seed);
        double[] p = new double[size];
        for (int i = 0; i < offW1; i++) {
            p[i] = rnd.nextGaussian();
        }
        double bound = 1 / Math.sqrt(hidden);
        for (int i = offW1; i < offB1; i++) {
            p[i] = bound * (2 * rnd.nextDouble() - 1);
        }
        // tanh(E W1) has a standard deviation of about 0.5 here, so P = a W2 has 0.5 * sigma * sqrt(width)
        double sigma = 2 * initScale / Math.sqrt(width);
        for (int i = offW2; i < offB2; i++) {
            p[i] = sigma * rnd.nextGaussian();
        }
        return p;
    }

    /** The hidden activations {@code tanh(E_j W1 + b1)}, {@code [length, width]}. */
    private double[] activations(double[] p) {
        double[] a = new double[length * width];
        IntStream.range(0, length).parallel().forEach(j -> {
            for (int c = 0; c < width; c++) {
                double z = p[offB1 + c];
                for (int d = 0; d < hidden; d++) {
                    z += p[j * hidden + d] * p[offW1 + d * width + c];
                }
                a[j * width + c] = Math.tanh(z);
            }
        });
        return a;
    }

    /** The prefix the parameters compute, rounded to float32. */
    Prefix prefix(double[] p) {
        double[] a = activations(p);
        int perLayer = length * hidden;
        float[] keys = new float[layers * perLayer];
        float[] values = new float[layers * perLayer];
        IntStream.range(0, length).parallel().forEach(j -> {
            double[] row = new double[out];
            System.arraycopy(p, offB2, row, 0, out);
            for (int c = 0; c < width; c++) {
                double ac = a[j * width + c];
                int w = offW2 + c * out;
                for (int o = 0; o < out; o++) {
                    row[o] += ac * p[w + o];
                }
            }
            for (int kv = 0; kv < 2; kv++) {
                float[] target = kv == 0 ? keys : values;
                for (int l = 0; l < layers; l++) {
                    int from = (kv * layers + l) * hidden;
                    int to = (l * length + j) * hidden;
                    for (int k = 0; k < hidden; k++) {
                        target[to + k] = (float) row[from + k];
                    }
                }
            }
        });
        return new Prefix(layers, length, hidden, keys, values);
    }

    /**
     * The gradient with respect to the parameters {@code p}, given the gradient with respect to the prefix they
     * compute ({@code prefixGrad}, laid out as {@link Prefix#flatten()}: keys then values, each {@code [layers,
     * length, hidden]}); written into {@code into[0, size())}.
     */
    void backward(double[] p, double[] prefixGrad, double[] into) {
        double[] a = activations(p);
        int perLayer = length * hidden;
        int half = layers * perLayer;
        // g[j][o]: the gradient of position j's output row
        double[] g = new double[length * out];
        for (int j = 0; j < length; j++) {
            for (int kv = 0; kv < 2; kv++) {
                for (int l = 0; l < layers; l++) {
                    int from = kv * half + (l * length + j) * hidden;
                    int to = j * out + (kv * layers + l) * hidden;
                    System.arraycopy(prefixGrad, from, g, to, hidden);
                }
            }
        }
        // b2 and W2
        for (int o = 0; o < out; o++) {
            double s = 0;
            for (int j = 0; j < length; j++) {
                s += g[j * out + o];
            }
            into[offB2 + o] = s;
        }
        IntStream.range(0, width).parallel().forEach(c -> {
            int w = offW2 + c * out;
            java.util.Arrays.fill(into, w, w + out, 0);
            for (int j = 0; j < length; j++) {
                double ac = a[j * width + c];
                int gj = j * out;
                for (int o = 0; o < out; o++) {
                    into[w + o] += ac * g[gj + o];
                }
            }
        });
        // through tanh: dz = (g W2^T) * (1 - a^2)
        double[] dz = new double[length * width];
        IntStream.range(0, length * width).parallel().forEach(jc -> {
            int j = jc / width;
            int c = jc % width;
            int w = offW2 + c * out;
            int gj = j * out;
            double s = 0;
            for (int o = 0; o < out; o++) {
                s += g[gj + o] * p[w + o];
            }
            double ac = a[jc];
            dz[jc] = s * (1 - ac * ac);
        });
        // b1, W1 and E
        for (int c = 0; c < width; c++) {
            double s = 0;
            for (int j = 0; j < length; j++) {
                s += dz[j * width + c];
            }
            into[offB1 + c] = s;
        }
        for (int d = 0; d < hidden; d++) {
            int w = offW1 + d * width;
            for (int c = 0; c < width; c++) {
                double s = 0;
                for (int j = 0; j < length; j++) {
                    s += p[j * hidden + d] * dz[j * width + c];
                }
                into[w + c] = s;
            }
        }
        for (int j = 0; j < length; j++) {
            for (int d = 0; d < hidden; d++) {
                double s = 0;
                int w = offW1 + d * width;
                for (int c = 0; c < width; c++) {
                    s += p[w + c] * dz[j * width + c];
                }
                into[j * hidden + d] = s;
            }
        }
    }
}
