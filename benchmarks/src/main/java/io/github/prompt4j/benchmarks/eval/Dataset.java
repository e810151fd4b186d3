package io.github.prompt4j.benchmarks.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * A labelled dataset read from a file, with the file's provenance (format, SHA-256, row count).
 *
 * <p>Immutable.
 *
 * @param file the file it was read from
 * @param format its format
 * @param sha256 lower-case hex SHA-256 of the file's bytes
 * @param examples every example of the file, in file order
 */
record Dataset(Path file, DatasetFormat format, String sha256, List<Example> examples) {

    Dataset {
        examples = List.copyOf(examples);
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("dataset " + file + " has no examples");
        }
    }

    /** The first {@code n} examples (all when {@code n} is at least the size). */
    List<Example> first(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("limit must be positive, got " + n);
        }
        return examples.subList(0, Math.min(n, examples.size()));
    }

    /** The distinct gold labels in order of first appearance. */
    List<String> labels() {
        LinkedHashSet<String> labels = new LinkedHashSet<>();
        for (Example e : examples) {
            labels.add(e.label());
        }
        return new ArrayList<>(labels);
    }
}
