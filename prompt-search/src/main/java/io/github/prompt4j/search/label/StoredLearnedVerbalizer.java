package io.github.prompt4j.search.label;

import io.github.prompt4j.search.trigger.PassCounts;
import java.util.List;
import java.util.Map;

/** The JSON form of a {@link LearnedVerbalizerResult}: weights and biases as base64 little-endian float32. */
record StoredLearnedVerbalizer(String format, String modelName, String template, Map<String, List<String>> labelWords,
        int hiddenSize, List<String> weights, String bias, VerbalizerSettings settings, double chosenL2,
        double initialSelectionAccuracy, List<SelectionScore> selectionScores, int trainExamples,
        int selectionExamples, PassCounts passes, long elapsedMillis) {
}
