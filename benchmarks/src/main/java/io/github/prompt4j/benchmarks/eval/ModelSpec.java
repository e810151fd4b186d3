package io.github.prompt4j.benchmarks.eval;

import io.github.prompt4j.onnx.runtime.PretrainedModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Optional;

/**
 * Which model a command runs: a pretrained model known by name, or an exported model directory.
 *
 * <p>Immutable. Exactly one of the two is present.
 *
 * @param pretrained the pretrained model, when given by name
 * @param directory the exported model directory, when given by path
 */
record ModelSpec(Optional<PretrainedModels> pretrained, Optional<Path> directory) {

    ModelSpec {
        if (pretrained.isPresent() == directory.isPresent()) {
            throw new IllegalArgumentException("give either a pretrained model or an exported directory");
        }
    }

    /**
     * Parses {@code --model}: a pretrained name ({@code bert-base-cased}, ...) or the path of an existing directory.
     *
     * @throws IllegalArgumentException listing the known names when the value is neither
     */
    static ModelSpec parse(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("model must not be blank");
        }
        for (PretrainedModels m : PretrainedModels.values()) {
            if (m.id().equalsIgnoreCase(value) || m.name().equalsIgnoreCase(value)) {
                return new ModelSpec(Optional.of(m), Optional.empty());
            }
        }
        Path path = Paths.get(value);
        if (Files.isDirectory(path)) {
            return new ModelSpec(Optional.empty(), Optional.of(path));
        }
        StringBuilder known = new StringBuilder();
        for (PretrainedModels m : PretrainedModels.values()) {
            known.append(m.id()).append(", ");
        }
        throw new IllegalArgumentException("'" + value + "' is neither a known model (" + known
                + "...) nor an existing exported model directory");
    }

    /** The name to show: the pretrained name or the directory path. */
    String displayName() {
        return pretrained.map(PretrainedModels::id).orElseGet(() -> directory.orElseThrow().toString());
    }

    @Override
    public String toString() {
        return displayName();
    }
}
