package io.github.prompt4j.onnx.export.testing;

import io.github.prompt4j.onnx.export.checkpoint.BertConfig;
import io.github.prompt4j.onnx.export.checkpoint.BertParameters;
import io.github.prompt4j.onnx.export.checkpoint.HuggingFaceBertWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A random, tiny BERT masked LM for fast tests: canonical weights, config and a small WordPiece vocabulary, which can
 * be written as a HuggingFace checkpoint directory and evaluated by {@link ReferenceBert}.
 *
 * <p>Weights are drawn from a seeded {@link Random} (the same seed gives the same model on every JVM): embeddings
 * ~ N(0, 0.2), kernels ~ N(0, 0.15), biases ~ N(0, 0.05), LayerNorm gammas ~ 1 + N(0, 0.1) and betas ~ N(0, 0.1),
 * large enough that attention, GELU and LayerNorm all act non-trivially. The vocabulary starts
 * {@code [PAD]=0, [UNK]=1, [CLS]=2, [SEP]=3, [MASK]=4}, then lower-case words, punctuation and {@code ##} pieces,
 * then {@code tok<i>} fillers when the config asks for more. Immutable; accessors return copies.
 */
public final class TinyBert {

    /** vocab 120, hidden 32, 2 layers, 4 heads, intermediate 64, 64 positions, 2 token types, eps 1e-12. */
    public static final BertConfig DEFAULT_CONFIG = new BertConfig(120, 32, 2, 4, 64, 64, 2, 1e-12);

    public static final int PAD = 0;
    public static final int UNK = 1;
    public static final int CLS = 2;
    public static final int SEP = 3;
    public static final int MASK = 4;

    private static final List<String> BASE_VOCABULARY = List.of(
            "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
            ".", ",", "!", "?", "'", "-",
            "the", "a", "an", "it", "is", "was", "this", "that", "and", "or", "but", "not", "no", "yes",
            "very", "so", "too", "really", "quite", "movie", "film", "book", "story", "plot", "acting", "music",
            "food", "service", "place", "good", "great", "bad", "terrible", "awful", "fine", "nice", "fun", "boring",
            "excellent", "poor", "amazing", "horrible", "okay", "best", "worst", "love", "hate", "like", "liked", "enjoyed", "i", "you", "we",
            "they", "he", "she", "of", "in", "on", "to", "for", "with", "at", "by", "all", "one", "two", "time",
            "day", "news", "sports", "business", "science", "world", "politics", "game", "team", "market", "stock",
            "question", "answer", "true", "false", "maybe", "positive", "negative", "neutral", "sentence", "text",
            "##s", "##ed", "##ing", "##ly", "##er", "##est", "##y", "##al", "##ful", "##less", "##ness", "##ment",
            "##able", "##ic", "##ous", "##ive", "##ist", "##ize", "##ion", "##ity");

    private final BertConfig config;
    private final Map<String, float[]> weights;
    private final List<String> vocabulary;

    private TinyBert(BertConfig config, Map<String, float[]> weights, List<String> vocabulary) {
        this.config = config;
        this.weights = weights;
        this.vocabulary = vocabulary;
    }

    /** A random model of {@link #DEFAULT_CONFIG}. */
    public static TinyBert random(long seed) {
        return random(DEFAULT_CONFIG, seed);
    }

    /**
     * A random model of any config with {@code vocabSize >= 5}; the vocabulary is the first {@code vocabSize}
     * entries of the built-in list, padded with {@code tok<i>}.
     */
    public static TinyBert random(BertConfig config, long seed) {
        if (config.vocabSize() < 5) {
            throw new IllegalArgumentException("vocabSize must be at least 5 for the special tokens, got "
                    + config.vocabSize());
        }
        Random random = new Random(seed);
        Map<String, float[]> weights = new LinkedHashMap<>();
        BertParameters.shapes(config).forEach((name, shape) -> {
            int n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, (int) d);
            }
            float[] values = new float[n];
            boolean gamma = name.endsWith(".gamma");
            double mean = gamma ? 1.0 : 0.0;
            double std = gamma ? 0.1 : name.endsWith(".beta") ? 0.1 : name.startsWith("embeddings.") ? 0.2
                    : name.endsWith(".kernel") ? 0.15 : 0.05;
            for (int i = 0; i < n; i++) {
                values[i] = (float) (mean + std * random.nextGaussian());
            }
            weights.put(name, values);
        });
        List<String> vocabulary = new ArrayList<>(BASE_VOCABULARY.subList(0,
                Math.min(config.vocabSize(), BASE_VOCABULARY.size())));
        for (int i = vocabulary.size(); i < config.vocabSize(); i++) {
            vocabulary.add("tok" + i);
        }
        return new TinyBert(config, weights, List.copyOf(vocabulary));
    }

    /** The architecture. */
    public BertConfig config() {
        return config;
    }

    /** All canonical weights ({@link BertParameters} names, kernels {@code [in, out]}), as fresh copies. */
    public Map<String, float[]> weights() {
        Map<String, float[]> copy = new LinkedHashMap<>();
        weights.forEach((name, values) -> copy.put(name, values.clone()));
        return Collections.unmodifiableMap(copy);
    }

    /** One canonical weight, a copy. */
    public float[] weight(String canonicalName) {
        float[] values = weights.get(canonicalName);
        if (values == null) {
            throw new IllegalArgumentException("'" + canonicalName + "' is not a parameter of " + config);
        }
        return values.clone();
    }

    /** The vocabulary, one token per id. */
    public List<String> vocabulary() {
        return vocabulary;
    }

    /** The id of a vocabulary token. */
    public int tokenId(String token) {
        int id = vocabulary.indexOf(token);
        if (id < 0) {
            throw new IllegalArgumentException("'" + token + "' is not in the tiny vocabulary");
        }
        return id;
    }

    /** The double-precision reference forward pass of this model. */
    public ReferenceBert reference() {
        return new ReferenceBert(config, weights);
    }

    /**
     * Writes this model as a HuggingFace {@code BertForMaskedLM} directory: {@code config.json},
     * {@code model.safetensors} (F32, Transformers' names, {@code [out, in]} kernels), {@code vocab.txt} and
     * {@code tokenizer_config.json} ({@code do_lower_case: true}).
     *
     * @return the directory (created if needed)
     */
    public Path writeHuggingFace(Path directory) {
        return HuggingFaceBertWriter.write(directory, config, weights, vocabulary);
    }
}
