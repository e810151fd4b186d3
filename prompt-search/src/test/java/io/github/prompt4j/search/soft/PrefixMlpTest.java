package io.github.prompt4j.search.soft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.model.Prefix;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link PrefixMlp}: its prefix against a hand computation, its gradient against central finite differences. */
class PrefixMlpTest {

    /** A linear functional of the prefix, {@code sum c_i P_i} over the flat layout, in double precision. */
    private static double functional(Prefix p, double[] c) {
        float[] flat = p.flatten();
        double s = 0;
        for (int i = 0; i < flat.length; i++) {
            s += c[i] * flat[i];
        }
        return s;
    }

    @Test
    void thePrefixIsTheMlpOfEachPositionsRowLaidOutAsLayersPositionsHidden() {
        // layers 2, length 2, hidden 1, width 1: E_j scalar, W1 1x1, b1, W2 1x4 (kv, layer), b2 4
        PrefixMlp mlp = new PrefixMlp(2, 2, 1, 1);
        double[] p = {0.5, -1.0, /* W1 */ 2.0, /* b1 */ 0.1, /* W2 */ 1, 2, 3, 4, /* b2 */ 0, 0, 0, 10};
        assertEquals(p.length, mlp.size());
        Prefix prefix = mlp.prefix(p);
        double a0 = Math.tanh(0.5 * 2 + 0.1);
        double a1 = Math.tanh(-1.0 * 2 + 0.1);
        // keys [layer, position]: layer 0 from W2[0], layer 1 from W2[1]; values from W2[2], W2[3] + 10
        assertEquals((float) (a0 * 1), prefix.keys()[0]);
        assertEquals((float) (a1 * 1), prefix.keys()[1]);
        assertEquals((float) (a0 * 2), prefix.keys()[2]);
        assertEquals((float) (a1 * 2), prefix.keys()[3]);
        assertEquals((float) (a0 * 3), prefix.values()[0]);
        assertEquals((float) (a1 * 4 + 10), prefix.values()[3]);
    }

    @Test
    void theGradientMatchesCentralDifferencesForEveryParameter() {
        PrefixMlp mlp = new PrefixMlp(2, 3, 4, 5);
        double[] p = mlp.init(11, 0.3);
        Random rnd = new Random(5);
        for (int i = 0; i < p.length; i++) {
            p[i] += 0.1 * rnd.nextGaussian(); // biases away from zero too
        }
        double[] c = new double[2 * 2 * 3 * 4];
        for (int i = 0; i < c.length; i++) {
            c[i] = rnd.nextGaussian();
        }
        double[] grad = new double[mlp.size()];
        mlp.backward(p, c, grad);
        double eps = 1e-3;
        for (int k = 0; k < p.length; k++) {
            double keep = p[k];
            p[k] = keep + eps;
            double up = functional(mlp.prefix(p), c);
            p[k] = keep - eps;
            double down = functional(mlp.prefix(p), c);
            p[k] = keep;
            double numeric = (up - down) / (2 * eps);
            assertEquals(numeric, grad[k], 2e-3 * Math.max(1, Math.abs(numeric)), "parameter " + k);
        }
    }

    @Test
    void theInitialPrefixHasAboutTheDirectInitsScale() {
        PrefixMlp mlp = new PrefixMlp(4, 8, 64, 128);
        float[] flat = mlp.prefix(mlp.init(1, 0.02)).flatten();
        double sq = 0;
        for (float v : flat) {
            sq += v * v;
        }
        double std = Math.sqrt(sq / flat.length);
        assertTrue(std > 0.01 && std < 0.04, "initial standard deviation " + std);
    }
}
