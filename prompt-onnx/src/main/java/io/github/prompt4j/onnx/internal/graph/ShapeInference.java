package io.github.prompt4j.onnx.internal.graph;

import ai.onnx.proto.OnnxMl;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Build-time type and shape inference for every {@link Op} (ONNX opset 17 semantics, and ONNX Runtime's contrib
 * operators).
 *
 * <p>Besides shapes it propagates "shape values": the contents of small int64 tensors computed from {@code Shape},
 * constants, {@code Concat}, {@code Gather} and {@code Unsqueeze}, as lists of {@link Dim}s, so that a
 * {@code Reshape} to a computed shape keeps symbolic dims. Outputs beyond those an operator's rule describes get the
 * first input's type and an unknown rank.
 */
final class ShapeInference {

    private final GraphBuilder graph;

    ShapeInference(GraphBuilder graph) {
        this.graph = graph;
    }

    /**
     * Types and shapes of the node's outputs, in order; records shape values of int64 outputs as a side effect. The
     * switch is exhaustive, so every {@link Op} has a rule.
     */
    List<Value> infer(Op op, OnnxMl.NodeProto node, List<Value> in) {
        ElementType t0 = in.isEmpty() ? ElementType.FLOAT : in.get(0).type();
        List<Value> out = new ArrayList<>(switch (op) {
            case IDENTITY, NEG, EXP, LOG, SQRT, ERF, RECIPROCAL, ABS, RELU, TANH, SIGMOID, SOFTMAX, LOG_SOFTMAX, NOT,
                    FLOOR, CEIL -> one(node, t0, in.get(0).shape());
            case ADD, SUB, MUL, DIV, POW, SUM, MAX, MIN -> one(node, t0, broadcast(shapes(in)));
            case EQUAL, LESS, GREATER, LESS_OR_EQUAL, GREATER_OR_EQUAL, AND, OR ->
                    one(node, ElementType.BOOL, broadcast(shapes(in)));
            case REDUCE_SUM, REDUCE_MEAN, REDUCE_MAX, REDUCE_MIN, REDUCE_LOG_SUM_EXP, REDUCE_PROD, REDUCE_L2,
                    REDUCE_SUM_SQUARE -> one(node, t0, reduce(node, in));
            case WHERE -> one(node, in.get(1).type(), broadcast(shapes(in)));
            case MAT_MUL -> one(node, t0, matMul(in.get(0).shape(), in.get(1).shape()));
            case GEMM -> one(node, t0, gemm(node, in));
            case CAST -> one(node, ElementType.fromCode((int) Attr.intOf(node, "to", 1)), in.get(0).shape());
            case SHAPE -> List.of(shapeOp(node, in.get(0)));
            case SIZE -> one(node, ElementType.INT64, Shape.scalar());
            case RESHAPE -> one(node, t0, reshape(node, in));
            case FLATTEN -> one(node, t0, flatten(node, in.get(0).shape()));
            case TRANSPOSE -> one(node, t0, transpose(node, in.get(0).shape()));
            case UNSQUEEZE -> List.of(unsqueeze(node, in));
            case SQUEEZE -> one(node, t0, squeeze(in));
            case CONCAT -> List.of(concat(node, in));
            case SPLIT -> split(node, t0, in.get(0).shape());
            case GATHER -> List.of(gather(node, in));
            case GATHER_ELEMENTS -> one(node, t0, in.get(1).shape());
            case SCATTER_ND, SCATTER_ELEMENTS -> one(node, t0, in.get(0).shape());
            case SLICE -> one(node, t0, slice(in));
            case RANGE -> one(node, t0, Shape.of(List.of(Dim.unknown())));
            case EXPAND -> one(node, t0, broadcast(List.of(in.get(0).shape(), shapeFromTensor(in.get(1)))));
            case CONSTANT_OF_SHAPE -> List.of(constantOfShape(node, in.get(0)));
            case CONSTANT -> List.of(constant(node));
            case NON_ZERO -> one(node, ElementType.INT64, in.get(0).shape().hasRank()
                    ? Shape.of(List.of(Dim.of(in.get(0).rank()), Dim.unknown())) : Shape.ofRank(2));
            case LAYER_NORMALIZATION -> layerNorm(node, in);
            // ONNX Runtime contrib operators: output 0 has the shape of input 0
            case MULTI_HEAD_ATTENTION, ATTENTION, Q_ATTENTION, SKIP_LAYER_NORMALIZATION, BIAS_GELU, GELU ->
                    one(node, ElementType.FLOAT, in.get(0).shape());
            case DYNAMIC_QUANTIZE_MAT_MUL, MAT_MUL_INTEGER_TO_FLOAT ->
                    one(node, ElementType.FLOAT, matMul(in.get(0).shape(), in.get(1).shape()));
            case QUANTIZE_LINEAR -> one(node, ElementType.UINT8, in.get(0).shape());
            case DYNAMIC_QUANTIZE_LINEAR -> List.of(v(node, 0, ElementType.UINT8, in.get(0).shape()),
                    v(node, 1, ElementType.FLOAT, Shape.scalar()), v(node, 2, ElementType.UINT8, Shape.scalar()));
        });
        for (int i = out.size(); i < node.getOutputCount(); i++) {
            out.add(v(node, i, t0, Shape.unknownRank()));
        }
        return out;
    }

    private static List<Value> one(OnnxMl.NodeProto node, ElementType type, Shape shape) {
        return List.of(v(node, 0, type, shape));
    }

    private static List<Shape> shapes(List<Value> in) {
        return in.stream().map(Value::shape).toList();
    }

    /** Equal split along the node's axis (the only Split prompt4j emits), one value per output. */
    private static List<Value> split(OnnxMl.NodeProto node, ElementType type, Shape x) {
        int parts = node.getOutputCount();
        Shape each = x;
        if (x.hasRank()) {
            int axis = (int) Attr.intOf(node, "axis", 0);
            axis = axis < 0 ? axis + x.rank() : axis;
            List<Dim> dims = new ArrayList<>(x.dims());
            Dim d = dims.get(axis);
            dims.set(axis, d.isStatic() ? Dim.of(d.size() / parts) : Dim.unknown());
            each = Shape.of(dims);
        }
        List<Value> out = new ArrayList<>();
        for (int i = 0; i < parts; i++) {
            out.add(v(node, i, type, each));
        }
        return out;
    }

    private static Value v(OnnxMl.NodeProto node, int i, ElementType t, Shape s) {
        return new Value(node.getOutput(i), t, s);
    }

    /** Numpy-style multidirectional broadcast of shapes. */
    static Shape broadcast(List<Shape> shapes) {
        int rank = 0;
        for (Shape s : shapes) {
            if (!s.hasRank()) {
                return Shape.unknownRank();
            }
            rank = Math.max(rank, s.rank());
        }
        List<Dim> dims = new ArrayList<>();
        for (int i = 0; i < rank; i++) {
            Dim acc = null;
            for (Shape s : shapes) {
                int j = i - (rank - s.rank());
                if (j < 0) {
                    continue;
                }
                Dim d = s.dims().get(j);
                acc = acc == null ? d : combine(acc, d);
            }
            dims.add(acc);
        }
        return Shape.of(dims);
    }

    private static Dim combine(Dim a, Dim b) {
        if (a.is(1)) {
            return b;
        }
        if (b.is(1) || a.sameAs(b)) {
            return a;
        }
        if (a.isStatic()) {
            return a;
        }
        if (b.isStatic()) {
            return b;
        }
        // An unknown dim broadcast against a named one is either 1 or equal to it: the result is the named one.
        if (a.isSymbolic() && !b.isSymbolic()) {
            return a;
        }
        if (b.isSymbolic() && !a.isSymbolic()) {
            return b;
        }
        return Dim.unknown();
    }

    private static Shape matMul(Shape a, Shape b) {
        if (!a.hasRank() || !b.hasRank()) {
            return Shape.unknownRank();
        }
        if (a.rank() == 1 && b.rank() == 1) {
            return Shape.scalar();
        }
        if (a.rank() == 1) {
            List<Dim> d = new ArrayList<>(b.dims().subList(0, b.rank() - 2));
            d.add(b.dim(-1));
            return Shape.of(d);
        }
        if (b.rank() == 1) {
            return Shape.of(a.dims().subList(0, a.rank() - 1));
        }
        Shape batch = broadcast(List.of(Shape.of(a.dims().subList(0, a.rank() - 2)),
                Shape.of(b.dims().subList(0, b.rank() - 2))));
        List<Dim> d = new ArrayList<>(batch.dims());
        d.add(a.dim(-2));
        d.add(b.dim(-1));
        return Shape.of(d);
    }

    private static Shape gemm(OnnxMl.NodeProto node, List<Value> in) {
        Shape a = in.get(0).shape();
        Shape b = in.get(1).shape();
        if (!a.hasRank() || !b.hasRank()) {
            return Shape.ofRank(2);
        }
        Dim m = Attr.intOf(node, "transA", 0) != 0 ? a.dim(1) : a.dim(0);
        Dim n = Attr.intOf(node, "transB", 0) != 0 ? b.dim(0) : b.dim(1);
        return Shape.of(List.of(m, n));
    }

    private Value shapeOp(OnnxMl.NodeProto node, Value x) {
        if (!x.shape().hasRank()) {
            return v(node, 0, ElementType.INT64, Shape.of(List.of(Dim.unknown())));
        }
        int r = x.rank();
        int start = (int) normalize(Attr.intOf(node, "start", 0), r);
        int end = (int) Math.min(r, normalize(Attr.intOf(node, "end", r), r));
        List<Dim> dims = x.shape().dims().subList(Math.max(0, start), Math.max(start, end));
        graph.putShapeValue(node.getOutput(0), dims);
        return v(node, 0, ElementType.INT64, Shape.of(dims.size()));
    }

    private static long normalize(long axis, int rank) {
        return axis < 0 ? axis + rank : axis;
    }

    private Shape reshape(OnnxMl.NodeProto node, List<Value> in) {
        Shape x = in.get(0).shape();
        Optional<List<Dim>> target = graph.shapeValue(in.get(1).name());
        if (target.isEmpty()) {
            return shapeFromTensor(in.get(1));
        }
        boolean allowZero = Attr.intOf(node, "allowzero", 0) != 0;
        List<Dim> dims = new ArrayList<>(target.get());
        int inferred = -1;
        for (int i = 0; i < dims.size(); i++) {
            Dim d = dims.get(i);
            if (d.is(0) && !allowZero) {
                dims.set(i, x.hasRank() && i < x.rank() ? x.dim(i) : Dim.unknown());
            } else if (d.size() == -1 && !d.isSymbolic() && isMinusOne(in.get(1), i)) {
                inferred = i;
                dims.set(i, Dim.unknown());
            }
        }
        if (inferred >= 0 && x.isStatic()) {
            long total = Arrays.stream(x.sizes()).reduce(1, (p, q) -> p * q);
            long rest = 1;
            boolean known = true;
            for (int i = 0; i < dims.size(); i++) {
                if (i != inferred) {
                    known &= dims.get(i).isStatic();
                    rest *= Math.max(1, dims.get(i).size());
                }
            }
            if (known && rest > 0) {
                dims.set(inferred, Dim.of(total / rest));
            }
        }
        return Shape.of(dims);
    }

    private boolean isMinusOne(Value shapeTensor, int i) {
        return graph.longConstant(shapeTensor.name()).map(v -> v[i] == -1).orElse(false);
    }

    private Shape shapeFromTensor(Value shapeTensor) {
        Optional<List<Dim>> sv = graph.shapeValue(shapeTensor.name());
        if (sv.isPresent()) {
            return Shape.of(sv.get());
        }
        Shape s = shapeTensor.shape();
        if (s.hasRank() && s.rank() == 1 && s.dim(0).isStatic()) {
            return Shape.ofRank((int) s.dim(0).size());
        }
        return Shape.unknownRank();
    }

    private static Shape flatten(OnnxMl.NodeProto node, Shape x) {
        if (!x.hasRank()) {
            return Shape.ofRank(2);
        }
        int axis = (int) normalize(Attr.intOf(node, "axis", 1), x.rank());
        return Shape.of(List.of(product(x.dims().subList(0, axis)), product(x.dims().subList(axis, x.rank()))));
    }

    private static Dim product(List<Dim> dims) {
        long p = 1;
        for (Dim d : dims) {
            if (!d.isStatic()) {
                return dims.size() == 1 ? d : Dim.unknown();
            }
            p *= d.size();
        }
        return Dim.of(p);
    }

    private static Shape transpose(OnnxMl.NodeProto node, Shape x) {
        if (!x.hasRank()) {
            return x;
        }
        long[] perm = Attr.intsOf(node, "perm").orElseGet(() -> reversed(x.rank()));
        List<Dim> d = new ArrayList<>();
        for (long p : perm) {
            d.add(x.dim((int) p));
        }
        return Shape.of(d);
    }

    static long[] reversed(int rank) {
        long[] p = new long[rank];
        for (int i = 0; i < rank; i++) {
            p[i] = rank - 1 - i;
        }
        return p;
    }

    private Value unsqueeze(OnnxMl.NodeProto node, List<Value> in) {
        Shape x = in.get(0).shape();
        Optional<long[]> axes = in.size() > 1 ? graph.longConstant(in.get(1).name()) : Attr.intsOf(node, "axes");
        if (!x.hasRank() || axes.isEmpty()) {
            return v(node, 0, in.get(0).type(), Shape.unknownRank());
        }
        int r = x.rank() + axes.get().length;
        TreeSet<Long> set = new TreeSet<>();
        for (long a : axes.get()) {
            set.add(normalize(a, r));
        }
        List<Dim> d = new ArrayList<>();
        int j = 0;
        for (int i = 0; i < r; i++) {
            d.add(set.contains((long) i) ? Dim.of(1) : x.dim(j++));
        }
        Optional<List<Dim>> sv = graph.shapeValue(in.get(0).name());
        if (sv.isPresent() && x.rank() == 0 && r == 1) {
            graph.putShapeValue(node.getOutput(0), sv.get());
        }
        return v(node, 0, in.get(0).type(), Shape.of(d));
    }

    private Shape squeeze(List<Value> in) {
        Shape x = in.get(0).shape();
        if (!x.hasRank()) {
            return x;
        }
        Optional<long[]> axes = in.size() > 1 ? graph.longConstant(in.get(1).name()) : Optional.empty();
        Set<Long> set = new TreeSet<>();
        if (axes.isPresent()) {
            for (long a : axes.get()) {
                set.add(normalize(a, x.rank()));
            }
        } else {
            for (int i = 0; i < x.rank(); i++) {
                if (!x.dim(i).isStatic()) {
                    return Shape.unknownRank();
                }
                if (x.dim(i).is(1)) {
                    set.add((long) i);
                }
            }
        }
        List<Dim> d = new ArrayList<>();
        for (int i = 0; i < x.rank(); i++) {
            if (!set.contains((long) i)) {
                d.add(x.dim(i));
            }
        }
        return Shape.of(d);
    }

    private Value concat(OnnxMl.NodeProto node, List<Value> in) {
        Shape first = in.get(0).shape();
        ElementType t = in.get(0).type();
        List<Dim> sv = new ArrayList<>();
        boolean allKnown = true;
        for (Value x : in) {
            Optional<List<Dim>> s = graph.shapeValue(x.name());
            if (s.isPresent()) {
                sv.addAll(s.get());
            } else {
                allKnown = false;
            }
        }
        if (allKnown && t == ElementType.INT64) {
            graph.putShapeValue(node.getOutput(0), sv);
        }
        if (!first.hasRank()) {
            return v(node, 0, t, first);
        }
        int axis = (int) normalize(Attr.intOf(node, "axis", 0), first.rank());
        List<Dim> d = new ArrayList<>(first.dims());
        long sum = 0;
        for (Value x : in) {
            if (!x.shape().hasRank() || !x.shape().dim(axis).isStatic()) {
                sum = -1;
                break;
            }
            sum += x.shape().dim(axis).size();
        }
        d.set(axis, sum >= 0 ? Dim.of(sum) : Dim.unknown());
        return v(node, 0, t, Shape.of(d));
    }

    private Value gather(OnnxMl.NodeProto node, List<Value> in) {
        Shape data = in.get(0).shape();
        Shape idx = in.get(1).shape();
        ElementType t = in.get(0).type();
        if (!data.hasRank() || !idx.hasRank()) {
            return v(node, 0, t, Shape.unknownRank());
        }
        int axis = (int) normalize(Attr.intOf(node, "axis", 0), data.rank());
        List<Dim> d = new ArrayList<>(data.dims().subList(0, axis));
        d.addAll(idx.dims());
        d.addAll(data.dims().subList(axis + 1, data.rank()));
        Optional<List<Dim>> sv = graph.shapeValue(in.get(0).name());
        Optional<long[]> ix = graph.longConstant(in.get(1).name());
        if (sv.isPresent() && ix.isPresent() && data.rank() == 1) {
            List<Dim> picked = new ArrayList<>();
            for (long i : ix.get()) {
                picked.add(sv.get().get((int) normalize(i, sv.get().size())));
            }
            graph.putShapeValue(node.getOutput(0), picked);
        }
        return v(node, 0, t, Shape.of(d));
    }

    private Shape slice(List<Value> in) {
        Shape x = in.get(0).shape();
        if (!x.hasRank()) {
            return x;
        }
        List<Dim> d = new ArrayList<>(x.dims());
        Optional<long[]> axes = in.size() > 3 ? graph.longConstant(in.get(3).name()) : Optional.empty();
        if (in.size() > 3 && axes.isEmpty()) {
            return Shape.ofRank(x.rank());
        }
        long[] ax = axes.orElseGet(() -> {
            long[] all = new long[x.rank()];
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
            }
            return all;
        });
        for (long a : ax) {
            d.set((int) normalize(a, x.rank()), Dim.unknown());
        }
        return Shape.of(d);
    }

    private Shape reduce(OnnxMl.NodeProto node, List<Value> in) {
        Shape x = in.get(0).shape();
        boolean keep = Attr.intOf(node, "keepdims", 1) != 0;
        if (!x.hasRank()) {
            return x;
        }
        Optional<long[]> axes = reduceAxes(graph, node, in);
        if (axes.isEmpty()) {
            return keep ? Shape.ofRank(x.rank()) : Shape.unknownRank();
        }
        Set<Long> set = new TreeSet<>();
        for (long a : axes.get()) {
            set.add(normalize(a, x.rank()));
        }
        List<Dim> d = new ArrayList<>();
        for (int i = 0; i < x.rank(); i++) {
            if (!set.contains((long) i)) {
                d.add(x.dim(i));
            } else if (keep) {
                d.add(Dim.of(1));
            }
        }
        return Shape.of(d);
    }

    /**
     * The reduced axes of a Reduce* node (attribute or second input), all axes when none are given (and
     * {@code noop_with_empty_axes} is 0); empty when they are computed at run time. Axes may be negative.
     */
    static Optional<long[]> reduceAxes(GraphBuilder graph, OnnxMl.NodeProto node, List<Value> in) {
        Optional<long[]> axes;
        if (in.size() > 1 && !in.get(1).name().isEmpty()) {
            axes = graph.longConstant(in.get(1).name());
            if (axes.isEmpty()) {
                return Optional.empty();
            }
        } else {
            axes = Attr.intsOf(node, "axes");
        }
        if (axes.isEmpty() || axes.get().length == 0) {
            if (Attr.intOf(node, "noop_with_empty_axes", 0) != 0) {
                return Optional.of(new long[0]);
            }
            Shape x = in.get(0).shape();
            if (!x.hasRank()) {
                return Optional.empty();
            }
            return Optional.of(reversedAll(x.rank()));
        }
        return axes;
    }

    private static long[] reversedAll(int rank) {
        long[] all = new long[rank];
        for (int i = 0; i < rank; i++) {
            all[i] = i;
        }
        return all;
    }

    private Value constantOfShape(OnnxMl.NodeProto node, Value shape) {
        ElementType t = Attr.find(node, "value").map(a -> ElementType.fromCode(a.getT().getDataType()))
                .orElse(ElementType.FLOAT);
        return v(node, 0, t, shapeFromTensor(shape));
    }

    private Value constant(OnnxMl.NodeProto node) {
        OnnxMl.TensorProto t = Attr.find(node, "value").map(OnnxMl.AttributeProto::getT).orElseThrow(
                () -> new IllegalArgumentException("Constant node '" + node.getName()
                        + "' must carry a 'value' tensor attribute"));
        graph.putConstant(node.getOutput(0), t);
        return v(node, 0, ElementType.fromCode(t.getDataType()), Shape.of(Tensors.dims(t)));
    }

    private static List<Value> layerNorm(OnnxMl.NodeProto node, List<Value> in) {
        Value x = in.get(0);
        List<Value> out = new ArrayList<>();
        out.add(v(node, 0, x.type(), x.shape()));
        if (node.getOutputCount() > 1) {
            Shape stat = Shape.unknownRank();
            if (x.shape().hasRank()) {
                int axis = (int) normalize(Attr.intOf(node, "axis", -1), x.rank());
                List<Dim> d = new ArrayList<>(x.shape().dims());
                for (int i = axis; i < d.size(); i++) {
                    d.set(i, Dim.of(1));
                }
                stat = Shape.of(d);
            }
            for (int i = 1; i < node.getOutputCount(); i++) {
                out.add(v(node, i, x.type(), stat));
            }
        }
        return out;
    }
}
