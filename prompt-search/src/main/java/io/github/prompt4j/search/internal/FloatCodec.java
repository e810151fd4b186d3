package io.github.prompt4j.search.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

/**
 * Float32 vectors in saved prompts: little-endian IEEE-754 bytes, base64. Internal to prompt-search; not an API.
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
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " is not valid base64: " + e.getMessage(), e);
        }
        if (length < 1 || bytes.length != (long) length * Float.BYTES) {
            throw new IllegalArgumentException(what + " has " + bytes.length + " bytes; " + length
                    + " float32 values need " + (long) length * Float.BYTES);
        }
        float[] v = new float[length];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }
}
