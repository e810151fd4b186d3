package io.github.prompt4j.core.model;

import java.util.Arrays;

/**
 * Word pieces of one text: ids and, for each piece, its character span {@code [start, end)} in the encoded text.
 *
 * <p>Immutable; arrays are copied in and out.
 *
 * @param ids vocabulary ids, no special tokens
 * @param starts start character index of each piece (UTF-16 index into the original text)
 * @param ends end character index (exclusive) of each piece
 */
public record TokenEncoding(int[] ids, int[] starts, int[] ends) {

    public TokenEncoding {
        if (ids == null || starts == null || ends == null) {
            throw new IllegalArgumentException("ids, starts and ends must not be null");
        }
        if (starts.length != ids.length || ends.length != ids.length) {
            throw new IllegalArgumentException("ids (" + ids.length + "), starts (" + starts.length + ") and ends ("
                    + ends.length + ") must have the same length");
        }
        ids = ids.clone();
        starts = starts.clone();
        ends = ends.clone();
    }

    /** Number of word pieces. */
    public int size() {
        return ids.length;
    }

    @Override
    public int[] ids() {
        return ids.clone();
    }

    @Override
    public int[] starts() {
        return starts.clone();
    }

    @Override
    public int[] ends() {
        return ends.clone();
    }

    /** The id of piece {@code i}. */
    public int id(int i) {
        return ids[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenEncoding other && Arrays.equals(ids, other.ids)
                && Arrays.equals(starts, other.starts) && Arrays.equals(ends, other.ends);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(ids) + Arrays.hashCode(starts)) + Arrays.hashCode(ends);
    }

    @Override
    public String toString() {
        return "TokenEncoding" + Arrays.toString(ids);
    }
}
