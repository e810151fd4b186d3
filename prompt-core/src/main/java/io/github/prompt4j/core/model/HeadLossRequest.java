package io.github.prompt4j.core.model;

import java.util.Map;

/**
 * One example for {@link HeadTrainableModel#headLossGradients}: a prompt, its gold class (a row of the
 * {@link LinearHead}), optional soft vectors that replace the word embeddings of some positions, and the positions
 * whose gradient is wanted. The loss is at the prompt's first mask.
 *
 * <p>Immutable; arrays are copied in and out.
 *
 * @param prompt the encoded prompt, with at least one mask
 * @param goldClass index of the gold class among the head's rows, {@code >= 0}
 * @param softVectors position -> vector of the hidden size replacing the word embedding there; empty for none
 * @param gradientPositions positions whose input-embedding gradient is returned, possibly none
 */
public record HeadLossRequest(EncodedPrompt prompt, int goldClass, Map<Integer, float[]> softVectors,
        int[] gradientPositions) {

    public HeadLossRequest {
        if (prompt == null) {
            throw new IllegalArgumentException("prompt must not be null");
        }
        if (prompt.maskCount() < 1) {
            throw new IllegalArgumentException("prompt has no [MASK]; the head reads the state at its first mask");
        }
        if (goldClass < 0) {
            throw new IllegalArgumentException("goldClass must be >= 0, got " + goldClass);
        }
        gradientPositions = GradientRequest.checkedPositions(prompt, gradientPositions);
        softVectors = SoftInput.checkedCopy(prompt, softVectors == null ? Map.of() : softVectors);
    }

    /** A discrete-prompt request (for prefix-tuning): no soft vectors, no input gradient. */
    public static HeadLossRequest of(EncodedPrompt prompt, int goldClass) {
        return new HeadLossRequest(prompt, goldClass, Map.of(), new int[0]);
    }

    @Override
    public int[] gradientPositions() {
        return gradientPositions.clone();
    }
}
