package io.github.prompt4j.search.soft;

import io.github.prompt4j.search.trigger.PassCounts;
import java.util.List;
import java.util.Map;

/** The JSON form of a {@link SoftPromptResult}: the same fields, vectors as base64 little-endian float32. */
record StoredSoftPromptResult(String format, String modelName, String template, Map<String, List<String>> labelWords,
        int hiddenSize, List<String> vectors, SoftPromptSettings settings, double bestDevAccuracy, double bestDevLoss,
        int bestEpoch, int epochsRun, List<Double> trainLossHistory, List<Double> devAccuracyHistory,
        PassCounts passes, long elapsedMillis) {
}
