package io.github.prompt4j.onnx.export.checkpoint;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Canonical names and shapes of a BERT masked LM's parameters, independent of any checkpoint format.
 *
 * <p>Every {@link Checkpoint} answers in these names; {@link ParameterNaming} maps them to a format's own names.
 * Kernels are {@code [in, out]} (so a dense layer is {@code x @ kernel + bias}); a format that stores
 * {@code [out, in]} (PyTorch {@code Linear}) is transposed by its reader. The decoder is tied to
 * {@link #WORD_EMBEDDINGS}.
 */
public final class BertParameters {

    public static final String WORD_EMBEDDINGS = "embeddings.word_embeddings";
    public static final String POSITION_EMBEDDINGS = "embeddings.position_embeddings";
    public static final String TOKEN_TYPE_EMBEDDINGS = "embeddings.token_type_embeddings";
    public static final String EMBEDDINGS_LN_GAMMA = "embeddings.layer_norm.gamma";
    public static final String EMBEDDINGS_LN_BETA = "embeddings.layer_norm.beta";

    /** Per-layer suffixes; the full name is {@code encoder.layer.<i>.<suffix>}. */
    public static final String QUERY_KERNEL = "attention.query.kernel";
    public static final String QUERY_BIAS = "attention.query.bias";
    public static final String KEY_KERNEL = "attention.key.kernel";
    public static final String KEY_BIAS = "attention.key.bias";
    public static final String VALUE_KERNEL = "attention.value.kernel";
    public static final String VALUE_BIAS = "attention.value.bias";
    public static final String ATTENTION_OUTPUT_KERNEL = "attention.output.kernel";
    public static final String ATTENTION_OUTPUT_BIAS = "attention.output.bias";
    public static final String ATTENTION_LN_GAMMA = "attention.layer_norm.gamma";
    public static final String ATTENTION_LN_BETA = "attention.layer_norm.beta";
    public static final String INTERMEDIATE_KERNEL = "intermediate.kernel";
    public static final String INTERMEDIATE_BIAS = "intermediate.bias";
    public static final String OUTPUT_KERNEL = "output.kernel";
    public static final String OUTPUT_BIAS = "output.bias";
    public static final String OUTPUT_LN_GAMMA = "output.layer_norm.gamma";
    public static final String OUTPUT_LN_BETA = "output.layer_norm.beta";

    public static final String HEAD_TRANSFORM_KERNEL = "head.transform.kernel";
    public static final String HEAD_TRANSFORM_BIAS = "head.transform.bias";
    public static final String HEAD_LN_GAMMA = "head.layer_norm.gamma";
    public static final String HEAD_LN_BETA = "head.layer_norm.beta";
    /** The decoder's bias {@code [V]}; the decoder weight is the word embedding matrix. */
    public static final String HEAD_OUTPUT_BIAS = "head.output_bias";

    private BertParameters() {
    }

    /** Full canonical name of a per-layer parameter, e.g. {@code layer(3, QUERY_KERNEL)}. */
    public static String layer(int index, String suffix) {
        return "encoder.layer." + index + "." + suffix;
    }

    /** Every parameter of a model with this config, in a stable order, with its expected shape. */
    public static Map<String, long[]> shapes(BertConfig c) {
        long v = c.vocabSize();
        long h = c.hiddenSize();
        long inner = c.intermediateSize();
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put(WORD_EMBEDDINGS, new long[] {v, h});
        m.put(POSITION_EMBEDDINGS, new long[] {c.maxPositions(), h});
        m.put(TOKEN_TYPE_EMBEDDINGS, new long[] {c.typeVocabSize(), h});
        m.put(EMBEDDINGS_LN_GAMMA, new long[] {h});
        m.put(EMBEDDINGS_LN_BETA, new long[] {h});
        for (int i = 0; i < c.numLayers(); i++) {
            m.put(layer(i, QUERY_KERNEL), new long[] {h, h});
            m.put(layer(i, QUERY_BIAS), new long[] {h});
            m.put(layer(i, KEY_KERNEL), new long[] {h, h});
            m.put(layer(i, KEY_BIAS), new long[] {h});
            m.put(layer(i, VALUE_KERNEL), new long[] {h, h});
            m.put(layer(i, VALUE_BIAS), new long[] {h});
            m.put(layer(i, ATTENTION_OUTPUT_KERNEL), new long[] {h, h});
            m.put(layer(i, ATTENTION_OUTPUT_BIAS), new long[] {h});
            m.put(layer(i, ATTENTION_LN_GAMMA), new long[] {h});
            m.put(layer(i, ATTENTION_LN_BETA), new long[] {h});
            m.put(layer(i, INTERMEDIATE_KERNEL), new long[] {h, inner});
            m.put(layer(i, INTERMEDIATE_BIAS), new long[] {inner});
            m.put(layer(i, OUTPUT_KERNEL), new long[] {inner, h});
            m.put(layer(i, OUTPUT_BIAS), new long[] {h});
            m.put(layer(i, OUTPUT_LN_GAMMA), new long[] {h});
            m.put(layer(i, OUTPUT_LN_BETA), new long[] {h});
        }
        m.put(HEAD_TRANSFORM_KERNEL, new long[] {h, h});
        m.put(HEAD_TRANSFORM_BIAS, new long[] {h});
        m.put(HEAD_LN_GAMMA, new long[] {h});
        m.put(HEAD_LN_BETA, new long[] {h});
        m.put(HEAD_OUTPUT_BIAS, new long[] {v});
        return m;
    }

    /** Every canonical name for this config, in {@link #shapes} order. */
    public static List<String> names(BertConfig c) {
        return new ArrayList<>(shapes(c).keySet());
    }
}
