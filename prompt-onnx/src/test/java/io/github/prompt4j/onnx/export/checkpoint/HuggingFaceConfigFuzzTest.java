package io.github.prompt4j.onnx.export.checkpoint;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.prompt4j.core.model.ModelLoadException;
import io.github.prompt4j.core.testing.FuzzContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes a HuggingFace checkpoint's {@code config.json} ({@link HuggingFaceBertCheckpoint#readConfig}). Contract:
 * either a valid {@link BertConfig} or {@link ModelLoadException} naming the file; nothing else.
 */
class HuggingFaceConfigFuzzTest {

    private static Path dir;

    @BeforeAll
    static void createDirectory() throws IOException {
        dir = Files.createTempDirectory("prompt4j-config-fuzz");
    }

    @AfterAll
    static void deleteDirectory() throws IOException {
        Files.deleteIfExists(dir.resolve("config.json"));
        Files.delete(dir);
    }

    @FuzzTest(maxDuration = "1m")
    void readConfig(byte[] data) throws IOException {
        Path file = Files.write(dir.resolve("config.json"), data);
        FuzzContract.holdsNaming("config.json", () -> HuggingFaceBertCheckpoint.readConfig(file),
                ModelLoadException.class);
    }
}
