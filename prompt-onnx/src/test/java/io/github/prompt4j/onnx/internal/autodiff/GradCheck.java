package io.github.prompt4j.onnx.internal.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.github.prompt4j.onnx.internal.graph.ElementType;
import io.github.prompt4j.onnx.internal.graph.GraphBuilder;
import io.github.prompt4j.onnx.internal.graph.Value;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Checks differentiated graphs against central finite differences run through ONNX Runtime.
 *
 * <p>Procedure: build the tiny graph, run it once to learn the output's shape, rebuild it with objective
 * {@code sum(out * w)} ({@code w} a random fixed input, so the upstream gradient is not all ones), differentiate
 * with respect to every float input, and compare {@code <grad, d>} with {@code (f(x + eps d) - f(x - eps d)) / 2eps}
 * along {@value #DIRECTIONS} random directions {@code d}.
 *
 * <p>Tolerances: float64 graphs use eps = 1e-6 and require {@code |fd - analytic| <= 1e-6 (1 + |analytic|)}
 * (truncation ~eps^2, rounding ~1e-16/eps); float32 graphs use eps = 1e-2 and {@code 5e-3 (1 + |analytic|)}
 * (rounding ~6e-8 * |f| / eps dominates).
 */
final class GradCheck {

    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    static final int DIRECTIONS = 3;

    /** A graph body from its inputs (in declaration order) to the differentiated output. */
    interface Body {
        Value build(GraphBuilder g, List<Value> in);
    }

    /** One test input: float (random unless given), or int64 (fixed values), with declared dims. */
    record In(String name, boolean floating, long[] shape, Object[] dims, double[] values, boolean positive) {

        In sym(Object... declared) {
            return new In(name, floating, shape, declared, values, positive);
        }

        In at(long... runtimeShape) {
            return new In(name, floating, runtimeShape, dims, values, positive);
        }
    }

    static In f(String name, long... shape) {
        return new In(name, true, shape, boxed(shape), new double[0], false);
    }

    static In pos(String name, long... shape) {
        return new In(name, true, shape, boxed(shape), new double[0], true);
    }

    static In ints(String name, long[] shape, long... values) {
        return new In(name, false, shape, boxed(shape), Arrays.stream(values).asDoubleStream().toArray(), false);
    }

    private static Object[] boxed(long[] shape) {
        return Arrays.stream(shape).boxed().toArray();
    }

    private GradCheck() {
    }

    /** Runs the check; returns the number of gradient nodes added. */
    static int check(ElementType type, Body body, In... inputs) {
        try {
            return run(type, body, 20240611L, inputs);
        } catch (OrtException e) {
            throw new AssertionError("ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    private static int run(ElementType type, Body body, long seed, In... inputs) throws OrtException {
        Random rnd = new Random(seed);
        Map<String, double[]> x = new LinkedHashMap<>();
        for (In in : inputs) {
            if (in.floating()) {
                double[] v = new double[(int) count(in.shape())];
                for (int i = 0; i < v.length; i++) {
                    v[i] = in.positive() ? 0.5 + 1.5 * rnd.nextDouble() : rnd.nextGaussian();
                }
                x.put(in.name(), v);
            } else {
                x.put(in.name(), in.values());
            }
        }
        // Pass 1: the output's runtime shape.
        GraphBuilder probe = GraphBuilder.create("probe");
        probe.output(body.build(probe, declare(probe, type, inputs)), "out");
        long[] outShape;
        try (OrtSession s = ENV.createSession(probe.model().toByteArray(), new OrtSession.SessionOptions());
                Outputs o = new Outputs(s, type, inputs, x)) {
            outShape = o.shape("out");
        }
        double[] w = new double[(int) count(outShape)];
        for (int i = 0; i < w.length; i++) {
            w[i] = rnd.nextGaussian();
        }
        // Pass 2: objective = out * w, differentiated.
        GraphBuilder g = GraphBuilder.create("gradcheck");
        List<Value> declared = declare(g, type, inputs);
        Value wv = g.input("objective_weight", type, Arrays.stream(outShape).boxed().toArray());
        g.output(g.mul(body.build(g, declared), wv), "objective");
        List<String> wrt = new ArrayList<>();
        for (In in : inputs) {
            if (in.floating()) {
                wrt.add(in.name());
            }
        }
        Differentiator.Result result = Differentiator.standard().differentiate(g, "objective", wrt);
        OnnxMl.ModelProto model = g.model();
        In wIn = new In("objective_weight", true, outShape, boxed(outShape), w, false);
        In[] all = Arrays.copyOf(inputs, inputs.length + 1);
        all[inputs.length] = wIn;
        Map<String, double[]> xw = new LinkedHashMap<>(x);
        xw.put("objective_weight", w);
        boolean dbl = type == ElementType.DOUBLE;
        double eps = dbl ? 1e-6 : 1e-2;
        double tol = dbl ? 1e-6 : 5e-3;
        try (OrtSession s = ENV.createSession(model.toByteArray(), new OrtSession.SessionOptions())) {
            Map<String, double[]> grads = new HashMap<>();
            try (Outputs o = new Outputs(s, type, all, xw)) {
                for (In in : inputs) {
                    if (in.floating()) {
                        assertArrayEquals(in.shape(), o.shape(in.name() + "_grad"), "shape of " + in.name() + "_grad");
                        grads.put(in.name(), o.values(in.name() + "_grad"));
                    }
                }
            }
            for (int k = 0; k < DIRECTIONS; k++) {
                Map<String, double[]> plus = new HashMap<>(xw);
                Map<String, double[]> minus = new HashMap<>(xw);
                double analytic = 0;
                for (In in : inputs) {
                    if (!in.floating()) {
                        continue;
                    }
                    double[] base = xw.get(in.name());
                    double[] p = base.clone();
                    double[] m = base.clone();
                    double[] gr = grads.get(in.name());
                    for (int i = 0; i < base.length; i++) {
                        double d = rnd.nextGaussian();
                        p[i] += eps * d;
                        m[i] -= eps * d;
                        analytic += gr[i] * d;
                    }
                    plus.put(in.name(), p);
                    minus.put(in.name(), m);
                }
                double fd = (objective(s, type, all, plus) - objective(s, type, all, minus)) / (2 * eps);
                assertTrue(Math.abs(fd - analytic) <= tol * (1 + Math.abs(analytic)),
                        "direction " + k + ": analytic " + analytic + " vs finite difference " + fd);
            }
        }
        assertEquals(result.gradients().keySet(), new java.util.HashSet<>(wrt));
        return result.addedNodes();
    }

    private static double objective(OrtSession s, ElementType type, In[] inputs, Map<String, double[]> x)
            throws OrtException {
        try (Outputs o = new Outputs(s, type, inputs, x)) {
            return Arrays.stream(o.values("objective")).sum();
        }
    }

    private static List<Value> declare(GraphBuilder g, ElementType type, In[] inputs) {
        List<Value> vs = new ArrayList<>();
        for (In in : inputs) {
            vs.add(g.input(in.name(), in.floating() ? type : ElementType.INT64, in.dims()));
        }
        return vs;
    }

    static long count(long[] shape) {
        return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    }

    /** Runs a session and holds its result until closed. */
    static final class Outputs implements AutoCloseable {

        private final List<OnnxTensor> tensors = new ArrayList<>();
        private final OrtSession.Result result;

        Outputs(OrtSession s, ElementType type, In[] inputs, Map<String, double[]> x) throws OrtException {
            Map<String, OnnxTensor> feed = new HashMap<>();
            for (In in : inputs) {
                double[] v = x.get(in.name());
                OnnxTensor t;
                if (!in.floating()) {
                    t = OnnxTensor.createTensor(ENV, LongBuffer.wrap(Arrays.stream(v).mapToLong(d -> (long) d)
                            .toArray()), in.shape());
                } else if (type == ElementType.DOUBLE) {
                    t = OnnxTensor.createTensor(ENV, DoubleBuffer.wrap(v), in.shape());
                } else {
                    float[] f = new float[v.length];
                    for (int i = 0; i < v.length; i++) {
                        f[i] = (float) v[i];
                    }
                    t = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(f), in.shape());
                }
                tensors.add(t);
                feed.put(in.name(), t);
            }
            result = s.run(feed);
        }

        long[] shape(String name) throws OrtException {
            return ((OnnxTensor) result.get(name).orElseThrow()).getInfo().getShape();
        }

        double[] values(String name) {
            OnnxTensor t = (OnnxTensor) result.get(name).orElseThrow();
            if (t.getInfo().type == ai.onnxruntime.OnnxJavaType.DOUBLE) {
                DoubleBuffer b = t.getDoubleBuffer();
                double[] out = new double[b.remaining()];
                b.get(out);
                return out;
            }
            FloatBuffer b = t.getFloatBuffer();
            double[] out = new double[b.remaining()];
            for (int i = 0; i < out.length; i++) {
                out[i] = b.get(i);
            }
            return out;
        }

        @Override
        public void close() {
            result.close();
            tensors.forEach(OnnxTensor::close);
        }
    }
}
