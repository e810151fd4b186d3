package io.github.prompt4j.benchmarks.eval;

import io.github.prompt4j.core.classify.Classification;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Feeds an evaluation's inputs to a classifier in batches, so a progress bar moves and memory stays bounded. */
final class Batches {

    private Batches() {
    }

    /**
     * Classifies {@code inputs} in consecutive chunks of {@code batchSize}, advancing {@code bar} by each chunk's size.
     *
     * @param classify a classifier's (or ensemble's) {@code classifyAllFields}
     * @return one classification per input, in input order
     */
    static List<Classification> classify(Function<List<Map<String, String>>, List<Classification>> classify,
            List<Map<String, String>> inputs, int batchSize, Progress bar) {
        List<Classification> out = new ArrayList<>(inputs.size());
        for (int from = 0; from < inputs.size(); from += batchSize) {
            List<Map<String, String>> chunk = inputs.subList(from, Math.min(inputs.size(), from + batchSize));
            out.addAll(classify.apply(chunk));
            bar.step(chunk.size());
        }
        return out;
    }
}
