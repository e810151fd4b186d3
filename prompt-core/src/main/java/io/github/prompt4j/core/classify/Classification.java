package io.github.prompt4j.core.classify;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The result of classifying one input: the predicted class, the probability of every class, and the score of every
 * label word.
 *
 * <p>Immutable.
 *
 * @param label the most probable class (the first in class order on an exact tie)
 * @param probabilities class label to probability, in the verbalizer's class order, summing to 1
 * @param wordScores label word to its log-probability at the mask (after the multi-piece policy); empty when a
 *        {@link io.github.prompt4j.core.verbalizer.LinearVerbalizer} scores the classes
 */
public record Classification(String label, Map<String, Double> probabilities, Map<String, Double> wordScores) {

    public Classification {
        if (label == null || !probabilities.containsKey(label)) {
            throw new IllegalArgumentException("predicted label '" + label + "' is not one of "
                    + probabilities.keySet());
        }
        probabilities = Collections.unmodifiableMap(new LinkedHashMap<>(probabilities));
        wordScores = Collections.unmodifiableMap(new LinkedHashMap<>(wordScores));
    }

    /** The probability of one class. */
    public double probability(String classLabel) {
        Double p = probabilities.get(classLabel);
        if (p == null) {
            throw new IllegalArgumentException("unknown class '" + classLabel + "'; classes are "
                    + probabilities.keySet());
        }
        return p;
    }

    /** The probability of the predicted class. */
    public double confidence() {
        return probabilities.get(label);
    }
}
