package io.github.prompt4j.benchmarks.eval;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
import io.github.prompt4j.search.label.LabelWordSearch;
import io.github.prompt4j.search.label.LabelWordSearchResult;
import io.github.prompt4j.search.label.ScoredWord;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
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
 * {@code eval label-search}: finds label words per class from training data (AutoPrompt's label-word search, Shin et
 * al. 2020, section 2.2: a logistic regression on the mask's hidden state applied to every word's output embedding)
 * and reports the words with their scores.
 */
@Command(name = "label-search", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Automatic label words: fit a classifier on the [MASK] hidden states of training prompts and "
                + "keep the best-scoring vocabulary words per class.",
            "Example: label-search --model bert-base-cased --train ../shared/data/sst2/glue/train.tsv "
                + "--template \"{sentence} this movie was [MASK] .\" --words-per-class 3 --limit 1000 "
                + "--json label-words.json"})
final class LabelSearchCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(LabelSearchCommand.class);

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--train", required = true, paramLabel = "FILE",
            description = "labelled training data (GLUE TSV, ChnSentiCorp TSV or *.norm.tsv)")
    Path train;

    @Option(names = "--template", required = true, paramLabel = "TEXT", converter = Converters.TemplateText.class,
            description = "cloze template with one [MASK], e.g. \"{sentence} this movie was [MASK] .\"")
    Template template;

    @Option(names = "--words-per-class", defaultValue = "3", paramLabel = "K", converter = Converters.PositiveInt.class,
            description = "label words kept per class (default: ${DEFAULT-VALUE})")
    int wordsPerClass;

    @Option(names = "--candidate-pool", defaultValue = "200", paramLabel = "N",
            description = "only the N words most probable at the mask compete; 0 = whole vocabulary, as the paper "
                    + "(default: ${DEFAULT-VALUE})")
    int candidatePool;

    @Option(names = "--limit", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "use a seeded random subset of N training examples")
    Optional<Integer> limit = Optional.empty();

    @Option(names = "--seed", defaultValue = "42", paramLabel = "SEED",
            description = "seed of the --limit subset (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--json", paramLabel = "FILE", description = "write the JSON report (words and scores) here")
    Optional<Path> json = Optional.empty();

    @Override
    public Integer call() {
        Instant started = Instant.now();
        Dataset data = DatasetReader.read(train);
        List<Example> examples = SearchSupport.sampleFitting(spec, data, limit.orElse(Integer.MAX_VALUE), seed,
                template);
        log.info("label-word search on {} of {} examples of {}", examples.size(), data.examples().size(), train);
        long t0 = System.nanoTime();
        try (OnnxMaskedLanguageModel model = modelOptions.open()) {
            LabelWordSearchResult result;
            try {
                result = LabelWordSearch.builder(model).template(template).train(SearchSupport.toSearch(examples))
                        .classes(data.labels()).wordsPerClass(wordsPerClass).batchSize(modelOptions.batchSize)
                        .candidatePool(candidatePool).build().run();
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            ObjectNode report = report(started, model.info().name(), data, examples.size(), result, seconds);
            PrintWriter out = spec.commandLine().getOut();
            for (Map.Entry<String, List<ScoredWord>> e : result.words().entrySet()) {
                out.println("--label " + e.getKey() + "=" + String.join(",",
                        e.getValue().stream().map(ScoredWord::word).toList()));
            }
            out.flush();
            json.ifPresent(f -> {
                SearchSupport.write(report, f);
                log.info("wrote {}", f);
            });
        }
        return 0;
    }

    private ObjectNode report(Instant started, String modelName, Dataset data, int used, LabelWordSearchResult r,
            double seconds) {
        ObjectNode root = SearchSupport.object();
        root.put("command", "label-search");
        root.put("startedAt", started.toString());
        ObjectNode settings = root.putObject("settings");
        settings.put("template", template.text());
        settings.put("wordsPerClass", wordsPerClass);
        settings.put("candidatePool", candidatePool);
        limit.ifPresent(l -> settings.put("limit", l));
        settings.put("seed", seed);
        root.put("model", modelName);
        ObjectNode d = root.putObject("data");
        d.put("file", data.file().toString());
        d.put("sha256", data.sha256());
        d.put("examples", used);
        root.set("words", SearchSupport.words(r));
        root.put("trainAccuracy", r.trainAccuracy());
        root.put("forwardPasses", r.forwardPasses());
        root.put("seconds", seconds);
        return root;
    }
}
