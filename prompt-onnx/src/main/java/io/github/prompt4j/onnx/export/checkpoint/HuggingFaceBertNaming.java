package io.github.prompt4j.onnx.export.checkpoint;

import java.util.List;
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
public final class HuggingFaceBertNaming implements ParameterNaming {

    private static final Pattern LAYER = Pattern.compile("encoder\\.layer\\.(\\d+)\\.(.+)");

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
        switch (canonicalName) {
            case BertParameters.WORD_EMBEDDINGS:
                return List.of("bert.embeddings.word_embeddings.weight");
            case BertParameters.POSITION_EMBEDDINGS:
                return List.of("bert.embeddings.position_embeddings.weight");
            case BertParameters.TOKEN_TYPE_EMBEDDINGS:
                return List.of("bert.embeddings.token_type_embeddings.weight");
            case BertParameters.EMBEDDINGS_LN_GAMMA:
                return gamma("bert.embeddings.LayerNorm");
            case BertParameters.EMBEDDINGS_LN_BETA:
                return beta("bert.embeddings.LayerNorm");
            case BertParameters.HEAD_TRANSFORM_KERNEL:
                return List.of("cls.predictions.transform.dense.weight");
            case BertParameters.HEAD_TRANSFORM_BIAS:
                return List.of("cls.predictions.transform.dense.bias");
            case BertParameters.HEAD_LN_GAMMA:
                return gamma("cls.predictions.transform.LayerNorm");
            case BertParameters.HEAD_LN_BETA:
                return beta("cls.predictions.transform.LayerNorm");
            case BertParameters.HEAD_OUTPUT_BIAS:
                return List.of("cls.predictions.bias", "cls.predictions.decoder.bias");
            default:
                return layerTensorNames(canonicalName);
        }
    }

    private static List<String> layerTensorNames(String canonicalName) {
        Matcher m = LAYER.matcher(canonicalName);
        if (!m.matches()) {
            throw unknown(canonicalName);
        }
        String prefix = "bert.encoder.layer." + m.group(1) + ".";
        switch (m.group(2)) {
            case BertParameters.QUERY_KERNEL:
                return List.of(prefix + "attention.self.query.weight");
            case BertParameters.QUERY_BIAS:
                return List.of(prefix + "attention.self.query.bias");
            case BertParameters.KEY_KERNEL:
                return List.of(prefix + "attention.self.key.weight");
            case BertParameters.KEY_BIAS:
                return List.of(prefix + "attention.self.key.bias");
            case BertParameters.VALUE_KERNEL:
                return List.of(prefix + "attention.self.value.weight");
            case BertParameters.VALUE_BIAS:
                return List.of(prefix + "attention.self.value.bias");
            case BertParameters.ATTENTION_OUTPUT_KERNEL:
                return List.of(prefix + "attention.output.dense.weight");
            case BertParameters.ATTENTION_OUTPUT_BIAS:
                return List.of(prefix + "attention.output.dense.bias");
            case BertParameters.ATTENTION_LN_GAMMA:
                return gamma(prefix + "attention.output.LayerNorm");
            case BertParameters.ATTENTION_LN_BETA:
                return beta(prefix + "attention.output.LayerNorm");
            case BertParameters.INTERMEDIATE_KERNEL:
                return List.of(prefix + "intermediate.dense.weight");
            case BertParameters.INTERMEDIATE_BIAS:
                return List.of(prefix + "intermediate.dense.bias");
            case BertParameters.OUTPUT_KERNEL:
                return List.of(prefix + "output.dense.weight");
            case BertParameters.OUTPUT_BIAS:
                return List.of(prefix + "output.dense.bias");
            case BertParameters.OUTPUT_LN_GAMMA:
                return gamma(prefix + "output.LayerNorm");
            case BertParameters.OUTPUT_LN_BETA:
                return beta(prefix + "output.LayerNorm");
            default:
                throw unknown(canonicalName);
        }
    }

    /** True for every canonical kernel: PyTorch {@code Linear} stores {@code [out, in]}. */
    @Override
    public boolean transposed(String canonicalName) {
        tensorNames(canonicalName);
        return canonicalName.endsWith(".kernel");
    }

    private static List<String> gamma(String layerNorm) {
        return List.of(layerNorm + ".weight", layerNorm + ".gamma");
    }

    private static List<String> beta(String layerNorm) {
        return List.of(layerNorm + ".bias", layerNorm + ".beta");
    }

    private static IllegalArgumentException unknown(String canonicalName) {
        return new IllegalArgumentException("'" + canonicalName + "' is not a canonical BERT parameter name; use the"
                + " constants and BertParameters.layer(i, suffix) from BertParameters");
    }
}
