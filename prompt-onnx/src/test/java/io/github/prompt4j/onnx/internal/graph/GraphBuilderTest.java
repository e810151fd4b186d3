package io.github.prompt4j.onnx.internal.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.github.prompt4j.onnx.internal.weights.WeightFile;
import io.github.prompt4j.onnx.internal.weights.WeightFileWriter;
import java.io.OutputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shape tracking, naming and serialisation of {@link GraphBuilder}. */
class GraphBuilderTest {

    @Test
    void symbolicDimsSurviveReshapeTransposeAndBroadcast() {
        GraphBuilder g = GraphBuilder.create("t");
        Value x = g.input("x", ElementType.FLOAT, "batch", "seq", 8);
        Value heads = g.transpose(g.reshape(x, 0, 0, 2, 4), 0, 2, 1, 3);
        assertEquals("[batch, 2, seq, 4]", heads.shape().toString());
        Value scores = g.matMul(heads, g.transpose(heads, 0, 1, 3, 2));
        assertEquals("[batch, 2, seq, seq]", scores.shape().toString());
        Value mask = g.unsqueeze(g.input("m", ElementType.FLOAT, "batch", "seq"), 1, 2);
        assertEquals("[batch, 1, 1, seq]", mask.shape().toString());
        assertEquals("[batch, 2, seq, seq]", g.add(scores, mask).shape().toString());
        Value rows = g.reshape(x, -1, 8);
        assertEquals("[?, 8]", rows.shape().toString());
        Value back = g.reshape(rows, g.shape(x));
        assertEquals("[batch, seq, 8]", back.shape().toString());
        Value seqLen = g.gather(g.shape(x), g.scalarLong(1), 0);
        Value dims = g.concat(0, g.unsqueeze(seqLen, 0), g.longs(8));
        assertEquals("[seq, 8]", g.reshape(rows, dims).shape().toString());
        assertEquals("[batch, seq]", g.reduceSum(x, false, -1).shape().toString());
        assertEquals(ElementType.INT64, g.shape(x).type());
        assertEquals(ElementType.DOUBLE, g.cast(x, ElementType.DOUBLE).type());
    }

    @Test
    void outputRenamesTheProducingNode() {
        GraphBuilder g = GraphBuilder.create("t");
        Value x = g.input("x", ElementType.FLOAT, 2);
        Value y = g.exp(x);
        Value z = g.neg(y);
        Value named = g.output(y, "y");
        g.output(z, "z");
        assertEquals("y", named.name());
        OnnxMl.GraphProto proto = g.build();
        assertEquals(List.of("x"), proto.getNode(0).getInputList());
        assertEquals(List.of("y"), proto.getNode(0).getOutputList());
        assertEquals(List.of("y"), proto.getNode(1).getInputList());
        assertEquals(List.of("y", "z"), g.outputNames());
        assertThrows(IllegalArgumentException.class, () -> g.output(z, "x"));
        // Round trip through the proto re-infers the same shapes.
        GraphBuilder copy = GraphBuilder.from(proto);
        assertEquals(Shape.of(2), copy.value("z").shape());
    }

    @Test
    void readingAnUndefinedValueIsRejected() {
        GraphBuilder g = GraphBuilder.create("t");
        g.input("x", ElementType.FLOAT, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> g.add(g.value("x"), new Value("nowhere", ElementType.FLOAT, Shape.of(2))));
        assertTrue(e.getMessage().contains("nowhere"), e.getMessage());
    }

    @Test
    void readingAGraphWithAnUnknownOperatorNamesTheNodeAndOperator() {
        GraphBuilder g = GraphBuilder.create("t");
        g.output(g.exp(g.input("x", ElementType.FLOAT, 2)), "y");
        OnnxMl.GraphProto proto = g.build().toBuilder().addNode(OnnxMl.NodeProto.newBuilder().setName("odd")
                .setOpType("HardSwish").addInput("y").addOutput("z")).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GraphBuilder.from(proto));
        assertTrue(e.getMessage().contains("'odd'") && e.getMessage().contains("'HardSwish'"), e.getMessage());
    }

    @Test
    void everyOperatorIsFoundByItsDomainAndTypeAndContribNodesImportTheirDomain() {
        for (Op op : Op.values()) {
            OnnxMl.NodeProto n = OnnxMl.NodeProto.newBuilder().setOpType(op.opType()).setDomain(op.domain()).build();
            assertEquals(op, Op.of(n));
            assertTrue(op.is(n), op.name());
        }
        OnnxMl.NodeProto explicitDefault = OnnxMl.NodeProto.newBuilder().setOpType("MatMul").setDomain("ai.onnx")
                .build();
        assertEquals(Op.MAT_MUL, Op.of(explicitDefault));
        // a contrib operator's name in the default domain is not that operator
        assertThrows(IllegalArgumentException.class,
                () -> Op.of(OnnxMl.NodeProto.newBuilder().setOpType("BiasGelu").build()));

        GraphBuilder g = GraphBuilder.create("t");
        Value x = g.input("x", ElementType.FLOAT, "batch", 4);
        Value y = g.node(Op.BIAS_GELU, List.of(x, g.constant(ElementType.FLOAT, new long[] {4}, 0, 0, 0, 0)));
        assertEquals("[batch, 4]", y.shape().toString());
        g.output(y, "y");
        OnnxMl.ModelProto m = g.model();
        assertEquals(GraphBuilder.CONTRIB_DOMAIN, m.getGraph().getNode(0).getDomain());
        assertTrue(m.getOpsetImportList().stream().anyMatch(o -> o.getDomain().equals(GraphBuilder.CONTRIB_DOMAIN)));
        assertEquals(Op.BIAS_GELU, Op.of(GraphBuilder.from(m.getGraph()).nodes().get(0)));
    }

    @Test
    void externalWeightsLoadInOnnxRuntimeFromTheModelDirectory(@TempDir Path dir) throws Exception {
        WeightFile wf;
        try (WeightFileWriter w = new WeightFileWriter(dir.resolve("weights.bin"))) {
            w.write("a", new long[] {3}, new float[] {1, 2, 3});
            w.write("k", new long[] {3, 2}, new float[] {1, 0, 0, 1, 2, 2});
            wf = w.finish();
        }
        GraphBuilder g = GraphBuilder.create("t");
        Value x = g.input("x", ElementType.FLOAT, "rows", 3);
        g.output(g.matMul(g.add(x, g.weight("a", wf)), g.weight("k", wf)), "y");
        OnnxMl.ModelProto m = g.model();
        assertEquals(GraphBuilder.IR_VERSION, m.getIrVersion());
        assertEquals(GraphBuilder.OPSET, m.getOpsetImport(0).getVersion());
        OnnxMl.TensorProto k = m.getGraph().getInitializerList().stream().filter(t -> t.getName().equals("k"))
                .findFirst().orElseThrow();
        assertEquals(OnnxMl.TensorProto.DataLocation.EXTERNAL, k.getDataLocation());
        assertEquals(Map.of("location", "weights.bin", "offset", "64", "length", "24"), Map.of(
                k.getExternalData(0).getKey(), k.getExternalData(0).getValue(),
                k.getExternalData(1).getKey(), k.getExternalData(1).getValue(),
                k.getExternalData(2).getKey(), k.getExternalData(2).getValue()));
        Path model = dir.resolve("m.onnx");
        try (OutputStream out = Files.newOutputStream(model)) {
            m.writeTo(out);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(model.toString(), new OrtSession.SessionOptions());
                OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[] {1, 1, 1}), new long[] {1, 3});
                OrtSession.Result r = s.run(Map.of("x", t))) {
            // (x + a) = [2, 3, 4]; @ k = [2 + 0 + 8, 0 + 3 + 8], hand-computed.
            assertArrayEquals(new float[] {10, 11}, ((float[][]) r.get("y").orElseThrow().getValue())[0]);
        }
    }
}
