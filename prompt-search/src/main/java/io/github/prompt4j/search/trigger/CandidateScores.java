package io.github.prompt4j.search.trigger;

import io.github.prompt4j.core.model.EmbeddingMatrix;
import io.github.prompt4j.search.internal.TopK;
import java.nio.FloatBuffer;

/**
 * AutoPrompt's first-order candidate scores (Shin et al. 2020, eq. 2, after HotFlip): replacing the trigger at slot
 * j by token w changes the loss by about {@code (e_w - e_j) . grad_j}, so the best candidates maximise
 * {@code -(grad_j . e_w)} over the input embedding matrix.
 */
final class CandidateScores {

    private CandidateScores() {
    }

    /** {@code -(grad . e_w)} for every row w of {@code embeddings}; one pass over the matrix. */
    static double[] scores(EmbeddingMatrix embeddings, double[] grad) {
        int rows = embeddings.rows();
        int dim = embeddings.dim();
        if (grad.length != dim) {
            throw new IllegalArgumentException("gradient has " + grad.length + " values, embeddings are " + dim
                    + " wide");
        }
        FloatBuffer buffer = embeddings.asReadOnlyBuffer();
        float[] row = new float[dim];
        double[] out = new double[rows];
        for (int w = 0; w < rows; w++) {
            buffer.get(w * dim, row);
            double dot = 0;
            for (int j = 0; j < dim; j++) {
                dot += grad[j] * row[j];
            }
            out[w] = -dot;
        }
        return out;
    }

    /** The k best candidate ids among {@code allowed}, best first (ties to the smaller id). */
    static int[] best(EmbeddingMatrix embeddings, double[] grad, boolean[] allowed, int k) {
        return TopK.largest(scores(embeddings, grad), allowed, k);
    }
}
