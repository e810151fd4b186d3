package io.github.prompt4j.onnx.export.checkpoint;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parameter names of a HuggingFace Transformers {@code BertForMaskedLM} (or {@code BertForPreTraining}) checkpoint,
 * for example {@code bert.encoder.layer.3.attention.self.query.weight} for
 * {@code encoder.layer.3.attention.query.kernel}.
 *
 * <p>Every kernel is a PyTorch {@code Linear} weight stored {@code [out, in]}, so {@link #transposed} is true for
 * all canonical {@code *.kernel} names. Checkpoints converted from TensorFlow by older Transformers versions name
 * LayerNorm parameters {@code gamma}/{@code beta} instead of {@code weight}/{@code bias}, and some store the decoder
 * bias as {@code cls.predictions.decoder.bias}; {@link #tensorNames} lists these alternatives. Stateless and
 * thread-safe.
 */
final class HuggingFaceBertNaming implements ParameterNaming {

    private static final Pattern LAYER = Pattern.compile("encoder\\.layer\\.(\\d+)\\.(.+)");

    /** Tensor names of the parameters outside the encoder layers, preferred first. */
    private static final Map<String, List<String>> TOP_LEVEL = topLevel();

    /** Tensor names of one encoder layer's parameters, preferred first, relative to {@code bert.encoder.layer.<i>.}. */
    private static final Map<String, List<String>> PER_LAYER = perLayer();

    /** Creates the naming; it holds no state, so one instance may be shared. */
    public HuggingFaceBertNaming() {
    }

    /**
     * The preferred HuggingFace tensor name of a canonical parameter ({@code .weight}/{@code .bias} LayerNorms,
     * {@code cls.predictions.bias}).
     *
     * @throws IllegalArgumentException when the name is not a {@link BertParameters} name
     */
    @Override
    public String tensorName(String canonicalName) {
        return tensorNames(canonicalName).get(0);
    }

    /**
     * Every HuggingFace tensor name under which a canonical parameter may be stored, preferred first; a reader
     * takes the first one present.
     *
     * @throws IllegalArgumentException when the name is not a {@link BertParameters} name
     */
    public List<String> tensorNames(String canonicalName) {
        List<String> whole = TOP_LEVEL.get(canonicalName);
        if (whole != null) {
            return whole;
        }
        Matcher m = LAYER.matcher(canonicalName);
        List<String> local = m.matches() ? PER_LAYER.get(m.group(2)) : null;
        if (local == null) {
            throw unknown(canonicalName);
        }
        String prefix = "bert.encoder.layer." + m.group(1) + ".";
        return local.stream().map(name -> prefix + name).toList();
    }

    /** True for every canonical kernel: PyTorch {@code Linear} stores {@code [out, in]}. */
    @Override
    public boolean transposed(String canonicalName) {
        tensorNames(canonicalName);
        return canonicalName.endsWith(".kernel");
    }

    private static Map<String, List<String>> topLevel() {
        Map<String, List<String>> t = new HashMap<>();
        t.put(BertParameters.WORD_EMBEDDINGS, List.of("bert.embeddings.word_embeddings.weight"));
        t.put(BertParameters.POSITION_EMBEDDINGS, List.of("bert.embeddings.position_embeddings.weight"));
        t.put(BertParameters.TOKEN_TYPE_EMBEDDINGS, List.of("bert.embeddings.token_type_embeddings.weight"));
        layerNorm(t, BertParameters.EMBEDDINGS_LN_GAMMA, BertParameters.EMBEDDINGS_LN_BETA,
                "bert.embeddings.LayerNorm");
        dense(t, BertParameters.HEAD_TRANSFORM_KERNEL, BertParameters.HEAD_TRANSFORM_BIAS,
                "cls.predictions.transform.dense");
        layerNorm(t, BertParameters.HEAD_LN_GAMMA, BertParameters.HEAD_LN_BETA,
                "cls.predictions.transform.LayerNorm");
        t.put(BertParameters.HEAD_OUTPUT_BIAS, List.of("cls.predictions.bias", "cls.predictions.decoder.bias"));
        return Map.copyOf(t);
    }

    private static Map<String, List<String>> perLayer() {
        Map<String, List<String>> t = new HashMap<>();
        dense(t, BertParameters.QUERY_KERNEL, BertParameters.QUERY_BIAS, "attention.self.query");
        dense(t, BertParameters.KEY_KERNEL, BertParameters.KEY_BIAS, "attention.self.key");
        dense(t, BertParameters.VALUE_KERNEL, BertParameters.VALUE_BIAS, "attention.self.value");
        dense(t, BertParameters.ATTENTION_OUTPUT_KERNEL, BertParameters.ATTENTION_OUTPUT_BIAS,
                "attention.output.dense");
        layerNorm(t, BertParameters.ATTENTION_LN_GAMMA, BertParameters.ATTENTION_LN_BETA,
                "attention.output.LayerNorm");
        dense(t, BertParameters.INTERMEDIATE_KERNEL, BertParameters.INTERMEDIATE_BIAS, "intermediate.dense");
        dense(t, BertParameters.OUTPUT_KERNEL, BertParameters.OUTPUT_BIAS, "output.dense");
        layerNorm(t, BertParameters.OUTPUT_LN_GAMMA, BertParameters.OUTPUT_LN_BETA, "output.LayerNorm");
        return Map.copyOf(t);
    }

    /** A dense layer's kernel and bias: PyTorch {@code Linear} calls them {@code weight} and {@code bias}. */
    private static void dense(Map<String, List<String>> table, String kernel, String bias, String module) {
        table.put(kernel, List.of(module + ".weight"));
        table.put(bias, List.of(module + ".bias"));
    }

    /** A LayerNorm's gamma and beta, under the current names first and the legacy TensorFlow-era names second. */
    private static void layerNorm(Map<String, List<String>> table, String gamma, String beta, String module) {
        table.put(gamma, List.of(module + ".weight", module + ".gamma"));
        table.put(beta, List.of(module + ".bias", module + ".beta"));
    }

    private static IllegalArgumentException unknown(String canonicalName) {
        return new IllegalArgumentException("'" + canonicalName + "' is not a canonical BERT parameter name; use the"
                + " constants and BertParameters.layer(i, suffix) from BertParameters");
    }
}
