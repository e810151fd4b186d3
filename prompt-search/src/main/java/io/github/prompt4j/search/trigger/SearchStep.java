package io.github.prompt4j.search.trigger;

import java.time.Duration;
import java.util.List;

/**
 * Progress of a trigger search after one step, for {@link SearchListener}s.
 *
 * @param iteration the step just finished, from 1
 * @param iterations the planned number of steps
 * @param position the trigger slot this step tried to replace
 * @param triggerIds the current triggers after the step
 * @param triggerTokens their vocabulary spellings
 * @param trainLoss mean loss of the current triggers on this step's evaluation batch
 * @param accepted whether the step replaced the current triggers
 * @param selectionMetric selection-split metric of the current triggers (accuracy or precision@1; on the
 *        selection batch when the search scores a batch of the split per step)
 * @param bestSelectionMetric best selection metric so far (same scale)
 * @param passes passes used so far, including any before a resume
 * @param elapsed wall time so far, including any before a resume
 */
public record SearchStep(int iteration, int iterations, int position, int[] triggerIds, List<String> triggerTokens,
        double trainLoss, boolean accepted, double selectionMetric, double bestSelectionMetric, PassCounts passes,
        Duration elapsed) {

    public SearchStep {
        triggerIds = triggerIds.clone();
        triggerTokens = List.copyOf(triggerTokens);
    }

    @Override
    public int[] triggerIds() {
        return triggerIds.clone();
    }
}
