package io.github.prompt4j.benchmarks.eval;

/**
 * Which data a report was computed on.
 *
 * <p>Immutable.
 *
 * @param file the file as given on the command line
 * @param format its detected format
 * @param sha256 lower-case hex SHA-256 of the file's bytes
 * @param rows examples in the file
 * @param evaluated examples evaluated (the first {@code evaluated} rows; fewer than {@code rows} with {@code --limit})
 */
record DataProvenance(String file, DatasetFormat format, String sha256, int rows, int evaluated) {

    DataProvenance {
        if (evaluated <= 0 || evaluated > rows) {
            throw new IllegalArgumentException("evaluated " + evaluated + " must be in [1, " + rows + "]");
        }
    }

    /** The provenance of the first {@code evaluated} examples of a dataset. */
    static DataProvenance of(Dataset data, int evaluated) {
        return new DataProvenance(data.file().toString(), data.format(), data.sha256(), data.examples().size(),
                evaluated);
    }
}
