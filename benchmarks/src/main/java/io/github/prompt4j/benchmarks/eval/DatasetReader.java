package io.github.prompt4j.benchmarks.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads labelled text files in the formats of {@code ../shared/data} (see {@link DatasetFormat}), telling the format
 * from the file name ({@code *.norm.tsv}) or the header line (a column named {@code label}).
 *
 * <p>Fields are split on tabs only; nothing is unquoted (GLUE and ChnSentiCorp files have no quoting). Blank lines
 * are skipped. Stateless.
 */
final class DatasetReader {

    private static final String LABEL_COLUMN = "label";

    private DatasetReader() {
    }

    /** The format of a file, from its name and first line. */
    static DatasetFormat detect(Path file, String firstLine) {
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".norm.tsv")) {
            return DatasetFormat.NORM_TSV;
        }
        if (Arrays.asList(firstLine.split("\t", -1)).contains(LABEL_COLUMN)) {
            return DatasetFormat.HEADER_TSV;
        }
        throw new IllegalArgumentException("cannot tell the format of " + file + ": its first line has no column named"
                + " 'label' (GLUE: sentence<TAB>label, ChnSentiCorp: label<TAB>text_a) and its name does not end in"
                + " .norm.tsv (text<TAB>label without header)");
    }

    /**
     * Reads a whole file.
     *
     * @throws IllegalArgumentException for an unknown format, a header without a text column or with a repeated
     *         column, a row with the wrong number of columns or an empty
     *         label (naming the file and line), or no rows
     * @throws UncheckedIOException when the file cannot be read (a missing file names the path)
     */
    static Dataset read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("data file " + file.toAbsolutePath() + " does not exist", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read data file " + file + ": " + e, e);
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        List<String> lines = text.lines().toList();
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("data file " + file + " is empty");
        }
        DatasetFormat format = detect(file, lines.get(0));
        List<String> columns;
        int labelColumn;
        int first;
        if (format == DatasetFormat.HEADER_TSV) {
            columns = Arrays.asList(lines.get(0).split("\t", -1));
            labelColumn = columns.indexOf(LABEL_COLUMN);
            first = 1;
            if (columns.size() < 2) {
                throw new IllegalArgumentException(file + " line 1 has only the 'label' column; a data file needs at "
                        + "least one text column beside it");
            }
            if (new HashSet<>(columns).size() != columns.size()) {
                throw new IllegalArgumentException(file + " line 1 repeats a column name: " + columns
                        + "; name each column once");
            }
        } else {
            int width = lines.get(0).split("\t", -1).length;
            if (width < 2) {
                throw new IllegalArgumentException(file + " line 1 has no tab; a .norm.tsv row is text<TAB>label");
            }
            columns = new ArrayList<>();
            for (int c = 0; c < width - 1; c++) {
                columns.add(width == 2 ? "text" : "text_" + (char) ('a' + c));
            }
            columns.add(LABEL_COLUMN);
            labelColumn = width - 1;
            first = 0;
        }
        List<Example> examples = new ArrayList<>();
        for (int i = first; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            String[] cells = line.split("\t", -1);
            if (cells.length != columns.size()) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + " has " + cells.length
                        + " tab-separated columns, expected " + columns.size() + " " + columns);
            }
            Map<String, String> fields = new LinkedHashMap<>();
            for (int c = 0; c < cells.length; c++) {
                if (c != labelColumn) {
                    fields.put(columns.get(c), cells[c]);
                }
            }
            String label = cells[labelColumn].strip();
            if (label.isEmpty()) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + " has an empty label");
            }
            examples.add(new Example(fields, label));
        }
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("data file " + file + " has a header but no rows");
        }
        return new Dataset(file, format, sha256(bytes), examples);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM lacks SHA-256, which every Java platform must provide", e);
        }
    }
}
