package io.github.prompt4j.search.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Readers for the datasets prompt search is evaluated on: SST-2 (GLUE TSV and {@code .norm.tsv}), LAMA T-REx facts
 * (JSONL), LAMA relation templates (JSONL) and vocabulary files.
 *
 * <p>Missing or unreadable files raise {@link UncheckedIOException} naming the file; malformed rows raise
 * {@link IllegalArgumentException} naming the file and line, and text that is not UTF-8 one naming the file.
 * Stateless and thread-safe.
 */
public final class Datasets {

    /** The field name of SST-2 examples. */
    public static final String SENTENCE = "sentence";
    /** SST-2 class for label {@code 0}. */
    public static final String NEGATIVE = "negative";
    /** SST-2 class for label {@code 1}. */
    public static final String POSITIVE = "positive";

    private static final ObjectMapper JSON = new ObjectMapper();

    private Datasets() {
    }

    /**
     * Reads a GLUE SST-2 file ({@code train.tsv}, {@code dev.tsv}: header {@code sentence<TAB>label}); labels
     * {@code 0}/{@code 1} become {@link #NEGATIVE}/{@link #POSITIVE}; sentences are stripped.
     */
    public static List<Example> sst2Glue(Path tsv) {
        List<String> lines = lines(tsv);
        if (lines.isEmpty() || !lines.get(0).strip().equals("sentence\tlabel")) {
            throw new IllegalArgumentException(tsv + ": expected the header 'sentence<TAB>label'; for files without "
                    + "a header use sst2Norm");
        }
        return sst2Rows(tsv, lines, 1);
    }

    /** Reads a derived SST-2 {@code .norm.tsv} file: no header, {@code sentence<TAB>label} rows. */
    public static List<Example> sst2Norm(Path tsv) {
        return sst2Rows(tsv, lines(tsv), 0);
    }

    private static List<Example> sst2Rows(Path file, List<String> lines, int first) {
        List<Example> out = new ArrayList<>(lines.size());
        for (int i = first; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            int tab = line.lastIndexOf('\t');
            if (tab < 0) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": no tab between sentence and label");
            }
            String label = switch (line.substring(tab + 1).strip()) {
                case "0" -> NEGATIVE;
                case "1" -> POSITIVE;
                default -> throw new IllegalArgumentException(file + ":" + (i + 1) + ": label must be 0 or 1, got '"
                        + line.substring(tab + 1).strip() + "'");
            };
            String sentence = line.substring(0, tab).strip();
            if (sentence.isEmpty()) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": empty sentence");
            }
            out.add(Example.of(SENTENCE, sentence, label));
        }
        return out;
    }

    /**
     * Reads LAMA facts (one JSON object per line with {@code sub_label} and {@code obj_label}); the subject goes
     * into field {@link LamaRelation#SUBJECT}, the object becomes the label.
     */
    public static List<Example> lamaFacts(Path jsonl) {
        List<Example> out = new ArrayList<>();
        List<String> lines = lines(jsonl);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            JsonNode node = parse(jsonl, i, lines.get(i));
            out.add(Example.of(LamaRelation.SUBJECT, text(jsonl, i, node, "sub_label"), text(jsonl, i, node,
                    "obj_label")));
        }
        return out;
    }

    /** Reads LAMA relation templates ({@code relation}, {@code template}, {@code label} per line). */
    public static List<LamaRelation> lamaRelations(Path jsonl) {
        List<LamaRelation> out = new ArrayList<>();
        List<String> lines = lines(jsonl);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            JsonNode node = parse(jsonl, i, lines.get(i));
            JsonNode label = node.get("label");
            try {
                out.add(new LamaRelation(text(jsonl, i, node, "relation"), text(jsonl, i, node, "template"),
                        label == null ? "" : label.asText()));
            } catch (IllegalArgumentException e) {
                if (e.getMessage().startsWith(jsonl.toString())) {
                    throw e;
                }
                throw new IllegalArgumentException(jsonl + ":" + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** Reads a vocabulary file: one token per line, blank lines skipped, order kept. */
    public static List<String> vocabulary(Path file) {
        List<String> out = new ArrayList<>();
        for (String line : lines(file)) {
            if (!line.isBlank()) {
                out.add(line.strip());
            }
        }
        return out;
    }

    private static JsonNode parse(Path file, int line, String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ":" + (line + 1) + ": not a JSON object", e);
        }
    }

    private static String text(Path file, int line, JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.asText().isBlank()) {
            throw new IllegalArgumentException(file + ":" + (line + 1) + ": missing or blank '" + field + "'");
        }
        return v.asText();
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(file + " is not UTF-8 text (" + e + "); save it as UTF-8", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file.toAbsolutePath(), e);
        }
    }
}
