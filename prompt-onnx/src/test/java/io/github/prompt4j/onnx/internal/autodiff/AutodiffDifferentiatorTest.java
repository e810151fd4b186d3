package io.github.prompt4j.onnx.internal.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import io.github.prompt4j.onnx.internal.graph.ElementType;
import io.github.prompt4j.onnx.internal.graph.GraphBuilder;
import io.github.prompt4j.onnx.internal.graph.Op;
import io.github.prompt4j.onnx.internal.graph.Value;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Graph-level behaviour of the differentiator: pruning, missing rules, zero gradients, ModelProto round trip. */
class AutodiffDifferentiatorTest {

    @Test
    void operatorsOffThePathNeedNoRule() {
        GraphBuilder g = GraphBuilder.create("t");
        Value x = g.input("x", ElementType.FLOAT, 2, 3);
        Value c = g.input("c", ElementType.FLOAT, 2, 3);
        // Floor has no rule, but it only touches c, which is not differentiated.
        Value y = g.mul(x, g.node(Op.FLOOR, List.of(c)));
        g.output(y, "y");
        Differentiator.Result r = Differentiator.standard().differentiate(g, "y", List.of("x"));
        assertEquals(List.of("y", "x_grad"), g.outputNames());
        assertTrue(r.addedNodes() >= 2, "seed and Mul gradient");
    }

    @Test
    void operatorWithoutRuleOnThePathIsNamed() {
        GraphBuilder g = GraphBuilder.create("t");
        Value x = g.input("x", ElementType.FLOAT, 2, 3);
        g.output(g.node(Op.FLOOR, List.of(x)), "y");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Differentiator.standard().differentiate(g, "y", List.of("x")));
        assertTrue(e.getMessage().contains("Floor") && e.getMessage().contains("Floor_node_"), e.getMessage());
    }

    @Test
    void broadcastGradientsAreSummedBackOnceAndSameShapeOnesAreLeftAlone() {
        GraphBuilder g = GraphBuilder.create("t");
        Value x = g.input("x", ElementType.FLOAT, 2, 3);
        Value b = g.input("b", ElementType.FLOAT, 3);
        Value w = g.input("w", ElementType.FLOAT, 2, 3);
        g.output(g.mul(g.add(x, b), w), "y");
        int before = g.nodeCount();
        Differentiator.standard().differentiate(g, "y", List.of("x", "b", "w"));
        List<OnnxMl.NodeProto> added = g.nodes().subList(before, g.nodeCount());
        // only b was broadcast: one ReduceSum over axis 0 and one Reshape to [3]; Mul and x need none
        assertEquals(1, added.stream().filter(Op.REDUCE_SUM::is).count(), added.toString());
        assertEquals(1, added.stream().filter(Op.RESHAPE::is).count(), added.toString());
        assertEquals("[3]", g.value("b_grad").shape().toString());
        assertEquals("[2, 3]", g.value("x_grad").shape().toString());
        assertEquals("[2, 3]", g.value("w_grad").shape().toString());
    }

    @Test
    void inputThatDoesNotReachTheObjectiveGetsZeros() throws Exception {
        GraphBuilder g = GraphBuilder.create("t");
        Value x = g.input("x", ElementType.FLOAT, 2);
        Value unused = g.input("u", ElementType.FLOAT, 3);
        g.output(g.mul(x, x), "y");
        OnnxMl.ModelProto m = g.model();
        OnnxMl.ModelProto d = Differentiator.standard().differentiate(m, "y", List.of("x", "u"));
        try (OrtSession s = GradCheck.ENV.createSession(d.toByteArray(), new OrtSession.SessionOptions());
                OnnxTensor tx = OnnxTensor.createTensor(GradCheck.ENV, FloatBuffer.wrap(new float[] {1.5f, -2f}),
                        new long[] {2});
                OnnxTensor tu = OnnxTensor.createTensor(GradCheck.ENV, FloatBuffer.wrap(new float[] {1, 2, 3}),
                        new long[] {3});
                OrtSession.Result res = s.run(Map.of("x", tx, "u", tu))) {
            float[] gx = (float[]) res.get("x_grad").orElseThrow().getValue();
            float[] gu = (float[]) res.get("u_grad").orElseThrow().getValue();
            // d sum(x^2) = 2x, hand-computed.
            assertEquals(3f, gx[0], 1e-6);
            assertEquals(-4f, gx[1], 1e-6);
            assertEquals(0f, gu[0] + Math.abs(gu[1]) + Math.abs(gu[2]), 0f);
        }
        assertEquals(unused.name(), "u");
    }

    @Test
    void initializersAreNotDifferentiated() {
        GraphBuilder g = GraphBuilder.create("t");
        Value x = g.input("x", ElementType.FLOAT, 2);
        Value w = g.constant(ElementType.FLOAT, new long[] {2}, 1, 2);
        g.output(g.mul(x, w), "y");
        Differentiator.standard().differentiate(g, "y", List.of("x"));
        assertEquals(List.of("y", "x_grad"), g.outputNames());
        assertThrows(IllegalArgumentException.class,
                () -> Differentiator.standard().differentiate(GraphBuilder.from(g.build()), "y", List.of("y")));
    }
}
