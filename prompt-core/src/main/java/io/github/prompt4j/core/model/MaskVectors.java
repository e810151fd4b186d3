package io.github.prompt4j.core.model;

import java.util.Arrays;
import java.util.List;

/**
 * One float vector of fixed width per mask of each prompt in a batch: logits or hidden states at the masks.
 *
 * <p>Stored flat in one primitive array, prompt by prompt, mask by mask: shape {@code [totalMasks, width]}. Immutable:
 * the array is copied in, and readers get copies or single values.
 */
public final class MaskVectors {

    private final int width;
    private final int[] firstRow;
    private final float[] values;

    /**
     * @param width vector width (vocabulary size, a column subset size, or hidden size)
     * @param maskCounts number of masks of each prompt, in batch order
     * @param values {@code sum(maskCounts) * width} floats, prompt by prompt, mask by mask
     */
    public MaskVectors(int width, int[] maskCounts, float[] values) {
        if (width <= 0) {
            throw new IllegalArgumentException("width must be positive, got " + width);
        }
        firstRow = new int[maskCounts.length + 1];
        for (int i = 0; i < maskCounts.length; i++) {
            if (maskCounts[i] < 0) {
                throw new IllegalArgumentException("maskCounts[" + i + "] is negative: " + maskCounts[i]);
            }
            firstRow[i + 1] = firstRow[i] + maskCounts[i];
        }
        if ((long) firstRow[maskCounts.length] * width != values.length) {
            throw new IllegalArgumentException("expected " + (long) firstRow[maskCounts.length] * width
                    + " values for " + firstRow[maskCounts.length] + " masks of width " + width + ", got "
                    + values.length);
        }
        this.width = width;
        this.values = values.clone();
    }

    /** Number of prompts in the batch. */
    public int promptCount() {
        return firstRow.length - 1;
    }

    /** Number of masks of prompt {@code prompt}. */
    public int maskCount(int prompt) {
        return firstRow[prompt + 1] - firstRow[prompt];
    }

    /** Total masks over all prompts (rows of the flat matrix). */
    public int rowCount() {
        return firstRow[firstRow.length - 1];
    }

    /** Width of every vector. */
    public int width() {
        return width;
    }

    /** One value: prompt {@code prompt}, its mask {@code mask}, column {@code column}. */
    public float get(int prompt, int mask, int column) {
        return values[row(prompt, mask) * width + column];
    }

    /** A copy of the vector at prompt {@code prompt}, mask {@code mask}. */
    public float[] vector(int prompt, int mask) {
        int r = row(prompt, mask);
        return Arrays.copyOfRange(values, r * width, (r + 1) * width);
    }

    /** Copies the vector at prompt {@code prompt}, mask {@code mask} into {@code dst} from {@code offset}. */
    public void copyVector(int prompt, int mask, float[] dst, int offset) {
        System.arraycopy(values, row(prompt, mask) * width, dst, offset, width);
    }

    /** Concatenates batches in order (results of one long list processed in several runs). */
    public static MaskVectors concat(List<MaskVectors> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to concatenate");
        }
        int width = parts.get(0).width;
        int prompts = 0;
        int total = 0;
        for (MaskVectors p : parts) {
            if (p.width != width) {
                throw new IllegalArgumentException("widths differ: " + width + " vs " + p.width);
            }
            prompts += p.promptCount();
            total += p.values.length;
        }
        int[] counts = new int[prompts];
        float[] values = new float[total];
        int pi = 0;
        int vi = 0;
        for (MaskVectors p : parts) {
            for (int i = 0; i < p.promptCount(); i++) {
                counts[pi++] = p.maskCount(i);
            }
            System.arraycopy(p.values, 0, values, vi, p.values.length);
            vi += p.values.length;
        }
        return new MaskVectors(width, counts, values);
    }

    /** Index of the flat row holding prompt {@code prompt}, mask {@code mask}. */
    int row(int prompt, int mask) {
        int count = maskCount(prompt);
        if (mask < 0 || mask >= count) {
            throw new IndexOutOfBoundsException("mask " + mask + " of prompt " + prompt + " which has " + count);
        }
        return firstRow[prompt] + mask;
    }
}
