package io.github.prompt4j.onnx.internal.autodiff;

import ai.onnx.proto.OnnxMl;
import io.github.prompt4j.onnx.internal.graph.Dim;
import io.github.prompt4j.onnx.internal.graph.GraphBuilder;
import io.github.prompt4j.onnx.internal.graph.Op;
import io.github.prompt4j.onnx.internal.graph.Shape;
import io.github.prompt4j.onnx.internal.graph.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * General reverse-mode differentiation of ONNX graphs (default domain, opset 17): appends to a graph the nodes that
 * compute the gradient of {@code sum(objective)} with respect to chosen graph inputs, and exposes each gradient as a
 * new graph output {@code <input>_grad}.
 *
 * <p>Only nodes on a path from a wrt input to the objective are differentiated (values computed from initializers,
 * integer tensors and inputs not asked for carry no gradient); the forward values the rules need are reused, not
 * recomputed. Every operator on such a path needs a rule in the {@link GradientRegistry}; a missing one is an
 * {@link IllegalArgumentException} naming the operator and the node. Rules of broadcasting operators return an
 * input's gradient in the broadcast shape; the differentiator sums it back to the input's shape (ReduceSum over the
 * broadcast axes, then Reshape) once, as the rule reports it, and only where the shapes differ. A wrt input that
 * does not influence the objective gets a zero gradient.
 *
 * <p>Immutable and thread-safe; the graphs it extends are not.
 */
public final class Differentiator {

    private static final Logger log = LoggerFactory.getLogger(Differentiator.class);

    private final GradientRegistry registry;

    private Differentiator(GradientRegistry registry) {
        this.registry = registry;
    }

    /** A differentiator with {@link GradientRegistry#standard()} rules. */
    public static Differentiator standard() {
        return new Differentiator(GradientRegistry.standard());
    }

    /** A differentiator with the given rules. */
    public static Differentiator using(GradientRegistry registry) {
        return new Differentiator(registry);
    }

    /**
     * What differentiation added to a graph.
     *
     * @param gradients gradient output value per wrt input name (the outputs are named {@code <input>_grad})
     * @param addedNodes number of nodes appended
     */
    public record Result(Map<String, Value> gradients, int addedNodes) {

        public Result {
            gradients = Map.copyOf(gradients);
        }
    }

    /**
     * Returns a copy of {@code model} whose graph also outputs {@code <input>_grad} for each {@code wrt} input:
     * the gradient of the sum of all elements of {@code objective}.
     *
     * @param model a model importing the default domain at opset 17
     * @param objective name of a floating-point value of the graph
     * @param wrt names of floating-point graph inputs (not initializers)
     * @throws IllegalArgumentException for unknown names, non-float values, another opset, or an operator without
     *     a rule on a path from {@code wrt} to {@code objective}
     */
    public OnnxMl.ModelProto differentiate(OnnxMl.ModelProto model, String objective, List<String> wrt) {
        for (OnnxMl.OperatorSetIdProto o : model.getOpsetImportList()) {
            if ((o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) && o.getVersion() != GraphBuilder.OPSET) {
                throw new IllegalArgumentException("the differentiator emits opset " + GraphBuilder.OPSET
                        + " operators but the model imports opset " + o.getVersion()
                        + "; convert the model to opset " + GraphBuilder.OPSET);
            }
        }
        GraphBuilder g = GraphBuilder.from(model.getGraph());
        differentiate(g, objective, wrt);
        return model.toBuilder().setGraph(g.build()).build();
    }

    /**
     * Appends gradient nodes and outputs to {@code graph} (see {@link #differentiate(OnnxMl.ModelProto, String,
     * List)}).
     */
    public Result differentiate(GraphBuilder graph, String objective, List<String> wrt) {
        Value obj = graph.value(objective);
        if (!obj.type().isFloating()) {
            throw new IllegalArgumentException("objective '" + objective + "' is " + obj.type()
                    + "; it must be a floating-point value");
        }
        Set<String> inputNames = new HashSet<>();
        graph.inputs().forEach(v -> inputNames.add(v.name()));
        for (String w : wrt) {
            if (!inputNames.contains(w)) {
                throw new IllegalArgumentException("'" + w + "' is not a graph input; gradients are taken with respect"
                        + " to graph inputs " + inputNames);
            }
            if (!graph.value(w).type().isFloating()) {
                throw new IllegalArgumentException("graph input '" + w + "' is " + graph.value(w).type()
                        + "; only floating-point inputs have gradients");
            }
            if (graph.has(w + "_grad")) {
                throw new IllegalArgumentException("graph already has a value named '" + w + "_grad'");
            }
        }
        List<OnnxMl.NodeProto> forward = graph.nodes();
        int before = forward.size();

        Set<String> fromWrt = new HashSet<>(wrt);
        for (OnnxMl.NodeProto n : forward) {
            if (n.getInputList().stream().anyMatch(fromWrt::contains)) {
                for (String o : n.getOutputList()) {
                    if (!o.isEmpty() && graph.value(o).type().isFloating()) {
                        fromWrt.add(o);
                    }
                }
            }
        }

        Map<String, Value> grads = new HashMap<>();
        graph.scope("grad");
        if (fromWrt.contains(objective)) {
            grads.put(objective, graph.constantOfShape(graph.shape(obj), obj.type(), 1.0));
        }
        for (int k = forward.size() - 1; k >= 0; k--) {
            OnnxMl.NodeProto n = forward.get(k);
            if (n.getOutputList().stream().noneMatch(grads::containsKey)) {
                continue;
            }
            Op op = Op.of(n);
            GradientRule rule = registry.rule(op).orElseThrow(() -> new IllegalArgumentException(
                    "no gradient rule for operator " + op + " (node '" + n.getName() + "') on the path from " + wrt
                            + " to '" + objective + "'; add one with GradientRegistry.with(Op." + op.name()
                            + ", rule)"));
            NodeContext ctx = new NodeContext(graph, op, n, grads, fromWrt);
            rule.apply(ctx);
            for (int i = 0; i < n.getInputCount(); i++) {
                if (!ctx.needsGradient(i)) {
                    continue;
                }
                Value gi = ctx.results.get(i);
                if (gi == null) {
                    throw new IllegalStateException("gradient rule for " + op + " (node '" + n.getName()
                            + "') did not produce the gradient of input " + i + " ('" + n.getInput(i) + "')");
                }
                grads.merge(n.getInput(i), gi, graph::add);
            }
        }

        Map<String, Value> result = new LinkedHashMap<>();
        Map<String, String> renamed = new HashMap<>();
        for (String w : wrt) {
            Value x = graph.value(w);
            Value gw = grads.get(w);
            if (gw == null) {
                gw = graph.constantOfShape(graph.shape(x), x.type(), 0.0);
            }
            String current = renamed.getOrDefault(gw.name(), gw.name());
            Value out;
            if (renamed.containsKey(gw.name()) || !graph.has(current) || graph.isInitializer(current)
                    || graph.inputs().stream().anyMatch(v -> v.name().equals(current))) {
                out = graph.output(graph.identity(graph.value(current)), w + "_grad");
            } else {
                out = graph.output(graph.value(current), w + "_grad");
                renamed.put(gw.name(), out.name());
            }
            result.put(w, out);
        }
        graph.scope("");
        int added = graph.nodeCount() - before;
        log.debug("differentiated '{}' with respect to {}: {} gradient nodes", objective, wrt, added);
        return new Result(result, added);
    }

    /**
     * The gradient {@code grad} of input {@code i} of {@code node}, summed back to that input's shape over the axes
     * the operator broadcast it along (the un-broadcast every broadcasting rule needs, done here once, as in
     * tinygrad's {@code compute_gradient}). Adds nothing when the gradient already has the input's build-time shape
     * or the operator does not broadcast that input.
     */
    private static Value sumToInput(GraphBuilder graph, Op op, OnnxMl.NodeProto node, int i, Value grad) {
        Value input = graph.value(node.getInput(i));
        if (sameShape(grad.shape(), input.shape())) {
            return grad;
        }
        Shape out = graph.value(node.getOutput(0)).shape();
        return switch (op.broadcast()) {
            case NONE -> grad;
            case ELEMENTWISE -> unbroadcast(graph, node, grad, out, input);
            case BIAS -> i == 2 ? unbroadcast(graph, node, grad, out, input) : grad;
            case BATCH -> {
                if (!out.hasRank() || out.rank() < 2 || !input.shape().hasRank() || input.rank() < 2) {
                    yield grad;
                }
                List<Dim> d = new ArrayList<>(out.dims().subList(0, out.rank() - 2));
                d.add(input.shape().dim(-2));
                d.add(input.shape().dim(-1));
                yield unbroadcast(graph, node, grad, Shape.of(d), input);
            }
        };
    }

    private static boolean sameShape(Shape a, Shape b) {
        if (!a.hasRank() || !b.hasRank() || a.rank() != b.rank()) {
            return false;
        }
        for (int i = 0; i < a.rank(); i++) {
            if (!a.dim(i).sameAs(b.dim(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Sums {@code grad}, of shape {@code gradShape} (a broadcast of {@code target}'s shape), back to
     * {@code target}'s shape: ReduceSum over the broadcast axes, then Reshape. Decided from the build-time shapes
     * where they are certain, else computed at run time from {@code Shape} of both.
     */
    private static Value unbroadcast(GraphBuilder graph, OnnxMl.NodeProto node, Value grad, Shape gradShape,
            Value target) {
        Shape t = target.shape();
        if (!gradShape.hasRank() || !t.hasRank()) {
            throw new IllegalArgumentException("cannot un-broadcast the gradient of '" + target.name()
                    + "' at node '" + node.getName() + "': ranks unknown (" + gradShape + " vs " + t + ")");
        }
        int r = gradShape.rank();
        int tr = t.rank();
        if (tr > r) {
            throw new IllegalArgumentException("gradient of '" + target.name() + "' at node '" + node.getName()
                    + "' has rank " + r + " below the value's rank " + tr);
        }
        List<Long> axes = new ArrayList<>();
        boolean certain = true;
        for (int i = 0; i < r; i++) {
            int j = i - (r - tr);
            if (j < 0) {
                axes.add((long) i);
                continue;
            }
            Dim td = t.dim(j);
            Dim od = gradShape.dim(i);
            if (td.is(1)) {
                if (!od.is(1)) {
                    axes.add((long) i);
                }
            } else if (!td.isStatic() && !td.sameAs(od)) {
                certain = false;
            }
        }
        if (!certain) {
            return dynamicUnbroadcast(graph, grad, r, target, tr);
        }
        if (axes.isEmpty() && r == tr) {
            return grad;
        }
        Value reduced = axes.isEmpty() ? grad
                : graph.reduceSum(grad, true, axes.stream().mapToLong(Long::longValue).toArray());
        return r == tr ? reduced : graph.reshape(reduced, shapeOf(graph, target));
    }

    private static Value dynamicUnbroadcast(GraphBuilder graph, Value grad, int r, Value target, int tr) {
        Value ts = graph.shape(target);
        Value padded = ts;
        if (r > tr) {
            long[] ones = new long[r - tr];
            Arrays.fill(ones, 1);
            padded = graph.concat(0, graph.longs(ones), ts);
        }
        Value differs = graph.node(Op.NOT, List.of(graph.equal(padded, graph.shape(grad))));
        Value axes = graph.reshape(graph.node(Op.NON_ZERO, List.of(differs)), -1);
        return graph.reshape(graph.reduceSum(grad, axes, true), ts);
    }

    /** The shape of {@code x} as an int64 tensor: a constant when static, else a {@code Shape} node. */
    private static Value shapeOf(GraphBuilder graph, Value x) {
        return x.shape().isStatic() ? graph.longs(x.shape().sizes()) : graph.shape(x);
    }

    /**
     * The per-node view handed to rules; each gradient a rule reports is summed back to its input's shape as it is
     * reported (so the un-broadcast nodes follow the nodes of that gradient).
     */
    private static final class NodeContext implements GradientContext {

        private final GraphBuilder graph;
        private final Op op;
        private final OnnxMl.NodeProto node;
        private final Map<String, Value> grads;
        private final Set<String> fromWrt;
        private final Map<Integer, Value> results = new HashMap<>();

        NodeContext(GraphBuilder graph, Op op, OnnxMl.NodeProto node, Map<String, Value> grads,
                Set<String> fromWrt) {
            this.graph = graph;
            this.op = op;
            this.node = node;
            this.grads = grads;
            this.fromWrt = fromWrt;
        }

        @Override
        public OnnxMl.NodeProto node() {
            return node;
        }

        @Override
        public int inputCount() {
            return node.getInputCount();
        }

        @Override
        public Value input(int i) {
            return graph.value(node.getInput(i));
        }

        @Override
        public Value output(int i) {
            return graph.value(node.getOutput(i));
        }

        @Override
        public Optional<Value> outputGradient(int i) {
            return i < node.getOutputCount() ? Optional.ofNullable(grads.get(node.getOutput(i))) : Optional.empty();
        }

        @Override
        public Value outputGradient() {
            return outputGradient(0).orElseThrow(() -> new IllegalStateException("output 0 of " + node.getOpType()
                    + " node '" + node.getName() + "' does not reach the objective"));
        }

        @Override
        public boolean needsGradient(int i) {
            return i < node.getInputCount() && !node.getInput(i).isEmpty() && fromWrt.contains(node.getInput(i));
        }

        @Override
        public void setGradient(int i, Value gradient) {
            if (!needsGradient(i)) {
                throw new IllegalStateException("input " + i + " of node '" + node.getName()
                        + "' needs no gradient");
            }
            results.put(i, sumToInput(graph, op, node, i, gradient));
        }

        @Override
        public GraphBuilder graph() {
            return graph;
        }

        @Override
        public Value scalar(double value) {
            return graph.scalar(output(0).type(), value);
        }

        @Override
        public Value shapeOf(Value x) {
            return Differentiator.shapeOf(graph, x);
        }
    }
}
