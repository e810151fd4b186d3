package io.github.prompt4j.benchmarks.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.MultiTokenPolicy;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.search.label.LabelWordSearchResult;
import io.github.prompt4j.search.label.ScoredWord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** What the search subcommands share: data conversion to prompt-search's examples, seeded subsets, JSON output. */
final class SearchSupport {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SearchSupport() {
    }

    /** The examples as prompt-search examples, fields and labels unchanged. */
    static List<io.github.prompt4j.search.data.Example> toSearch(List<Example> examples) {
        List<io.github.prompt4j.search.data.Example> out = new ArrayList<>(examples.size());
        for (Example e : examples) {
            out.add(new io.github.prompt4j.search.data.Example(e.fields(), e.label()));
        }
        return out;
    }

    /**
     * A seeded random subset of at most {@code limit} items (all of them, shuffled, when the limit is larger), so a
     * small budget still sees every class.
     */
    static <T> List<T> sample(List<T> items, int limit, long seed) {
        List<T> copy = new ArrayList<>(items);
        Collections.shuffle(copy, new Random(seed));
        return List.copyOf(copy.subList(0, Math.min(limit, copy.size())));
    }

    /**
     * A seeded subset of at most {@code limit} of the data's examples ({@link #sample}), after checking that the
     * template's fields are among the data's columns (every example of a file has the same columns, so the first one
     * tells).
     *
     * @throws ParameterException naming {@code --template} when a field is missing
     */
    static List<Example> sampleFitting(CommandSpec spec, Dataset data, int limit, long seed, Template template) {
        return sampleFitting(spec, data, 1, limit, seed, template);
    }

    /**
     * As {@link #sampleFitting(CommandSpec, Dataset, int, long, Template)}, drawn from the examples of at least
     * {@code minWords} words only ({@link #atLeastWords}).
     */
    static List<Example> sampleFitting(CommandSpec spec, Dataset data, int minWords, int limit, long seed,
            Template template) {
        List<Example> examples = sample(atLeastWords(spec, data, minWords), limit, seed);
        try {
            examples.get(0).valuesFor(template);
        } catch (IllegalArgumentException ex) {
            throw new ParameterException(spec.commandLine(), "--template: " + ex.getMessage());
        }
        return examples;
    }

    /**
     * The examples of at least {@code minWords} whitespace-separated words ({@code --train-min-words}; SST-2's GLUE
     * training file is mostly phrase fragments, its dev file whole sentences), in file order; all of them for 1.
     *
     * @throws ParameterException naming {@code --train-min-words} when no example is long enough
     */
    static List<Example> atLeastWords(CommandSpec spec, Dataset data, int minWords) {
        return rowsOfAtLeastWords(spec, data, minWords).stream().map(data.examples()::get).toList();
    }

    /**
     * The row indices (0-based, in file order) of the examples {@link #atLeastWords} keeps.
     *
     * @throws ParameterException naming {@code --train-min-words} when no example is long enough
     */
    static List<Integer> rowsOfAtLeastWords(CommandSpec spec, Dataset data, int minWords) {
        List<Integer> rows = new ArrayList<>();
        for (int i = 0; i < data.examples().size(); i++) {
            if (data.examples().get(i).words() >= minWords) {
                rows.add(i);
            }
        }
        if (rows.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "no training example of " + data.file() + " has "
                    + minWords + " or more words; lower --train-min-words");
        }
        return rows;
    }

    /** The searched label words of each class, best first, as {@code {class: [{word, id, score}, ...]}}. */
    static ObjectNode words(LabelWordSearchResult result) {
        ObjectNode words = object();
        result.words().forEach((label, list) -> {
            ArrayNode a = words.putArray(label);
            for (ScoredWord w : list) {
                a.addObject().put("word", w.word()).put("id", w.id()).put("score", w.score());
            }
        });
        return words;
    }

    /** A value (a record such as a protocol) as a JSON tree. */
    static ObjectNode tree(Object value) {
        return JSON.valueToTree(value);
    }

    /** A fresh JSON object. */
    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    /** The tree as indented JSON text. */
    static String text(ObjectNode node) {
        try {
            return JSON.writeValueAsString(node) + System.lineSeparator();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a report", e);
        }
    }

    /** Writes the tree as indented JSON, creating parent directories. */
    static void write(ObjectNode node, Path file) {
        ReportWriter.write(file, text(node));
    }

    /**
     * The verbalizer of a search command's {@code --label} options: at least two classes, single word pieces only
     * (searches score one mask).
     *
     * @param example a second class's word for the error message, e.g. {@code "fantastic"}
     * @throws ParameterException naming the problem, for fewer than two classes or a word the search cannot use
     */
    static Verbalizer searchVerbalizer(CommandSpec spec, List<LabelOption> labels, String example) {
        if (labels.size() < 2) {
            throw new ParameterException(spec.commandLine(), "give at least two classes, e.g. --label 0=terrible "
                    + "--label 1=" + example + "; got " + labels.size());
        }
        try {
            return LabelOption.verbalizer(labels, MultiTokenPolicy.REJECT);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--label: " + e.getMessage());
        }
    }
}
