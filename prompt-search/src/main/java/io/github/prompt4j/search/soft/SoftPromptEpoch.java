package io.github.prompt4j.search.soft;

import io.github.prompt4j.search.trigger.PassCounts;
import java.time.Duration;

/**
 * Progress after one epoch of soft-prompt training.
 *
 * @param epoch the epoch just finished, from 1
 * @param epochs the most epochs the run will do
 * @param trainLoss mean label loss over the epoch's training examples, each taken before its batch's update
 * @param devAccuracy dev accuracy of the current vectors
 * @param devLoss mean dev label loss of the current vectors
 * @param bestDevAccuracy best dev accuracy so far (epoch 0 = the initial vectors)
 * @param bestEpoch the epoch that reached it
 * @param learningRate the rate of the epoch's last update
 * @param passes forward and gradient passes so far
 * @param elapsed wall time so far
 */
public record SoftPromptEpoch(int epoch, int epochs, double trainLoss, double devAccuracy, double devLoss,
        double bestDevAccuracy, int bestEpoch, double learningRate, PassCounts passes, Duration elapsed) {
}
