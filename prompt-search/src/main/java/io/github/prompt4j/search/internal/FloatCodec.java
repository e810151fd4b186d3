package io.github.prompt4j.search.internal;

import io.github.prompt4j.core.model.LinearHead;
import io.github.prompt4j.core.verbalizer.LinearVerbalizer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;

/**
 * Float32 vectors in saved prompts (and float64 optimiser state in checkpoints): little-endian IEEE-754 bytes,
 * base64. Internal to prompt-search; not an API.
 * Stateless and thread-safe.
 */
public final class FloatCodec {

    private FloatCodec() {
    }

    /** The base64 text of {@code v}'s little-endian float32 bytes. */
    public static String encode(float[] v) {
        ByteBuffer bytes = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(v);
        return Base64.getEncoder().encodeToString(bytes.array());
    }

    /**
     * Decodes {@code length} float32 values.
     *
     * @param what names the field in the message of a failure
     * @throws IllegalArgumentException for invalid base64 or another byte count than {@code 4 * length}
     */
    public static float[] decode(String base64, int length, String what) {
        float[] v = new float[length];
        littleEndian(base64, length, Float.BYTES, "float32", what).asFloatBuffer().get(v);
        return v;
    }

    /** The base64 text of {@code v}'s little-endian float64 bytes (exact, for optimiser state). */
    public static String encodeDoubles(double[] v) {
        ByteBuffer bytes = ByteBuffer.allocate(v.length * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asDoubleBuffer().put(v);
        return Base64.getEncoder().encodeToString(bytes.array());
    }

    /**
     * Decodes {@code length} float64 values written by {@link #encodeDoubles}.
     *
     * @param what names the field in the message of a failure
     * @throws IllegalArgumentException for invalid base64 or another byte count than {@code 8 * length}
     */
    public static double[] decodeDoubles(String base64, int length, String what) {
        double[] v = new double[length];
        littleEndian(base64, length, Double.BYTES, "float64", what).asDoubleBuffer().get(v);
        return v;
    }

    /**
     * A learned verbalizer saved as {@code headWeights} (class rows in {@code classes}' order, {@code hidden} values
     * each) and {@code headBias} (one per class), both written by {@link #encode}.
     *
     * @throws IllegalArgumentException for a hidden size below 1, invalid base64, another byte count, or values the
     *         head refuses (fewer than two classes, non-finite values)
     */
    public static LinearVerbalizer decodeHead(List<String> classes, int hidden, String weights, String bias) {
        if (hidden < 1) {
            throw new IllegalArgumentException("hiddenSize must be positive, got " + hidden);
        }
        int n = classes.size();
        return LinearVerbalizer.of(classes, new LinearHead(n, hidden, decode(weights, n * hidden, "headWeights"),
                decode(bias, n, "headBias")));
    }

    private static ByteBuffer littleEndian(String base64, int length, int width, String type, String what) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " is not valid base64: " + e.getMessage(), e);
        }
        if (length < 1 || bytes.length != (long) length * width) {
            throw new IllegalArgumentException(what + " has " + bytes.length + " bytes; " + length + " " + type
                    + " values need " + (long) length * width);
        }
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}
