package io.github.prompt4j.onnx.export.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Test-side writer of a HuggingFace {@code BertForMaskedLM} directory ({@code config.json}, {@code model.safetensors}
 * with Transformers' names and {@code [out, in]} kernels, {@code vocab.txt}, {@code tokenizer_config.json} with
 * {@code do_lower_case: true}) from canonical weights, so tests go
 * through the real {@link HuggingFaceBertCheckpoint} reader. The pieces are exposed separately so a test can corrupt
 * one of them.
 */
public final class HuggingFaceBertWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HuggingFaceBertWriter() {
    }

    /**
     * Writes a complete checkpoint directory (created if needed), all tensors F32.
     *
     * @param canonicalWeights every {@link BertParameters#names} entry, canonical layout ({@code [in, out]} kernels)
     * @return the directory
     */
    public static Path write(Path directory, BertConfig config, Map<String, float[]> canonicalWeights,
            List<String> vocabulary) {
        try {
            Files.createDirectories(directory);
            writeJson(directory.resolve(HuggingFaceBertCheckpoint.CONFIG_JSON), configJson(config));
            tensors(config, canonicalWeights).write(directory.resolve(HuggingFaceBertCheckpoint.MODEL_SAFETENSORS));
            Files.write(directory.resolve(HuggingFaceBertCheckpoint.VOCAB_TXT), vocabulary, StandardCharsets.UTF_8);
            ObjectNode tokenizerConfig = JSON.createObjectNode().put("do_lower_case", true);
            writeJson(directory.resolve(HuggingFaceBertCheckpoint.TOKENIZER_CONFIG_JSON), tokenizerConfig);
            return directory;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code config.json} Transformers writes for this config (model_type bert, hidden_act gelu). */
    public static ObjectNode configJson(BertConfig config) {
        ObjectNode root = JSON.createObjectNode();
        root.putArray("architectures").add("BertForMaskedLM");
        root.put("model_type", "bert");
        root.put("vocab_size", config.vocabSize());
        root.put("hidden_size", config.hiddenSize());
        root.put("num_hidden_layers", config.numLayers());
        root.put("num_attention_heads", config.numHeads());
        root.put("intermediate_size", config.intermediateSize());
        root.put("max_position_embeddings", config.maxPositions());
        root.put("type_vocab_size", config.typeVocabSize());
        root.put("layer_norm_eps", config.layerNormEps());
        root.put("hidden_act", "gelu");
        root.put("hidden_dropout_prob", 0.1);
        root.put("attention_probs_dropout_prob", 0.1);
        root.put("position_embedding_type", "absolute");
        root.put("pad_token_id", 0);
        return root;
    }

    /** A writer holding every tensor under its preferred HuggingFace name, kernels transposed to {@code [out, in]}. */
    public static SafeTensorsWriter tensors(BertConfig config, Map<String, float[]> canonicalWeights) {
        HuggingFaceBertNaming naming = new HuggingFaceBertNaming();
        SafeTensorsWriter writer = SafeTensorsWriter.create().metadata("format", "pt");
        BertParameters.shapes(config).forEach((name, shape) -> {
            float[] values = canonicalWeights.get(name);
            if (values == null) {
                throw new IllegalArgumentException("canonical weights lack '" + name + "'");
            }
            if (naming.transposed(name)) {
                long[] stored = {shape[1], shape[0]};
                writer.f32(naming.tensorName(name), stored,
                        HuggingFaceBertCheckpoint.transpose(values, (int) shape[0], (int) shape[1]));
            } else {
                writer.f32(naming.tensorName(name), shape, values);
            }
        });
        return writer;
    }

    /** Writes a JSON tree to a file, pretty-printed. */
    public static void writeJson(Path file, ObjectNode json) {
        try {
            JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
