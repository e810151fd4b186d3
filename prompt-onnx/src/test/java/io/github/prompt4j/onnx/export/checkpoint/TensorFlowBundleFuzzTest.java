package io.github.prompt4j.onnx.export.checkpoint;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.prompt4j.core.model.ModelLoadException;
import io.github.prompt4j.core.testing.FuzzContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes TensorFlow tensor bundle indexes: the LevelDB SSTable ({@link SsTableReader}: footer, block handles, prefix
 * compressed keys, CRC32C trailers), the bundle header and entry protobufs, and reading each tensor from a small
 * fixed data shard. Input: the index file; the shard {@code variables.data-00000-of-00001} holds 64 bytes. Contract:
 * either every step succeeds or {@link ModelLoadException} names the index (or data) file; no other exception and
 * no allocation a small index does not justify.
 */
class TensorFlowBundleFuzzTest {

    private static Path folder;

    @BeforeAll
    static void createFolder() throws IOException {
        folder = Files.createTempDirectory("prompt4j-bundle-fuzz");
        byte[] shard = new byte[64];
        Arrays.fill(shard, (byte) 0x3f);
        Files.write(folder.resolve("variables.data-00000-of-00001"), shard);
    }

    @AfterAll
    static void deleteFolder() throws IOException {
        try (var files = Files.list(folder)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(folder);
    }

    @FuzzTest(maxDuration = "2m")
    void openAndRead(byte[] data) throws IOException {
        Files.write(folder.resolve("variables.index"), data);
        FuzzContract.holdsNaming("variables", () -> {
            try (TensorFlowBundle bundle = TensorFlowBundle.open(folder, "variables", "model/variables")) {
                for (String name : bundle.tensorNames()) {
                    BundleEntry entry = bundle.entry(name).orElseThrow();
                    bundle.readFloats(name, entry.shape(), "");
                }
            }
        }, ModelLoadException.class);
    }
}
