package io.github.prompt4j.search.protocol;

import java.util.Arrays;
import java.util.Objects;

/**
 * Which examples of one file played one role in a run: searched on, selected on, or reported on.
 *
 * <p>Immutable; serialises to JSON inside a {@link Protocol}.
 *
 * @param role what the examples were used for
 * @param file the file (as given), or empty when the examples came from code
 * @param sha256 the file's SHA-256, or empty when unknown
 * @param fileSize rows of the file (or of the list) the examples were drawn from
 * @param count examples used in this role
 * @param seed the seed of the draw; 0 when nothing was drawn
 * @param how how the examples were drawn, in words (e.g. "rows of 12+ words less the selection split, a seeded
 *        sample of 8000")
 * @param indices the rows used, 0-based in file order, when listed; empty when {@code how} says which
 */
public record DataUse(Role role, String file, String sha256, int fileSize, int count, long seed, String how,
        int[] indices) {

    /** What a set of examples was used for. */
    public enum Role {
        /** gradients and candidate scoring of the search (training data) */
        SEARCH,
        /**
         * every choice of the search: best step, label-word count, mapper, ensemble members, calibration (training
         * data, disjoint from SEARCH)
         */
        SELECTION,
        /** scored once, after every choice, and reported */
        REPORTED,
        /** unlabelled training inputs a calibration prior was estimated on (labels unused; not the selection split) */
        CALIBRATION
    }

    public DataUse {
        if (role == null || file == null || sha256 == null || how == null || indices == null) {
            throw new IllegalArgumentException("role, file, sha256, how and indices must be set (file, sha256 and "
                    + "how may be empty)");
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
        return o instanceof DataUse d && role == d.role && file.equals(d.file) && sha256.equals(d.sha256)
                && fileSize == d.fileSize && count == d.count && seed == d.seed && how.equals(d.how)
                && Arrays.equals(indices, d.indices);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(role, file, sha256, fileSize, count, seed, how) + Arrays.hashCode(indices);
    }

    @Override
    public String toString() {
        return role + ": " + count + " of " + fileSize + " rows of '" + file + "' (" + how + ", seed " + seed + ")";
    }
}
