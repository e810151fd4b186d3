package io.github.prompt4j.onnx.internal.autodiff;

import ai.onnx.proto.OnnxMl;
import io.github.prompt4j.onnx.internal.graph.GraphBuilder;
import io.github.prompt4j.onnx.internal.graph.Value;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What a {@link GradientRule} sees of one forward node while the differentiator walks the graph backwards.
 *
 * <p>Valid only during {@link GradientRule#apply}. Not thread-safe.
 */
public interface GradientContext {

    /** The forward node being differentiated. */
    OnnxMl.NodeProto node();

    /** Number of inputs of the node (absent optional inputs included). */
    int inputCount();

    /** Forward input {@code i}. */
    Value input(int i);

    /** Forward output {@code i}. */
    Value output(int i);

    /** The gradient of the objective with respect to output {@code i}, absent when it does not reach the objective. */
    Optional<Value> outputGradient(int i);

    /**
     * The gradient with respect to output 0.
     *
     * @throws IllegalStateException when output 0 does not reach the objective
     */
    Value outputGradient();

    /** Whether the differentiator needs the gradient of input {@code i} (it lies on a path from a wrt input). */
    boolean needsGradient(int i);

    /**
     * Reports the gradient of input {@code i}, of input {@code i}'s type. Its shape is input {@code i}'s, or, for an
     * input that the operator broadcasts ({@link io.github.prompt4j.onnx.internal.graph.Op#broadcast()}), the shape
     * the input was broadcast to: the differentiator then sums it back to the input's shape.
     */
    void setGradient(int i, Value gradient);

    /** Calls {@code gradient} and reports its result only when input {@code i} needs a gradient. */
    default void gradient(int i, Supplier<Value> gradient) {
        if (needsGradient(i)) {
            setGradient(i, gradient.get());
        }
    }

    /** The graph to append gradient nodes to. */
    GraphBuilder graph();

    /** A scalar constant of output 0's element type. */
    Value scalar(double value);

    /** The shape of {@code x} as an int64 tensor: a constant when static, else a {@code Shape} node. */
    Value shapeOf(Value x);
}
