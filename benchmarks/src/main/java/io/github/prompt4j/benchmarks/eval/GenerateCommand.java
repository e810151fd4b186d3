package io.github.prompt4j.benchmarks.eval;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.mapping.LabelMapper;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
import io.github.prompt4j.search.generate.GeneratedTemplate;
import io.github.prompt4j.search.generate.GenerationResult;
import io.github.prompt4j.search.generate.TemplateGenerator;
import io.github.prompt4j.search.select.PromptScore;
import io.github.prompt4j.search.select.PromptScorer;
import io.github.prompt4j.search.select.PromptSelection;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
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
 * {@code eval generate}: generates templates with the MLM from training examples (LM-BFF-style beam search over mask
 * spans around the input and the label word), ranks them on a selection split of the training data with the label
 * words, and reports the selected template once on an evaluation file.
 */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Template generation with the MLM: decode mask spans around the input and label word by beam "
                + "search, rank the templates on a selection split of the training data.",
            "Example: generate --model bert-base-cased --train ../shared/data/sst2/glue/train.tsv --limit 2000 "
                + "--label 0=terrible --label 1=fantastic --eval ../shared/data/sst2/glue/dev.tsv --json gen.json"})
final class GenerateCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(GenerateCommand.class);

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--train", required = true, paramLabel = "FILE",
            description = "labelled training data; generation and selection examples are drawn from it, disjoint")
    Path train;

    @Option(names = "--limit", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "draw from a seeded random subset of N training examples")
    Optional<Integer> limit = Optional.empty();

    @Mixin
    MinWordsOption minWords;

    @Option(names = "--label", required = true, paramLabel = "CLASS=WORD", converter = Converters.Label.class,
            description = "a class and its label word (single word piece)")
    List<LabelOption> labels = new ArrayList<>();

    @Option(names = "--generation-examples", defaultValue = "32", paramLabel = "N",
            converter = Converters.PositiveInt.class,
            description = "examples decoded together, the same number per class (default: ${DEFAULT-VALUE}, "
                    + "LM-BFF's 16 per class)")
    int generationExamples;

    @Option(names = "--selection", defaultValue = "128", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "training examples, not used for generation, that rank the templates "
                    + "(default: ${DEFAULT-VALUE})")
    int selection;

    @Option(names = "--beam", defaultValue = "4", paramLabel = "B", converter = Converters.PositiveInt.class,
            description = "beam width, and templates kept per shape (default: ${DEFAULT-VALUE})")
    int beam;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "SEED",
            description = "seed of the subsets and the bootstrap (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--eval", paramLabel = "FILE",
            description = "labelled data the selected template is reported on, once")
    Optional<Path> eval = Optional.empty();

    @Option(names = "--json", paramLabel = "FILE", description = "write the JSON report (ranked templates) here")
    Optional<Path> json = Optional.empty();

    @Option(names = "--progress", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "show a progress bar on standard error (default: on)")
    boolean progress;

    @Override
    public Integer call() {
        Instant started = Instant.now();
        Verbalizer verbalizer = SearchSupport.searchVerbalizer(spec, labels, "fantastic");
        Dataset data = DatasetReader.read(train);
        List<Example> pool = SearchSupport.sample(SearchSupport.atLeastWords(spec, data, minWords.value),
                limit.orElse(Integer.MAX_VALUE), seed);
        // balanced generation examples, then the next examples of the shuffled pool for selection
        Map<String, Integer> taken = new HashMap<>();
        int perClass = Math.max(1, generationExamples / verbalizer.classCount());
        List<Example> generation = new ArrayList<>();
        List<Example> rest = new ArrayList<>();
        for (Example e : pool) {
            if (taken.getOrDefault(e.label(), 0) < perClass && verbalizer.labels().contains(e.label())) {
                taken.merge(e.label(), 1, Integer::sum);
                generation.add(e);
            } else {
                rest.add(e);
            }
        }
        List<Example> selected = rest.subList(0, Math.min(selection, rest.size()));
        if (selected.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "no training examples are left for selection; raise "
                    + "--limit");
        }
        ObjectNode report = SearchSupport.object();
        report.put("command", "generate").put("startedAt", started.toString());
        try (OnnxMaskedLanguageModel model = modelOptions.open()) {
            report.put("model", model.info().name()).put("precision", modelOptions.precision.toString());
            long t0 = System.nanoTime();
            GenerationResult generated;
            try {
                generated = TemplateGenerator.builder(model).verbalizer(verbalizer)
                        .examples(SearchSupport.toSearch(generation)).beamWidth(beam)
                        .batchSize(modelOptions.batchSize).build().run();
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            double generateSeconds = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            PromptScorer scorer = PromptScorer.builder(model).mapper(LabelMapper.sum())
                    .batchSize(modelOptions.batchSize).build();
            PromptSelection ranked = generated.rank(scorer, SearchSupport.toSearch(selected));
            double rankSeconds = (System.nanoTime() - t1) / 1e9;
            ObjectNode d = report.putObject("train");
            d.put("file", data.file().toString()).put("sha256", data.sha256()).put("minWords", minWords.value)
                    .put("pool", pool.size())
                    .put("generationExamples", generation.size()).put("selectionExamples", selected.size());
            report.put("labels", labels.toString()).put("beam", beam).put("generateSeconds", generateSeconds)
                    .put("rankSeconds", rankSeconds).put("forwardPasses", generated.passes().forwardPasses());
            Map<String, GeneratedTemplate> byText = new HashMap<>();
            generated.templates().forEach(t -> byText.putIfAbsent(t.template(), t));
            ArrayNode list = report.putArray("ranked");
            PrintWriter out = spec.commandLine().getOut();
            out.println("| rank | template | selection accuracy | generation log-prob | AutoPrompt warm start |");
            out.println("|---|---|---|---|---|");
            int rank = 1;
            for (PromptScore s : ranked.ranked()) {
                GeneratedTemplate t = byText.get(s.candidate().name());
                list.addObject().put("template", t.template()).put("selectionAccuracy", s.accuracy())
                        .put("selectionLogLikelihood", s.logLikelihood()).put("generationLogProbability",
                                t.logProbability()).put("shape", t.shape().toString())
                        .put("autopromptTemplate", t.skeleton()).put("autopromptInit", String.join(" ", t.tokens()));
                out.printf(Locale.ROOT, "| %d | `%s` | %.4f | %.1f | `--template \"%s\" --init \"%s\"` |%n", rank++,
                        t.template(), s.accuracy(), t.logProbability(), t.skeleton(), String.join(" ", t.tokens()));
            }
            String best = ranked.best().candidate().name();
            report.put("selected", best);
            out.printf(Locale.ROOT, "selected on %d training examples: %s (generation %.1f s, ranking %.1f s)%n",
                    selected.size(), best, generateSeconds, rankSeconds);
            if (eval.isPresent()) {
                Dataset ev = DatasetReader.read(eval.get());
                Template template = Template.parse(best);
                PromptClassifier classifier = PromptClassifier.builder(model).template(template)
                        .verbalizer(verbalizer).mapper(LabelMapper.sum()).batchSize(modelOptions.batchSize).build();
                List<Map<String, String>> inputs = ev.examples().stream().map(e -> e.valuesFor(template)).toList();
                List<Classification> predicted;
                try (Progress bar = Progress.start("generate", "sent.", inputs.size(), progress)) {
                    predicted = Batches.classify(classifier::classifyAllFields, inputs, modelOptions.batchSize, bar);
                }
                ClassificationMetrics m = ClassificationMetrics.of(verbalizer.labels(),
                        ev.examples().stream().map(Example::label).toList(),
                        predicted.stream().map(Classification::label).toList(), seed);
                ObjectNode e = report.putObject("eval");
                e.put("file", ev.file().toString()).put("sha256", ev.sha256()).put("examples", inputs.size())
                        .put("template", best);
                e.set("metrics", ReportWriter.metrics(m));
                out.printf(Locale.ROOT, "accuracy of the selected template on %s (%d examples, scored once): %s%n",
                        ev.file(), inputs.size(), ReportWriter.percentWithInterval(m.accuracy()));
            }
            out.flush();
            json.ifPresent(f -> {
                SearchSupport.write(report, f);
                log.info("wrote {}", f);
            });
        }
        return 0;
    }
}
