package io.github.prompt4j.search.select;

import io.github.prompt4j.search.trigger.ScoredTriggers;
import java.util.List;

/**
 * What a {@link TriggerEnsembleStage} measured and chose.
 *
 * <p>Immutable.
 *
 * @param ranked the shortlisted trigger states, best first by their own selection accuracy (ties: shortlist order),
 *        each with the metric {@code selection_accuracy} measured by the stage on the whole selection split
 * @param selectionAccuracy the selection accuracy of the ensemble of the {@code k} best states, at index
 *        {@code k - 1}, for every size considered
 * @param chosenSize k, the ensemble size chosen (the most accurate; ties: the smaller); 1 is the single best state
 * @param selectionSize selection examples scored
 * @param forwardPasses prompts the model ran: one per shortlisted state and selection example
 * @param seconds wall time of the stage
 */
public record TriggerEnsembleStageResult(List<ScoredTriggers> ranked, List<Double> selectionAccuracy, int chosenSize,
        int selectionSize, int forwardPasses, double seconds) {

    /** The metric each ranked state carries: its accuracy on the whole selection split. */
    public static final String MEMBER_ACCURACY = "selection_accuracy";

    public TriggerEnsembleStageResult {
        ranked = List.copyOf(ranked);
        selectionAccuracy = List.copyOf(selectionAccuracy);
        if (chosenSize < 1 || chosenSize > selectionAccuracy.size() || selectionAccuracy.size() > ranked.size()) {
            throw new IllegalArgumentException("chosen size " + chosenSize + " must lie in 1.." + selectionAccuracy.size()
                    + " sizes scored, at most the " + ranked.size() + " ranked states");
        }
    }

    /** The chosen members, best first (for {@code TriggerSearchResult.withEnsemble}). */
    public List<ScoredTriggers> members() {
        return ranked.subList(0, chosenSize);
    }

    /** The chosen ensemble's selection accuracy. */
    public double chosenAccuracy() {
        return selectionAccuracy.get(chosenSize - 1);
    }
}
