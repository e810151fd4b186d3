package io.github.prompt4j.search.soft;

/**
 * One epoch of prefix-tuning: its mean training loss and the prefix's accuracy on the selection split after it.
 *
 * <p>Immutable.
 *
 * @param epoch 1-based; 0 is the initial prefix (no training loss)
 * @param steps optimiser steps taken so far
 * @param trainLoss mean label loss over the epoch's training examples (0 for epoch 0, which trains nothing)
 * @param selectionAccuracy accuracy on the selection split
 * @param seconds wall time since training started
 */
public record PrefixTuningEpoch(int epoch, int steps, double trainLoss, double selectionAccuracy, double seconds) {
}
