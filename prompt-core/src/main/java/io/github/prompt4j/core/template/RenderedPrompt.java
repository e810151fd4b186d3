package io.github.prompt4j.core.template;

import io.github.prompt4j.core.model.EncodedPrompt;
import java.util.Arrays;

/**
 * An encoded prompt with what the {@link EncodedPrompt} itself does not record: where the soft-prompt slots
 * {@code [P]} are and how many field tokens truncation removed.
 *
 * <p>Immutable; arrays are copied in and out.
 *
 * @param prompt the model input
 * @param softPositions indices in {@code prompt.ids()} of the {@code [P]} slots, ascending, possibly none
 * @param truncatedTokens number of input-field tokens removed to fit the limit (0 when nothing was cut)
 */
public record RenderedPrompt(EncodedPrompt prompt, int[] softPositions, int truncatedTokens) {

    public RenderedPrompt {
        if (prompt == null || softPositions == null) {
            throw new IllegalArgumentException("prompt and softPositions must not be null");
        }
        if (truncatedTokens < 0) {
            throw new IllegalArgumentException("truncatedTokens must be >= 0, got " + truncatedTokens);
        }
        for (int p : softPositions) {
            if (p < 0 || p >= prompt.length()) {
                throw new IllegalArgumentException("soft position " + p + " is outside the prompt of length "
                        + prompt.length());
            }
        }
        softPositions = softPositions.clone();
    }

    @Override
    public int[] softPositions() {
        return softPositions.clone();
    }

    /** Whether truncation removed any token. */
    public boolean truncated() {
        return truncatedTokens > 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RenderedPrompt r && prompt.equals(r.prompt) && Arrays.equals(softPositions, r.softPositions)
                && truncatedTokens == r.truncatedTokens;
    }

    @Override
    public int hashCode() {
        return (prompt.hashCode() * 31 + Arrays.hashCode(softPositions)) * 31 + truncatedTokens;
    }

    @Override
    public String toString() {
        return "RenderedPrompt[" + prompt + ", soft=" + Arrays.toString(softPositions) + ", truncated="
                + truncatedTokens + "]";
    }
}
