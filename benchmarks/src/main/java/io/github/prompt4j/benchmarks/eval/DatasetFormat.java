package io.github.prompt4j.benchmarks.eval;

/** The labelled-text file formats of {@code ../shared/data} that {@link DatasetReader} understands. */
enum DatasetFormat {
    /**
     * Tab-separated with a header line naming the columns, one of them {@code label}: GLUE ({@code sentence<TAB>label})
     * and ChnSentiCorp ({@code label<TAB>text_a}). Template fields are named after the columns.
     */
    HEADER_TSV,
    /**
     * A {@code *.norm.tsv} file: tab-separated, no header, the label in the last column. With one text column it is
     * named {@code text}; with several, {@code text_a}, {@code text_b}, ...
     */
    NORM_TSV
}
