package io.github.prompt4j.onnx.export.bert;

import ai.onnx.proto.OnnxMl;
import io.github.prompt4j.onnx.export.autodiff.Differentiator;
import io.github.prompt4j.onnx.export.checkpoint.BertConfig;
import io.github.prompt4j.onnx.export.checkpoint.BertParameters;
import io.github.prompt4j.onnx.export.graph.ElementType;
import io.github.prompt4j.onnx.export.graph.GraphBuilder;
import io.github.prompt4j.onnx.export.graph.Value;
import io.github.prompt4j.onnx.export.weights.WeightFile;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
 * <p>Stateless and thread-safe.
 */
public final class BertGraphs {

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
    /** Gradient input: 1 for a real label word, 0 for padding, float {@code [batch, gold]}. */
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
        return forward(config, weights, false);
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
        return forward(config, weights, true);
    }

    private static OnnxMl.ModelProto forward(BertConfig config, WeightFile weights, boolean embedsInput) {
        checkWeights(config, weights);
        GraphBuilder g = GraphBuilder.create(embedsInput ? "bert_mlm_forward_embeds" : "bert_mlm_forward");
        Value input = embedsInput ? g.input(INPUTS_EMBEDS, ElementType.FLOAT, "batch", "seq", config.hiddenSize())
                : g.input(INPUT_IDS, ElementType.INT64, "batch", "seq");
        Value mask = g.input(ATTENTION_MASK, ElementType.INT64, "batch", "seq");
        Value types = g.input(TOKEN_TYPE_IDS, ElementType.INT64, "batch", "seq");
        Value positions = g.input(MASK_POSITIONS, ElementType.INT64, "batch", "masks");
        Value wordEmbeddings = g.weight(BertParameters.WORD_EMBEDDINGS, weights);

        Encoder enc = new Encoder(g, config, weights);
        Value words = embedsInput ? input : g.gather(wordEmbeddings, input, 0);
        Value hidden = enc.encode(words, types, mask);
        Value rows = enc.gatherRows(hidden, g.reshape(g.add(positions, g.unsqueeze(enc.rowOffsets(types), 1)), -1));
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
        log.debug("built BERT {} graph: {} nodes", embedsInput ? "embeddings forward" : "forward", g.nodeCount());
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
        checkWeights(config, weights);
        GraphBuilder g = GraphBuilder.create("bert_mlm_gradient");
        Value embeds = g.input(INPUTS_EMBEDS, ElementType.FLOAT, "batch", "seq", config.hiddenSize());
        Value mask = g.input(ATTENTION_MASK, ElementType.INT64, "batch", "seq");
        Value types = g.input(TOKEN_TYPE_IDS, ElementType.INT64, "batch", "seq");
        Value positions = g.input(MASK_POSITIONS, ElementType.INT64, "batch");
        Value goldIds = g.input(GOLD_IDS, ElementType.INT64, "batch", "gold");
        Value goldMask = g.input(GOLD_MASK, ElementType.FLOAT, "batch", "gold");
        Value wordEmbeddings = g.weight(BertParameters.WORD_EMBEDDINGS, weights);

        Encoder enc = new Encoder(g, config, weights);
        Value hidden = enc.encode(embeds, types, mask);
        Value rows = enc.gatherRows(hidden, g.add(positions, enc.rowOffsets(types)));
        Value logits = enc.decoder(enc.headTransform(rows), wordEmbeddings);

        g.scope("loss");
        Value goldLogProbs = g.gatherElements(g.logSoftmax(logits, 1), goldIds, 1);
        Value kept = g.where(g.cast(goldMask, ElementType.BOOL), goldLogProbs,
                g.scalar(ElementType.FLOAT, GOLD_PADDING_LOGPROB));
        Value loss = g.output(g.neg(g.reduceLogSumExp(kept, false, 1)), LOSS);

        Differentiator.Result r = Differentiator.standard().differentiate(g, loss.name(), List.of(INPUTS_EMBEDS));
        log.debug("built BERT gradient graph: {} nodes, {} of them gradient nodes", g.nodeCount(), r.addedNodes());
        return g.model().toBuilder().addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder()
                .setKey(GRADIENT_NODE_COUNT).setValue(Integer.toString(r.addedNodes()))).build();
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

        Encoder(GraphBuilder g, BertConfig c, WeightFile w) {
            this.g = g;
            this.c = c;
            this.w = w;
        }

        /** Final hidden states {@code [batch, seq, hidden]} from word embeddings {@code [batch, seq, hidden]}. */
        Value encode(Value words, Value types, Value mask) {
            g.scope("embeddings");
            Value seqLen = g.gather(g.shape(types), g.scalarLong(1), 0);
            Value positionIds = g.range(g.scalarLong(0), seqLen, g.scalarLong(1));
            Value emb = g.add(g.add(words, g.gather(g.weight(BertParameters.POSITION_EMBEDDINGS, w), positionIds, 0)),
                    g.gather(g.weight(BertParameters.TOKEN_TYPE_EMBEDDINGS, w), types, 0));
            Value x = layerNorm(emb, BertParameters.EMBEDDINGS_LN_GAMMA, BertParameters.EMBEDDINGS_LN_BETA);
            Value maskBias = g.unsqueeze(g.mul(g.sub(g.scalar(ElementType.FLOAT, 1), g.cast(mask, ElementType.FLOAT)),
                    g.scalar(ElementType.FLOAT, MASK_NEGATIVE)), 1, 2);
            for (int l = 0; l < c.numLayers(); l++) {
                x = layer(l, x, maskBias);
            }
            return x;
        }

        private Value layer(int l, Value x, Value maskBias) {
            g.scope("layer" + l + "/attention");
            long heads = c.numHeads();
            long size = c.headSize();
            Value q = g.transpose(g.reshape(dense(x, l, BertParameters.QUERY_KERNEL, BertParameters.QUERY_BIAS),
                    0, 0, heads, size), 0, 2, 1, 3);
            Value kT = g.transpose(g.reshape(dense(x, l, BertParameters.KEY_KERNEL, BertParameters.KEY_BIAS),
                    0, 0, heads, size), 0, 2, 3, 1);
            Value v = g.transpose(g.reshape(dense(x, l, BertParameters.VALUE_KERNEL, BertParameters.VALUE_BIAS),
                    0, 0, heads, size), 0, 2, 1, 3);
            Value scores = g.add(g.div(g.matMul(q, kT), g.scalar(ElementType.FLOAT, Math.sqrt(size))), maskBias);
            Value context = g.reshape(g.transpose(g.matMul(g.softmax(scores, -1), v), 0, 2, 1, 3),
                    0, 0, c.hiddenSize());
            Value attention = dense(context, l, BertParameters.ATTENTION_OUTPUT_KERNEL,
                    BertParameters.ATTENTION_OUTPUT_BIAS);
            Value x1 = layerNorm(g.add(attention, x), BertParameters.layer(l, BertParameters.ATTENTION_LN_GAMMA),
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
