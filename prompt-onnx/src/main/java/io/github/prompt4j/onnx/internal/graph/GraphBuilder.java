package io.github.prompt4j.onnx.internal.graph;

import ai.onnx.proto.OnnxMl;
import io.github.prompt4j.onnx.internal.weights.WeightFile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Builds an ONNX graph of {@link Op} nodes (default domain at opset {@value #OPSET}, plus ONNX Runtime's contrib
 * operators; IR version {@value #IR_VERSION}) from Java, with build-time tracking of every value's element type and
 * shape (static, symbolic or unknown dims).
 *
 * <p>Values are graph inputs, initializers (inline small tensors, or {@code EXTERNAL} references into a
 * {@link WeightFile}) and node outputs. Node outputs get fresh names ({@code <scope>/<Op>_<n>}); graph outputs are
 * renamed to the requested name with {@link #output(Value, String)}. Nodes are appended in topological order.
 *
 * <p>A builder can also be seeded from an existing {@link OnnxMl.GraphProto} ({@link #from}), which re-runs the
 * shape inference over its nodes; the differentiator uses that to extend graphs.
 *
 * <p>Not thread-safe; use one builder per thread.
 */
public final class GraphBuilder {

    /** The ONNX opset of the default domain the graphs are built for. */
    public static final int OPSET = 17;
    /** The domain of ONNX Runtime's contrib operators (fused attention, skip LayerNorm, int8 matrix products). */
    public static final String CONTRIB_DOMAIN = "com.microsoft";
    /** The opset version of {@link #CONTRIB_DOMAIN} imported when a contrib node is present. */
    public static final int CONTRIB_OPSET = 1;
    /** The ONNX IR version written into models (IR 8 goes with opset 17; ONNX Runtime 1.26 accepts it). */
    public static final int IR_VERSION = 8;

    private final String name;
    private final List<OnnxMl.ValueInfoProto> inputs = new ArrayList<>();
    private final List<OnnxMl.TensorProto> initializers = new ArrayList<>();
    private final List<OnnxMl.NodeProto> nodes = new ArrayList<>();
    private final List<String> outputs = new ArrayList<>();
    private final Map<String, Value> values = new LinkedHashMap<>();
    private final Map<String, OnnxMl.TensorProto> constants = new HashMap<>();
    private final Map<String, List<Dim>> shapeValues = new HashMap<>();
    private final Set<String> producedByNode = new HashSet<>();
    private final ShapeInference inference = new ShapeInference(this);
    private int counter;
    private String scope = "";

    private GraphBuilder(String name) {
        this.name = name;
    }

    /** An empty graph with the given name. */
    public static GraphBuilder create(String graphName) {
        return new GraphBuilder(graphName);
    }

    /**
     * A builder holding a copy of an existing graph: its inputs, initializers, nodes (in order; they must be
     * topologically sorted as ONNX requires) and outputs, with types and shapes inferred again.
     *
     * @throws IllegalArgumentException when a node reads a value that nothing defines, or uses an operator that is
     *     not an {@link Op}
     */
    public static GraphBuilder from(OnnxMl.GraphProto graph) {
        GraphBuilder b = new GraphBuilder(graph.getName());
        Set<String> initNames = new HashSet<>();
        for (OnnxMl.TensorProto t : graph.getInitializerList()) {
            initNames.add(t.getName());
            b.initializers.add(t);
            b.register(new Value(t.getName(), ElementType.fromCode(t.getDataType()), Shape.of(Tensors.dims(t))));
            if (t.getDataLocation() != OnnxMl.TensorProto.DataLocation.EXTERNAL) {
                b.putConstant(t.getName(), t);
            }
        }
        for (OnnxMl.ValueInfoProto vi : graph.getInputList()) {
            if (!initNames.contains(vi.getName())) {
                b.inputs.add(vi);
                b.register(fromValueInfo(vi));
            }
        }
        for (OnnxMl.NodeProto n : graph.getNodeList()) {
            b.append(Op.of(n), n);
        }
        for (OnnxMl.ValueInfoProto vi : graph.getOutputList()) {
            b.outputs.add(vi.getName());
        }
        return b;
    }

    private static Value fromValueInfo(OnnxMl.ValueInfoProto vi) {
        OnnxMl.TypeProto.Tensor tt = vi.getType().getTensorType();
        Shape shape = Shape.unknownRank();
        if (tt.hasShape()) {
            List<Dim> dims = new ArrayList<>();
            for (OnnxMl.TensorShapeProto.Dimension d : tt.getShape().getDimList()) {
                dims.add(d.hasDimValue() ? Dim.of(d.getDimValue())
                        : d.hasDimParam() && !d.getDimParam().isEmpty() ? Dim.of(d.getDimParam()) : Dim.unknown());
            }
            shape = Shape.of(dims);
        }
        return new Value(vi.getName(), ElementType.fromCode(tt.getElemType()), shape);
    }

    /** Sets the name prefix of values and nodes created from now on (e.g. {@code "layer3/attention"}). */
    public GraphBuilder scope(String prefix) {
        this.scope = prefix;
        return this;
    }

    // ---------------------------------------------------------------------------------------------- definitions

    /**
     * Declares a graph input.
     *
     * @param dims each an {@link Integer}/{@link Long} (static size) or a {@link String} (symbolic name)
     */
    public Value input(String name, ElementType type, Object... dims) {
        List<Dim> d = new ArrayList<>();
        for (Object o : dims) {
            if (o instanceof Number n) {
                d.add(Dim.of(n.longValue()));
            } else if (o instanceof String s) {
                d.add(Dim.of(s));
            } else {
                throw new IllegalArgumentException("dim of input '" + name + "' must be a number or a symbol, got "
                        + o);
            }
        }
        return input(name, type, Shape.of(d));
    }

    /** Declares a graph input with a given shape. */
    public Value input(String name, ElementType type, Shape shape) {
        requireFresh(name);
        Value v = new Value(name, type, shape);
        inputs.add(valueInfo(v));
        return register(v);
    }

    /**
     * Declares an initializer stored in a weights file ({@code data_location = EXTERNAL}), float32 or int8 as the
     * file's entry says.
     *
     * @param tensorName the tensor's name in the file, also the initializer's name
     * @throws IllegalArgumentException when the file has no such tensor
     */
    public Value weight(String tensorName, WeightFile file) {
        WeightFile.Entry e = file.entry(tensorName);
        requireFresh(tensorName);
        ElementType type = e.type() == WeightFile.DataType.INT8 ? ElementType.INT8 : ElementType.FLOAT;
        OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder().setName(tensorName)
                .setDataType(type.code())
                .setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL);
        for (long d : e.shape()) {
            t.addDims(d);
        }
        t.addExternalData(entry("location", file.fileName()));
        t.addExternalData(entry("offset", Long.toString(e.offset())));
        t.addExternalData(entry("length", Long.toString(e.length())));
        initializers.add(t.build());
        return register(new Value(tensorName, type, Shape.of(e.shape())));
    }

    private static OnnxMl.StringStringEntryProto entry(String key, String value) {
        return OnnxMl.StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }

    /** An inline initializer holding the given values (float, double, int64, int32 or bool), row-major. */
    public Value constant(ElementType type, long[] shape, double... values) {
        String n = fresh("const");
        OnnxMl.TensorProto t = Tensors.of(n, type, shape, values);
        initializers.add(t);
        putConstant(n, t);
        return register(new Value(n, type, Shape.of(shape)));
    }

    /** A scalar inline constant of the given type. */
    public Value scalar(ElementType type, double value) {
        return constant(type, new long[0], value);
    }

    /** A 1-D int64 inline constant (axes, shapes, indices). */
    public Value longs(long... values) {
        String n = fresh("const");
        OnnxMl.TensorProto t = Tensors.ofLongs(n, new long[] {values.length}, values);
        initializers.add(t);
        putConstant(n, t);
        return register(new Value(n, ElementType.INT64, Shape.of(values.length)));
    }

    /** A scalar int64 inline constant. */
    public Value scalarLong(long value) {
        String n = fresh("const");
        OnnxMl.TensorProto t = Tensors.ofLongs(n, new long[0], new long[] {value});
        initializers.add(t);
        putConstant(n, t);
        return register(new Value(n, ElementType.INT64, Shape.scalar()));
    }

    /**
     * Appends a node with one output.
     *
     * @param op the operator (its domain is imported by {@link #model()} when it is not the default one)
     * @param inputs inputs in operator order
     * @param attrs attributes (see {@link Attr})
     */
    public Value node(Op op, List<Value> inputs, OnnxMl.AttributeProto... attrs) {
        return node(op, inputs, 1, Arrays.asList(attrs)).get(0);
    }

    /**
     * Appends a node with {@code outputCount} outputs and returns them.
     *
     * @param inputs inputs in operator order; {@code null} for an omitted optional input
     */
    public List<Value> node(Op op, List<Value> inputs, int outputCount, List<OnnxMl.AttributeProto> attrs) {
        OnnxMl.NodeProto.Builder n = OnnxMl.NodeProto.newBuilder().setOpType(op.opType())
                .setName(fresh(op.opType() + "_node"));
        if (!op.domain().isEmpty()) {
            n.setDomain(op.domain());
        }
        for (Value v : inputs) {
            n.addInput(v == null ? "" : v.name());
        }
        for (int i = 0; i < outputCount; i++) {
            n.addOutput(fresh(op.opType()));
        }
        n.addAllAttribute(attrs);
        return append(op, n.build());
    }

    private List<Value> append(Op op, OnnxMl.NodeProto n) {
        List<Value> in = new ArrayList<>();
        for (String s : n.getInputList()) {
            if (s.isEmpty()) {
                in.add(new Value("<absent>", ElementType.FLOAT, Shape.unknownRank()));
                continue;
            }
            Value v = values.get(s);
            if (v == null) {
                throw new IllegalArgumentException("node '" + n.getName() + "' (" + n.getOpType() + ") reads '" + s
                        + "' which no earlier input, initializer or node defines");
            }
            in.add(v);
        }
        List<Value> out = inference.infer(op, n, in);
        nodes.add(n);
        for (Value v : out) {
            register(v);
            producedByNode.add(v.name());
        }
        return out;
    }

    /**
     * Marks a value as a graph output under the given name, renaming the value when it is a node output (the
     * returned value replaces the argument, whose handle must not be used afterwards), or adding an
     * {@code Identity} when it is an input or initializer.
     *
     * @throws IllegalArgumentException when the name is already taken by another value
     */
    public Value output(Value v, String outputName) {
        Value current = value(v.name());
        if (!current.name().equals(outputName)) {
            requireFresh(outputName);
            if (producedByNode.contains(current.name())) {
                current = rename(current, outputName);
            } else {
                current = rename(node(Op.IDENTITY, List.of(current)), outputName);
            }
        }
        if (!outputs.contains(outputName)) {
            outputs.add(outputName);
        }
        return current;
    }

    /** Marks a value as a graph output under its own name. */
    public Value output(Value v) {
        return output(v, v.name());
    }

    private Value rename(Value v, String to) {
        String from = v.name();
        for (int i = 0; i < nodes.size(); i++) {
            OnnxMl.NodeProto n = nodes.get(i);
            if (n.getInputList().contains(from) || n.getOutputList().contains(from)) {
                OnnxMl.NodeProto.Builder b = n.toBuilder();
                for (int j = 0; j < b.getInputCount(); j++) {
                    if (b.getInput(j).equals(from)) {
                        b.setInput(j, to);
                    }
                }
                for (int j = 0; j < b.getOutputCount(); j++) {
                    if (b.getOutput(j).equals(from)) {
                        b.setOutput(j, to);
                    }
                }
                nodes.set(i, b.build());
            }
        }
        outputs.replaceAll(o -> o.equals(from) ? to : o);
        values.remove(from);
        producedByNode.remove(from);
        producedByNode.add(to);
        List<Dim> sv = shapeValues.remove(from);
        if (sv != null) {
            shapeValues.put(to, sv);
        }
        OnnxMl.TensorProto c = constants.remove(from);
        if (c != null) {
            constants.put(to, c);
        }
        return register(new Value(to, v.type(), v.shape()));
    }

    // ---------------------------------------------------------------------------------------------- queries

    /**
     * The value with this name.
     *
     * @throws IllegalArgumentException when there is none
     */
    public Value value(String valueName) {
        Value v = values.get(valueName);
        if (v == null) {
            throw new IllegalArgumentException("graph '" + name + "' has no value named '" + valueName + "'");
        }
        return v;
    }

    /** Whether a value with this name exists. */
    public boolean has(String valueName) {
        return values.containsKey(valueName);
    }

    /** Whether the value is an initializer (weights or constants), as opposed to an input or node output. */
    public boolean isInitializer(String valueName) {
        return initializers.stream().anyMatch(t -> t.getName().equals(valueName));
    }

    /** The graph inputs, in declaration order. */
    public List<Value> inputs() {
        return inputs.stream().map(vi -> value(vi.getName())).toList();
    }

    /** The graph output names, in order. */
    public List<String> outputNames() {
        return List.copyOf(outputs);
    }

    /** The nodes appended so far, in order. */
    public List<OnnxMl.NodeProto> nodes() {
        return List.copyOf(nodes);
    }

    /** Number of nodes so far. */
    public int nodeCount() {
        return nodes.size();
    }

    /** The values of an inline int64 constant (initializer or {@code Constant} node), if the value is one. */
    public Optional<long[]> longConstant(String valueName) {
        OnnxMl.TensorProto t = constants.get(valueName);
        return t == null ? Optional.empty() : Tensors.longs(t);
    }

    Optional<List<Dim>> shapeValue(String valueName) {
        List<Dim> sv = shapeValues.get(valueName);
        if (sv != null) {
            return Optional.of(sv);
        }
        return longConstant(valueName).map(vals -> {
            List<Dim> d = new ArrayList<>();
            for (long x : vals) {
                d.add(x >= 0 ? Dim.of(x) : Dim.unknown());
            }
            return d;
        });
    }

    void putShapeValue(String valueName, List<Dim> dims) {
        shapeValues.put(valueName, List.copyOf(dims));
    }

    void putConstant(String valueName, OnnxMl.TensorProto t) {
        constants.put(valueName, t);
    }

    // ---------------------------------------------------------------------------------------------- output

    /** The graph as an ONNX {@code GraphProto}. */
    public OnnxMl.GraphProto build() {
        OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName(name);
        g.addAllInput(inputs);
        g.addAllInitializer(initializers);
        g.addAllNode(nodes);
        for (String o : outputs) {
            g.addOutput(valueInfo(value(o)));
        }
        return g.build();
    }

    /**
     * The graph wrapped in a {@code ModelProto} (IR {@value #IR_VERSION}, default-domain opset {@value #OPSET}, plus
     * {@value #CONTRIB_DOMAIN} opset {@value #CONTRIB_OPSET} when a contrib node is present).
     */
    public OnnxMl.ModelProto model() {
        OnnxMl.ModelProto.Builder m = OnnxMl.ModelProto.newBuilder().setIrVersion(IR_VERSION)
                .setProducerName("prompt4j")
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET));
        if (nodes.stream().anyMatch(n -> CONTRIB_DOMAIN.equals(n.getDomain()))) {
            m.addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain(CONTRIB_DOMAIN)
                    .setVersion(CONTRIB_OPSET));
        }
        return m.setGraph(build()).build();
    }

    private static OnnxMl.ValueInfoProto valueInfo(Value v) {
        OnnxMl.TypeProto.Tensor.Builder tt = OnnxMl.TypeProto.Tensor.newBuilder().setElemType(v.type().code());
        if (v.shape().hasRank()) {
            OnnxMl.TensorShapeProto.Builder s = OnnxMl.TensorShapeProto.newBuilder();
            for (Dim d : v.shape().dims()) {
                OnnxMl.TensorShapeProto.Dimension.Builder db = s.addDimBuilder();
                if (d.isStatic()) {
                    db.setDimValue(d.size());
                } else if (d.isSymbolic()) {
                    db.setDimParam(d.symbol());
                }
            }
            tt.setShape(s);
        }
        return OnnxMl.ValueInfoProto.newBuilder().setName(v.name())
                .setType(OnnxMl.TypeProto.newBuilder().setTensorType(tt)).build();
    }

    private Value register(Value v) {
        values.put(v.name(), v);
        return v;
    }

    private void requireFresh(String n) {
        if (values.containsKey(n)) {
            throw new IllegalArgumentException("graph '" + name + "' already has a value named '" + n
                    + "'; choose another name");
        }
    }

    private String fresh(String base) {
        String prefix = scope.isEmpty() ? base : scope + "/" + base;
        String n;
        do {
            n = prefix + "_" + counter++;
        } while (values.containsKey(n));
        return n;
    }

    // ---------------------------------------------------------------------------------------------- operators

    /** {@code a + b} with broadcasting. */
    public Value add(Value a, Value b) {
        return node(Op.ADD, List.of(a, b));
    }

    /** {@code a - b} with broadcasting. */
    public Value sub(Value a, Value b) {
        return node(Op.SUB, List.of(a, b));
    }

    /** {@code a * b} with broadcasting. */
    public Value mul(Value a, Value b) {
        return node(Op.MUL, List.of(a, b));
    }

    /** {@code a / b} with broadcasting. */
    public Value div(Value a, Value b) {
        return node(Op.DIV, List.of(a, b));
    }

    /** {@code a ^ b} with broadcasting. */
    public Value pow(Value a, Value b) {
        return node(Op.POW, List.of(a, b));
    }

    /** Numpy matmul: {@code [..., m, k] @ [..., k, n]} with broadcast batch dims. */
    public Value matMul(Value a, Value b) {
        return node(Op.MAT_MUL, List.of(a, b));
    }

    /** {@code alpha * op(a) @ op(b) + beta * c} on 2-D {@code a}, {@code b}; {@code c} broadcasts to the result. */
    public Value gemm(Value a, Value b, Optional<Value> c, float alpha, float beta, boolean transA, boolean transB) {
        List<Value> in = new ArrayList<>(List.of(a, b));
        c.ifPresent(in::add);
        return node(Op.GEMM, in, Attr.of("alpha", alpha), Attr.of("beta", beta), Attr.of("transA", transA ? 1L : 0L),
                Attr.of("transB", transB ? 1L : 0L));
    }

    /** Reshape to a shape tensor (ONNX semantics: 0 copies the input dim, -1 is inferred). */
    public Value reshape(Value x, Value shape) {
        return node(Op.RESHAPE, List.of(x, shape));
    }

    /** Reshape to constant dims (0 copies the input dim, -1 is inferred). */
    public Value reshape(Value x, long... dims) {
        return reshape(x, longs(dims));
    }

    /** Permutes the axes. */
    public Value transpose(Value x, long... perm) {
        return node(Op.TRANSPOSE, List.of(x), Attr.ints("perm", perm));
    }

    /** Softmax along one axis (opset 13+ semantics). */
    public Value softmax(Value x, long axis) {
        return node(Op.SOFTMAX, List.of(x), Attr.of("axis", axis));
    }

    /** Log-softmax along one axis. */
    public Value logSoftmax(Value x, long axis) {
        return node(Op.LOG_SOFTMAX, List.of(x), Attr.of("axis", axis));
    }

    /** ONNX {@code LayerNormalization} (opset 17) over the axes from {@code axis} to the last. */
    public Value layerNorm(Value x, Value scale, Value bias, long axis, double epsilon) {
        return node(Op.LAYER_NORMALIZATION, List.of(x, scale, bias), Attr.of("axis", axis),
                Attr.of("epsilon", (float) epsilon));
    }

    /** The error function. */
    public Value erf(Value x) {
        return node(Op.ERF, List.of(x));
    }

    /** Square root. */
    public Value sqrt(Value x) {
        return node(Op.SQRT, List.of(x));
    }

    /** Exponential. */
    public Value exp(Value x) {
        return node(Op.EXP, List.of(x));
    }

    /** Natural logarithm. */
    public Value log(Value x) {
        return node(Op.LOG, List.of(x));
    }

    /** Negation. */
    public Value neg(Value x) {
        return node(Op.NEG, List.of(x));
    }

    /** Identity. */
    public Value identity(Value x) {
        return node(Op.IDENTITY, List.of(x));
    }

    /** Element type conversion. */
    public Value cast(Value x, ElementType to) {
        return node(Op.CAST, List.of(x), Attr.of("to", (long) to.code()));
    }

    /** Inserts size-1 axes (positions in the output). */
    public Value unsqueeze(Value x, long... axes) {
        return node(Op.UNSQUEEZE, List.of(x, longs(axes)));
    }

    /** Removes the given size-1 axes. */
    public Value squeeze(Value x, long... axes) {
        return node(Op.SQUEEZE, List.of(x, longs(axes)));
    }

    /** Concatenation along an axis. */
    public Value concat(long axis, Value... parts) {
        return node(Op.CONCAT, List.of(parts), Attr.of("axis", axis));
    }

    /** The shape of {@code x} as an int64 1-D tensor. */
    public Value shape(Value x) {
        return node(Op.SHAPE, List.of(x));
    }

    /** The element count of {@code x} as an int64 scalar. */
    public Value size(Value x) {
        return node(Op.SIZE, List.of(x));
    }

    /** {@code x[starts:ends]} along the given axes (step 1). */
    public Value slice(Value x, Value starts, Value ends, Value axes) {
        return node(Op.SLICE, List.of(x, starts, ends, axes));
    }

    /** {@code [start, start + delta, ...)} below {@code limit}; scalar inputs of one type. */
    public Value range(Value start, Value limit, Value delta) {
        return node(Op.RANGE, List.of(start, limit, delta));
    }

    /** Sum over constant axes. */
    public Value reduceSum(Value x, boolean keepDims, long... axes) {
        return node(Op.REDUCE_SUM, List.of(x, longs(axes)), Attr.of("keepdims", keepDims ? 1L : 0L));
    }

    /** Sum over axes given by a (possibly computed) int64 tensor; an empty axes tensor leaves {@code x} as is. */
    public Value reduceSum(Value x, Value axes, boolean keepDims) {
        return node(Op.REDUCE_SUM, List.of(x, axes), Attr.of("keepdims", keepDims ? 1L : 0L),
                Attr.of("noop_with_empty_axes", 1L));
    }

    /** Mean over axes. */
    public Value reduceMean(Value x, boolean keepDims, long... axes) {
        return node(Op.REDUCE_MEAN, List.of(x), Attr.ints("axes", axes), Attr.of("keepdims", keepDims ? 1L : 0L));
    }

    /** Maximum over axes. */
    public Value reduceMax(Value x, boolean keepDims, long... axes) {
        return node(Op.REDUCE_MAX, List.of(x), Attr.ints("axes", axes), Attr.of("keepdims", keepDims ? 1L : 0L));
    }

    /** {@code log(sum(exp(x)))} over axes (ONNX Runtime computes it with max subtraction). */
    public Value reduceLogSumExp(Value x, boolean keepDims, long... axes) {
        return node(Op.REDUCE_LOG_SUM_EXP, List.of(x), Attr.ints("axes", axes),
                Attr.of("keepdims", keepDims ? 1L : 0L));
    }

    /** {@code data} indexed along {@code axis} by {@code indices}. */
    public Value gather(Value data, Value indices, long axis) {
        return node(Op.GATHER, List.of(data, indices), Attr.of("axis", axis));
    }

    /** Element-wise gather along {@code axis} ({@code out[i][j] = data[i][idx[i][j]]} for axis 1). */
    public Value gatherElements(Value data, Value indices, long axis) {
        return node(Op.GATHER_ELEMENTS, List.of(data, indices), Attr.of("axis", axis));
    }

    /** {@code data} with {@code updates} written (or reduced) at {@code indices} of shape {@code [..., k]}. */
    public Value scatterNd(Value data, Value indices, Value updates, String reduction) {
        return node(Op.SCATTER_ND, List.of(data, indices, updates), Attr.of("reduction", reduction));
    }

    /** Element-wise scatter, inverse of {@link #gatherElements}. */
    public Value scatterElements(Value data, Value indices, Value updates, long axis, String reduction) {
        return node(Op.SCATTER_ELEMENTS, List.of(data, indices, updates), Attr.of("axis", axis),
                Attr.of("reduction", reduction));
    }

    /** {@code cond ? x : y} with broadcasting. */
    public Value where(Value cond, Value x, Value y) {
        return node(Op.WHERE, List.of(cond, x, y));
    }

    /** Broadcasts {@code x} to a shape tensor. */
    public Value expand(Value x, Value shape) {
        return node(Op.EXPAND, List.of(x, shape));
    }

    /** Element-wise equality (bool). */
    public Value equal(Value a, Value b) {
        return node(Op.EQUAL, List.of(a, b));
    }

    /** A tensor of the given shape tensor filled with {@code value} of {@code type}. */
    public Value constantOfShape(Value shape, ElementType type, double value) {
        return node(Op.CONSTANT_OF_SHAPE, List.of(shape),
                Attr.of("value", Tensors.of("value", type, new long[] {1}, new double[] {value})));
    }
}
