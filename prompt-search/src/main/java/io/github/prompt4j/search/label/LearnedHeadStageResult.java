package io.github.prompt4j.search.label;

import io.github.prompt4j.core.verbalizer.LinearVerbalizer;
import io.github.prompt4j.search.trigger.TriggerSearchResult;
import java.util.List;

/**
 * What a {@link LearnedHeadStage} fitted and chose.
 *
 * <p>Immutable and thread-safe.
 *
 * @param head the learned verbalizer fitted on the training examples at the chosen strength
 * @param chosenL2 the L2 strength kept
 * @param headScores every strength's selection score
 * @param fitted training examples the head was fitted on
 * @param promptAccuracy the result's selection accuracy as it stood, with its label words
 * @param headChosen whether the head was strictly more accurate on the selection split, and so replaces the words
 * @param forwardPasses forward passes of the stage
 * @param seconds wall time of the stage
 */
public record LearnedHeadStageResult(LinearVerbalizer head, double chosenL2, List<SelectionScore> headScores,
        int fitted, double promptAccuracy, boolean headChosen, long forwardPasses, double seconds) {

    public LearnedHeadStageResult {
        if (head == null || headScores == null) {
            throw new IllegalArgumentException("head and headScores must not be null");
        }
        headScores = List.copyOf(headScores);
        SelectionScore.accuracyAt(headScores, chosenL2); // the chosen strength must be one of those scored
    }

    /** The head's selection accuracy at the chosen strength. */
    public double headAccuracy() {
        return SelectionScore.accuracyAt(headScores, chosenL2);
    }

    /** The chosen way's selection accuracy: the head's when it was chosen, otherwise the result's as it stood. */
    public double chosenAccuracy() {
        return headChosen ? headAccuracy() : promptAccuracy;
    }

    /** The result with the head ({@link TriggerSearchResult#withHead}) when it was chosen, otherwise unchanged. */
    public TriggerSearchResult applyTo(TriggerSearchResult found) {
        return headChosen ? found.withHead(head) : found;
    }
}
