package io.github.prompt4j.onnx.internal.graph;

/**
 * A named tensor value of a graph under construction (graph input, initializer or node output) with its element
 * type and the shape known at build time.
 *
 * <p>Immutable; identity is the name within one {@link GraphBuilder}.
 *
 * @param name unique name in the graph
 * @param type element type
 * @param shape build-time shape
 */
public record Value(String name, ElementType type, Shape shape) {

    public Value {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("value name must be non-empty");
        }
        if (type == null || shape == null) {
            throw new IllegalArgumentException("value '" + name + "' needs a type and a shape");
        }
    }

    /** The rank; throws {@link IllegalStateException} naming the value when unknown. */
    public int rank() {
        if (!shape.hasRank()) {
            throw new IllegalStateException("rank of value '" + name + "' is unknown");
        }
        return shape.rank();
    }
}
