package io.github.prompt4j.onnx.internal.autodiff;

/**
 * The reverse-mode derivative of one ONNX operator: given the gradients of a node's outputs, emits the nodes that
 * compute the gradients of its inputs.
 *
 * <p>A rule reads the node and its values from the {@link GradientContext}, appends nodes through
 * {@link GradientContext#graph()}, and reports each needed input gradient with
 * {@link GradientContext#setGradient(int, io.github.prompt4j.onnx.internal.graph.Value)}. Rules are stateless and
 * thread-safe.
 */
@FunctionalInterface
public interface GradientRule {

    /** Emits the input gradients of {@code context.node()}; must set every input for which it needs one. */
    void apply(GradientContext context);
}
