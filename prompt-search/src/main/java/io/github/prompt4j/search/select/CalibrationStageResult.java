package io.github.prompt4j.search.select;

import io.github.prompt4j.core.calibration.Calibration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a {@link CalibrationStage} measured and chose.
 *
 * <p>Immutable.
 *
 * @param chosen the option most accurate on the selection split
 * @param priors the estimated prior of each calibrating option (class label to probability, class order); none for
 *        {@link Option#NONE}
 * @param selectionAccuracy each option's accuracy on the selection split
 * @param selectionSize selection examples scored
 * @param forwardPasses prompts the model ran (selection, sample and content-free inputs)
 * @param seconds wall time of the stage
 */
public record CalibrationStageResult(Option chosen, Map<Option, Map<String, Double>> priors,
        Map<Option, Double> selectionAccuracy, int selectionSize, int forwardPasses, double seconds) {

    /** The calibrations a stage chooses among. */
    public enum Option {
        /** no calibration */
        NONE,
        /** the mean class distribution over content-free inputs ({@link Calibration#contextual()}) */
        CONTENT_FREE,
        /** the mean class distribution over a sample of unlabelled training inputs */
        TRAINING_SAMPLE
    }

    public CalibrationStageResult {
        if (chosen == null || priors == null || selectionAccuracy == null) {
            throw new IllegalArgumentException("chosen, priors and selectionAccuracy must be set");
        }
        Map<Option, Map<String, Double>> copy = new EnumMap<>(Option.class);
        priors.forEach((o, p) -> copy.put(o, Collections.unmodifiableMap(new LinkedHashMap<>(p))));
        priors = Collections.unmodifiableMap(copy);
        selectionAccuracy = Collections.unmodifiableMap(new EnumMap<>(selectionAccuracy));
    }

    /** The chosen prior, or an empty map when no calibration won (as {@code withCalibrationPrior} takes it). */
    public Map<String, Double> chosenPrior() {
        return priors.getOrDefault(chosen, Map.of());
    }

    /** The chosen calibration, frozen: {@link Calibration#fixed} by the chosen prior, or {@link Calibration#none()}. */
    public Calibration calibration() {
        return chosen == Option.NONE ? Calibration.none() : Calibration.fixed(chosenPrior());
    }

    /** The chosen option's selection accuracy. */
    public double chosenAccuracy() {
        return selectionAccuracy.get(chosen);
    }
}
