package io.github.prompt4j.search.label;

import io.github.prompt4j.core.model.Tokenizer;
import io.github.prompt4j.core.verbalizer.LinearVerbalizer;
import io.github.prompt4j.search.trigger.ScoredTriggers;
import io.github.prompt4j.search.trigger.TriggerSearchResult;
import java.util.Arrays;
import java.util.List;

/**
 * What a {@link LearnedHeadStage} fitted and chose.
 *
 * <p>Immutable and thread-safe.
 *
 * @param state the trigger state the kept head reads (its metrics as the search measured them; none for the best
 *        state and the warm start)
 * @param head the learned verbalizer fitted on the training examples at the chosen strength, on {@code state}
 * @param chosenL2 the L2 strength kept
 * @param headScores every strength's selection score on {@code state}
 * @param states every state a head was fitted on, in the order tried (the best state first), with its head's
 *        selection accuracy
 * @param fitted training examples the head was fitted on
 * @param promptAccuracy the result's selection accuracy as it stood, with its label words
 * @param headChosen whether the head was strictly more accurate on the selection split, and so replaces the words
 * @param forwardPasses forward passes of the stage
 * @param seconds wall time of the stage
 */
public record LearnedHeadStageResult(ScoredTriggers state, LinearVerbalizer head, double chosenL2,
        List<SelectionScore> headScores, List<StateScore> states, int fitted, double promptAccuracy,
        boolean headChosen, long forwardPasses, double seconds) {

    /**
     * One trigger state's head on the selection split.
     *
     * @param state the trigger state
     * @param chosenL2 the strength chosen for its head
     * @param accuracy its head's selection accuracy at that strength
     */
    public record StateScore(ScoredTriggers state, double chosenL2, double accuracy) {
        public StateScore {
            if (state == null) {
                throw new IllegalArgumentException("state must not be null");
            }
        }
    }

    public LearnedHeadStageResult {
        if (state == null || head == null || headScores == null || states == null || states.isEmpty()) {
            throw new IllegalArgumentException("state, head, headScores and states must be set");
        }
        headScores = List.copyOf(headScores);
        states = List.copyOf(states);
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

    /**
     * The result scored as chosen: when the head won, {@code found} moved to the head's {@link #state()} (if it is
     * not found's best state, as {@code found.withEnsemble(List.of(state()), tokenizer)} does) with the head attached
     * ({@link TriggerSearchResult#withHead}); otherwise {@code found} unchanged.
     *
     * @param found the result the stage ran on
     * @param tokenizer the search model's tokenizer, to spell the head state's triggers
     */
    public TriggerSearchResult applyTo(TriggerSearchResult found, Tokenizer tokenizer) {
        if (!headChosen) {
            return found;
        }
        TriggerSearchResult moved = Arrays.equals(found.triggerIds(), state.triggers()) ? found
                : found.withEnsemble(List.of(state), tokenizer);
        return moved.withHead(head);
    }
}
