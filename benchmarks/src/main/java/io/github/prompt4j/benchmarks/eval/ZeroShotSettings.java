package io.github.prompt4j.benchmarks.eval;

import io.github.prompt4j.core.classify.MultiMaskDecoding;
import io.github.prompt4j.core.verbalizer.MultiTokenPolicy;
import io.github.prompt4j.onnx.runtime.Device;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The settings of a zero-shot run, as the report records them.
 *
 * <p>Immutable.
 *
 * @param template the template text
 * @param labels the classes and their label words, in class order
 * @param mapper the label mapper
 * @param policy the multi-piece policy
 * @param limit the {@code --limit}, if given
 * @param seed the bootstrap seed
 * @param batchSize prompts per model call
 * @param device the requested device
 * @param calibration the content-free input of contextual calibration, if used
 * @param multiMask the decoding of multi-piece label words with one mask per piece ({@code --multi-mask}), if used
 * @param learnedHead whether a learned verbalizer of the saved prompt scores the classes from the mask state, so the
 *        label words only name the classes (and {@code mapper} goes unused)
 */
record ZeroShotSettings(String template, List<LabelOption> labels, MapperChoice mapper, MultiTokenPolicy policy,
        OptionalInt limit, long seed, int batchSize, Device device, Optional<String> calibration,
        Optional<MultiMaskDecoding> multiMask, boolean learnedHead) {

    ZeroShotSettings {
        labels = List.copyOf(labels);
    }

    /** Settings without multi-mask decoding. */
    ZeroShotSettings(String template, List<LabelOption> labels, MapperChoice mapper, MultiTokenPolicy policy,
            OptionalInt limit, long seed, int batchSize, Device device, Optional<String> calibration) {
        this(template, labels, mapper, policy, limit, seed, batchSize, device, calibration, Optional.empty());
    }

    /** Settings whose classes are scored through label words. */
    ZeroShotSettings(String template, List<LabelOption> labels, MapperChoice mapper, MultiTokenPolicy policy,
            OptionalInt limit, long seed, int batchSize, Device device, Optional<String> calibration,
            Optional<MultiMaskDecoding> multiMask) {
        this(template, labels, mapper, policy, limit, seed, batchSize, device, calibration, multiMask, false);
    }

    /** How the classes are scored, as the report names it: the mapper, or {@code learned_head}. */
    String scoring() {
        return learnedHead ? "learned_head" : ReportWriter.lower(mapper);
    }

    /** The class labels in order. */
    List<String> classLabels() {
        return labels.stream().map(LabelOption::label).toList();
    }
}
