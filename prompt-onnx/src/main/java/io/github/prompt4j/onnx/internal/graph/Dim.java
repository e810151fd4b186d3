package io.github.prompt4j.onnx.internal.graph;

/**
 * One dimension of a tensor shape: a static size, a symbolic name (e.g. {@code "batch"}) or unknown.
 *
 * <p>Two symbolic dims with the same name are equal at run time; nothing is assumed about an unknown dim.
 *
 * @param size the static size, or {@code -1} when not static
 * @param symbol the symbolic name, or {@code ""} when static or unknown
 */
public record Dim(long size, String symbol) {

    private static final Dim UNKNOWN = new Dim(-1, "");

    public Dim {
        if (symbol == null) {
            throw new IllegalArgumentException("symbol must not be null; use \"\" for none");
        }
        if (size < -1) {
            throw new IllegalArgumentException("dim size must be >= 0 or -1 (not static), got " + size);
        }
        if (size >= 0 && !symbol.isEmpty()) {
            throw new IllegalArgumentException("dim cannot be both static (" + size + ") and symbolic (" + symbol + ")");
        }
    }

    /** A static dimension. */
    public static Dim of(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("static dim must be >= 0, got " + size);
        }
        return new Dim(size, "");
    }

    /** A symbolic dimension. */
    public static Dim of(String symbol) {
        if (symbol.isEmpty()) {
            throw new IllegalArgumentException("symbolic dim needs a non-empty name");
        }
        return new Dim(-1, symbol);
    }

    /** A dimension nothing is known about. */
    public static Dim unknown() {
        return UNKNOWN;
    }

    /** Whether the size is known statically. */
    public boolean isStatic() {
        return size >= 0;
    }

    /** Whether the dim is a named symbol. */
    public boolean isSymbolic() {
        return !symbol.isEmpty();
    }

    /** Whether this is statically the given size. */
    public boolean is(long n) {
        return size == n;
    }

    /** Whether this dim is certainly equal to another at run time (same static size or same symbol). */
    public boolean sameAs(Dim other) {
        return (isStatic() && size == other.size) || (isSymbolic() && symbol.equals(other.symbol));
    }

    @Override
    public String toString() {
        return isStatic() ? Long.toString(size) : isSymbolic() ? symbol : "?";
    }
}
