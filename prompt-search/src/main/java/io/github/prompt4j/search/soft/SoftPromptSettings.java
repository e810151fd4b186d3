package io.github.prompt4j.search.soft;

import java.util.List;

/**
 * Every knob of a soft-prompt training run, recorded with its result so a run can be reproduced.
 *
 * <p>Immutable; serialises to JSON.
 *
 * @param init how the vectors start
 * @param initWords with {@link SoftPromptInit#WORDS}: the vocabulary token of each slot, in slot order; else empty
 * @param initStd with {@link SoftPromptInit#RANDOM_NORMAL}: the standard deviation, positive
 * @param learningRate Adam's base learning rate, positive
 * @param beta1 Adam's first-moment decay, in {@code [0, 1)}
 * @param beta2 Adam's second-moment decay, in {@code [0, 1)}
 * @param epsilon Adam's denominator term, positive
 * @param batchSize training examples per update (the gradient is their mean)
 * @param epochs most passes over the training set
 * @param warmupFraction fraction of all updates spent in linear warmup, in {@code [0, 1)}
 * @param schedule the decay after warmup
 * @param patience stop after this many epochs without a strictly better dev accuracy; 0 never stops early
 * @param forwardBatchSize dev sequences per forward call
 * @param maxLength longest prompt in tokens, special tokens included
 * @param seed the random seed (shuffling, random init); the same seed, data and model give the same vectors
 */
public record SoftPromptSettings(SoftPromptInit init, List<String> initWords, double initStd, double learningRate,
        double beta1, double beta2, double epsilon, int batchSize, int epochs, double warmupFraction,
        LearningRateSchedule schedule, int patience, int forwardBatchSize, int maxLength, long seed) {

    public SoftPromptSettings {
        if (init == null || schedule == null) {
            throw new IllegalArgumentException("init and schedule must be set");
        }
        initWords = initWords == null ? List.of() : List.copyOf(initWords);
        if (init == SoftPromptInit.WORDS && initWords.isEmpty()) {
            throw new IllegalArgumentException("word initialisation needs one word per [P] slot");
        }
        if (init == SoftPromptInit.RANDOM_NORMAL && !initWords.isEmpty()) {
            throw new IllegalArgumentException("random initialisation takes no init words, got " + initWords);
        }
        if (!(initStd > 0) || !Double.isFinite(initStd)) {
            throw new IllegalArgumentException("initStd must be positive and finite, got " + initStd);
        }
        if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
            throw new IllegalArgumentException("learningRate must be positive and finite, got " + learningRate);
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("Adam betas must be in [0, 1), got " + beta1 + " and " + beta2);
        }
        if (!(epsilon > 0)) {
            throw new IllegalArgumentException("Adam epsilon must be positive, got " + epsilon);
        }
        if (!(warmupFraction >= 0 && warmupFraction < 1)) {
            throw new IllegalArgumentException("warmupFraction must be in [0, 1), got " + warmupFraction);
        }
        positive("batchSize", batchSize);
        positive("epochs", epochs);
        positive("forwardBatchSize", forwardBatchSize);
        positive("maxLength", maxLength);
        if (patience < 0) {
            throw new IllegalArgumentException("patience must be >= 0 (0 = no early stopping), got " + patience);
        }
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
