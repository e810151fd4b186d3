package io.github.prompt4j.onnx.internal.autodiff;

import ai.onnx.proto.OnnxMl;
import io.github.prompt4j.onnx.internal.graph.Attr;
import io.github.prompt4j.onnx.internal.graph.Dim;
import io.github.prompt4j.onnx.internal.graph.ElementType;
import io.github.prompt4j.onnx.internal.graph.GraphBuilder;
import io.github.prompt4j.onnx.internal.graph.Op;
import io.github.prompt4j.onnx.internal.graph.Value;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The gradient rules prompt4j ships, one per operator. Formulas are the standard ones (e.g. Griewank & Walther,
 * "Evaluating Derivatives", 2008); the comments give each in math form with {@code g} the output gradient. Rules
 * of broadcasting operators ({@link Op#broadcast()}) give an input's gradient in the shape the input was broadcast
 * to; the {@link Differentiator} sums it back.
 */
final class StandardRules {

    private StandardRules() {
    }

    static void registerAll(Map<Op, GradientRule> m) {
        m.put(Op.IDENTITY, c -> c.gradient(0, c::outputGradient));
        m.put(Op.NEG, c -> c.gradient(0, () -> c.graph().neg(c.outputGradient())));
        // d exp(x) = exp(x) = y
        m.put(Op.EXP, c -> c.gradient(0, () -> c.graph().mul(c.outputGradient(), c.output(0))));
        m.put(Op.LOG, c -> c.gradient(0, () -> c.graph().div(c.outputGradient(), c.input(0))));
        // d sqrt(x) = 1 / (2 y)
        m.put(Op.SQRT, c -> c.gradient(0, () -> c.graph().div(c.outputGradient(),
                c.graph().mul(c.output(0), c.scalar(2)))));
        // d (1/x) = -y^2
        m.put(Op.RECIPROCAL, c -> c.gradient(0, () -> c.graph().neg(c.graph().mul(c.outputGradient(),
                c.graph().mul(c.output(0), c.output(0))))));
        // d erf(x) = 2/sqrt(pi) exp(-x^2)
        m.put(Op.ERF, c -> c.gradient(0, () -> {
            GraphBuilder g = c.graph();
            Value x = c.input(0);
            Value dens = g.mul(g.exp(g.neg(g.mul(x, x))), c.scalar(2.0 / Math.sqrt(Math.PI)));
            return g.mul(c.outputGradient(), dens);
        }));
        m.put(Op.CAST, StandardRules::cast);
        // y = sum_i x_i: dx_i = g (the differentiator sums it over the axes x_i was broadcast along, as for every
        // broadcasting operator below)
        GradientRule sum = c -> {
            for (int i = 0; i < c.inputCount(); i++) {
                c.gradient(i, c::outputGradient);
            }
        };
        m.put(Op.ADD, sum);
        m.put(Op.SUM, sum);
        m.put(Op.SUB, c -> {
            c.gradient(0, c::outputGradient);
            c.gradient(1, () -> c.graph().neg(c.outputGradient()));
        });
        m.put(Op.MUL, c -> {
            GraphBuilder g = c.graph();
            c.gradient(0, () -> g.mul(c.outputGradient(), c.input(1)));
            c.gradient(1, () -> g.mul(c.outputGradient(), c.input(0)));
        });
        // y = a / b: da = g / b, db = -g y / b
        m.put(Op.DIV, c -> {
            GraphBuilder g = c.graph();
            c.gradient(0, () -> g.div(c.outputGradient(), c.input(1)));
            c.gradient(1, () -> g.neg(g.div(g.mul(c.outputGradient(), c.output(0)), c.input(1))));
        });
        m.put(Op.WHERE, c -> {
            GraphBuilder g = c.graph();
            Value zero = c.scalar(0);
            c.gradient(1, () -> g.where(c.input(0), c.outputGradient(), zero));
            c.gradient(2, () -> g.where(c.input(0), zero, c.outputGradient()));
        });
        m.put(Op.EXPAND, c -> c.gradient(0, c::outputGradient));
        GradientRule reshapeBack = c -> c.gradient(0, () -> c.graph().reshape(c.outputGradient(),
                c.shapeOf(c.input(0))));
        m.put(Op.RESHAPE, reshapeBack);
        m.put(Op.SQUEEZE, reshapeBack);
        m.put(Op.UNSQUEEZE, reshapeBack);
        m.put(Op.FLATTEN, reshapeBack);
        m.put(Op.TRANSPOSE, StandardRules::transpose);
        m.put(Op.MAT_MUL, StandardRules::matMul);
        m.put(Op.GEMM, StandardRules::gemm);
        // y = softmax(x): dx = y (g - sum(g y))
        m.put(Op.SOFTMAX, c -> c.gradient(0, () -> {
            GraphBuilder g = c.graph();
            long axis = Attr.intOf(c.node(), "axis", -1);
            Value y = c.output(0);
            Value s = g.reduceSum(g.mul(c.outputGradient(), y), true, axis);
            return g.mul(y, g.sub(c.outputGradient(), s));
        }));
        // y = log softmax(x): dx = g - exp(y) sum(g)
        m.put(Op.LOG_SOFTMAX, c -> c.gradient(0, () -> {
            GraphBuilder g = c.graph();
            long axis = Attr.intOf(c.node(), "axis", -1);
            Value s = g.reduceSum(c.outputGradient(), true, axis);
            return g.sub(c.outputGradient(), g.mul(g.exp(c.output(0)), s));
        }));
        m.put(Op.LAYER_NORMALIZATION, StandardRules::layerNorm);
        m.put(Op.GATHER, StandardRules::gather);
        m.put(Op.GATHER_ELEMENTS, c -> c.gradient(0, () -> {
            GraphBuilder g = c.graph();
            Value data = c.input(0);
            Value zeros = g.constantOfShape(c.shapeOf(data), data.type(), 0);
            return g.scatterElements(zeros, c.input(1), c.outputGradient(), Attr.intOf(c.node(), "axis", 0),
                    "add");
        }));
        m.put(Op.CONCAT, StandardRules::concat);
        m.put(Op.REDUCE_SUM, c -> reduce(c, Kind.SUM));
        m.put(Op.REDUCE_MEAN, c -> reduce(c, Kind.MEAN));
        m.put(Op.REDUCE_MAX, c -> reduce(c, Kind.MAX));
        m.put(Op.REDUCE_LOG_SUM_EXP, c -> reduce(c, Kind.LOG_SUM_EXP));
    }

    private static void cast(GradientContext c) {
        c.gradient(0, () -> {
            ElementType from = c.input(0).type();
            return from == c.output(0).type() ? c.outputGradient() : c.graph().cast(c.outputGradient(), from);
        });
    }

    private static void transpose(GradientContext c) {
        c.gradient(0, () -> {
            int r = c.input(0).rank();
            long[] perm = Attr.intsOf(c.node(), "perm").orElseGet(() -> {
                long[] p = new long[r];
                for (int i = 0; i < r; i++) {
                    p[i] = r - 1 - i;
                }
                return p;
            });
            return c.graph().transpose(c.outputGradient(), inverse(perm));
        });
    }

    private static long[] inverse(long[] perm) {
        long[] inv = new long[perm.length];
        for (int i = 0; i < perm.length; i++) {
            inv[(int) perm[i]] = i;
        }
        return inv;
    }

    private static long[] swapLastTwo(int rank) {
        long[] p = new long[rank];
        for (int i = 0; i < rank; i++) {
            p[i] = i;
        }
        p[rank - 1] = rank - 2;
        p[rank - 2] = rank - 1;
        return p;
    }

    /**
     * y = a @ b. da = g @ b^T, db = a^T @ g, in the broadcast batch dims (the differentiator sums them back). A
     * 2-D weight {@code b} with static sizes is handled on flattened rows with Gemm (transB / transA flags), so no
     * transposed copy of the weight is ever materialised and db comes out summed over the rows.
     */
    private static void matMul(GradientContext c) {
        GraphBuilder g = c.graph();
        Value a = c.input(0);
        Value b = c.input(1);
        Value gy = c.outputGradient();
        if (a.rank() < 2 || b.rank() < 2) {
            throw new IllegalArgumentException("MatMul gradient supports operands of rank >= 2; node '"
                    + c.node().getName() + "' has ranks " + a.rank() + " and " + b.rank()
                    + "; Unsqueeze 1-D operands first");
        }
        boolean flatWeight = b.rank() == 2 && b.shape().isStatic();
        c.gradient(0, () -> {
            if (flatWeight) {
                long n = b.shape().dim(1).size();
                if (a.rank() == 2) {
                    return g.gemm(gy, b, Optional.empty(), 1f, 1f, false, true);
                }
                Value rows = g.gemm(g.reshape(gy, -1, n), b, Optional.empty(), 1f, 1f, false, true);
                return g.reshape(rows, c.shapeOf(a));
            }
            return g.matMul(gy, g.transpose(b, swapLastTwo(b.rank())));
        });
        c.gradient(1, () -> {
            if (flatWeight) {
                long k = b.shape().dim(0).size();
                long n = b.shape().dim(1).size();
                Value a2 = a.rank() == 2 ? a : g.reshape(a, -1, k);
                Value g2 = a.rank() == 2 ? gy : g.reshape(gy, -1, n);
                return g.gemm(a2, g2, Optional.empty(), 1f, 1f, true, false);
            }
            return g.matMul(g.transpose(a, swapLastTwo(a.rank())), gy);
        });
    }

    /** y = alpha op(a) op(b) + beta c; see the derivation per transpose flag in the code. */
    private static void gemm(GradientContext c) {
        GraphBuilder g = c.graph();
        OnnxMl.NodeProto n = c.node();
        float alpha = Attr.floatOf(n, "alpha", 1f);
        float beta = Attr.floatOf(n, "beta", 1f);
        boolean ta = Attr.intOf(n, "transA", 0) != 0;
        boolean tb = Attr.intOf(n, "transB", 0) != 0;
        Value a = c.input(0);
        Value b = c.input(1);
        Value gy = c.outputGradient();
        Optional<Value> none = Optional.empty();
        // op(a) = a: da = g op(b)^T;  op(a) = a^T: da = op(b) g^T
        c.gradient(0, () -> ta ? g.gemm(b, gy, none, alpha, 1f, tb, true) : g.gemm(gy, b, none, alpha, 1f, false, !tb));
        // op(b) = b: db = op(a)^T g;  op(b) = b^T: db = g^T op(a)
        c.gradient(1, () -> tb ? g.gemm(gy, a, none, alpha, 1f, true, ta) : g.gemm(a, gy, none, alpha, 1f, !ta, false));
        if (c.inputCount() > 2) {
            c.gradient(2, () -> beta == 1f ? gy : g.mul(gy, c.scalar(beta)));
        }
    }

    /**
     * y = xhat * scale + bias with xhat = (x - mean) / sqrt(var + eps) over the axes from {@code axis} on.
     * dx = invstd (gxhat - mean(gxhat) - xhat mean(gxhat xhat)) with gxhat = g scale; mean and invstd are
     * recomputed (a few element-wise nodes) rather than taken from the optional outputs, whose element type
     * depends on {@code stash_type}.
     */
    private static void layerNorm(GradientContext c) {
        if (c.outputGradient(1).isPresent() || c.outputGradient(2).isPresent()) {
            throw new IllegalArgumentException("LayerNormalization node '" + c.node().getName()
                    + "': gradients through its Mean/InvStdDev outputs are not supported");
        }
        GraphBuilder g = c.graph();
        Value x = c.input(0);
        Value scale = c.input(1);
        int r = x.rank();
        int axis = (int) Attr.intOf(c.node(), "axis", -1);
        axis = axis < 0 ? axis + r : axis;
        long[] axes = new long[r - axis];
        for (int i = axis; i < r; i++) {
            axes[i - axis] = i;
        }
        long[] lead = new long[axis];
        for (int i = 0; i < axis; i++) {
            lead[i] = i;
        }
        double eps = Attr.floatOf(c.node(), "epsilon", 1e-5f);
        Value gy = c.outputGradient();
        Value xc = g.sub(x, g.reduceMean(x, true, axes));
        Value var = g.reduceMean(g.mul(xc, xc), true, axes);
        Value invStd = g.div(c.scalar(1), g.sqrt(g.add(var, c.scalar(eps))));
        Value xhat = g.mul(xc, invStd);
        c.gradient(0, () -> {
            Value gxhat = g.mul(gy, scale);
            Value m1 = g.reduceMean(gxhat, true, axes);
            Value m2 = g.reduceMean(g.mul(gxhat, xhat), true, axes);
            return g.mul(invStd, g.sub(g.sub(gxhat, m1), g.mul(xhat, m2)));
        });
        c.gradient(1, () -> lead.length == 0 ? g.mul(gy, xhat) : g.reduceSum(g.mul(gy, xhat), false, lead));
        if (c.inputCount() > 2) {
            c.gradient(2, () -> lead.length == 0 ? gy : g.reduceSum(gy, false, lead));
        }
    }

    /**
     * y = data gathered along {@code axis}: ddata = zeros with g scatter-added (ScatterND, reduction add, so
     * repeated indices accumulate) at the indices, after moving {@code axis} to the front. Indices must be
     * non-negative.
     */
    private static void gather(GradientContext c) {
        c.gradient(0, () -> {
            GraphBuilder g = c.graph();
            Value data = c.input(0);
            Value idx = c.input(1);
            int r = data.rank();
            int q = idx.rank();
            int axis = (int) Attr.intOf(c.node(), "axis", 0);
            axis = axis < 0 ? axis + r : axis;
            Value ind = g.unsqueeze(idx, q);
            if (axis == 0) {
                Value zeros = g.constantOfShape(c.shapeOf(data), data.type(), 0);
                return g.scatterNd(zeros, ind, c.outputGradient(), "add");
            }
            long[] permData = new long[r];
            permData[0] = axis;
            for (int i = 0, k = 1; i < r; i++) {
                if (i != axis) {
                    permData[k++] = i;
                }
            }
            long[] permGrad = new long[r - 1 + q];
            int k = 0;
            for (int i = 0; i < q; i++) {
                permGrad[k++] = axis + i;
            }
            for (int i = 0; i < axis; i++) {
                permGrad[k++] = i;
            }
            for (int i = axis + q; i < r - 1 + q; i++) {
                permGrad[k++] = i;
            }
            Value movedShape = g.gather(c.shapeOf(data), g.longs(permData), 0);
            Value zeros = g.constantOfShape(movedShape, data.type(), 0);
            Value scattered = g.scatterNd(zeros, ind, g.transpose(c.outputGradient(), permGrad), "add");
            return g.transpose(scattered, inverse(permData));
        });
    }

    /** y = concat(x_i): dx_i = the slice of g at x_i's offset along the axis. */
    private static void concat(GradientContext c) {
        GraphBuilder g = c.graph();
        int r = c.output(0).rank();
        long axis = Attr.intOf(c.node(), "axis", 0);
        long ax = axis < 0 ? axis + r : axis;
        Value axes = g.longs(ax);
        Value start = g.longs(0);
        long staticStart = 0;
        for (int i = 0; i < c.inputCount(); i++) {
            Value x = c.input(i);
            Dim len = x.shape().dim((int) ax);
            Value end;
            if (staticStart >= 0 && len.isStatic()) {
                staticStart += len.size();
                end = g.longs(staticStart);
            } else {
                staticStart = -1;
                end = g.add(start, g.gather(g.shape(x), g.longs(ax), 0));
            }
            Value from = start;
            c.gradient(i, () -> g.slice(c.outputGradient(), from, end, axes));
            start = end;
        }
    }

    private enum Kind { SUM, MEAN, MAX, LOG_SUM_EXP }

    /**
     * Reductions over constant axes. g is first brought back to keepdims form (Unsqueeze), then: sum: expand;
     * mean: expand / count; log-sum-exp: g exp(x - y); max: g routed to the maxima, split evenly among ties.
     */
    private static void reduce(GradientContext c, Kind kind) {
        c.gradient(0, () -> {
            GraphBuilder g = c.graph();
            Value x = c.input(0);
            Value y = c.output(0);
            List<Value> in = new ArrayList<>();
            for (int i = 0; i < c.inputCount(); i++) {
                in.add(c.node().getInput(i).isEmpty() ? x : c.input(i));
            }
            long[] axes = reduceAxes(c, in);
            if (axes.length == 0) {
                return c.outputGradient();
            }
            int r = x.rank();
            long[] norm = Arrays.stream(axes).map(a -> a < 0 ? a + r : a).sorted().toArray();
            boolean keep = Attr.intOf(c.node(), "keepdims", 1) != 0;
            Value gk = keep ? c.outputGradient() : g.unsqueeze(c.outputGradient(), norm);
            Value yk = keep ? y : g.unsqueeze(y, norm);
            switch (kind) {
                case SUM:
                    return g.expand(gk, c.shapeOf(x));
                case MEAN:
                    return g.mul(g.expand(gk, c.shapeOf(x)), meanFactor(c, x, y, norm));
                case LOG_SUM_EXP:
                    return g.mul(gk, g.exp(g.sub(x, yk)));
                default:
                    Value mask = g.cast(g.equal(x, yk), x.type());
                    Value count = g.reduceSum(mask, true, norm);
                    return g.div(g.mul(gk, mask), count);
            }
        });
    }

    private static long[] reduceAxes(GradientContext c, List<Value> in) {
        OnnxMl.NodeProto n = c.node();
        Optional<long[]> axes;
        if (in.size() > 1) {
            axes = c.graph().longConstant(in.get(1).name());
            if (axes.isEmpty()) {
                throw new IllegalArgumentException(n.getOpType() + " node '" + n.getName()
                        + "': the gradient needs constant axes");
            }
        } else {
            axes = Attr.intsOf(n, "axes");
        }
        if (axes.isEmpty() || axes.get().length == 0) {
            if (Attr.intOf(n, "noop_with_empty_axes", 0) != 0) {
                return new long[0];
            }
            long[] all = new long[in.get(0).rank()];
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
            }
            return all;
        }
        return axes.get();
    }

    private static Value meanFactor(GradientContext c, Value x, Value y, long[] axes) {
        long count = 1;
        for (long a : axes) {
            Dim d = x.shape().dim((int) a);
            if (!d.isStatic()) {
                GraphBuilder g = c.graph();
                return g.div(g.cast(g.size(y), x.type()), g.cast(g.size(x), x.type()));
            }
            count *= d.size();
        }
        return c.scalar(1.0 / count);
    }
}
