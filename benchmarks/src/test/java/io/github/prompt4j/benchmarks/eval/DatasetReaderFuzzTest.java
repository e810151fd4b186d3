package io.github.prompt4j.benchmarks.eval;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.prompt4j.core.testing.FuzzContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes the {@code Eval} command's TSV dataset reader ({@link DatasetReader}): GLUE-style files with a header that
 * names a {@code label} column, and headerless {@code .norm.tsv} files. Contract: either a non-empty dataset with a
 * non-blank label per row, or {@link IllegalArgumentException} naming the file; nothing else.
 */
class DatasetReaderFuzzTest {

    private static Path dir;

    @BeforeAll
    static void createDirectory() throws IOException {
        dir = Files.createTempDirectory("prompt4j-reader-fuzz");
    }

    @AfterAll
    static void deleteDirectory() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    @FuzzTest(maxDuration = "1m")
    void read(byte[] data) throws IOException {
        for (String name : new String[] {"dev.tsv", "dev.norm.tsv"}) {
            Path file = Files.write(dir.resolve(name), data);
            FuzzContract.holdsNaming(name, () -> {
                Dataset d = DatasetReader.read(file);
                assertFalse(d.examples().isEmpty());
                d.examples().forEach(e -> assertFalse(e.label().isBlank(), e.toString()));
            }, IllegalArgumentException.class);
        }
    }
}
