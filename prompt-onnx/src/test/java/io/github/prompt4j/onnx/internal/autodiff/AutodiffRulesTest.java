package io.github.prompt4j.onnx.internal.autodiff;

import static io.github.prompt4j.onnx.internal.autodiff.GradCheck.check;
import static io.github.prompt4j.onnx.internal.autodiff.GradCheck.f;
import static io.github.prompt4j.onnx.internal.autodiff.GradCheck.ints;
import static io.github.prompt4j.onnx.internal.autodiff.GradCheck.pos;

import io.github.prompt4j.onnx.internal.graph.Attr;
import io.github.prompt4j.onnx.internal.graph.ElementType;
import io.github.prompt4j.onnx.internal.graph.Op;
import io.github.prompt4j.onnx.internal.graph.Value;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every standard gradient rule against central finite differences through ONNX Runtime (see {@link GradCheck}). */
class AutodiffRulesTest {

    private static final ElementType D = ElementType.DOUBLE;
    private static final ElementType F = ElementType.FLOAT;

    @Test
    void addUnbroadcastsBothOperands() {
        check(D, (g, in) -> g.add(in.get(0), in.get(1)), f("x", 2, 3, 4), f("y", 3, 1));
    }

    @Test
    void subUnbroadcastsLeadingAxes() {
        check(D, (g, in) -> g.sub(in.get(0), in.get(1)), f("x", 4), f("y", 2, 3, 4));
    }

    @Test
    void mulUnbroadcastsMiddleAxes() {
        check(D, (g, in) -> g.mul(in.get(0), in.get(1)), f("x", 2, 1, 4), f("y", 3, 1));
    }

    @Test
    void divUnbroadcastsDenominator() {
        check(D, (g, in) -> g.div(in.get(0), in.get(1)), f("x", 2, 3), pos("y", 3));
    }

    @Test
    void sumOfThreeBroadcastOperands() {
        check(D, (g, in) -> g.node(Op.SUM, in), f("x", 2, 3), f("y", 3), f("z", 2, 1));
    }

    @Test
    void matMulWithFlatWeightUsesGemm() {
        check(D, (g, in) -> g.matMul(in.get(0), in.get(1)), f("x", 2, 3, 4), f("w", 4, 5));
    }

    @Test
    void matMulTwoDimensional() {
        check(D, (g, in) -> g.matMul(in.get(0), in.get(1)), f("a", 3, 4), f("b", 4, 2));
    }

    @Test
    void matMulBroadcastsBatchDims() {
        check(D, (g, in) -> g.matMul(in.get(0), in.get(1)), f("a", 2, 1, 3, 4), f("b", 3, 4, 5));
    }

    @Test
    void matMulWithSymbolicBatch() {
        check(D, (g, in) -> g.matMul(in.get(0), in.get(1)), f("a", 2, 3, 4).sym("batch", 3, 4), f("b", 4, 2));
    }

    @Test
    void gemmAllTransposeFlagsAndBroadcastBias() {
        for (int ta = 0; ta < 2; ta++) {
            for (int tb = 0; tb < 2; tb++) {
                boolean transA = ta == 1;
                boolean transB = tb == 1;
                check(D, (g, in) -> g.gemm(in.get(0), in.get(1), Optional.of(in.get(2)), 0.7f, 1.3f, transA, transB),
                        transA ? f("a", 4, 3) : f("a", 3, 4), transB ? f("b", 5, 4) : f("b", 4, 5), f("c", 5));
            }
        }
    }

    @Test
    void reshapeAndTransposeRoundTrip() {
        check(D, (g, in) -> g.transpose(g.reshape(in.get(0), 0, 3, 4), 2, 0, 1), f("x", 2, 12));
    }

    @Test
    void unsqueezeSqueezeAndFlatten() {
        check(D, (g, in) -> g.node(Op.FLATTEN, List.of(g.squeeze(g.unsqueeze(in.get(0), 0, 3), 0)),
                Attr.of("axis", 1L)), f("x", 2, 3, 4));
    }

    @Test
    void expandUnbroadcasts() {
        check(D, (g, in) -> g.expand(in.get(0), g.longs(2, 3, 4)), f("x", 3, 1));
    }

    @Test
    void softmaxOverLastAndMiddleAxis() {
        check(D, (g, in) -> g.softmax(in.get(0), -1), f("x", 2, 3, 5));
        check(D, (g, in) -> g.softmax(in.get(0), 1), f("x", 2, 3, 5));
    }

    @Test
    void logSoftmax() {
        check(D, (g, in) -> g.logSoftmax(in.get(0), 1), f("x", 3, 6));
    }

    @Test
    void layerNormalizationWithScaleAndBias() {
        check(D, (g, in) -> g.layerNorm(in.get(0), in.get(1), in.get(2), -1, 1e-5), f("x", 2, 3, 5), f("s", 5),
                f("b", 5));
        check(D, (g, in) -> g.layerNorm(in.get(0), in.get(1), in.get(2), 1, 1e-5), f("x", 2, 3, 4), f("s", 3, 4),
                f("b", 3, 4));
    }

    @Test
    void erf() {
        check(F, (g, in) -> g.erf(in.get(0)), f("x", 3, 4));
    }

    @Test
    void sqrtExpLogNegReciprocalIdentity() {
        check(D, (g, in) -> g.sqrt(in.get(0)), pos("x", 3, 4));
        check(D, (g, in) -> g.exp(in.get(0)), f("x", 3, 4));
        check(D, (g, in) -> g.log(in.get(0)), pos("x", 3, 4));
        check(D, (g, in) -> g.neg(in.get(0)), f("x", 3, 4));
        check(D, (g, in) -> g.node(Op.RECIPROCAL, in), pos("x", 3, 4));
        check(D, (g, in) -> g.identity(in.get(0)), f("x", 3, 4));
    }

    @Test
    void castBetweenFloatTypes() {
        check(F, (g, in) -> g.cast(g.mul(g.cast(in.get(0), ElementType.DOUBLE), g.cast(in.get(0), ElementType.DOUBLE)),
                ElementType.FLOAT), f("x", 2, 3));
    }

    @Test
    void gatherAxisZeroAccumulatesRepeatedIndices() {
        check(D, (g, in) -> g.gather(in.get(0), in.get(1), 0), f("data", 5, 3), ints("idx", new long[] {2, 3},
                4, 0, 4, 1, 4, 2));
    }

    @Test
    void gatherInnerAxis() {
        check(D, (g, in) -> g.gather(in.get(0), in.get(1), 1), f("data", 2, 5, 3), ints("idx", new long[] {2, 2},
                1, 3, 3, 0));
    }

    @Test
    void gatherElementsAccumulatesRepeats() {
        check(D, (g, in) -> g.gatherElements(in.get(0), in.get(1), 1), f("data", 3, 5),
                ints("idx", new long[] {3, 2}, 0, 0, 4, 2, 1, 3));
    }

    @Test
    void concatStaticAndSymbolicWidths() {
        check(D, (g, in) -> g.concat(1, in.get(0), in.get(1)), f("a", 2, 3), f("b", 2, 2));
        check(D, (g, in) -> g.concat(1, in.get(0), in.get(1)), f("a", 2, 3).sym(2, "n"), f("b", 2, 2).sym(2, "m"));
    }

    @Test
    void reduceSumKeepAndDropDims() {
        check(D, (g, in) -> g.reduceSum(in.get(0), false, 1), f("x", 2, 3, 4));
        check(D, (g, in) -> g.reduceSum(in.get(0), true, 0, -1), f("x", 2, 3, 4));
    }

    @Test
    void reduceMeanStaticAndSymbolic() {
        check(D, (g, in) -> g.reduceMean(in.get(0), false, -1), f("x", 2, 3, 4));
        check(D, (g, in) -> g.reduceMean(in.get(0), true, 1), f("x", 2, 3, 4).sym("b", "s", 4));
    }

    @Test
    void reduceMaxRoutesToArgmax() {
        check(D, (g, in) -> g.reduceMax(in.get(0), false, 1), f("x", 2, 5));
    }

    @Test
    void reduceLogSumExp() {
        check(D, (g, in) -> g.reduceLogSumExp(in.get(0), false, 1), f("x", 3, 5));
        check(D, (g, in) -> g.reduceLogSumExp(in.get(0), true, 0, 1), f("x", 3, 5));
    }

    @Test
    void whereRoutesToTheChosenBranch() {
        check(D, (g, in) -> g.where(g.cast(in.get(0), ElementType.BOOL), in.get(1), in.get(2)),
                ints("c", new long[] {2, 1}, 1, 0), f("x", 2, 3), f("y", 3));
    }

    @Test
    void symbolicDimsUnbroadcastAtRunTime() {
        // "m" may or may not equal "n" at run time: the reduction axes are computed from the runtime shapes.
        check(D, (g, in) -> g.mul(in.get(0), in.get(1)), f("x", 2, 3).sym("b", "n"), f("y", 3).sym("m"));
        check(D, (g, in) -> g.mul(in.get(0), in.get(1)), f("x", 2, 3).sym("b", "n"), f("y", 1).sym("m"));
    }

    @Test
    void chainOfOpsLikeAttention() {
        check(D, (g, in) -> {
            Value q = g.transpose(g.reshape(in.get(0), 0, 0, 2, 2), 0, 2, 1, 3);
            Value k = g.transpose(g.reshape(in.get(0), 0, 0, 2, 2), 0, 2, 3, 1);
            Value p = g.softmax(g.mul(g.matMul(q, k), g.scalar(ElementType.DOUBLE, 0.5)), -1);
            return g.reshape(g.transpose(g.matMul(p, q), 0, 2, 1, 3), 0, 0, 4);
        }, f("x", 2, 3, 4).sym("batch", "seq", 4));
    }
}
