package io.github.prompt4j.search.label;

import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.search.select.PromptScore;
import java.util.List;

/**
 * What a {@link LabelStage} found and chose.
 *
 * <p>Immutable and thread-safe.
 *
 * @param search the label-word search on the found template
 * @param byAdded the selection score of the seed words plus 0, 1, ..., K searched words per class, in that order
 * @param added the chosen count
 * @param seconds wall time of the stage
 */
public record LabelStageResult(LabelWordSearchResult search, List<PromptScore> byAdded, int added,
        double seconds) {

    public LabelStageResult {
        byAdded = List.copyOf(byAdded);
        if (added < 0 || added >= byAdded.size()) {
            throw new IllegalArgumentException("chosen count " + added + " is not one of the " + byAdded.size()
                    + " scored counts");
        }
    }

    /** The seed words plus the chosen searched words. */
    public Verbalizer chosen() {
        return byAdded.get(added).candidate().verbalizer();
    }

    /** The chosen words' accuracy on the selection split. */
    public double selectionAccuracy() {
        return byAdded.get(added).accuracy();
    }

    /** K, the most searched words per class that were tried. */
    public int maxAdded() {
        return byAdded.size() - 1;
    }
}
