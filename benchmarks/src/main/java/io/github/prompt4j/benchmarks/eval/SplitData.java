package io.github.prompt4j.benchmarks.eval;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.search.protocol.HeldOut;
import io.github.prompt4j.search.protocol.SelectionSplit;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * The data of a command that trains on {@code --train} less a selection split and reports {@code --eval} once
 * ({@code prefix}, {@code soft}): the seeded subset, the split carved from it (seed {@code seed + 1}), and the sealed
 * held-out set. Immutable once read; not shared across threads.
 */
final class SplitData {

    private static final Logger log = LoggerFactory.getLogger(SplitData.class);

    private final Dataset data;
    private final List<Example> examples;
    private final SelectionSplit split;
    private final long seed;
    private final int minWords;
    private final Optional<Dataset> evalData;
    private final Optional<HeldOut> held;

    private final Optional<Path> json;

    private SplitData(Dataset data, List<Example> examples, SelectionSplit split, long seed, int minWords,
            Optional<Dataset> evalData, Optional<Path> json) {
        this.minWords = minWords;
        this.json = json;
        this.data = data;
        this.examples = examples;
        this.split = split;
        this.seed = seed;
        this.evalData = evalData;
        this.held = evalData.map(d -> HeldOut.of(d.file().toString(), SearchSupport.toSearch(d.examples())));
    }

    /**
     * Reads {@code train} (a seeded subset of {@code limit} of its examples of at least {@code --train-min-words}
     * words), carves {@code select} examples as the selection split and
     * seals {@code eval}.
     *
     * @throws ParameterException when the template does not fit the data or the split cannot be carved
     */
    static SplitData read(CommandSpec spec, SplitOptions o, Template template) {
        long seed = o.seed;
        int select = o.select;
        Dataset data = DatasetReader.read(o.train);
        List<Example> examples = SearchSupport.sampleFitting(spec, data, o.minWords.value,
                o.limit.orElse(Integer.MAX_VALUE), seed, template);
        SelectionSplit split;
        try {
            split = SelectionSplit.carve(SearchSupport.toSearch(examples), select, seed + 1);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--select " + select + ": " + e.getMessage());
        }
        return new SplitData(data, examples, split, seed, o.minWords.value, o.eval.map(DatasetReader::read), o.json);
    }

    /** A fresh report naming the command and its start. */
    static ObjectNode report(String command, Instant started) {
        ObjectNode report = SearchSupport.object();
        report.put("command", command).put("startedAt", started.toString());
        return report;
    }

    /** Writes a trained prompt's JSON to {@code file}, if given. */
    static void save(Optional<Path> file, String prompt, String what) {
        file.ifPresent(f -> {
            ReportWriter.write(f, prompt);
            log.info("wrote the {} to {}", what, f);
        });
    }

    /** Flushes the printed summary and writes the report to {@code --json}, if given. */
    void finish(ObjectNode report, PrintWriter out) {
        out.flush();
        json.ifPresent(f -> {
            SearchSupport.write(report, f);
            log.info("wrote {}", f);
        });
    }

    /** The training part and the selection split. */
    SelectionSplit split() {
        return split;
    }

    /** Records the training file, its hash and the sizes under {@code train} in the report. */
    void describe(ObjectNode report) {
        ObjectNode d = report.putObject("train");
        d.put("file", data.file().toString()).put("sha256", data.sha256()).put("minWords", minWords)
                .put("examples", examples.size())
                .put("search", split.search().size()).put("selection", split.selection().size())
                .put("selectionSeed", seed + 1);
    }

    /**
     * Scores the held-out set once with {@code classifier} (if {@code --eval} was given), records it under {@code eval}
     * and prints the accuracy.
     */
    void evaluateOnce(PromptClassifier classifier, Template template, List<String> labels, int batchSize,
            boolean progress, String name, ObjectNode report, PrintWriter out) {
        if (held.isEmpty()) {
            return;
        }
        ClassificationMetrics m = held.get().evaluateOnce(xs -> {
            List<Map<String, String>> inputs = xs.stream().map(x -> x.valuesFor(template)).toList();
            List<Classification> predicted;
            try (Progress bar = Progress.start(name, "sent.", inputs.size(), progress)) {
                predicted = Batches.classify(classifier::classifyAllFields, inputs, batchSize, bar);
            }
            return ClassificationMetrics.of(labels, xs.stream().map(io.github.prompt4j.search.data.Example::label)
                    .toList(), predicted.stream().map(Classification::label).toList(), seed);
        });
        ObjectNode e = report.putObject("eval");
        e.put("file", evalData.get().file().toString()).put("sha256", evalData.get().sha256())
                .put("examples", held.get().size());
        e.set("metrics", ReportWriter.metrics(m));
        out.printf(Locale.ROOT, "accuracy on %s (%d examples, scored once): %s, macro-F1 %.4f%n",
                evalData.get().file(), held.get().size(), ReportWriter.percentWithInterval(m.accuracy()), m.macroF1());
    }
}
