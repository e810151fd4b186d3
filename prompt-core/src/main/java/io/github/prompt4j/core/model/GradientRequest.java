package io.github.prompt4j.core.model;

import java.util.Arrays;
import java.util.Map;

/**
 * One example for {@link MaskedLanguageModel#labelLossGradients}: a prompt, the gold label words, optional continuous
 * vectors that replace the embeddings of some positions, and the positions whose gradient is wanted.
 *
 * <p>The label loss is at the prompt's first mask: {@code loss = -log sum_{w in goldTokenIds} p(w | mask)}.
 * Immutable; arrays are copied in and out.
 *
 * @param prompt the encoded prompt
 * @param goldTokenIds vocabulary ids of the gold class's label words, at least one, no duplicates
 * @param softVectors position -> vector of length hidden size that replaces the word embedding there (soft prompts);
 *        the position/token-type embeddings are still added. Empty for discrete prompts.
 * @param gradientPositions positions whose input-embedding gradient is returned, possibly none
 */
public record GradientRequest(EncodedPrompt prompt, int[] goldTokenIds, Map<Integer, float[]> softVectors,
        int[] gradientPositions) {

    public GradientRequest {
        if (prompt == null) {
            throw new IllegalArgumentException("prompt must not be null");
        }
        if (goldTokenIds == null || goldTokenIds.length == 0) {
            throw new IllegalArgumentException("a gradient request needs at least one gold label-word id");
        }
        if (Arrays.stream(goldTokenIds).distinct().count() != goldTokenIds.length) {
            throw new IllegalArgumentException("gold label-word ids repeat: " + Arrays.toString(goldTokenIds));
        }
        gradientPositions = checkedPositions(prompt, gradientPositions);
        softVectors = SoftInput.checkedCopy(prompt, softVectors == null ? Map.of() : softVectors);
        goldTokenIds = goldTokenIds.clone();
    }

    /** A copy of the gradient positions after checking that each lies inside the prompt. */
    static int[] checkedPositions(EncodedPrompt prompt, int[] gradientPositions) {
        if (gradientPositions == null) {
            throw new IllegalArgumentException("gradientPositions must not be null; pass an empty array for none");
        }
        for (int p : gradientPositions) {
            if (p < 0 || p >= prompt.length()) {
                throw new IllegalArgumentException("gradient position " + p + " is outside the prompt of length "
                        + prompt.length());
            }
        }
        return gradientPositions.clone();
    }

    /** A discrete-prompt request: no soft vectors. */
    public static GradientRequest of(EncodedPrompt prompt, int[] goldTokenIds, int[] gradientPositions) {
        return new GradientRequest(prompt, goldTokenIds, Map.of(), gradientPositions);
    }

    @Override
    public int[] goldTokenIds() {
        return goldTokenIds.clone();
    }

    @Override
    public int[] gradientPositions() {
        return gradientPositions.clone();
    }

    /** The soft vector at a position, copied; the map itself is unmodifiable but holds arrays. */
    public float[] softVector(int position) {
        float[] v = softVectors.get(position);
        if (v == null) {
            throw new IllegalArgumentException("no soft vector at position " + position);
        }
        return v.clone();
    }
}
