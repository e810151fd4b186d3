package io.github.prompt4j.core.model;

import java.nio.FloatBuffer;

/**
 * Read-only view of an embedding matrix {@code [rows, dim]} (one row per vocabulary id).
 *
 * <p>Thread-safe for reading; backed by the model's memory, so it is valid only until the model is closed.
 */
public interface EmbeddingMatrix {

    /** Number of rows (the vocabulary size). */
    int rows();

    /** Width of each row (the hidden size). */
    int dim();

    /** One value. */
    float get(int row, int column);

    /** Copies row {@code row} into {@code dst} starting at {@code offset}. */
    void copyRow(int row, float[] dst, int offset);

    /** A copy of one row. */
    default float[] row(int row) {
        float[] out = new float[dim()];
        copyRow(row, out, 0);
        return out;
    }

    /** A read-only buffer over the whole matrix, row-major, positioned at 0. */
    FloatBuffer asReadOnlyBuffer();
}
