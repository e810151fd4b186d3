package io.github.prompt4j.onnx.export.checkpoint;

/**
 * Architecture sizes of a BERT masked language model (post-LayerNorm encoder, GELU with erf, tied decoder).
 *
 * @param vocabSize vocabulary size V (rows of the word embeddings and of the decoder)
 * @param hiddenSize hidden size H
 * @param numLayers number of encoder layers
 * @param numHeads attention heads; {@code hiddenSize % numHeads == 0}
 * @param intermediateSize feed-forward inner size
 * @param maxPositions rows of the position embeddings (longest sequence)
 * @param typeVocabSize rows of the token-type embeddings
 * @param layerNormEps LayerNorm epsilon (1e-12 for Google's BERT)
 */
public record BertConfig(int vocabSize, int hiddenSize, int numLayers, int numHeads, int intermediateSize,
        int maxPositions, int typeVocabSize, double layerNormEps) {

    public BertConfig {
        if (vocabSize <= 0 || hiddenSize <= 0 || numLayers <= 0 || numHeads <= 0 || intermediateSize <= 0
                || maxPositions <= 0 || typeVocabSize <= 0) {
            throw new IllegalArgumentException("all BERT sizes must be positive: " + describe(vocabSize, hiddenSize,
                    numLayers, numHeads, intermediateSize, maxPositions, typeVocabSize));
        }
        if (hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException("hiddenSize " + hiddenSize + " is not a multiple of numHeads "
                    + numHeads);
        }
        if (!(layerNormEps > 0) || Double.isInfinite(layerNormEps)) {
            throw new IllegalArgumentException("layerNormEps must be positive and finite, got " + layerNormEps);
        }
    }

    /** BERT-base: 12 layers, hidden 768, 12 heads, inner 3072, 512 positions, 2 token types, eps 1e-12. */
    public static BertConfig base(int vocabSize) {
        return new BertConfig(vocabSize, 768, 12, 12, 3072, 512, 2, 1e-12);
    }

    /** Width of one attention head. */
    public int headSize() {
        return hiddenSize / numHeads;
    }

    private static String describe(int v, int h, int l, int a, int i, int p, int t) {
        return "vocabSize=" + v + " hiddenSize=" + h + " numLayers=" + l + " numHeads=" + a + " intermediateSize=" + i
                + " maxPositions=" + p + " typeVocabSize=" + t;
    }
}
