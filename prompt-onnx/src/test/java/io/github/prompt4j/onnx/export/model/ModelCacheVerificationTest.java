package io.github.prompt4j.onnx.export.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.model.ModelLoadException;
import io.github.prompt4j.onnx.export.checkpoint.Checkpoint;
import io.github.prompt4j.onnx.export.checkpoint.HuggingFaceBertCheckpoint;
import io.github.prompt4j.onnx.export.model.ModelDirectory.Verification;
import io.github.prompt4j.onnx.export.testing.TinyBert;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache verifies what it serves: every file of an exported tiny BERT is truncated, then has one byte flipped, and
 * each damage is caught (a user's directory: rejected naming the file; a cache entry: re-exported from its source).
 */
class ModelCacheVerificationTest {

    private static Path hf;
    private static Path pristine;
    private static Map<String, byte[]> original;
    private static List<String> files;

    @BeforeAll
    static void export(@TempDir Path dir) throws IOException {
        hf = TinyBert.random(23).writeHuggingFace(dir.resolve("hf"));
        try (Checkpoint c = HuggingFaceBertCheckpoint.fromDirectory(hf)) {
            pristine = ModelExporter.export(c, "tiny", dir.resolve("tiny")).path();
        }
        original = contents(pristine);
        files = original.keySet().stream().sorted().toList();
    }

    private static Map<String, byte[]> contents(Path dir) throws IOException {
        Map<String, byte[]> bytes = new HashMap<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : list.toList()) {
                bytes.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return bytes;
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        for (Map.Entry<String, byte[]> e : contents(from).entrySet()) {
            Files.write(to.resolve(e.getKey()), e.getValue());
        }
    }

    private static void truncate(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(b, b.length / 2));
    }

    private static void flip(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[b.length / 2] ^= 0x01;
        Files.write(file, b);
    }

    private static void assertNamesTheFile(ModelLoadException e, String file) {
        assertTrue(e.getMessage().contains(file) && e.getMessage().contains("re-export"), e.getMessage());
    }

    @Test
    void theManifestRecordsEveryOtherFileWithItsSizeAndChecksum() {
        ModelManifest m = ModelDirectory.open(pristine).manifest();
        assertEquals(files.stream().filter(f -> !f.equals(ModelManifest.MANIFEST_FILE)).toList(),
                List.copyOf(m.files().keySet()));
        for (String f : m.files().keySet()) {
            assertEquals(original.get(f).length, m.files().get(f).size(), f);
        }
        ModelDirectory.open(pristine, Verification.CHECKSUMS);
    }

    @Test
    void aTruncatedFileOfAUserDirectoryIsRejectedNamingTheFile(@TempDir Path dir) throws IOException {
        for (String f : files) {
            Path copy = dir.resolve("t-" + f);
            copy(pristine, copy);
            truncate(copy.resolve(f));
            ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelDirectory.open(copy), f);
            assertNamesTheFile(e, f);
        }
    }

    @Test
    void aFlippedByteOfAUserDirectoryIsRejectedNamingTheFileWhenVerifying(@TempDir Path dir) throws IOException {
        for (String f : files) {
            Path copy = dir.resolve("f-" + f);
            copy(pristine, copy);
            flip(copy.resolve(f));
            ModelLoadException e = assertThrows(ModelLoadException.class,
                    () -> ModelDirectory.open(copy, Verification.CHECKSUMS), f);
            assertNamesTheFile(e, f);
            if (f.equals(ModelManifest.MANIFEST_FILE)) {
                // the manifest checks itself on every open
                assertThrows(ModelLoadException.class, () -> ModelDirectory.open(copy));
            } else {
                ModelDirectory.open(copy);   // sizes only: same size, so accepted without verification
            }
        }
    }

    @Test
    void theCacheReExportsATruncatedOrAlteredEntryFromItsSource(@TempDir Path dir) throws IOException {
        ModelCache cache = ModelCache.at(dir).withVerification(Verification.CHECKSUMS);
        AtomicInteger conversions = new AtomicInteger();
        ModelDirectory entry = cache.get("tiny", "sum-1", () -> source(conversions));
        Map<String, byte[]> exported = contents(entry.path());
        int expected = 1;
        for (String f : files) {
            for (boolean truncate : new boolean[] {true, false}) {
                if (truncate) {
                    truncate(entry.path().resolve(f));
                } else {
                    flip(entry.path().resolve(f));
                }
                ModelDirectory again = cache.get("tiny", "sum-1", () -> source(conversions));
                expected++;
                assertEquals(expected, conversions.get(), (truncate ? "truncated " : "flipped ") + f);
                Map<String, byte[]> now = contents(again.path());
                assertEquals(exported.keySet(), now.keySet());
                for (String g : now.keySet()) {
                    if (!g.equals(ModelManifest.MANIFEST_FILE)) {   // the manifest names the temporary source
                        assertArrayEquals(exported.get(g), now.get(g), g + " after re-export of " + f);
                    }
                }
            }
        }
        try (Stream<Path> list = Files.list(dir)) {
            assertEquals(List.of("tiny", "tiny.lock"), list.map(p -> p.getFileName().toString()).sorted().toList(),
                    "re-exports leave no temporary or old directory behind");
        }
    }

    @Test
    void theDefaultCacheChecksSizesAndReExportsATruncatedEntry(@TempDir Path dir) throws IOException {
        ModelCache cache = ModelCache.at(dir);
        assertEquals(Verification.SIZES, cache.verification());
        AtomicInteger conversions = new AtomicInteger();
        ModelDirectory entry = cache.get("tiny", "sum-1", () -> source(conversions));
        truncate(entry.weightsFile());
        cache.get("tiny", "sum-1", () -> source(conversions));
        assertEquals(2, conversions.get());
        flip(entry.path().resolve(ModelManifest.MANIFEST_FILE));
        cache.get("tiny", "sum-1", () -> source(conversions));
        assertEquals(3, conversions.get(), "a damaged manifest is caught without checksum verification");
        cache.get("tiny", "sum-1", () -> {
            throw new AssertionError("an intact entry is reused");
        });
        assertThrows(IllegalArgumentException.class, () -> cache.withVerification(null));
    }

    @Test
    void aManifestListingAFileOutsideTheDirectoryIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ModelManifest.FileRecord(-1, "00"));
        assertTrue(e.getMessage().contains("size"), e.getMessage());
        ModelManifest m = ModelDirectory.open(pristine).manifest();
        Map<String, ModelManifest.FileRecord> escape = new HashMap<>(m.files());
        escape.put("../secret", m.files().values().iterator().next());
        e = assertThrows(IllegalArgumentException.class, () -> new ModelManifest(m.formatVersion(), m.name(),
                m.architecture(), m.config(), m.specialTokens(), m.lowerCase(), m.maxSequenceLength(), m.source(),
                m.sourceChecksum(), m.fused(), m.weights(), m.int8Weights(), escape));
        assertTrue(e.getMessage().contains("../secret"), e.getMessage());
    }

    private static Checkpoint source(AtomicInteger conversions) {
        conversions.incrementAndGet();
        return new ModelExporterTest.ChecksumCheckpoint(HuggingFaceBertCheckpoint.fromDirectory(hf), "sum-1");
    }
}
