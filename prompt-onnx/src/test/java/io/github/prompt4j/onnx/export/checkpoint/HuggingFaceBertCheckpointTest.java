package io.github.prompt4j.onnx.export.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.prompt4j.core.model.ModelLoadException;
import io.github.prompt4j.onnx.export.testing.TinyBert;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class HuggingFaceBertCheckpointTest {

    /** hidden 2 and intermediate 3 keep kernels small enough to write out by hand. */
    private static final BertConfig SMALL = new BertConfig(7, 2, 1, 1, 3, 4, 2, 1e-12);

    @TempDir
    Path tmp;

    @Test
    void roundTripReproducesEveryTensorAndTheMetadataExactly() {
        TinyBert tiny = TinyBert.random(new BertConfig(20, 8, 2, 2, 12, 16, 2, 1e-12), 7);
        Path dir = tiny.writeHuggingFace(tmp.resolve("tiny"));
        try (HuggingFaceBertCheckpoint checkpoint = HuggingFaceBertCheckpoint.fromDirectory(dir)) {
            assertEquals(tiny.config(), checkpoint.config());
            assertEquals(tiny.vocabulary(), checkpoint.vocabulary());
            assertTrue(checkpoint.lowerCase());
            assertEquals(Optional.empty(), checkpoint.tokenizerJson());
            assertEquals(dir.toAbsolutePath().toString(), checkpoint.source());
            for (Map.Entry<String, float[]> e : tiny.weights().entrySet()) {
                assertArrayEquals(e.getValue(), checkpoint.read(e.getKey()), e.getKey());
            }
        }
    }

    @Test
    void kernelsStoredOutByInAreTransposedToInByOut() throws Exception {
        Map<String, float[]> weights = new LinkedHashMap<>(TinyBert.random(SMALL, 1).weights());
        String kernel = BertParameters.layer(0, BertParameters.INTERMEDIATE_KERNEL);
        // canonical [in=2, out=3] = [[1, 2, 3], [4, 5, 6]]; PyTorch stores [out=3, in=2] = [[1, 4], [2, 5], [3, 6]].
        weights.put(kernel, new float[] {1, 2, 3, 4, 5, 6});
        Path dir = HuggingFaceBertWriter.write(tmp.resolve("m"), SMALL, weights, vocabulary(7));
        String hfName = "bert.encoder.layer.0.intermediate.dense.weight";
        try (SafeTensorsFile raw = SafeTensorsFile.open(dir.resolve("model.safetensors"))) {
            SafeTensorsFile.Tensor stored = raw.find(hfName).orElseThrow();
            assertArrayEquals(new long[] {3, 2}, stored.shape());
            assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, raw.readFloats(stored));
        }
        try (HuggingFaceBertCheckpoint checkpoint = HuggingFaceBertCheckpoint.fromDirectory(dir)) {
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, checkpoint.read(kernel));
        }

        // Independently of our writer: a hand-written [out, in] tensor reads back transposed.
        rewriteTensors(dir, weights, w -> w.f32(hfName, new long[] {3, 2}, new float[] {10, 40, 20, 50, 30, 60}));
        try (HuggingFaceBertCheckpoint checkpoint = HuggingFaceBertCheckpoint.fromDirectory(dir)) {
            assertArrayEquals(new float[] {10, 20, 30, 40, 50, 60}, checkpoint.read(kernel));
        }
    }

    @Test
    void legacyGammaBetaAndDecoderBiasNamesAreAccepted() {
        Map<String, float[]> weights = TinyBert.random(SMALL, 2).weights();
        Path dir = HuggingFaceBertWriter.write(tmp.resolve("legacy"), SMALL, weights, vocabulary(7));
        rewriteTensors(dir, weights, w -> w
                .remove("bert.embeddings.LayerNorm.weight")
                .remove("bert.embeddings.LayerNorm.bias")
                .remove("cls.predictions.bias")
                .f32("bert.embeddings.LayerNorm.gamma", new long[] {2}, new float[] {1.25f, 0.75f})
                .f32("bert.embeddings.LayerNorm.beta", new long[] {2}, new float[] {-0.5f, 0.5f})
                .f32("cls.predictions.decoder.bias", new long[] {7}, new float[] {1, 2, 3, 4, 5, 6, 7})
                .i64("bert.embeddings.position_ids", new long[] {1, 4}, new long[] {0, 1, 2, 3}));
        try (HuggingFaceBertCheckpoint checkpoint = HuggingFaceBertCheckpoint.fromDirectory(dir)) {
            assertArrayEquals(new float[] {1.25f, 0.75f}, checkpoint.read(BertParameters.EMBEDDINGS_LN_GAMMA));
            assertArrayEquals(new float[] {-0.5f, 0.5f}, checkpoint.read(BertParameters.EMBEDDINGS_LN_BETA));
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7}, checkpoint.read(BertParameters.HEAD_OUTPUT_BIAS));
        }
    }

    @Test
    void halfPrecisionTensorsAreWidenedToFloat32() {
        Map<String, float[]> weights = TinyBert.random(SMALL, 3).weights();
        Path dir = HuggingFaceBertWriter.write(tmp.resolve("half"), SMALL, weights, vocabulary(7));
        rewriteTensors(dir, weights, w -> w
                // binary16 1.5 = 0x3E00, -0.25 = 0xB400
                .f16("bert.embeddings.LayerNorm.weight", new long[] {2}, new short[] {0x3E00, (short) 0xB400})
                // bfloat16 -2.5 = 0xC020, 0.1875 = 0x3E40
                .bf16("bert.embeddings.LayerNorm.bias", new long[] {2}, new short[] {(short) 0xC020, 0x3E40})
                // a transposed bf16 kernel: stored [out=2, in=2] [[1, 2], [3, 4]] -> canonical [[1, 3], [2, 4]]
                .bf16("bert.encoder.layer.0.attention.self.query.weight", new long[] {2, 2},
                        new short[] {0x3F80, 0x4000, 0x4040, 0x4080}));
        try (HuggingFaceBertCheckpoint checkpoint = HuggingFaceBertCheckpoint.fromDirectory(dir)) {
            assertArrayEquals(new float[] {1.5f, -0.25f}, checkpoint.read(BertParameters.EMBEDDINGS_LN_GAMMA));
            assertArrayEquals(new float[] {-2.5f, 0.1875f}, checkpoint.read(BertParameters.EMBEDDINGS_LN_BETA));
            assertArrayEquals(new float[] {1, 3, 2, 4},
                    checkpoint.read(BertParameters.layer(0, BertParameters.QUERY_KERNEL)));
        }
    }

    @Test
    void checksumIsTheSha256OfTheSafetensorsFile() throws Exception {
        Path dir = TinyBert.random(SMALL, 4).writeHuggingFace(tmp.resolve("sum"));
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(dir.resolve(
                "model.safetensors")));
        try (HuggingFaceBertCheckpoint checkpoint = HuggingFaceBertCheckpoint.fromDirectory(dir)) {
            assertEquals(HexFormat.of().formatHex(digest), checkpoint.checksum());
            assertEquals(64, checkpoint.checksum().length());
        }
    }

    @Test
    void missingTensorNamesFileAndTensor() {
        Map<String, float[]> weights = TinyBert.random(SMALL, 5).weights();
        Path dir = HuggingFaceBertWriter.write(tmp.resolve("missing"), SMALL, weights, vocabulary(7));
        rewriteTensors(dir, weights, w -> w.remove("bert.encoder.layer.0.output.dense.weight"));
        try (HuggingFaceBertCheckpoint checkpoint = HuggingFaceBertCheckpoint.fromDirectory(dir)) {
            assertLoadFails(() -> checkpoint.read(BertParameters.layer(0, BertParameters.OUTPUT_KERNEL)),
                    dir.resolve("model.safetensors").toString(), "'bert.encoder.layer.0.output.dense.weight'",
                    "not found");
        }
    }

    @Test
    void wrongShapeNamesFileTensorAndBothShapes() {
        Map<String, float[]> weights = TinyBert.random(SMALL, 6).weights();
        Path dir = HuggingFaceBertWriter.write(tmp.resolve("shape"), SMALL, weights, vocabulary(7));
        // [in, out] written where PyTorch's [out, in] = [3, 2] is expected.
        rewriteTensors(dir, weights, w -> w.f32("bert.encoder.layer.0.intermediate.dense.weight", new long[] {2, 3},
                new float[6]));
        try (HuggingFaceBertCheckpoint checkpoint = HuggingFaceBertCheckpoint.fromDirectory(dir)) {
            assertLoadFails(() -> checkpoint.read(BertParameters.layer(0, BertParameters.INTERMEDIATE_KERNEL)),
                    dir.resolve("model.safetensors").toString(), "'bert.encoder.layer.0.intermediate.dense.weight'",
                    "[2, 3]", "[3, 2]");
        }
    }

    @Test
    void unsupportedDtypeNamesFileTensorAndDtype() {
        Map<String, float[]> weights = TinyBert.random(SMALL, 7).weights();
        Path dir = HuggingFaceBertWriter.write(tmp.resolve("dtype"), SMALL, weights, vocabulary(7));
        rewriteTensors(dir, weights, w -> w.raw("bert.embeddings.LayerNorm.bias", "F64", new long[] {2},
                new byte[16]));
        try (HuggingFaceBertCheckpoint checkpoint = HuggingFaceBertCheckpoint.fromDirectory(dir)) {
            assertLoadFails(() -> checkpoint.read(BertParameters.EMBEDDINGS_LN_BETA),
                    dir.resolve("model.safetensors").toString(), "'bert.embeddings.LayerNorm.bias'", "F64");
        }
    }

    @Test
    void offsetsOutsideTheFileFailOnOpenNamingFileAndTensor() {
        Path dir = TinyBert.random(SMALL, 8).writeHuggingFace(tmp.resolve("offsets"));
        Path model = dir.resolve("model.safetensors");
        SafeTensorsWriter.writeRaw(model,
                "{\"bert.embeddings.word_embeddings.weight\":{\"dtype\":\"F32\",\"shape\":[7,2],"
                        + "\"data_offsets\":[0,56]}}", new byte[40]);
        assertLoadFails(() -> HuggingFaceBertCheckpoint.fromDirectory(dir), model.toString(),
                "'bert.embeddings.word_embeddings.weight'");
    }

    @Test
    void unsupportedActivationNamesConfigJsonAndField() {
        assertConfigRejected(c -> c.put("hidden_act", "relu"), "'hidden_act'", "relu");
        assertConfigRejected(c -> c.put("hidden_act", "gelu_new"), "'hidden_act'", "gelu_new");
    }

    @Test
    void otherModelTypesNameConfigJsonAndField() {
        assertConfigRejected(c -> c.put("model_type", "roberta"), "'model_type'", "roberta");
    }

    @Test
    void missingOrMalformedSizesNameConfigJsonAndField() {
        assertConfigRejected(c -> c.remove("hidden_size"), "'hidden_size'", "missing");
        assertConfigRejected(c -> c.put("num_hidden_layers", "twelve"), "'num_hidden_layers'", "integer");
        assertConfigRejected(c -> c.put("position_embedding_type", "relative_key"), "'position_embedding_type'",
                "relative_key");
        assertConfigRejected(c -> c.put("num_attention_heads", 3), "not a multiple", "numHeads 3");
    }

    @Test
    void missingConfigAndWeightsFilesAreNamed() throws Exception {
        Path dir = TinyBert.random(SMALL, 9).writeHuggingFace(tmp.resolve("files"));
        Files.delete(dir.resolve("model.safetensors"));
        Files.writeString(dir.resolve("pytorch_model.bin"), "");
        assertLoadFails(() -> HuggingFaceBertCheckpoint.fromDirectory(dir),
                dir.resolve("model.safetensors").toString(), "safe_serialization");
        Files.delete(dir.resolve("config.json"));
        assertLoadFails(() -> HuggingFaceBertCheckpoint.fromDirectory(dir), dir.resolve("config.json").toString());
    }

    @Test
    void missingVocabularyNamesBothFiles() throws Exception {
        Path dir = TinyBert.random(SMALL, 10).writeHuggingFace(tmp.resolve("novocab"));
        Files.delete(dir.resolve("vocab.txt"));
        assertLoadFails(() -> HuggingFaceBertCheckpoint.fromDirectory(dir), "vocab.txt", "tokenizer.json");
    }

    @Test
    void vocabularyComesFromTokenizerJsonWhenThereIsNoVocabTxt() throws Exception {
        Path dir = TinyBert.random(SMALL, 11).writeHuggingFace(tmp.resolve("tokjson-cased"));
        Files.delete(dir.resolve("vocab.txt"));
        Files.delete(dir.resolve("tokenizer_config.json"));
        String json = "{\"version\":\"1.0\",\"normalizer\":{\"type\":\"BertNormalizer\",\"lowercase\":false},"
                + "\"model\":{\"type\":\"WordPiece\",\"vocab\":{\"b\":6,\"[PAD]\":0,\"[UNK]\":1,\"[CLS]\":2,"
                + "\"[SEP]\":3,\"[MASK]\":4,\"a\":5}}}";
        Files.writeString(dir.resolve("tokenizer.json"), json, StandardCharsets.UTF_8);
        try (HuggingFaceBertCheckpoint checkpoint = HuggingFaceBertCheckpoint.fromDirectory(dir)) {
            assertEquals(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b"), checkpoint.vocabulary());
            assertEquals(Optional.of(json), checkpoint.tokenizerJson());
            assertFalse(checkpoint.lowerCase());
        }
    }

    @Test
    void tokenizerJsonWithGapsInTheIdsIsRejected() throws Exception {
        Path dir = TinyBert.random(SMALL, 12).writeHuggingFace(tmp.resolve("gaps"));
        Files.delete(dir.resolve("vocab.txt"));
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\":{\"vocab\":{\"[PAD]\":0,\"x\":2}}}");
        assertLoadFails(() -> HuggingFaceBertCheckpoint.fromDirectory(dir), dir.resolve("tokenizer.json").toString(),
                "'model.vocab'", "'x'");
    }

    @Test
    void vocabularyLargerThanTheEmbeddingsIsRejected() throws Exception {
        Path dir = TinyBert.random(SMALL, 13).writeHuggingFace(tmp.resolve("bigvocab"));
        Files.write(dir.resolve("vocab.txt"), vocabulary(8));
        assertLoadFails(() -> HuggingFaceBertCheckpoint.fromDirectory(dir), "8 tokens", "vocab_size 7");
    }

    @Test
    void lowerCasingFollowsTokenizerConfigThenNormalizerThenDirectoryName() throws Exception {
        // do_lower_case wins over a directory name saying "uncased".
        Path explicit = TinyBert.random(SMALL, 14).writeHuggingFace(tmp.resolve("bert-uncased-but-not"));
        Files.writeString(explicit.resolve("tokenizer_config.json"), "{\"do_lower_case\": false}");
        assertFalse(lowerCase(explicit));

        // Without tokenizer_config.json, a lower-casing normalizer (here inside a Sequence) decides.
        Path normalizer = TinyBert.random(SMALL, 14).writeHuggingFace(tmp.resolve("bert-cased-normalized"));
        Files.delete(normalizer.resolve("tokenizer_config.json"));
        Files.writeString(normalizer.resolve("tokenizer.json"), "{\"normalizer\":{\"type\":\"Sequence\","
                + "\"normalizers\":[{\"type\":\"NFD\"},{\"type\":\"Lowercase\"}]},\"model\":{\"vocab\":{}}}");
        assertTrue(lowerCase(normalizer));

        // Otherwise the directory name.
        Path uncased = TinyBert.random(SMALL, 14).writeHuggingFace(tmp.resolve("my-BERT-Uncased"));
        Files.delete(uncased.resolve("tokenizer_config.json"));
        assertTrue(lowerCase(uncased));
        Path cased = TinyBert.random(SMALL, 14).writeHuggingFace(tmp.resolve("my-bert-cased"));
        Files.delete(cased.resolve("tokenizer_config.json"));
        assertFalse(lowerCase(cased));
    }

    @Test
    void readsAfterCloseAndUnknownNamesAreProgrammerErrors() {
        Path dir = TinyBert.random(SMALL, 15).writeHuggingFace(tmp.resolve("closed"));
        HuggingFaceBertCheckpoint checkpoint = HuggingFaceBertCheckpoint.fromDirectory(dir);
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> checkpoint.read(BertParameters.layer(5, BertParameters.QUERY_KERNEL)));
        assertTrue(unknown.getMessage().contains("encoder.layer.5.attention.query.kernel"), unknown.getMessage());
        checkpoint.close();
        assertThrows(IllegalStateException.class, () -> checkpoint.read(BertParameters.WORD_EMBEDDINGS));
    }

    private void assertConfigRejected(Consumer<ObjectNode> edit, String... fragments) {
        ObjectNode config = HuggingFaceBertWriter.configJson(SMALL);
        edit.accept(config);
        Path dir = TinyBert.random(SMALL, 16).writeHuggingFace(tmp.resolve("config-" + Math.abs(config.hashCode())));
        HuggingFaceBertWriter.writeJson(dir.resolve("config.json"), config);
        String[] expected = Arrays.copyOf(fragments, fragments.length + 1);
        expected[fragments.length] = dir.resolve("config.json").toString();
        assertLoadFails(() -> HuggingFaceBertCheckpoint.fromDirectory(dir), expected);
    }

    /** Asserts that the action throws a {@link ModelLoadException} whose message contains every fragment. */
    private static void assertLoadFails(Executable action, String... fragments) {
        ModelLoadException e = assertThrows(ModelLoadException.class, action);
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), e.getMessage() + " lacks " + fragment);
        }
    }

    private static boolean lowerCase(Path dir) {
        try (HuggingFaceBertCheckpoint checkpoint = HuggingFaceBertCheckpoint.fromDirectory(dir)) {
            return checkpoint.lowerCase();
        }
    }

    private static void rewriteTensors(Path dir, Map<String, float[]> weights, Consumer<SafeTensorsWriter> edit) {
        SafeTensorsWriter writer = HuggingFaceBertWriter.tensors(SMALL, weights);
        edit.accept(writer);
        writer.write(dir.resolve("model.safetensors"));
    }

    private static List<String> vocabulary(int size) {
        return TinyBert.random(new BertConfig(size, 2, 1, 1, 1, 1, 1, 1e-12), 0).vocabulary();
    }
}
