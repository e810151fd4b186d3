package io.github.prompt4j.onnx.export.checkpoint;

import io.github.prompt4j.core.model.ModelLoadException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** Checksums of checkpoint files, the identity a model cache compares. */
final class FileDigests {

    private static final int BUFFER = 1 << 16;

    private FileDigests() {
    }

    /**
     * Lower-case hex digest of the files' bytes, one after the other.
     *
     * @param algorithm a {@link MessageDigest} algorithm every Java platform has ({@code SHA-1}, {@code SHA-256})
     * @throws ModelLoadException naming the file that cannot be read
     */
    static String hex(String algorithm, List<Path> files) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is required of every Java platform", e);
        }
        byte[] buffer = new byte[BUFFER];
        for (Path file : files) {
            try (InputStream in = Files.newInputStream(file)) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    digest.update(buffer, 0, n);
                }
            } catch (IOException e) {
                throw new ModelLoadException("cannot read " + file + " to compute its " + algorithm + ": "
                        + e.getMessage(), e);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
