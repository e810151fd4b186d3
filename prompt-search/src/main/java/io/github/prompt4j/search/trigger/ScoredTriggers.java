package io.github.prompt4j.search.trigger;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A trigger state of a search's trajectory with its selection metrics: one of the few best a search keeps to
 * re-score on the whole selection split before choosing ({@link TriggerSearch.Builder#rescoreTop}).
 *
 * <p>Immutable; serialises to JSON inside a {@link TriggerSearchState}.
 *
 * @param triggers the trigger ids, one per slot
 * @param iteration the step that reached them (0 = the initial triggers)
 * @param metrics their selection metrics on the selection batch (names as in {@link TriggerSearchResult#metrics()})
 */
public record ScoredTriggers(int[] triggers, int iteration, Map<String, Double> metrics) {

    public ScoredTriggers {
        triggers = triggers.clone();
        metrics = Collections.unmodifiableMap(new TreeMap<>(metrics));
    }

    @Override
    public int[] triggers() {
        return triggers.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScoredTriggers s && Arrays.equals(triggers, s.triggers) && iteration == s.iteration
                && metrics.equals(s.metrics);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(triggers) + iteration) + metrics.hashCode();
    }
}
