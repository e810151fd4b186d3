package io.github.prompt4j.benchmarks;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.github.prompt4j.onnx.internal.graph.ElementType;
import io.github.prompt4j.onnx.internal.graph.GraphBuilder;
import io.github.prompt4j.onnx.internal.graph.Value;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * This machine's fp32 matrix-multiply rate through the same ONNX Runtime (one n x n x n MatMul graph): the
 * {@code gflop} counter, in GFLOP/s, is the peak the BERT benchmarks' GFLOP/s are compared with.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgs = {"-Xmx2g"})
@Warmup(iterations = 1, time = 5)
@Measurement(iterations = 3, time = 5)
public class MatMulPeakBenchmark {

    @Param({"1024"})
    public int n;

    private OrtEnvironment env;
    private OrtSession session;
    private OnnxTensor a;
    private OnnxTensor b;

    /** Work counter, reported as a rate. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Work {
        public double gflop;

        @Setup(Level.Iteration)
        public void reset() {
            gflop = 0;
        }
    }

    @Setup
    public void build() throws OrtException {
        GraphBuilder g = GraphBuilder.create("matmul");
        Value x = g.input("a", ElementType.FLOAT, n, n);
        Value y = g.input("b", ElementType.FLOAT, n, n);
        g.output(g.matMul(x, y), "c");
        env = OrtEnvironment.getEnvironment();
        session = env.createSession(g.model().toByteArray(), new OrtSession.SessionOptions());
        Random random = new Random(1);
        float[] data = new float[n * n];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) random.nextGaussian();
        }
        a = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), new long[] {n, n});
        b = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), new long[] {n, n});
    }

    @TearDown
    public void close() throws OrtException {
        a.close();
        b.close();
        session.close();
    }

    @Benchmark
    public float matMul(Work work) throws OrtException {
        try (OrtSession.Result r = session.run(Map.of("a", a, "b", b))) {
            work.gflop += 2.0 * n * n * n / 1e9;
            return ((OnnxTensor) r.get(0)).getFloatBuffer().get(0);
        }
    }
}
