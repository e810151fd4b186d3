package io.github.prompt4j.onnx.runtime;

import io.github.prompt4j.core.model.EmbeddingMatrix;
import java.nio.FloatBuffer;

/** An {@link EmbeddingMatrix} over a read-only float buffer (a memory-mapped region of the weights file). */
final class MappedEmbeddingMatrix implements EmbeddingMatrix {

    private final FloatBuffer data;
    private final int rows;
    private final int dim;

    MappedEmbeddingMatrix(FloatBuffer data, int rows, int dim) {
        if ((long) rows * dim != data.remaining()) {
            throw new IllegalArgumentException("buffer holds " + data.remaining() + " floats, not " + rows + " x "
                    + dim);
        }
        this.data = data.asReadOnlyBuffer();
        this.rows = rows;
        this.dim = dim;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int dim() {
        return dim;
    }

    @Override
    public float get(int row, int column) {
        check(row);
        if (column < 0 || column >= dim) {
            throw new IndexOutOfBoundsException("column " + column + " outside [0, " + dim + ")");
        }
        return data.get(row * dim + column);
    }

    @Override
    public void copyRow(int row, float[] dst, int offset) {
        check(row);
        data.get(row * dim, dst, offset, dim);
    }

    @Override
    public FloatBuffer asReadOnlyBuffer() {
        return data.asReadOnlyBuffer().position(0);
    }

    /** Dot product of row {@code row} with {@code v}. */
    float dot(int row, float[] v, int offset) {
        check(row);
        int base = row * dim;
        float s = 0f;
        for (int j = 0; j < dim; j++) {
            s += data.get(base + j) * v[offset + j];
        }
        return s;
    }

    private void check(int row) {
        if (row < 0 || row >= rows) {
            throw new IndexOutOfBoundsException("row " + row + " outside [0, " + rows + ")");
        }
    }
}
