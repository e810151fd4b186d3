package io.github.prompt4j.onnx.internal.bert;

import ai.onnx.proto.OnnxMl;
import io.github.prompt4j.onnx.internal.autodiff.Differentiator;
import io.github.prompt4j.onnx.internal.graph.Attr;
import io.github.prompt4j.onnx.export.checkpoint.BertConfig;
import io.github.prompt4j.onnx.export.checkpoint.BertParameters;
import io.github.prompt4j.onnx.internal.graph.ElementType;
import io.github.prompt4j.onnx.internal.graph.GraphBuilder;
import io.github.prompt4j.onnx.internal.graph.Op;
import io.github.prompt4j.onnx.internal.graph.Value;
import io.github.prompt4j.onnx.internal.weights.Int8Weights;
import io.github.prompt4j.onnx.internal.weights.WeightFile;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the three ONNX graphs of an exported BERT masked language model: the forward graph (scores at mask
 * positions from token ids), the embeddings forward graph (the same scores from input embeddings, for soft prompts)
 * and the gradient graph (label-word loss and its gradient with respect to the input embeddings).
 *
 * <p>All graphs read every parameter as an {@code EXTERNAL} float32 initializer from one {@link WeightFile} under
 * its canonical {@link BertParameters} name, so the graph files must be saved in the directory holding the weights
 * file; ONNX Runtime then loads them with {@code OrtEnvironment.createSession(path)}. Opset
 * {@value GraphBuilder#OPSET}, IR version {@value GraphBuilder#IR_VERSION}, default domain only.
 *
 * <p>The encoder is the original post-LayerNorm BERT (Devlin et al., 2019): embeddings (word + position + token
 * type) and LayerNorm, then per layer self-attention with scores {@code QK^T / sqrt(headSize) + (1 - mask) *
 * -10000}, softmax, output dense, residual and LayerNorm, feed-forward with exact (erf) GELU, residual and
 * LayerNorm. LayerNorm uses the opset-17 {@code LayerNormalization} operator (fused in ONNX Runtime). The hidden
 * states at the mask positions are gathered <em>before</em> the MLM head, so the head (dense, GELU, LayerNorm,
 * tied decoder) runs on mask rows only, as 2-D {@code [rows, hidden]} Gemms; the decoder is
 * {@code Gemm(transformed, word_embeddings, head.output_bias, transB = 1)}, so no transposed copy of the
 * {@code [vocab, hidden]} matrix is made at run time. Dense layers use the {@code [in, out]} kernels directly
 * (MatMul on {@code [batch, seq, in]}, which ONNX Runtime runs as one GEMM over all rows).
 *
 * <p>Forward graphs come in three {@link Encoding}s of the encoder layers: {@link Encoding#STANDARD} (default-domain
 * operators only, as above), {@link Encoding#FUSED} (ONNX Runtime's CPU contrib operators: {@code
 * MultiHeadAttention} over the three projections with the packed query/key/value bias, {@code
 * SkipLayerNormalization} for residual + bias + LayerNorm and {@code BiasGelu} for bias + exact erf GELU) and {@link
 * Encoding#INT8} (the fused graph with the encoder's query/key/value, attention-output and intermediate products
 * as {@code DynamicQuantizeMatMul} over the int8 kernels of {@link Int8Weights}: activations quantized per tensor at
 * run time after SmoothQuant scaling, weights per output channel; query, key and value as one product on the fused
 * {@code [H, 3H]} kernel, split before the attention; the feed-forward output product as {@code
 * MatMulIntegerToFloat} with its input quantized per row, see {@link Int8Weights}). Embeddings and the
 * MLM head are float32 in all three. The gradient graph always uses standard operators (the differentiator's rules).
 *
 * <p>Stateless and thread-safe.
 */
public final class BertGraphs {

    /** How the encoder layers of a forward graph are expressed. */
    public enum Encoding {
        /** Default-domain ONNX operators only: any ONNX runtime, and the reference for the other two. */
        STANDARD,
        /** ONNX Runtime's fused contrib operators, float32. */
        FUSED,
        /** Fused operators with int8 encoder matrix products (dynamic activation quantization). */
        INT8
    }

    /** Forward input: token ids, int64 {@code [batch, seq]}. */
    public static final String INPUT_IDS = "input_ids";
    /** Input of both graphs: 1 for real tokens, 0 for padding, int64 {@code [batch, seq]}. */
    public static final String ATTENTION_MASK = "attention_mask";
    /** Input of both graphs: segment ids, int64 {@code [batch, seq]}. */
    public static final String TOKEN_TYPE_IDS = "token_type_ids";
    /**
     * Input of both graphs: indexes into {@code seq}; forward int64 {@code [batch, masks]} (rows with fewer masks
     * padded with 0, whose outputs the caller ignores), gradient int64 {@code [batch]} (one mask per example).
     */
    public static final String MASK_POSITIONS = "mask_positions";
    /**
     * Input of the embeddings forward graph and the gradient graph: word embeddings of the tokens (or soft prompts),
     * float {@code [batch, seq, hidden]}; position and token-type embeddings are added inside the graph.
     */
    public static final String INPUTS_EMBEDS = "inputs_embeds";
    /** Gradient input: label-word ids whose probabilities are summed, int64 {@code [batch, gold]}. */
    public static final String GOLD_IDS = "gold_ids";
    /**
     * Gradient input: 1 for a gold label word, -1 for a competitor (the loss is then the cross-entropy among gold and
     * competitors), 0 for padding, float {@code [batch, gold]}.
     */
    public static final String GOLD_MASK = "gold_mask";

    /** Forward output: vocabulary scores at the masks, float {@code [batch, masks, vocab]}. */
    public static final String MASK_LOGITS = "mask_logits";
    /** Forward output: {@code logsumexp} of the logits over the vocabulary, float {@code [batch, masks]}. */
    public static final String MASK_LOG_NORMALIZER = "mask_log_normalizer";
    /** Forward output: last encoder hidden state at the masks, float {@code [batch, masks, hidden]}. */
    public static final String MASK_HIDDEN = "mask_hidden";
    /** Forward output: MLM-head transform (dense, GELU, LayerNorm) at the masks, float {@code [batch, masks, hidden]}. */
    public static final String MASK_TRANSFORMED = "mask_transformed";
    /**
     * Gradient output: per example {@code -log sum_{g: gold_mask = 1} softmax(logits)[gold_ids[g]]}, float
     * {@code [batch]}.
     */
    public static final String LOSS = "loss";
    /** Gradient output: {@code d loss_b / d inputs_embeds_b}, float {@code [batch, seq, hidden]}. */
    public static final String INPUTS_EMBEDS_GRAD = INPUTS_EMBEDS + "_grad";
    /** Model metadata key holding the number of nodes the differentiator added to the gradient graph. */
    public static final String GRADIENT_NODE_COUNT = "prompt4j.gradient_node_count";
    /**
     * Prefix-tuning input: the key prefix of every layer, float {@code [layers, prefix, hidden]} (already projected:
     * layer {@code l}'s attention reads {@code prefix_keys[l]} as the keys of {@code prefix} extra positions that every
     * token attends to, split into heads as the layer's own keys are).
     */
    public static final String PREFIX_KEYS = "prefix_keys";
    /** Prefix-tuning input: the value prefix of every layer, float {@code [layers, prefix, hidden]}. */
    public static final String PREFIX_VALUES = "prefix_values";
    /** Gradient graph output: {@code d sum(loss) / d prefix_keys}. */
    public static final String PREFIX_KEYS_GRAD = PREFIX_KEYS + "_grad";
    /** Gradient graph output: {@code d sum(loss) / d prefix_values}. */
    public static final String PREFIX_VALUES_GRAD = PREFIX_VALUES + "_grad";
    /**
     * Head gradient input: the weights of a learned linear head on the mask's transformed state, float
     * {@code [classes, hidden]} (class logits {@code z = W t + b}).
     */
    public static final String HEAD_WEIGHT = "head_weight";
    /** Head gradient input: the head's bias, float {@code [classes]}. */
    public static final String HEAD_BIAS = "head_bias";
    /** Head gradient input: the gold class of each example, an index into the head's rows, int64 {@code [batch]}. */
    public static final String GOLD_CLASS = "gold_class";
    /**
     * Head gradient output: the MLM head transform at each example's mask, float {@code [batch, hidden]} (the
     * {@code t} of {@link #HEAD_WEIGHT}), so that the caller computes the head's own gradient
     * {@code (softmax(z) - onehot(gold)) t^T} from the same pass.
     */
    public static final String HEAD_STATE = "head_state";

    /** Additive attention-mask value for padding (as in Google's BERT). */
    static final double MASK_NEGATIVE = -10000.0;
    /** Log-probability given to padded gold entries; exp of it underflows to 0 in float32. */
    static final double GOLD_PADDING_LOGPROB = -1e9;

    private static final Logger log = LoggerFactory.getLogger(BertGraphs.class);

    private BertGraphs() {
    }

    /**
     * The forward graph. Inputs {@link #INPUT_IDS}, {@link #ATTENTION_MASK}, {@link #TOKEN_TYPE_IDS},
     * {@link #MASK_POSITIONS} {@code [batch, masks]}; outputs {@link #MASK_LOGITS}, {@link #MASK_LOG_NORMALIZER},
     * {@link #MASK_HIDDEN}, {@link #MASK_TRANSFORMED}. Sequences must not exceed {@code config.maxPositions()}.
     *
     * @throws IllegalArgumentException when the weight file lacks a parameter or has a wrong shape
     */
    public static OnnxMl.ModelProto forward(BertConfig config, WeightFile weights) {
        return forward(config, weights, null, Encoding.STANDARD, false);
    }

    /**
     * A forward graph in the given encoding: {@link #forward(BertConfig, WeightFile)} when {@code embedsInput} is
     * false, {@link #forwardEmbeds} when true.
     *
     * @param int8Weights the quantized weights ({@link Int8Weights}); required for {@link Encoding#INT8}, else unused
     * @throws IllegalArgumentException when a weight file lacks a parameter or has a wrong shape, or INT8 is asked for
     *         without int8 weights
     */
    public static OnnxMl.ModelProto forward(BertConfig config, WeightFile weights, WeightFile int8Weights,
            Encoding encoding, boolean embedsInput) {
        if (encoding == Encoding.INT8 && int8Weights == null) {
            throw new IllegalArgumentException("the INT8 encoding needs the int8 weight file (Int8Weights.write)");
        }
        return build(config, weights, int8Weights, encoding, embedsInput);
    }

    /**
     * The embeddings forward graph, for soft prompts: {@link #forward} with {@link #INPUTS_EMBEDS}
     * {@code [batch, seq, hidden]} (the word embeddings, already looked up, or soft vectors in their place) instead
     * of {@link #INPUT_IDS}. Position and token-type embeddings are added inside, exactly as in the gradient graph.
     * Same other inputs and the same outputs as {@link #forward}.
     *
     * @throws IllegalArgumentException when the weight file lacks a parameter or has a wrong shape
     */
    public static OnnxMl.ModelProto forwardEmbeds(BertConfig config, WeightFile weights) {
        return forward(config, weights, null, Encoding.STANDARD, true);
    }

    private static OnnxMl.ModelProto build(BertConfig config, WeightFile weights, WeightFile int8Weights,
            Encoding encoding, boolean embedsInput) {
        return build(config, weights, int8Weights, encoding, embedsInput, false);
    }

    /** A forward graph; with {@code prefix} (standard encoding, embeddings input) the prefix-tuning one. */
    private static OnnxMl.ModelProto build(BertConfig config, WeightFile weights, WeightFile int8Weights,
            Encoding encoding, boolean embedsInput, boolean prefix) {
        checkWeights(config, weights);
        GraphBuilder g = GraphBuilder.create(prefix ? "bert_mlm_forward_prefix"
                : (embedsInput ? "bert_mlm_forward_embeds" : "bert_mlm_forward")
                + (encoding == Encoding.STANDARD ? "" : "_" + encoding.name().toLowerCase(java.util.Locale.ROOT)));
        Value input = embedsInput ? g.input(INPUTS_EMBEDS, ElementType.FLOAT, "batch", "seq", config.hiddenSize())
                : g.input(INPUT_IDS, ElementType.INT64, "batch", "seq");
        Value mask = g.input(ATTENTION_MASK, ElementType.INT64, "batch", "seq");
        Value types = g.input(TOKEN_TYPE_IDS, ElementType.INT64, "batch", "seq");
        Value positions = g.input(MASK_POSITIONS, ElementType.INT64, "batch", "masks");
        Value wordEmbeddings = g.weight(BertParameters.WORD_EMBEDDINGS, weights);

        Encoder enc = new Encoder(g, config, weights, int8Weights, encoding);
        if (prefix) {
            enc.prefixInputs();
        }
        Value words = embedsInput ? input : g.gather(wordEmbeddings, input, 0);
        Value flatMasks = g.reshape(g.add(positions, g.unsqueeze(enc.rowOffsets(types), 1)), -1);
        Value rows = encoding == Encoding.STANDARD ? enc.gatherRows(enc.encode(words, types, mask), flatMasks)
                : enc.encodeMaskRows(words, types, mask, flatMasks, positions);
        Value transformed = enc.headTransform(rows);
        Value logits = enc.decoder(transformed, wordEmbeddings);

        g.scope("outputs");
        long h = config.hiddenSize();
        Value lead = g.shape(positions);
        Value logits3 = g.reshape(logits, g.concat(0, lead, g.longs(config.vocabSize())));
        Value normalizer = g.reduceLogSumExp(logits3, false, -1);
        g.output(logits3, MASK_LOGITS);
        g.output(normalizer, MASK_LOG_NORMALIZER);
        g.output(g.reshape(rows, g.concat(0, lead, g.longs(h))), MASK_HIDDEN);
        g.output(g.reshape(transformed, g.concat(0, lead, g.longs(h))), MASK_TRANSFORMED);
        log.debug("built BERT {} graph: {} nodes", prefix ? "prefix forward" : embedsInput ? "embeddings forward"
                : "forward", g.nodeCount());
        return g.model();
    }

    /**
     * The gradient graph. Inputs {@link #INPUTS_EMBEDS}, {@link #ATTENTION_MASK}, {@link #TOKEN_TYPE_IDS},
     * {@link #MASK_POSITIONS} {@code [batch]}, {@link #GOLD_IDS}, {@link #GOLD_MASK}; outputs {@link #LOSS} and
     * {@link #INPUTS_EMBEDS_GRAD}, the latter produced by {@link Differentiator} with objective {@code sum(loss)}
     * (examples are independent, so row {@code b} is {@code d loss_b / d inputs_embeds_b}). The number of gradient
     * nodes is recorded in the model's metadata under {@link #GRADIENT_NODE_COUNT}.
     *
     * <p>The loss is computed stably: log-softmax over the vocabulary, gather of the gold entries, padding entries
     * replaced by {@value #GOLD_PADDING_LOGPROB}, then log-sum-exp and negation. Every row needs at least one real
     * gold entry.
     *
     * @throws IllegalArgumentException when the weight file lacks a parameter or has a wrong shape
     */
    public static OnnxMl.ModelProto gradient(BertConfig config, WeightFile weights) {
        return gradient(config, weights, false, false);
    }

    /**
     * The gradient graph, with respect to the input embeddings or (with {@code prefix}) to the prefixes; the loss is
     * the label-word loss ({@link #labelLoss}) or (with {@code head}) the class cross-entropy of a learned linear
     * head ({@link #headLoss}).
     */
    private static OnnxMl.ModelProto gradient(BertConfig config, WeightFile weights, boolean prefix, boolean head) {
        checkWeights(config, weights);
        GraphBuilder g = GraphBuilder.create("bert_mlm_gradient" + (head ? "_head" : "") + (prefix ? "_prefix" : ""));
        Value embeds = g.input(INPUTS_EMBEDS, ElementType.FLOAT, "batch", "seq", config.hiddenSize());
        Value mask = g.input(ATTENTION_MASK, ElementType.INT64, "batch", "seq");
        Value types = g.input(TOKEN_TYPE_IDS, ElementType.INT64, "batch", "seq");
        Value positions = g.input(MASK_POSITIONS, ElementType.INT64, "batch");

        Encoder enc = new Encoder(g, config, weights, null, Encoding.STANDARD);
        if (prefix) {
            enc.prefixInputs();
        }
        Value rows = enc.encodeMaskRowsStandard(embeds, types, mask, g.add(positions, enc.rowOffsets(types)));
        Value transformed = enc.headTransform(rows);
        Value loss = head ? headLoss(g, transformed, config.hiddenSize())
                : labelLoss(g, enc.decoder(transformed, g.weight(BertParameters.WORD_EMBEDDINGS, weights)),
                        g.input(GOLD_IDS, ElementType.INT64, "batch", "gold"),
                        g.input(GOLD_MASK, ElementType.FLOAT, "batch", "gold"));

        Differentiator.Result r = Differentiator.standard().differentiate(g, loss.name(),
                prefix ? List.of(PREFIX_KEYS, PREFIX_VALUES) : List.of(INPUTS_EMBEDS));
        log.debug("built BERT {}{}gradient graph: {} nodes, {} of them gradient nodes", head ? "head " : "",
                prefix ? "prefix " : "", g.nodeCount(), r.addedNodes());
        return g.model().toBuilder().addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder()
                .setKey(GRADIENT_NODE_COUNT).setValue(Integer.toString(r.addedNodes()))).build();
    }

    /**
     * The prefix-tuning forward graph (Li and Liang 2021; P-tuning v2): as {@link #forwardEmbeds} in standard
     * operators, plus inputs {@link #PREFIX_KEYS} and {@link #PREFIX_VALUES} {@code [layers, prefix, hidden]}: in every
     * layer the attention's keys and values are the prefix's followed by the tokens', every token attends to all
     * prefix positions, and the queries and outputs stay the tokens'. A prefix of length 0 gives exactly the
     * embeddings forward graph's outputs.
     *
     * @throws IllegalArgumentException when the weight file lacks a parameter or has a wrong shape
     */
    public static OnnxMl.ModelProto forwardPrefix(BertConfig config, WeightFile weights) {
        return build(config, weights, null, Encoding.STANDARD, true, true);
    }

    /**
     * The prefix-tuning gradient graph: the inputs of {@link #gradient} plus {@link #PREFIX_KEYS} and
     * {@link #PREFIX_VALUES} (as in {@link #forwardPrefix}); outputs {@link #LOSS}, {@link #PREFIX_KEYS_GRAD} and
     * {@link #PREFIX_VALUES_GRAD}, the gradient of {@code sum(loss)} over the batch with respect to the prefixes
     * (shared by all examples), by {@link Differentiator}. The language model's weights are constants.
     *
     * @throws IllegalArgumentException when the weight file lacks a parameter or has a wrong shape
     */
    public static OnnxMl.ModelProto gradientPrefix(BertConfig config, WeightFile weights) {
        return gradient(config, weights, true, false);
    }

    /**
     * The learned-head gradient graph, for training a linear head on the mask's transformed state together with
     * soft prompts (WARP, Hambardzumyan et al. 2021): the inputs of {@link #gradient} without the gold words, plus
     * {@link #HEAD_WEIGHT}, {@link #HEAD_BIAS} and {@link #GOLD_CLASS}; outputs {@link #LOSS} (per example
     * {@code -log softmax(W t + b)[gold]}, {@code t} the MLM head transform at the mask), {@link #HEAD_STATE}
     * ({@code t}) and {@link #INPUTS_EMBEDS_GRAD} (by {@link Differentiator}, objective {@code sum(loss)}). The head
     * enters as an input, not a parameter: its gradient follows from {@link #HEAD_STATE} in closed form.
     *
     * @throws IllegalArgumentException when the weight file lacks a parameter or has a wrong shape
     */
    public static OnnxMl.ModelProto gradientHead(BertConfig config, WeightFile weights) {
        return gradient(config, weights, false, true);
    }

    /**
     * The learned-head prefix gradient graph: {@link #gradientHead} with the prefix inputs of {@link #forwardPrefix};
     * outputs {@link #LOSS}, {@link #HEAD_STATE}, {@link #PREFIX_KEYS_GRAD} and {@link #PREFIX_VALUES_GRAD} (the
     * gradient of {@code sum(loss)} over the batch).
     *
     * @throws IllegalArgumentException when the weight file lacks a parameter or has a wrong shape
     */
    public static OnnxMl.ModelProto gradientHeadPrefix(BertConfig config, WeightFile weights) {
        return gradient(config, weights, true, true);
    }

    /**
     * The head loss output {@link #LOSS}, per example {@code -log_softmax(t W^T + b)[gold]}, with inputs
     * {@link #HEAD_WEIGHT}, {@link #HEAD_BIAS}, {@link #GOLD_CLASS}; also outputs {@code t} as {@link #HEAD_STATE}.
     */
    private static Value headLoss(GraphBuilder g, Value transformed, long hidden) {
        Value weight = g.input(HEAD_WEIGHT, ElementType.FLOAT, "classes", hidden);
        Value bias = g.input(HEAD_BIAS, ElementType.FLOAT, "classes");
        Value gold = g.input(GOLD_CLASS, ElementType.INT64, "batch");
        g.scope("loss");
        // An Identity, so the state stays an output while the loss reads it (output() renames node outputs).
        g.output(g.node(Op.IDENTITY, List.of(transformed)), HEAD_STATE);
        Value logProbs = g.logSoftmax(g.gemm(transformed, weight, Optional.of(bias), 1f, 1f, false, true), 1);
        return g.output(g.neg(g.reshape(g.gatherElements(logProbs, g.unsqueeze(gold, 1), 1), -1)), LOSS);
    }

    /**
     * The label loss output {@link #LOSS}, per example, computed stably from the log-probabilities of the
     * {@link #GOLD_IDS} entries by the sign of their {@link #GOLD_MASK}: 1 gold, -1 competitor, 0 padding. Without
     * competitors it is {@code -log sum_gold p}; with them it is the cross-entropy of the gold words among gold and
     * competitors, {@code -log sum_gold p + log sum_{gold, competitors} p} (the class cross-entropy when the
     * competitors are the other classes' label words).
     */
    private static Value labelLoss(GraphBuilder g, Value logits, Value goldIds, Value goldMask) {
        g.scope("loss");
        Value logProbs = g.gatherElements(g.logSoftmax(logits, 1), goldIds, 1);
        Value zero = g.scalar(ElementType.FLOAT, 0);
        Value padding = g.scalar(ElementType.FLOAT, GOLD_PADDING_LOGPROB);
        Value gold = g.reduceLogSumExp(g.where(g.node(Op.GREATER, List.of(goldMask, zero)), logProbs, padding),
                false, 1);
        Value all = g.reduceLogSumExp(g.where(g.cast(goldMask, ElementType.BOOL), logProbs, padding), false, 1);
        Value competitors = g.reduceMax(g.cast(g.node(Op.LESS, List.of(goldMask, zero)), ElementType.FLOAT), false,
                1);
        return g.output(g.sub(g.mul(competitors, all), gold), LOSS);
    }

    /**
     * The calibration graph for int8 quantization: the fused float32 encoder on token ids (inputs {@link #INPUT_IDS},
     * {@link #ATTENTION_MASK}, {@link #TOKEN_TYPE_IDS}) whose outputs are, for every matrix product that the int8
     * graphs quantize, the largest magnitude of each input channel over batch and sequence (float {@code [in]}),
     * named as the product's int8 kernel ({@link Int8Weights#qkvKernel}, {@link Int8Weights#kernel}). Used once at
     * export to choose the smoothing factors of {@link Int8Weights}.
     */
    public static OnnxMl.ModelProto calibration(BertConfig config, WeightFile weights) {
        checkWeights(config, weights);
        GraphBuilder g = GraphBuilder.create("bert_int8_calibration");
        Value ids = g.input(INPUT_IDS, ElementType.INT64, "batch", "seq");
        Value mask = g.input(ATTENTION_MASK, ElementType.INT64, "batch", "seq");
        Value types = g.input(TOKEN_TYPE_IDS, ElementType.INT64, "batch", "seq");
        Encoder enc = new Encoder(g, config, weights, null, Encoding.FUSED);
        enc.calibration = new LinkedHashMap<>();
        Value x = enc.embed(g.gather(g.weight(BertParameters.WORD_EMBEDDINGS, weights), ids, 0), types);
        Value keyMask = g.cast(mask, ElementType.INT32);
        for (int l = 0; l < config.numLayers(); l++) {
            x = enc.fusedLayer(l, x, keyMask, null, null);
        }
        enc.calibration.forEach((name, v) -> g.output(v, name));
        return g.model();
    }

    /**
     * Writes a model to a file (the caller makes it atomic if it needs to). The file must sit in the directory of
     * the weights file the model references.
     */
    public static void writeTo(OnnxMl.ModelProto model, Path path) throws IOException {
        try (OutputStream out = Files.newOutputStream(path)) {
            model.writeTo(out);
        }
    }

    private static void checkWeights(BertConfig config, WeightFile weights) {
        BertParameters.shapes(config).forEach((name, shape) -> {
            long[] actual = weights.entry(name).shape();
            if (!java.util.Arrays.equals(actual, shape)) {
                throw new IllegalArgumentException("tensor '" + name + "' in " + weights.fileName() + " has shape "
                        + java.util.Arrays.toString(actual) + " but the config needs "
                        + java.util.Arrays.toString(shape));
            }
        });
    }

    /** Emits the shared parts of both graphs into one builder. */
    private static final class Encoder {

        private final GraphBuilder g;
        private final BertConfig c;
        private final WeightFile w;
        private final WeightFile q;
        private final Encoding encoding;
        /** When not null, the calibration graph: per-channel max |input| of each quantizable product, by name. */
        private Map<String, Value> calibration;
        /** When not null, prefix-tuning inputs {@code [layers, prefix, hidden]} (standard encoding only). */
        private Value prefixKeys;
        private Value prefixValues;

        /** Adds the prefix inputs; every standard layer then attends over prefix and tokens. */
        void prefixInputs() {
            prefixKeys = g.input(PREFIX_KEYS, ElementType.FLOAT, c.numLayers(), "prefix", c.hiddenSize());
            prefixValues = g.input(PREFIX_VALUES, ElementType.FLOAT, c.numLayers(), "prefix", c.hiddenSize());
        }

        /**
         * The additive attention bias {@code [batch, 1, 1, keys]}: {@link #MASK_NEGATIVE} at padding tokens, 0
         * elsewhere; with a prefix, 0 for the prefix positions in front (every token attends to them).
         */
        private Value attentionBias(Value mask) {
            Value bias = g.unsqueeze(g.mul(g.sub(g.scalar(ElementType.FLOAT, 1), g.cast(mask, ElementType.FLOAT)),
                    g.scalar(ElementType.FLOAT, MASK_NEGATIVE)), 1, 2);
            if (prefixKeys == null) {
                return bias;
            }
            g.scope("prefix");
            Value batch = g.gather(g.shape(mask), g.longs(0), 0);
            Value length = g.gather(g.shape(prefixKeys), g.longs(1), 0);
            Value zeros = g.expand(g.scalar(ElementType.FLOAT, 0), g.concat(0, batch, g.longs(1, 1), length));
            return g.concat(3, zeros, bias);
        }

        /**
         * Layer {@code l}'s prefix in the layout of its keys or values, repeated over the batch:
         * keys {@code [batch, heads, size, prefix]} (transposed, as {@code kT}), values {@code [batch, heads, prefix,
         * size]}.
         */
        private Value prefixHeads(Value prefix, int l, Value x, boolean keys) {
            g.scope("layer" + l + "/prefix");
            Value p = g.reshape(g.gather(prefix, g.scalarLong(l), 0), 0, c.numHeads(), c.headSize());
            Value heads = g.unsqueeze(keys ? g.transpose(p, 1, 2, 0) : g.transpose(p, 1, 0, 2), 0);
            Value batch = g.gather(g.shape(x), g.longs(0), 0);
            return g.expand(heads, g.concat(0, batch, g.longs(1, 1, 1)));
        }

        Encoder(GraphBuilder g, BertConfig c, WeightFile w, WeightFile q, Encoding encoding) {
            this.g = g;
            this.c = c;
            this.w = w;
            this.q = q;
            this.encoding = encoding;
        }

        /**
         * Fused and int8 encodings: final hidden states at the masks only, {@code [batch * masks, hidden]}. The last
         * layer's keys and values cover every token, but its queries, attention output, feed-forward and LayerNorms
         * run on the mask rows alone: the other rows of the last layer never reach an output (exact, not an
         * approximation).
         */
        Value encodeMaskRows(Value words, Value types, Value mask, Value flatMasks, Value positions) {
            Value x = embed(words, types);
            // MultiHeadAttention's key padding mask: int32 [batch, seq], 0 = padding, which gets
            // mask_filter_value (-10000, as the standard graph's additive mask) before the softmax.
            Value keyMask = g.cast(mask, ElementType.INT32);
            int last = c.numLayers() - 1;
            for (int l = 0; l < last; l++) {
                x = fusedLayer(l, x, keyMask, null, null);
            }
            Value lead3 = g.concat(0, g.shape(positions), g.longs(c.hiddenSize()));
            Value rows = g.reshape(fusedLayer(last, x, keyMask, flatMasks, lead3), -1, c.hiddenSize());
            return rows;
        }

        private Value embed(Value words, Value types) {
            g.scope("embeddings");
            Value seqLen = g.gather(g.shape(types), g.scalarLong(1), 0);
            Value positionIds = g.range(g.scalarLong(0), seqLen, g.scalarLong(1));
            Value emb = g.add(g.add(words, g.gather(g.weight(BertParameters.POSITION_EMBEDDINGS, w), positionIds, 0)),
                    g.gather(g.weight(BertParameters.TOKEN_TYPE_EMBEDDINGS, w), types, 0));
            return layerNorm(emb, BertParameters.EMBEDDINGS_LN_GAMMA, BertParameters.EMBEDDINGS_LN_BETA);
        }

        /** Final hidden states {@code [batch, seq, hidden]} from word embeddings, standard operators. */
        Value encode(Value words, Value types, Value mask) {
            Value x = embed(words, types);
            Value maskBias = attentionBias(mask);
            for (int l = 0; l < c.numLayers(); l++) {
                x = layer(l, x, maskBias, null);
            }
            return x;
        }

        /**
         * Standard operators, final hidden states at one mask per example, {@code [batch, hidden]}: as
         * {@link #encodeMaskRows}, the last layer's queries, attention output, feed-forward and LayerNorms run on
         * the mask rows alone (exact), which in the gradient graph also spares their backward pass.
         *
         * @param flatMasks flat indices into {@code [batch * seq]}, one per example, {@code [batch]}
         */
        Value encodeMaskRowsStandard(Value words, Value types, Value mask, Value flatMasks) {
            Value x = embed(words, types);
            Value maskBias = attentionBias(mask);
            int last = c.numLayers() - 1;
            for (int l = 0; l < last; l++) {
                x = layer(l, x, maskBias, null);
            }
            Value rows = g.unsqueeze(gatherRows(x, flatMasks), 1);
            return g.reshape(layer(last, x, maskBias, rows), -1, c.hiddenSize());
        }

        /**
         * One encoder layer in contrib operators, float32 ({@link Encoding#FUSED}) or int8 ({@link Encoding#INT8}).
         * With {@code rows} (flat indices into {@code [batch * seq]}) the layer's output is only those rows, shaped
         * {@code rowShape} ({@code [batch, masks, hidden]}).
         */
        private Value fusedLayer(int l, Value x, Value keyMask, Value rows, Value rowShape) {
            g.scope("layer" + l + "/attention");
            List<OnnxMl.AttributeProto> heads = List.of(Attr.of("num_heads", (long) c.numHeads()),
                    Attr.of("mask_filter_value", (float) MASK_NEGATIVE));
            Value residual = rows == null ? x : g.reshape(gatherRows(x, rows), rowShape);
            g.scope("layer" + l + "/attention");
            observe(Int8Weights.qkvKernel(l), x);
            Value context;
            if (encoding == Encoding.INT8) {
                Value qkv = int8MatMul(smooth(x, Int8Weights.smoothing(Int8Weights.qkvKernel(l))),
                        Int8Weights.qkvKernel(l), Int8Weights.qkvScale(l), weightQ(Int8Weights.qkvBias(l)));
                List<Value> parts = g.node(Op.SPLIT, List.of(qkv), 3, List.of(Attr.of("axis", 2L)));
                Value query = rows == null ? parts.get(0) : g.reshape(gatherRows(parts.get(0), rows), rowShape);
                g.scope("layer" + l + "/attention");
                context = g.node(Op.MULTI_HEAD_ATTENTION, Arrays.asList(query, parts.get(1), parts.get(2),
                        null, keyMask), 1, heads).get(0);
            } else {
                Value bias = g.concat(0, weight(BertParameters.layer(l, BertParameters.QUERY_BIAS)),
                        weight(BertParameters.layer(l, BertParameters.KEY_BIAS)),
                        weight(BertParameters.layer(l, BertParameters.VALUE_BIAS)));
                Value queryKernel = weight(BertParameters.layer(l, BertParameters.QUERY_KERNEL));
                Value keyKernel = weight(BertParameters.layer(l, BertParameters.KEY_KERNEL));
                Value valueKernel = weight(BertParameters.layer(l, BertParameters.VALUE_KERNEL));
                if (rows == null) {
                    // one product on the concatenated [H, 3H] kernel (folded into one constant at session start)
                    context = g.node(Op.ATTENTION, Arrays.asList(x,
                            g.concat(1, queryKernel, keyKernel, valueKernel), bias, keyMask), 1, heads).get(0);
                } else {
                    context = g.node(Op.MULTI_HEAD_ATTENTION, Arrays.asList(g.matMul(residual, queryKernel),
                            g.matMul(x, keyKernel), g.matMul(x, valueKernel), bias, keyMask), 1, heads).get(0);
                }
            }
            Value x1 = skipLayerNorm(product(context, l, BertParameters.ATTENTION_OUTPUT_KERNEL), residual, l,
                    BertParameters.ATTENTION_OUTPUT_BIAS, BertParameters.ATTENTION_LN_GAMMA,
                    BertParameters.ATTENTION_LN_BETA);
            g.scope("layer" + l + "/ffn");
            Value inner = g.node(Op.BIAS_GELU, List.of(product(x1, l, BertParameters.INTERMEDIATE_KERNEL),
                    weight(BertParameters.layer(l, BertParameters.INTERMEDIATE_BIAS))), 1, List.of()).get(0);
            return skipLayerNorm(product(inner, l, BertParameters.OUTPUT_KERNEL), x1, l, BertParameters.OUTPUT_BIAS,
                    BertParameters.OUTPUT_LN_GAMMA, BertParameters.OUTPUT_LN_BETA);
        }

        /** {@code x @ kernel} without bias: float32, or int8 for {@link Encoding#INT8} where it quantizes the kernel. */
        private Value product(Value x, int l, String kernel) {
            observe(Int8Weights.kernel(l, kernel), x);
            if (encoding != Encoding.INT8 || !Int8Weights.quantizes(kernel)) {
                return g.matMul(x, weight(BertParameters.layer(l, kernel)));
            }
            String name = Int8Weights.kernel(l, kernel);
            return kernel.equals(BertParameters.OUTPUT_KERNEL)
                    ? perRowInt8(x, name, Int8Weights.scale(l, kernel))
                    : int8MatMul(smooth(x, Int8Weights.smoothing(name)), name, Int8Weights.scale(l, kernel), null);
        }

        /**
         * {@code x @ kernel} for the feed-forward output, with {@code x} (the GELU output) quantized per row (token):
         * {@code x + shift} (non-negative), uint8 with one scale per row ({@code max / 255}), multiplied by the int8
         * kernel ({@code MatMulIntegerToFloat}), rescaled per row and per column, and the shift's contribution removed
         * ({@link Int8Weights#shiftCorrection}). A few tokens carry GELU outputs far above the rest, so one scale per
         * tensor (as {@code DynamicQuantizeMatMul} takes) loses the other tokens; one per token does not.
         */
        private Value perRowInt8(Value x, String name, String scale) {
            long in = c.intermediateSize();
            Value flat = g.reshape(g.add(x, g.scalar(ElementType.FLOAT, Int8Weights.GELU_SHIFT)), -1, in);
            Value rowScale = g.add(g.mul(g.reduceMax(flat, true, 1), g.scalar(ElementType.FLOAT, 1.0 / 255)),
                    g.scalar(ElementType.FLOAT, 1e-20));
            Value quantized = g.node(Op.QUANTIZE_LINEAR, List.of(flat, g.reshape(rowScale, -1)),
                    Attr.of("axis", 0L));
            Value product = g.node(Op.MAT_MUL_INTEGER_TO_FLOAT, List.of(quantized, weightQ(name),
                    g.scalar(ElementType.FLOAT, 1), weightQ(scale)));
            Value y = g.add(g.mul(product, rowScale), weightQ(Int8Weights.shiftCorrection(name)));
            Value shape = g.concat(0, g.slice(g.shape(x), g.longs(0), g.longs(-1), g.longs(0)),
                    g.longs(c.hiddenSize()));
            return g.reshape(y, shape);
        }

        /** Divides the input channels by the kernel's smoothing factors, when the int8 file has them. */
        private Value smooth(Value x, String name) {
            return q.find(name).isPresent() ? g.mul(x, weightQ(name)) : x;
        }

        /** In the calibration graph, outputs the per-channel max |x| over batch and sequence under {@code name}. */
        private void observe(String name, Value x) {
            if (calibration != null) {
                calibration.put(name, g.reduceMax(g.node(Op.ABS, List.of(x)), false, 0, 1));
            }
        }

        private Value int8MatMul(Value x, String kernel, String scale, Value bias) {
            return g.node(Op.DYNAMIC_QUANTIZE_MAT_MUL, Arrays.asList(x, weightQ(kernel), weightQ(scale), null,
                    bias), 1, List.of()).get(0);
        }

        /** {@code LayerNorm(product + residual + bias)} as one {@code SkipLayerNormalization}. */
        private Value skipLayerNorm(Value product, Value residual, int l, String bias, String gamma, String beta) {
            return g.node(Op.SKIP_LAYER_NORMALIZATION, List.of(product, residual,
                    weight(BertParameters.layer(l, gamma)), weight(BertParameters.layer(l, beta)),
                    weight(BertParameters.layer(l, bias))), 1,
                    List.of(Attr.of("epsilon", (float) c.layerNormEps()))).get(0);
        }

        private Value weightQ(String name) {
            return g.has(name) ? g.value(name) : g.weight(name, q);
        }

        /**
         * One encoder layer in standard operators. With {@code queries} ({@code [batch, rows, hidden]}, rows of
         * {@code x}) only those rows are computed: keys and values still cover every token of {@code x}.
         */
        private Value layer(int l, Value x, Value maskBias, Value queries) {
            g.scope("layer" + l + "/attention");
            long heads = c.numHeads();
            long size = c.headSize();
            Value residual = queries == null ? x : queries;
            Value q = g.transpose(g.reshape(dense(residual, l, BertParameters.QUERY_KERNEL, BertParameters.QUERY_BIAS),
                    0, 0, heads, size), 0, 2, 1, 3);
            Value kT = g.transpose(g.reshape(dense(x, l, BertParameters.KEY_KERNEL, BertParameters.KEY_BIAS),
                    0, 0, heads, size), 0, 2, 3, 1);
            Value v = g.transpose(g.reshape(dense(x, l, BertParameters.VALUE_KERNEL, BertParameters.VALUE_BIAS),
                    0, 0, heads, size), 0, 2, 1, 3);
            if (prefixKeys != null) {
                kT = g.concat(3, prefixHeads(prefixKeys, l, x, true), kT);
                v = g.concat(2, prefixHeads(prefixValues, l, x, false), v);
                g.scope("layer" + l + "/attention");
            }
            Value scores = g.add(g.div(g.matMul(q, kT), g.scalar(ElementType.FLOAT, Math.sqrt(size))), maskBias);
            Value context = g.reshape(g.transpose(g.matMul(g.softmax(scores, -1), v), 0, 2, 1, 3),
                    0, 0, c.hiddenSize());
            Value attention = dense(context, l, BertParameters.ATTENTION_OUTPUT_KERNEL,
                    BertParameters.ATTENTION_OUTPUT_BIAS);
            Value x1 = layerNorm(g.add(attention, residual), BertParameters.layer(l, BertParameters.ATTENTION_LN_GAMMA),
                    BertParameters.layer(l, BertParameters.ATTENTION_LN_BETA));
            g.scope("layer" + l + "/ffn");
            Value inner = gelu(dense(x1, l, BertParameters.INTERMEDIATE_KERNEL, BertParameters.INTERMEDIATE_BIAS));
            Value out = dense(inner, l, BertParameters.OUTPUT_KERNEL, BertParameters.OUTPUT_BIAS);
            return layerNorm(g.add(out, x1), BertParameters.layer(l, BertParameters.OUTPUT_LN_GAMMA),
                    BertParameters.layer(l, BertParameters.OUTPUT_LN_BETA));
        }

        private Value dense(Value x, int layer, String kernel, String bias) {
            return g.add(g.matMul(x, weight(BertParameters.layer(layer, kernel))),
                    weight(BertParameters.layer(layer, bias)));
        }

        private Value layerNorm(Value x, String gamma, String beta) {
            return g.layerNorm(x, weight(gamma), weight(beta), -1, c.layerNormEps());
        }

        /** Exact GELU {@code x/2 (1 + erf(x / sqrt 2))}, in the node pattern ONNX Runtime fuses into one kernel. */
        private Value gelu(Value x) {
            Value e = g.erf(g.div(x, g.scalar(ElementType.FLOAT, Math.sqrt(2))));
            return g.mul(g.mul(x, g.add(e, g.scalar(ElementType.FLOAT, 1))), g.scalar(ElementType.FLOAT, 0.5));
        }

        private Value weight(String name) {
            return g.has(name) ? g.value(name) : g.weight(name, w);
        }

        /** {@code b * seq} for each row {@code b}: offsets of the rows in the flattened {@code [batch * seq]}. */
        Value rowOffsets(Value types) {
            g.scope("mask_gather");
            Value shape = g.shape(types);
            Value batch = g.gather(shape, g.scalarLong(0), 0);
            Value seq = g.gather(shape, g.scalarLong(1), 0);
            return g.mul(g.range(g.scalarLong(0), batch, g.scalarLong(1)), seq);
        }

        /** Rows of the flattened hidden states {@code [batch * seq, hidden]} at flat indices. */
        Value gatherRows(Value hidden, Value flatIndices) {
            g.scope("mask_gather");
            return g.gather(g.reshape(hidden, -1, c.hiddenSize()), flatIndices, 0);
        }

        /** MLM head transform on rows {@code [rows, hidden]}: dense, GELU, LayerNorm. */
        Value headTransform(Value rows) {
            g.scope("head");
            Value dense = g.gemm(rows, weight(BertParameters.HEAD_TRANSFORM_KERNEL),
                    Optional.of(weight(BertParameters.HEAD_TRANSFORM_BIAS)), 1f, 1f, false, false);
            return layerNorm(gelu(dense), BertParameters.HEAD_LN_GAMMA, BertParameters.HEAD_LN_BETA);
        }

        /** Tied decoder: {@code transformed @ word_embeddings^T + bias} as one Gemm with {@code transB = 1}. */
        Value decoder(Value transformed, Value wordEmbeddings) {
            g.scope("head");
            return g.gemm(transformed, wordEmbeddings, Optional.of(weight(BertParameters.HEAD_OUTPUT_BIAS)), 1f, 1f,
                    false, true);
        }
    }
}
