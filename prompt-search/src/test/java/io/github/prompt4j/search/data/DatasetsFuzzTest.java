package io.github.prompt4j.search.data;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.prompt4j.core.testing.FuzzContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzes the dataset readers: SST-2 TSV with and without header, LAMA facts and relations (JSON lines, the relation's
 * template converted to a prompt4j template) and vocabulary files. Contract: each either returns rows whose fields
 * are non-blank, or throws {@link IllegalArgumentException} with a message naming the file (and the line); no other
 * exception, no partial result.
 */
class DatasetsFuzzTest {

    private static Path dir;

    @BeforeAll
    static void createDirectory() throws IOException {
        dir = Files.createTempDirectory("prompt4j-datasets-fuzz");
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

    private static Path write(String name, byte[] data) {
        try {
            return Files.write(dir.resolve(name), data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "1m")
    void sst2(byte[] data) {
        Path glue = write("dev.tsv", data);
        FuzzContract.holdsNaming("dev.tsv", () -> examples(Datasets.sst2Glue(glue)), IllegalArgumentException.class);
        Path norm = write("dev.norm.tsv", data);
        FuzzContract.holdsNaming("dev.norm.tsv", () -> examples(Datasets.sst2Norm(norm)), IllegalArgumentException.class);
        FuzzContract.holdsNaming("dev.norm.tsv", () -> Datasets.vocabulary(norm).forEach(w -> assertFalse(w.isBlank())),
                IllegalArgumentException.class);
    }

    @FuzzTest(maxDuration = "1m")
    void lamaFacts(byte[] data) {
        Path file = write("P19.jsonl", data);
        FuzzContract.holdsNaming("P19.jsonl", () -> examples(Datasets.lamaFacts(file)), IllegalArgumentException.class);
    }

    @FuzzTest(maxDuration = "1m")
    void lamaRelations(byte[] data) {
        Path file = write("relations.jsonl", data);
        @SuppressWarnings("unchecked")
        List<LamaRelation>[] read = new List[1];
        if (FuzzContract.holdsNaming("relations.jsonl", () -> read[0] = Datasets.lamaRelations(file), IllegalArgumentException.class)) {
            for (LamaRelation r : read[0]) {
                FuzzContract.holds(() -> assertTrue(r.manualTemplate().maskCount() >= 1),
                        IllegalArgumentException.class);
            }
        }
    }

    private static void examples(List<Example> examples) {
        for (Example e : examples) {
            assertFalse(e.label().isBlank(), e.toString());
            e.fields().values().forEach(v -> assertFalse(v.isBlank(), e.toString()));
        }
    }
}
