package io.github.prompt4j.onnx.export.checkpoint;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * CRC32C as LevelDB and TensorFlow store it: the checksum of the bytes, then "masked" (rotated right by 15 bits and
 * offset by a constant) so that a CRC computed over bytes that themselves contain CRCs is not trivially zero.
 *
 * <p>Both the table's block trailers and {@code BundleEntryProto.crc32c} hold masked values (LevelDB
 * {@code util/crc32c.h}, TensorFlow {@code tensor_bundle.cc} writes {@code crc32c::Mask(crc)}); the integration test
 * checks this against the real checkpoint, where every tensor's stored value equals the mask of the CRC32C of its
 * bytes and none equals the plain CRC. Stateless and thread-safe.
 */
final class TfCrc32c {

    private static final int MASK_DELTA = 0xa282ead8;

    private TfCrc32c() {
    }

    /** The masked CRC32C of {@code length} bytes of {@code bytes} from {@code offset}. */
    static int masked(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return mask((int) crc.getValue());
    }

    /** The plain (unmasked) CRC32C of the buffer's remaining bytes; the buffer's position is left unchanged. */
    static int plain(ByteBuffer buffer) {
        CRC32C crc = new CRC32C();
        crc.update(buffer.duplicate());
        return (int) crc.getValue();
    }

    /** LevelDB's {@code crc32c::Mask}: rotate right by 15 bits, add a constant. */
    static int mask(int crc) {
        return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
    }

    /** Inverse of {@link #mask}. */
    static int unmask(int masked) {
        int rotated = masked - MASK_DELTA;
        return (rotated >>> 17) | (rotated << 15);
    }
}
