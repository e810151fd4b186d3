package io.github.prompt4j.search.trigger;

import io.github.prompt4j.search.vocab.VocabularyFilter;
import java.util.List;

/**
 * Every knob of a trigger search, recorded with its result so a search can be reproduced and resumed.
 *
 * <p>Immutable; serialises to JSON.
 *
 * @param mode classification or fact retrieval
 * @param loss the training loss; {@link SearchLoss#LABEL_LIKELIHOOD} (the paper) when absent from older JSON
 * @param initialTriggers the starting token of each trigger slot, spelled as in the vocabulary
 * @param candidates k, the candidate replacements proposed per step from the gradient
 * @param gradientBatchSize examples per gradient batch
 * @param accumulationSteps gradient batches summed per step
 * @param evaluationBatchSize examples each step scores the candidates on (fresh each step)
 * @param forwardBatchSize sequences per forward call
 * @param iterations number of steps
 * @param positionChoice which slot a step replaces
 * @param beamWidth number of trigger sequences kept (1 = AutoPrompt)
 * @param candidateEvaluation exhaustive or successive halving
 * @param racingStartSize examples in the first successive-halving round
 * @param confirmationBatchSize fresh examples on which a step's winner must beat the current triggers again before
 *        it is accepted; 0 (the paper, and older JSON) accepts the evaluation batch's winner directly
 * @param filter which tokens may be proposed
 * @param excludeGoldObjects fact retrieval: never propose a training fact's gold object (it would leak the answer)
 * @param selectionBatchSize examples of the selection split an accepted step's triggers are scored on (a fixed,
 *        seeded subset); 0 (the default, and older JSON) scores the whole split at every accepted step
 * @param rescoreTop how many of the best trigger states by selection-batch metric are re-scored on the whole
 *        selection split before the search chooses; 0 (the default, and older JSON) chooses by the per-step scores
 * @param maxLength longest prompt in tokens, special tokens included
 * @param seed the random seed; the same seed and data give the same triggers
 */
public record TriggerSearchSettings(SearchMode mode, SearchLoss loss, List<String> initialTriggers, int candidates,
        int gradientBatchSize, int accumulationSteps, int evaluationBatchSize, int forwardBatchSize, int iterations,
        PositionChoice positionChoice, int beamWidth, CandidateEvaluation candidateEvaluation, int racingStartSize,
        int confirmationBatchSize, int selectionBatchSize, int rescoreTop, VocabularyFilter filter,
        boolean excludeGoldObjects, int maxLength, long seed) {

    public TriggerSearchSettings {
        if (loss == null) {
            loss = SearchLoss.LABEL_LIKELIHOOD;
        }
        checkLoss(mode, loss);
        if (mode == null || positionChoice == null || candidateEvaluation == null || filter == null) {
            throw new IllegalArgumentException("mode, positionChoice, candidateEvaluation and filter must be set");
        }
        if (initialTriggers == null || initialTriggers.isEmpty()) {
            throw new IllegalArgumentException("need an initial token for every trigger slot");
        }
        initialTriggers = List.copyOf(initialTriggers);
        positive("candidates", candidates);
        positive("gradientBatchSize", gradientBatchSize);
        positive("accumulationSteps", accumulationSteps);
        positive("evaluationBatchSize", evaluationBatchSize);
        positive("forwardBatchSize", forwardBatchSize);
        positive("beamWidth", beamWidth);
        positive("racingStartSize", racingStartSize);
        if (confirmationBatchSize < 0) {
            throw new IllegalArgumentException("confirmationBatchSize must be >= 0 (0 = no confirmation), got "
                    + confirmationBatchSize);
        }
        if (selectionBatchSize < 0 || rescoreTop < 0) {
            throw new IllegalArgumentException("selectionBatchSize and rescoreTop must be >= 0 (0 = whole split, "
                    + "no re-scoring), got " + selectionBatchSize + " and " + rescoreTop);
        }
        positive("maxLength", maxLength);
        if (iterations < 0) {
            throw new IllegalArgumentException("iterations must be >= 0, got " + iterations);
        }
    }

    /** Fact retrieval has the one loss {@code -log p(object | mask)}; the builder checks before encoding any data. */
    static void checkLoss(SearchMode mode, SearchLoss loss) {
        if (mode == SearchMode.FACT_RETRIEVAL && loss != SearchLoss.LABEL_LIKELIHOOD) {
            throw new IllegalArgumentException("fact retrieval has one loss, -log p(object | mask); " + loss
                    + " applies to classification only");
        }
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    /** A copy with another number of steps (e.g. to extend a finished search with {@link TriggerSearch#resume}). */
    public TriggerSearchSettings withIterations(int steps) {
        return new TriggerSearchSettings(mode, loss, initialTriggers, candidates, gradientBatchSize, accumulationSteps,
                evaluationBatchSize, forwardBatchSize, steps, positionChoice, beamWidth, candidateEvaluation,
                racingStartSize, confirmationBatchSize, selectionBatchSize, rescoreTop, filter, excludeGoldObjects,
                maxLength, seed);
    }
}
