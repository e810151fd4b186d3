package io.github.prompt4j.onnx.internal.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Symmetric per-column int8 quantization against hand-computed values and its error bound. */
class Int8WeightsTest {

    @Test
    void handComputedColumnScalesAndValues() {
        // [2, 3]: column maxima 2.54, 0.5, 0 -> scales 0.02, 0.5/127, 1 (a zero column)
        float[] w = {2.54f, -0.5f, 0f, -1.28f, 0.3f, 0f};
        Int8Weights.Quantized q = Int8Weights.perColumn(w, 2, 3);
        assertEquals(0.02f, q.scales()[0], 1e-7);
        assertEquals(0.5f / 127, q.scales()[1], 1e-9);
        assertEquals(1f, q.scales()[2]);
        assertEquals(127, q.values()[0]);
        assertEquals(-127, q.values()[1]);
        assertEquals(0, q.values()[2]);
        assertEquals(-64, q.values()[3], "-1.28 / 0.02");
        assertEquals(76, q.values()[4], "0.3 / (0.5 / 127) = 76.2");
    }

    @Test
    void dequantizedWeightsAreWithinHalfAScaleStep() {
        Random random = new Random(11);
        int rows = 37;
        int cols = 23;
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (random.nextGaussian() * (1 + i % cols));
        }
        Int8Weights.Quantized q = Int8Weights.perColumn(w, rows, cols);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                float s = q.scales()[j];
                double back = q.values()[i * cols + j] * (double) s;
                assertTrue(Math.abs(back - w[i * cols + j]) <= s / 2 * (1 + 1e-5),
                        "[" + i + "," + j + "] " + w[i * cols + j] + " -> " + back + " (scale " + s + ")");
            }
        }
    }

    @Test
    void shiftCorrectionCancelsTheShiftOfAPerRowQuantizedInput() {
        // the same [2, 3] kernel: dequantized columns (2.54, -1.28), (-0.5, 76 * 0.5 / 127), (0, 0)
        Int8Weights.Quantized q = Int8Weights.perColumn(new float[] {2.54f, -0.5f, 0f, -1.28f, 0.3f, 0f}, 2, 3);
        float[] c = Int8Weights.shiftCorrection(q, 2, 3);
        assertEquals(-0.17 * (2.54 - 1.28), c[0], 1e-6);
        assertEquals(-0.17 * (-0.5 + 76 * 0.5 / 127), c[1], 1e-6);
        assertEquals(0, c[2], 0);
        // (x + shift) W + correction == x W for the dequantized kernel
        float[] x = {0.4f, -0.16f};
        for (int j = 0; j < 3; j++) {
            double shifted = 0;
            double plain = 0;
            for (int i = 0; i < 2; i++) {
                double w = q.values()[i * 3 + j] * (double) q.scales()[j];
                shifted += (x[i] + Int8Weights.GELU_SHIFT) * w;
                plain += x[i] * w;
            }
            assertEquals(plain, shifted + c[j], 1e-6, "column " + j);
        }
    }

    @Test
    void badKernelsAreRefusedWithTheCause() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Int8Weights.perColumn(new float[5], 2, 3));
        assertTrue(e.getMessage().contains("2 x 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Int8Weights.perColumn(new float[] {1f, Float.NaN}, 1, 2));
        assertTrue(e.getMessage().contains("[0, 1]") && e.getMessage().contains("NaN"), e.getMessage());
    }
}
