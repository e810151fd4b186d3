package io.github.prompt4j.search.protocol;

import java.util.Arrays;

/**
 * Which examples of one file played one role in a run: searched on, selected on, or reported on.
 *
 * @param role what the examples were used for
 * @param file the file (as given), or empty when the examples came from code
 * @param fileSize rows of the file (or of the list) the examples were drawn from
 * @param count examples used in this role
 * @param seed the seed of the draw; 0 when not drawn (all rows)
 * @param indices the rows used, 0-based in file order; empty when all rows of the file were used
 */
public record DataUse(Role role, String file, int fileSize, int count, long seed, int[] indices) {

    /** What a set of examples was used for. */
    public enum Role {
        /** gradients and candidate scoring of the search (training data) */
        SEARCH,
        /** every choice of the search: best step, label-word count, mapper (training data, disjoint from SEARCH) */
        SELECTION,
        /** scored once, after every choice, and reported */
        REPORTED
    }

    public DataUse {
        if (role == null || file == null || indices == null) {
            throw new IllegalArgumentException("role, file and indices must be set (file may be empty)");
        }
        if (count < 0 || fileSize < 0) {
            throw new IllegalArgumentException("count and fileSize must be >= 0, got " + count + ", " + fileSize);
        }
        indices = indices.clone();
    }

    @Override
    public int[] indices() {
        return indices.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataUse d && role == d.role && file.equals(d.file) && fileSize == d.fileSize
                && count == d.count && seed == d.seed && Arrays.equals(indices, d.indices);
    }

    @Override
    public int hashCode() {
        return 31 * java.util.Objects.hash(role, file, fileSize, count, seed) + Arrays.hashCode(indices);
    }

    @Override
    public String toString() {
        return role + " " + count + " of " + fileSize + " from '" + file + "' (seed " + seed + ")";
    }
}
