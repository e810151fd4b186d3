package io.github.prompt4j.onnx.internal.graph;

import ai.onnx.proto.OnnxMl;
import java.util.HashMap;
import java.util.Map;

/**
 * The ONNX operators prompt4j builds, infers shapes for and differentiates: each with its operator type, its domain
 * ({@code ""} for the default domain at opset {@value GraphBuilder#OPSET}, {@value GraphBuilder#CONTRIB_DOMAIN} for
 * ONNX Runtime's contrib operators) and how it broadcasts its inputs. {@link GraphBuilder} appends nodes of these
 * operators only, {@link ShapeInference} has a rule for each, and the gradient rules are keyed by them; a graph read
 * back with any other operator is rejected by {@link #of(OnnxMl.NodeProto)}.
 *
 * <p>Modelled on Tribuo's {@code ONNXOperators}. Immutable and thread-safe.
 */
public enum Op {
    // element-wise, output shaped as input 0
    IDENTITY("Identity"),
    NEG("Neg"),
    EXP("Exp"),
    LOG("Log"),
    SQRT("Sqrt"),
    ERF("Erf"),
    RECIPROCAL("Reciprocal"),
    ABS("Abs"),
    RELU("Relu"),
    TANH("Tanh"),
    SIGMOID("Sigmoid"),
    NOT("Not"),
    FLOOR("Floor"),
    CEIL("Ceil"),
    CAST("Cast"),
    SOFTMAX("Softmax"),
    LOG_SOFTMAX("LogSoftmax"),
    LAYER_NORMALIZATION("LayerNormalization"),
    // element-wise with multidirectional broadcasting
    ADD("Add", Broadcast.ELEMENTWISE),
    SUB("Sub", Broadcast.ELEMENTWISE),
    MUL("Mul", Broadcast.ELEMENTWISE),
    DIV("Div", Broadcast.ELEMENTWISE),
    POW("Pow", Broadcast.ELEMENTWISE),
    SUM("Sum", Broadcast.ELEMENTWISE),
    MAX("Max", Broadcast.ELEMENTWISE),
    MIN("Min", Broadcast.ELEMENTWISE),
    WHERE("Where", Broadcast.ELEMENTWISE),
    EXPAND("Expand", Broadcast.ELEMENTWISE),
    EQUAL("Equal", Broadcast.ELEMENTWISE),
    LESS("Less", Broadcast.ELEMENTWISE),
    GREATER("Greater", Broadcast.ELEMENTWISE),
    LESS_OR_EQUAL("LessOrEqual", Broadcast.ELEMENTWISE),
    GREATER_OR_EQUAL("GreaterOrEqual", Broadcast.ELEMENTWISE),
    AND("And", Broadcast.ELEMENTWISE),
    OR("Or", Broadcast.ELEMENTWISE),
    // matrix products
    MAT_MUL("MatMul", Broadcast.BATCH),
    GEMM("Gemm", Broadcast.BIAS),
    // reductions
    REDUCE_SUM("ReduceSum"),
    REDUCE_MEAN("ReduceMean"),
    REDUCE_MAX("ReduceMax"),
    REDUCE_MIN("ReduceMin"),
    REDUCE_LOG_SUM_EXP("ReduceLogSumExp"),
    REDUCE_PROD("ReduceProd"),
    REDUCE_L2("ReduceL2"),
    REDUCE_SUM_SQUARE("ReduceSumSquare"),
    // shapes and indexing
    SHAPE("Shape"),
    SIZE("Size"),
    RESHAPE("Reshape"),
    FLATTEN("Flatten"),
    TRANSPOSE("Transpose"),
    UNSQUEEZE("Unsqueeze"),
    SQUEEZE("Squeeze"),
    CONCAT("Concat"),
    SPLIT("Split"),
    SLICE("Slice"),
    GATHER("Gather"),
    GATHER_ELEMENTS("GatherElements"),
    SCATTER_ND("ScatterND"),
    SCATTER_ELEMENTS("ScatterElements"),
    RANGE("Range"),
    NON_ZERO("NonZero"),
    CONSTANT("Constant"),
    CONSTANT_OF_SHAPE("ConstantOfShape"),
    // ONNX Runtime contrib operators
    ATTENTION(GraphBuilder.CONTRIB_DOMAIN, "Attention", Broadcast.NONE),
    MULTI_HEAD_ATTENTION(GraphBuilder.CONTRIB_DOMAIN, "MultiHeadAttention", Broadcast.NONE),
    Q_ATTENTION(GraphBuilder.CONTRIB_DOMAIN, "QAttention", Broadcast.NONE),
    SKIP_LAYER_NORMALIZATION(GraphBuilder.CONTRIB_DOMAIN, "SkipLayerNormalization", Broadcast.NONE),
    BIAS_GELU(GraphBuilder.CONTRIB_DOMAIN, "BiasGelu", Broadcast.NONE),
    GELU(GraphBuilder.CONTRIB_DOMAIN, "Gelu", Broadcast.NONE),
    DYNAMIC_QUANTIZE_MAT_MUL(GraphBuilder.CONTRIB_DOMAIN, "DynamicQuantizeMatMul", Broadcast.BATCH),
    MAT_MUL_INTEGER_TO_FLOAT(GraphBuilder.CONTRIB_DOMAIN, "MatMulIntegerToFloat", Broadcast.BATCH),
    // DynamicQuantizeLinear is a default-domain operator (opset 11)
    DYNAMIC_QUANTIZE_LINEAR("DynamicQuantizeLinear"),
    // QuantizeLinear without a zero point: uint8 output
    QUANTIZE_LINEAR("QuantizeLinear");

    /** Which inputs of an operator are broadcast to a larger shape, and to which. */
    public enum Broadcast {
        /** No input is broadcast: a gradient of an input has that input's shape. */
        NONE,
        /** Every input broadcasts (numpy multidirectional rules) to output 0's shape. */
        ELEMENTWISE,
        /**
         * Matrix product: the leading (batch) dims of each operand broadcast to output 0's, the last two are the
         * operand's own.
         */
        BATCH,
        /** Only input 2 (Gemm's {@code C}) broadcasts, unidirectionally, to output 0's shape. */
        BIAS
    }

    private static final Map<String, Op> BY_NAME = new HashMap<>();

    static {
        for (Op op : values()) {
            BY_NAME.put(key(op.domain, op.opType), op);
        }
    }

    private final String domain;
    private final String opType;
    private final Broadcast broadcast;

    Op(String opType) {
        this("", opType, Broadcast.NONE);
    }

    Op(String opType, Broadcast broadcast) {
        this("", opType, broadcast);
    }

    Op(String domain, String opType, Broadcast broadcast) {
        this.domain = domain;
        this.opType = opType;
        this.broadcast = broadcast;
    }

    /** The operator type as written in a {@code NodeProto} ({@code "MatMul"}). */
    public String opType() {
        return opType;
    }

    /** The operator's domain: {@code ""} for the default domain, else e.g. {@value GraphBuilder#CONTRIB_DOMAIN}. */
    public String domain() {
        return domain;
    }

    /** How the operator broadcasts its inputs. */
    public Broadcast broadcast() {
        return broadcast;
    }

    /**
     * The operator of a node.
     *
     * @throws IllegalArgumentException naming the node and operator when prompt4j does not know the operator
     */
    public static Op of(OnnxMl.NodeProto node) {
        Op op = BY_NAME.get(key(node.getDomain(), node.getOpType()));
        if (op == null) {
            throw new IllegalArgumentException("node '" + node.getName() + "' uses operator '" + node.getOpType()
                    + "'" + (node.getDomain().isEmpty() ? "" : " of domain '" + node.getDomain() + "'")
                    + ", which prompt4j cannot read; add it to " + Op.class.getName()
                    + " with a shape rule in ShapeInference");
        }
        return op;
    }

    /** Whether this is the operator of {@code node} (operator type and domain). */
    public boolean is(OnnxMl.NodeProto node) {
        return opType.equals(node.getOpType()) && domain.equals(normalize(node.getDomain()));
    }

    private static String key(String domain, String opType) {
        return normalize(domain) + ":" + opType;
    }

    private static String normalize(String domain) {
        return "ai.onnx".equals(domain) ? "" : domain;
    }

    @Override
    public String toString() {
        return domain.isEmpty() ? opType : domain + "." + opType;
    }
}
