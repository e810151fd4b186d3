package io.github.prompt4j.onnx.export.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.prompt4j.core.model.ModelLoadException;
import io.github.prompt4j.core.testing.FuzzContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes safetensors files ({@link SafeTensorsFile}): the 8-byte header length, the JSON header (dtypes, shapes,
 * data offsets, metadata) and reading every tensor. Contract: opening and reading either succeed, each tensor giving
 * as many floats as its shape says, or throw {@link ModelLoadException} naming the file; no other exception, no
 * allocation beyond the file's size, and the file is closed either way.
 */
class SafeTensorsFuzzTest {

    private static Path file;

    @BeforeAll
    static void createFile() throws IOException {
        file = Files.createTempFile("prompt4j-fuzz", ".safetensors");
    }

    @AfterAll
    static void deleteFile() throws IOException {
        Files.deleteIfExists(file);
    }

    @FuzzTest(maxDuration = "2m")
    void openAndRead(byte[] data) throws IOException {
        Files.write(file, data);
        FuzzContract.holdsNaming(file.getFileName().toString(), () -> {
            try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
                for (String name : f.names()) {
                    SafeTensorsFile.Tensor t = f.find(name).orElseThrow();
                    long count = 1;
                    for (long d : t.shape()) {
                        count *= d;
                    }
                    assertEquals(count, f.readFloats(t).length, name);
                }
            }
        }, ModelLoadException.class);
    }
}
