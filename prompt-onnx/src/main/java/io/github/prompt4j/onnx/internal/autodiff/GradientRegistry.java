package io.github.prompt4j.onnx.internal.autodiff;

import io.github.prompt4j.onnx.internal.graph.Op;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Gradient rules by {@link Op} (default domain, opset 17).
 *
 * <p>Immutable and thread-safe; {@link #with} returns a new registry.
 */
public final class GradientRegistry {

    private final EnumMap<Op, GradientRule> rules;

    private GradientRegistry(EnumMap<Op, GradientRule> rules) {
        this.rules = rules;
    }

    /** The rules prompt4j ships, each checked against finite differences in its tests. */
    public static GradientRegistry standard() {
        EnumMap<Op, GradientRule> m = new EnumMap<>(Op.class);
        StandardRules.registerAll(m);
        return new GradientRegistry(m);
    }

    /** A registry with one rule added or replaced. */
    public GradientRegistry with(Op op, GradientRule rule) {
        EnumMap<Op, GradientRule> m = new EnumMap<>(rules);
        m.put(op, rule);
        return new GradientRegistry(m);
    }

    /** The rule for an operator, if any. */
    public Optional<GradientRule> rule(Op op) {
        return Optional.ofNullable(rules.get(op));
    }

    /** The operators with rules, in {@link Op} order. */
    public Set<Op> operators() {
        return rules.isEmpty() ? EnumSet.noneOf(Op.class) : EnumSet.copyOf(rules.keySet());
    }
}
