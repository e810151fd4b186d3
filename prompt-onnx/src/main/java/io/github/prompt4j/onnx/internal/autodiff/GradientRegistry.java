package io.github.prompt4j.onnx.internal.autodiff;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Gradient rules by ONNX operator type (default domain, opset 17).
 *
 * <p>Immutable and thread-safe; {@link #with} returns a new registry.
 */
public final class GradientRegistry {

    private final Map<String, GradientRule> rules;

    private GradientRegistry(Map<String, GradientRule> rules) {
        this.rules = Map.copyOf(rules);
    }

    /** The rules prompt4j ships, each checked against finite differences in its tests. */
    public static GradientRegistry standard() {
        Map<String, GradientRule> m = new HashMap<>();
        StandardRules.registerAll(m);
        return new GradientRegistry(m);
    }

    /** A registry with one rule added or replaced. */
    public GradientRegistry with(String opType, GradientRule rule) {
        Map<String, GradientRule> m = new HashMap<>(rules);
        m.put(opType, rule);
        return new GradientRegistry(m);
    }

    /** The rule for an operator, if any. */
    public Optional<GradientRule> rule(String opType) {
        return Optional.ofNullable(rules.get(opType));
    }

    /** The operators with rules, sorted. */
    public Set<String> operators() {
        return new TreeSet<>(rules.keySet());
    }
}
