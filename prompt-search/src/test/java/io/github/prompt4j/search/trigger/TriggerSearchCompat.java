package io.github.prompt4j.search.trigger;

import io.github.prompt4j.search.data.Example;
import java.util.List;

/** The one place the golden test touches the API that the refactoring renames (dev set -> selection split). */
final class TriggerSearchCompat {

    private TriggerSearchCompat() {
    }

    static TriggerSearch.Builder withSelection(TriggerSearch.Builder b, List<Example> selection) {
        return b.selection(selection);
    }

    /** A metric name without its set prefix ("dev_accuracy" -> "accuracy"). */
    static String neutral(String metric) {
        return metric.replaceFirst("^(dev|selection)_", "");
    }
}
