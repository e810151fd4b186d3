package io.github.prompt4j.onnx.internal.graph;

import java.util.ArrayList;
import java.util.List;

/**
 * The shape of a tensor value as far as it is known while building a graph: either of unknown rank, or a list of
 * {@link Dim}s each static, symbolic or unknown.
 *
 * <p>Immutable and thread-safe.
 */
public final class Shape {

    private static final Shape UNKNOWN_RANK = new Shape(List.of(), false);

    private final List<Dim> dims;
    private final boolean rankKnown;

    private Shape(List<Dim> dims, boolean rankKnown) {
        this.dims = List.copyOf(dims);
        this.rankKnown = rankKnown;
    }

    /** A shape of known rank. */
    public static Shape of(List<Dim> dims) {
        return new Shape(dims, true);
    }

    /** A shape of known rank from static sizes. */
    public static Shape of(long... sizes) {
        List<Dim> d = new ArrayList<>();
        for (long s : sizes) {
            d.add(Dim.of(s));
        }
        return of(d);
    }

    /** A shape of known rank whose dims are all unknown. */
    public static Shape ofRank(int rank) {
        List<Dim> d = new ArrayList<>();
        for (int i = 0; i < rank; i++) {
            d.add(Dim.unknown());
        }
        return of(d);
    }

    /** The scalar shape {@code []}. */
    public static Shape scalar() {
        return of(List.of());
    }

    /** A shape of unknown rank. */
    public static Shape unknownRank() {
        return UNKNOWN_RANK;
    }

    /** Whether the rank is known. */
    public boolean hasRank() {
        return rankKnown;
    }

    /**
     * The rank.
     *
     * @throws IllegalStateException when the rank is unknown
     */
    public int rank() {
        requireRank();
        return dims.size();
    }

    /** The dims (empty when the rank is unknown or the value is a scalar). */
    public List<Dim> dims() {
        return dims;
    }

    /** Dim {@code i}; negative {@code i} counts from the end. */
    public Dim dim(int i) {
        requireRank();
        return dims.get(i < 0 ? dims.size() + i : i);
    }

    /** Whether every dim is static. */
    public boolean isStatic() {
        return rankKnown && dims.stream().allMatch(Dim::isStatic);
    }

    /** The static sizes; only for {@link #isStatic()} shapes. */
    public long[] sizes() {
        if (!isStatic()) {
            throw new IllegalStateException("shape " + this + " is not static");
        }
        return dims.stream().mapToLong(Dim::size).toArray();
    }

    private void requireRank() {
        if (!rankKnown) {
            throw new IllegalStateException("rank of this shape is unknown");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && s.rankKnown == rankKnown && s.dims.equals(dims);
    }

    @Override
    public int hashCode() {
        return dims.hashCode() * 31 + (rankKnown ? 1 : 0);
    }

    @Override
    public String toString() {
        return rankKnown ? dims.toString() : "[?rank]";
    }
}
