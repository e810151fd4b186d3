package io.github.prompt4j.search.trigger;

import com.fasterxml.jackson.annotation.JsonAlias;
import io.github.prompt4j.search.internal.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything a trigger search needs to continue after step {@link #iteration()}: the beam, the best triggers so
 * far, counters and the settings. Steps draw their randomness from {@code (seed, step)}, so a resumed search
 * repeats exactly what an uninterrupted one would have done.
 *
 * <p>Immutable; serialises to JSON ({@link #toJson()}, {@link #fromJson(String)}).
 *
 * @param modelName the model's {@code info().name()}
 * @param template the template text with {@code [T]} slots
 * @param settings the search settings
 * @param iteration steps done so far
 * @param beam current trigger sequences, best first (one with beam width 1)
 * @param currentSelectionMetric selection metric of {@code beam[0]} (read as {@code currentDevMetric} from older JSON)
 * @param bestTriggers triggers with the best selection metric so far
 * @param bestSelectionMetrics all selection metrics of {@code bestTriggers} (names as in
 *        {@link TriggerSearchResult#metrics()}; read as {@code bestDevMetrics} from older JSON)
 * @param bestIteration the step that found {@code bestTriggers} (0 = the initial triggers)
 * @param trainLoss loss of {@code beam[0]} on the last evaluation batch; NaN before the first step
 * @param passes passes so far
 * @param elapsedMillis wall time so far
 * @param shortlist the best trigger states of the trajectory by selection-batch metric, best first, at most
 *        {@code settings().rescoreTop()} of them; empty when the search does not re-score (and in older JSON)
 * @param longestStepMillis wall time of the longest step so far, the time budget's estimate of the next step; 0 before
 *        the first step and in older JSON
 */
public record TriggerSearchState(String modelName, String template, TriggerSearchSettings settings, int iteration,
        List<int[]> beam, @JsonAlias("currentDevMetric") double currentSelectionMetric, int[] bestTriggers,
        @JsonAlias("bestDevMetrics") Map<String, Double> bestSelectionMetrics, int bestIteration, double trainLoss,
        PassCounts passes, long elapsedMillis, long longestStepMillis, List<ScoredTriggers> shortlist) {

    public TriggerSearchState {
        if (modelName == null || template == null || settings == null || passes == null) {
            throw new IllegalArgumentException("modelName, template, settings and passes must be set");
        }
        if (beam == null || beam.isEmpty()) {
            throw new IllegalArgumentException("the beam needs at least one trigger sequence");
        }
        List<int[]> copy = new ArrayList<>(beam.size());
        for (int[] b : beam) {
            if (b.length != settings.initialTriggers().size()) {
                throw new IllegalArgumentException("beam entry has " + b.length + " triggers, expected "
                        + settings.initialTriggers().size());
            }
            copy.add(b.clone());
        }
        beam = Collections.unmodifiableList(copy);
        bestTriggers = bestTriggers.clone();
        bestSelectionMetrics = Collections.unmodifiableMap(new TreeMap<>(bestSelectionMetrics));
        shortlist = shortlist == null ? List.of() : List.copyOf(shortlist);
        if (iteration < 0) {
            throw new IllegalArgumentException("iteration must be >= 0, got " + iteration);
        }
    }

    @Override
    public List<int[]> beam() {
        List<int[]> out = new ArrayList<>(beam.size());
        for (int[] b : beam) {
            out.add(b.clone());
        }
        return out;
    }

    @Override
    public int[] bestTriggers() {
        return bestTriggers.clone();
    }

    /** The current triggers, {@code beam[0]}. */
    public int[] currentTriggers() {
        return beam.get(0).clone();
    }

    /** This state as JSON. */
    public String toJson() {
        return Json.write(this);
    }

    /**
     * Parses a state written by {@link #toJson()}.
     *
     * @throws IllegalArgumentException for malformed JSON
     */
    public static TriggerSearchState fromJson(String json) {
        return Json.read(json, TriggerSearchState.class);
    }
}
