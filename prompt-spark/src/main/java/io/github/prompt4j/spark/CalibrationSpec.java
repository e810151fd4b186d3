package io.github.prompt4j.spark;

import io.github.prompt4j.core.calibration.Calibration;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link Calibration} in serialisable form: exactly one of the value fields is used, as {@code kind} says.
 *
 * @param kind which calibration
 * @param texts the content-free inputs ({@link Kind#CONTEXTUAL}) or sample texts ({@link Kind#SAMPLE_TEXTS})
 * @param inputs the sample inputs ({@link Kind#SAMPLE})
 * @param prior the fixed prior ({@link Kind#FIXED})
 */
record CalibrationSpec(Kind kind, ArrayList<String> texts, ArrayList<HashMap<String, String>> inputs,
        LinkedHashMap<String, Double> prior) implements Serializable {

    /** The calibrations of {@link Calibration}. */
    enum Kind { NONE, CONTEXTUAL, SAMPLE, SAMPLE_TEXTS, FIXED }

    static CalibrationSpec of(Calibration calibration) {
        ArrayList<String> texts = new ArrayList<>();
        ArrayList<HashMap<String, String>> inputs = new ArrayList<>();
        LinkedHashMap<String, Double> prior = new LinkedHashMap<>();
        Kind kind;
        if (calibration instanceof Calibration.Contextual c) {
            kind = Kind.CONTEXTUAL;
            texts.addAll(c.contentFree());
        } else if (calibration instanceof Calibration.Sample s) {
            kind = Kind.SAMPLE;
            s.inputs().forEach(m -> inputs.add(new HashMap<>(m)));
        } else if (calibration instanceof Calibration.SampleTexts t) {
            kind = Kind.SAMPLE_TEXTS;
            texts.addAll(t.texts());
        } else if (calibration instanceof Calibration.Fixed f) {
            kind = Kind.FIXED;
            prior.putAll(f.prior());
        } else {
            kind = Kind.NONE;
        }
        return new CalibrationSpec(kind, texts, inputs, prior);
    }

    boolean isNone() {
        return kind == Kind.NONE;
    }

    Calibration toCalibration() {
        return switch (kind) {
            case NONE -> Calibration.none();
            case CONTEXTUAL -> Calibration.contextual(List.copyOf(texts));
            case SAMPLE -> Calibration.fromSample(List.<Map<String, String>>copyOf(inputs));
            case SAMPLE_TEXTS -> Calibration.fromTexts(List.copyOf(texts));
            case FIXED -> Calibration.fixed(prior);
        };
    }

    @Override
    public String toString() {
        return toCalibration().toString();
    }
}
