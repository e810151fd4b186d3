package io.github.prompt4j.benchmarks.eval;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
import io.github.prompt4j.search.select.PromptEnsemble;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code eval ensemble}: classifies a labelled file with the mean class distribution of several saved prompts of any
 * kind ({@code --prompt} repeated: AutoPrompt results, learned verbalizers, prefix-tuning and soft prompts), every
 * file weighing the same (a saved trigger ensemble of k members gives each member 1/k), and reports the ensemble's and
 * every file's accuracy from the same forward passes. It chooses nothing: which files to combine is the caller's
 * decision, to be made before looking at the reported file.
 */
@Command(name = "ensemble", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Mean class distribution of several saved prompts of any kind, each file weighing the same; "
                + "reports the ensemble's and each file's accuracy from the same passes.",
            "Example: ensemble --prompt a.json --prompt b.json --eval ../shared/data/sst2/glue/dev.tsv"})
final class EnsembleCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(EnsembleCommand.class);

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--prompt", required = true, paramLabel = "FILE",
            description = "a saved prompt (autoprompt, verbalizer, prefix or soft --save); repeat, at least twice")
    List<Path> prompts = new ArrayList<>();

    @Option(names = "--eval", required = true, paramLabel = "FILE", description = "labelled data to classify")
    Path eval;

    @Option(names = "--limit", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "classify only the first N examples")
    Optional<Integer> limit = Optional.empty();

    @Option(names = "--seed", defaultValue = "42", paramLabel = "SEED",
            description = "seed of the bootstrap intervals (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--json", paramLabel = "FILE", description = "write the JSON report here")
    Optional<Path> json = Optional.empty();

    @Option(names = "--progress", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "show a progress bar on standard error (default: on)")
    boolean progress;

    @Override
    public Integer call() {
        Instant started = Instant.now();
        if (prompts.size() < 2) {
            throw new ParameterException(spec.commandLine(), "an ensemble needs at least two --prompt files, got "
                    + prompts.size() + "; use zero-shot --prompt for one");
        }
        List<PromptFile.Saved> saved = prompts.stream().map(p -> PromptFile.readAny(p, spec.commandLine())).toList();
        String named = saved.get(0).modelName();
        for (PromptFile.Saved s : saved) {
            if (!s.modelName().equals(named)) {
                throw new ParameterException(spec.commandLine(), "--prompt " + s.file() + " was made with model '"
                        + s.modelName() + "' but --prompt " + saved.get(0).file() + " with '" + named
                        + "'; every member must come from the same model");
            }
        }
        modelOptions.orNamed(named, "--prompt " + saved.get(0).file());
        Dataset data = DatasetReader.read(eval);
        List<Example> examples = data.first(limit.orElse(Integer.MAX_VALUE));
        ObjectNode report = SearchSupport.object();
        report.put("command", "ensemble").put("startedAt", started.toString());
        try (OnnxMaskedLanguageModel model = modelOptions.open()) {
            report.put("model", model.info().name()).put("precision", modelOptions.precision.toString());
            // per file, in file order: its member classifiers (a saved trigger ensemble has several)
            List<List<PromptClassifier>> byFile = new ArrayList<>();
            for (PromptFile.Saved f : saved) {
                try {
                    byFile.add(f.classifiers().apply(model));
                } catch (IllegalArgumentException | IllegalStateException e) {
                    throw new ParameterException(spec.commandLine(), "--prompt " + f.file() + ": " + e.getMessage());
                }
            }
            List<PromptClassifier> members = new ArrayList<>();
            List<Double> weights = new ArrayList<>();
            byFile.forEach(cs -> cs.forEach(c -> {
                members.add(c);
                weights.add(1.0 / cs.size());
            }));
            PromptEnsemble ensemble;
            try {
                ensemble = PromptEnsemble.weighted(members, weights.stream().mapToDouble(Double::doubleValue)
                        .toArray());
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            List<String> labels = ensemble.labels();
            List<String> gold = examples.stream().map(Example::label).toList();
            for (String g : gold) {
                if (!labels.contains(g)) {
                    throw new ParameterException(spec.commandLine(), "the data " + eval + " has label '" + g
                            + "', which is no class of the prompts " + labels);
                }
            }
            long t0 = System.nanoTime();
            List<List<List<Classification>>> resultsByFile = new ArrayList<>();
            int member = 0;
            for (int f = 0; f < saved.size(); f++) {
                List<List<Classification>> own = new ArrayList<>();
                for (PromptClassifier c : byFile.get(f)) {
                    List<Map<String, String>> inputs;
                    try {
                        inputs = examples.stream().map(e -> e.valuesFor(c.encoder().template())).toList();
                    } catch (IllegalArgumentException e) {
                        throw new ParameterException(spec.commandLine(), "--prompt " + saved.get(f).file() + ": "
                                + e.getMessage());
                    }
                    try (Progress bar = Progress.start("member " + ++member, "sent.", inputs.size(), progress)) {
                        own.add(Batches.classify(c::classifyAllFields, inputs, modelOptions.batchSize, bar));
                    }
                }
                resultsByFile.add(own);
            }
            List<Classification> combined = ensemble.combine(resultsByFile.stream().flatMap(List::stream).toList());
            double seconds = (System.nanoTime() - t0) / 1e9;
            PrintWriter out = spec.commandLine().getOut();
            ArrayNode files = report.putArray("members");
            out.println("| prompt | members | accuracy |");
            out.println("|---|---|---|");
            for (int f = 0; f < saved.size(); f++) {
                List<List<Classification>> own = resultsByFile.get(f);
                ClassificationMetrics mf = metrics(labels, gold, PromptEnsemble.of(byFile.get(f)).combine(own));
                files.addObject().put("file", saved.get(f).file().toString()).put("members", own.size())
                        .set("metrics", ReportWriter.metrics(mf));
                out.printf(Locale.ROOT, "| `%s` | %d | %s |%n", saved.get(f).file(), own.size(),
                        ReportWriter.percentWithInterval(mf.accuracy()));
            }
            ClassificationMetrics m = metrics(labels, gold, combined);
            ObjectNode e = report.putObject("eval");
            e.put("file", data.file().toString()).put("sha256", data.sha256()).put("examples", examples.size())
                    .put("seconds", seconds);
            e.set("metrics", ReportWriter.metrics(m));
            out.printf(Locale.ROOT, "| ensemble of the %d files | %d | %s |%n", saved.size(), members.size(),
                    ReportWriter.percentWithInterval(m.accuracy()));
            out.printf(Locale.ROOT, "accuracy of the ensemble on %s (%d examples): %s, macro-F1 %.4f (%.1f s)%n",
                    data.file(), examples.size(), ReportWriter.percentWithInterval(m.accuracy()), m.macroF1(),
                    seconds);
            out.flush();
        }
        json.ifPresent(f -> {
            SearchSupport.write(report, f);
            log.info("wrote {}", f);
        });
        return 0;
    }

    private ClassificationMetrics metrics(List<String> labels, List<String> gold, List<Classification> predicted) {
        return ClassificationMetrics.of(labels, gold, predicted.stream().map(Classification::label).toList(), seed);
    }
}
