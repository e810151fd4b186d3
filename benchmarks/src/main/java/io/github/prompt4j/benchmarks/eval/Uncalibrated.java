package io.github.prompt4j.benchmarks.eval;

import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.mapping.LabelMapper;
import io.github.prompt4j.core.mapping.LabelWordScores;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Recovers the uncalibrated classification from a calibrated one of the same forward pass, so that a calibrated run
 * reports both without scoring the data twice.
 *
 * <p>A calibrated {@link io.github.prompt4j.core.classify.PromptClassifier} keeps the label-word scores of
 * {@link Classification#wordScores()} uncalibrated; applying the classifier's base mapper (the one it wraps with
 * {@link LabelMapper#calibrated}) to them gives exactly the distribution an uncalibrated classifier reports.
 *
 * <p>Stateless and thread-safe.
 */
final class Uncalibrated {

    private Uncalibrated() {
    }

    /**
     * The classification the uncalibrated base mapper gives for the word scores of {@code calibrated}: class
     * probabilities in the verbalizer's class order, the most probable class (the first on an exact tie, as the
     * classifier breaks ties), and the same word scores.
     *
     * @param calibrated a classification whose word scores cover every label word of {@code verbalizer}
     * @param verbalizer the classifier's verbalizer (classes and their words, in order)
     * @param base the mapper the classifier calibrates (e.g. {@link LabelMapper#mean()})
     * @throws IllegalArgumentException when a label word of the verbalizer has no score in {@code calibrated}
     */
    static Classification of(Classification calibrated, Verbalizer verbalizer, LabelMapper base) {
        List<String> labels = verbalizer.labels();
        List<List<String>> words = new ArrayList<>(labels.size());
        double[][] logProbs = new double[labels.size()][];
        for (int c = 0; c < labels.size(); c++) {
            List<String> classWords = verbalizer.words().get(labels.get(c));
            logProbs[c] = new double[classWords.size()];
            for (int w = 0; w < classWords.size(); w++) {
                Double score = calibrated.wordScores().get(classWords.get(w));
                if (score == null) {
                    throw new IllegalArgumentException("label word '" + classWords.get(w) + "' of class '"
                            + labels.get(c) + "' has no score in the classification; classify with the classifier "
                            + "built from this verbalizer");
                }
                logProbs[c][w] = score;
            }
            words.add(classWords);
        }
        double[] probs = base.map(new LabelWordScores(labels, words, logProbs));
        Map<String, Double> byClass = new LinkedHashMap<>();
        int best = 0;
        for (int c = 0; c < probs.length; c++) {
            byClass.put(labels.get(c), probs[c]);
            if (probs[c] > probs[best]) {
                best = c;
            }
        }
        return new Classification(labels.get(best), byClass, calibrated.wordScores());
    }
}
