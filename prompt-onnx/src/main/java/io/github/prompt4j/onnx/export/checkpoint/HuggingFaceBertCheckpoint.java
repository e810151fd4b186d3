package io.github.prompt4j.onnx.export.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.prompt4j.core.model.ModelLoadException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A BERT masked LM saved by HuggingFace Transformers ({@code save_pretrained} of {@code BertForMaskedLM}): a
 * directory with {@code config.json}, {@code model.safetensors}, and {@code vocab.txt} or {@code tokenizer.json}.
 *
 * <p>What is read from where:
 * <ul>
 *   <li>Sizes from {@code config.json}: {@code vocab_size}, {@code hidden_size}, {@code num_hidden_layers},
 *       {@code num_attention_heads}, {@code intermediate_size} are required; {@code max_position_embeddings} (512),
 *       {@code type_vocab_size} (2) and {@code layer_norm_eps} (1e-12) default as in Transformers' {@code BertConfig}.
 *       {@code model_type}, when present, must be {@code bert}; {@code hidden_act} must be {@code gelu} (the erf
 *       form; absent means {@code gelu}); {@code position_embedding_type}, when present, must be {@code absolute}.
 *   <li>Weights from {@code model.safetensors} (F32, or F16/BF16 widened to float32), one tensor per
 *       {@link #read} call; kernels are transposed from PyTorch's {@code [out, in]} to canonical {@code [in, out]}.
 *       Names follow {@link HuggingFaceBertNaming}. Sharded checkpoints are not supported.
 *   <li>The vocabulary from {@code vocab.txt} (one token per line), else from {@code tokenizer.json}'s
 *       {@code model.vocab} map, which must assign the ids {@code 0..n-1}.
 *   <li>Lower-casing, first rule that applies: {@code tokenizer_config.json}'s {@code do_lower_case}; else whether
 *       {@code tokenizer.json}'s normalizer lower-cases (a {@code BertNormalizer} with {@code lowercase} true, or a
 *       {@code Lowercase} normalizer, alone or in a {@code Sequence}); else whether the directory's name contains
 *       {@code uncased} (ignoring case), as in {@code bert-base-uncased}.
 * </ul>
 *
 * <p>{@link #checksum()} is the lower-case hex SHA-256 of {@code model.safetensors}, computed on first call. Not
 * thread-safe. Owns an open {@code model.safetensors}; {@link #close()} releases it, after which {@link #read}
 * throws {@link IllegalStateException}.
 */
public final class HuggingFaceBertCheckpoint implements Checkpoint {

    /** File names inside a checkpoint directory. */
    static final String CONFIG_JSON = "config.json";
    static final String MODEL_SAFETENSORS = "model.safetensors";
    static final String VOCAB_TXT = "vocab.txt";
    static final String TOKENIZER_JSON = "tokenizer.json";
    static final String TOKENIZER_CONFIG_JSON = "tokenizer_config.json";

    private static final Logger log = LoggerFactory.getLogger(HuggingFaceBertCheckpoint.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path directory;
    private final BertConfig config;
    private final List<String> vocabulary;
    private final boolean lowerCase;
    private final Optional<String> tokenizerJson;
    private final SafeTensorsFile weights;
    private final Map<String, long[]> shapes;
    private final HuggingFaceBertNaming naming = new HuggingFaceBertNaming();
    private String checksum;
    private boolean closed;

    private HuggingFaceBertCheckpoint(Path directory, BertConfig config, List<String> vocabulary, boolean lowerCase,
            Optional<String> tokenizerJson, SafeTensorsFile weights) {
        this.directory = directory;
        this.config = config;
        this.vocabulary = vocabulary;
        this.lowerCase = lowerCase;
        this.tokenizerJson = tokenizerJson;
        this.weights = weights;
        this.shapes = BertParameters.shapes(config);
    }

    /**
     * Opens a HuggingFace BERT checkpoint directory, reading its config and vocabulary and the safetensors header
     * (weights are read later, one tensor per {@link #read} call).
     *
     * @param directory a directory holding {@code config.json}, {@code model.safetensors} and {@code vocab.txt}
     *        or {@code tokenizer.json}
     * @return an open checkpoint the caller owns and must close
     * @throws ModelLoadException naming the file (and field or tensor) when a file is missing, malformed, or
     *         describes an unsupported model
     */
    public static HuggingFaceBertCheckpoint fromDirectory(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new ModelLoadException("HuggingFace checkpoint directory " + directory + " does not exist or is not"
                    + " a directory");
        }
        BertConfig config = readConfig(directory.resolve(CONFIG_JSON));
        Optional<String> tokenizerJson = readOptional(directory.resolve(TOKENIZER_JSON));
        List<String> vocabulary = readVocabulary(directory, tokenizerJson);
        if (vocabulary.size() > config.vocabSize()) {
            throw new ModelLoadException("vocabulary of " + directory + " has " + vocabulary.size()
                    + " tokens but " + directory.resolve(CONFIG_JSON) + " says vocab_size " + config.vocabSize());
        }
        if (vocabulary.size() < config.vocabSize()) {
            log.warn("vocabulary of {} has {} tokens, fewer than vocab_size {}; the extra embedding rows are unused",
                    directory, vocabulary.size(), config.vocabSize());
        }
        boolean lowerCase = readLowerCase(directory, tokenizerJson);
        Path model = directory.resolve(MODEL_SAFETENSORS);
        if (!Files.isRegularFile(model)) {
            String hint = Files.exists(directory.resolve("model.safetensors.index.json"))
                    ? "; sharded checkpoints are not supported, save with a larger max_shard_size"
                    : Files.exists(directory.resolve("pytorch_model.bin"))
                            ? "; only safetensors is supported, re-save with save_pretrained(safe_serialization=True)"
                            : "";
            throw new ModelLoadException("weights file " + model + " not found" + hint);
        }
        SafeTensorsFile weights = SafeTensorsFile.open(model);
        log.debug("opened HuggingFace BERT checkpoint {}: {} layers, hidden {}, vocabulary {}, lower-case {}",
                directory, config.numLayers(), config.hiddenSize(), vocabulary.size(), lowerCase);
        return new HuggingFaceBertCheckpoint(directory, config, vocabulary, lowerCase, tokenizerJson, weights);
    }

    /** The checkpoint directory's absolute path. */
    @Override
    public String source() {
        return directory.toAbsolutePath().toString();
    }

    /** Lower-case hex SHA-256 of {@code model.safetensors}. */
    @Override
    public String checksum() {
        if (checksum == null) {
            checksum = FileDigests.hex("SHA-256", List.of(weights.file()));
        }
        return checksum;
    }

    @Override
    public BertConfig config() {
        return config;
    }

    @Override
    public List<String> vocabulary() {
        return vocabulary;
    }

    @Override
    public boolean lowerCase() {
        return lowerCase;
    }

    @Override
    public Optional<String> tokenizerJson() {
        return tokenizerJson;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when the name is not a parameter of this config
     *         ({@link BertParameters#shapes})
     */
    @Override
    public float[] read(String canonicalName) {
        if (closed) {
            throw new IllegalStateException("checkpoint " + directory + " is closed; open it again to read '"
                    + canonicalName + "'");
        }
        long[] expected = shapes.get(canonicalName);
        if (expected == null) {
            throw new IllegalArgumentException("'" + canonicalName + "' is not a parameter of this " + config
                    + "; use a name from BertParameters.names(config)");
        }
        List<String> candidates = naming.tensorNames(canonicalName);
        SafeTensorsFile.Tensor tensor = candidates.stream().map(weights::find).flatMap(Optional::stream)
                .findFirst()
                .orElseThrow(() -> new ModelLoadException(weights.file() + ": tensor '" + candidates.get(0)
                        + "' (canonical '" + canonicalName + "') not found"
                        + (candidates.size() > 1 ? "; also tried " + candidates.subList(1, candidates.size()) : "")));
        boolean transposed = naming.transposed(canonicalName);
        long[] stored = transposed ? new long[] {expected[1], expected[0]} : expected;
        if (!Arrays.equals(tensor.shape(), stored)) {
            throw new ModelLoadException(weights.file() + ": tensor '" + tensor.name() + "' has shape "
                    + Arrays.toString(tensor.shape()) + " but " + CONFIG_JSON + " implies " + Arrays.toString(stored)
                    + (transposed ? " ([out, in])" : "") + " for canonical '" + canonicalName + "'");
        }
        float[] data = weights.readFloats(tensor);
        return transposed ? transpose(data, (int) stored[0], (int) stored[1]) : data;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            weights.close();
        }
    }

    @Override
    public String toString() {
        return "HuggingFaceBertCheckpoint[" + directory + "]";
    }

    /** Transposes a row-major {@code [rows, cols]} matrix to row-major {@code [cols, rows]}. */
    static float[] transpose(float[] data, int rows, int cols) {
        float[] out = new float[data.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = data[r * cols + c];
            }
        }
        return out;
    }

    /**
     * Reads the architecture from a Transformers {@code config.json}.
     *
     * @throws ModelLoadException naming the file and the field when it is missing, malformed or unsupported
     */
    static BertConfig readConfig(Path file) {
        JsonNode root = readJson(file, true).orElseThrow();
        String modelType = root.path("model_type").asText("bert");
        if (!"bert".equals(modelType)) {
            throw new ModelLoadException(file + ": field 'model_type' is '" + modelType + "'; only 'bert' is supported");
        }
        String act = root.path("hidden_act").asText("gelu");
        if (!"gelu".equals(act)) {
            throw new ModelLoadException(file + ": field 'hidden_act' is '" + act + "'; only 'gelu' (the erf form) is"
                    + " supported");
        }
        String positions = root.path("position_embedding_type").asText("absolute");
        if (!"absolute".equals(positions)) {
            throw new ModelLoadException(file + ": field 'position_embedding_type' is '" + positions + "'; only"
                    + " 'absolute' is supported");
        }
        try {
            return new BertConfig(
                    intField(root, file, "vocab_size", -1),
                    intField(root, file, "hidden_size", -1),
                    intField(root, file, "num_hidden_layers", -1),
                    intField(root, file, "num_attention_heads", -1),
                    intField(root, file, "intermediate_size", -1),
                    intField(root, file, "max_position_embeddings", 512),
                    intField(root, file, "type_vocab_size", 2),
                    doubleField(root, file, "layer_norm_eps", 1e-12));
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(file + " describes an invalid BERT: " + e.getMessage(), e);
        }
    }

    private static int intField(JsonNode root, Path file, String field, int defaultValue) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            if (defaultValue < 0) {
                throw new ModelLoadException(file + ": required field '" + field + "' is missing");
            }
            return defaultValue;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw new ModelLoadException(file + ": field '" + field + "' must be an integer, got " + node);
        }
        return node.intValue();
    }

    private static double doubleField(JsonNode root, Path file, String field, double defaultValue) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return defaultValue;
        }
        if (!node.isNumber()) {
            throw new ModelLoadException(file + ": field '" + field + "' must be a number, got " + node);
        }
        return node.doubleValue();
    }

    private static List<String> readVocabulary(Path directory, Optional<String> tokenizerJson) {
        Path vocabTxt = directory.resolve(VOCAB_TXT);
        if (Files.isRegularFile(vocabTxt)) {
            try {
                // Lines split on \n, \r or \r\n; tokens are not trimmed, matching BertTokenizer's load_vocab.
                return List.copyOf(Files.readAllLines(vocabTxt, StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new ModelLoadException("cannot read vocabulary " + vocabTxt + ": " + e.getMessage(), e);
            }
        }
        Path tokenizerFile = directory.resolve(TOKENIZER_JSON);
        if (tokenizerJson.isEmpty()) {
            throw new ModelLoadException("no vocabulary in " + directory + ": neither " + VOCAB_TXT + " nor "
                    + TOKENIZER_JSON + " exists");
        }
        JsonNode vocab = parse(tokenizerFile, tokenizerJson.get()).path("model").path("vocab");
        if (!vocab.isObject() || vocab.isEmpty()) {
            throw new ModelLoadException(tokenizerFile + ": field 'model.vocab' is missing or not a non-empty"
                    + " {token: id} object (a WordPiece vocabulary is needed)");
        }
        String[] byId = new String[vocab.size()];
        Iterator<Map.Entry<String, JsonNode>> it = vocab.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode id = e.getValue();
            if (!id.canConvertToInt() || !id.isIntegralNumber() || id.intValue() < 0 || id.intValue() >= byId.length
                    || byId[id.intValue()] != null) {
                throw new ModelLoadException(tokenizerFile + ": field 'model.vocab' gives token '" + e.getKey()
                        + "' the id " + id + "; ids must be 0.." + (byId.length - 1) + ", each used once");
            }
            byId[id.intValue()] = e.getKey();
        }
        return List.of(byId);
    }

    private static boolean readLowerCase(Path directory, Optional<String> tokenizerJson) {
        Path tokenizerConfig = directory.resolve(TOKENIZER_CONFIG_JSON);
        Optional<JsonNode> tc = readJson(tokenizerConfig, false);
        if (tc.isPresent() && tc.get().has("do_lower_case")) {
            JsonNode flag = tc.get().get("do_lower_case");
            if (!flag.isBoolean()) {
                throw new ModelLoadException(tokenizerConfig + ": field 'do_lower_case' must be true or false, got "
                        + flag);
            }
            return flag.booleanValue();
        }
        if (tokenizerJson.isPresent()) {
            JsonNode normalizer = parse(directory.resolve(TOKENIZER_JSON), tokenizerJson.get()).path("normalizer");
            if (normalizer.isObject()) {
                return lowerCases(normalizer);
            }
        }
        Path name = directory.toAbsolutePath().normalize().getFileName();
        return name != null && name.toString().toLowerCase(Locale.ROOT).contains("uncased");
    }

    /** Whether a tokenizers normalizer (possibly a Sequence) lower-cases its input. */
    private static boolean lowerCases(JsonNode normalizer) {
        switch (normalizer.path("type").asText("")) {
            case "BertNormalizer":
                // tokenizers' BertNormalizer lower-cases unless told otherwise.
                return normalizer.path("lowercase").asBoolean(true);
            case "Lowercase":
                return true;
            case "Sequence":
                for (JsonNode child : normalizer.path("normalizers")) {
                    if (lowerCases(child)) {
                        return true;
                    }
                }
                return false;
            default:
                return false;
        }
    }

    private static Optional<String> readOptional(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static Optional<JsonNode> readJson(Path file, boolean required) {
        if (!Files.isRegularFile(file)) {
            if (required) {
                throw new ModelLoadException("required file " + file + " not found");
            }
            return Optional.empty();
        }
        return readOptional(file).map(text -> parse(file, text));
    }

    private static JsonNode parse(Path file, String text) {
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || !node.isObject()) {
                throw new ModelLoadException(file + " is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new ModelLoadException(file + " is not valid JSON: " + e.getMessage(), e);
        }
    }
}
