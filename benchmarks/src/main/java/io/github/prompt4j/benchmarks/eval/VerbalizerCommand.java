package io.github.prompt4j.benchmarks.eval;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
import io.github.prompt4j.search.label.LearnedVerbalizerResult;
import io.github.prompt4j.search.label.SelectionScore;
import io.github.prompt4j.search.label.VerbalizerSettings;
import io.github.prompt4j.search.label.VerbalizerTrainer;
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
 * {@code eval verbalizer}: learns a verbalizer (a linear head on the transformed mask state, started from the label
 * words' output embeddings) on training data, choosing its L2 strength on a selection split carved from that data,
 * saves it as a prompt for {@code zero-shot --prompt}, and reports its accuracy on an evaluation file scored once.
 */
@Command(name = "verbalizer", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Learned verbalizer: a logistic regression on the [MASK] state, initialised from the label "
                + "words' output embeddings, L2 strength chosen on a split of the training data.",
            "Example: verbalizer --model bert-base-cased --train ../shared/data/sst2/glue/train.tsv --limit 2000 "
                + "--template \"{sentence} this movie was [MASK] .\" --label 0=terrible --label 1=fantastic "
                + "--eval ../shared/data/sst2/glue/dev.tsv --save out/sst2-verbalizer.json"})
final class VerbalizerCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(VerbalizerCommand.class);

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--train", required = true, paramLabel = "FILE",
            description = "labelled training data (GLUE TSV, ChnSentiCorp TSV or *.norm.tsv); the selection split "
                    + "is carved from it")
    Path train;

    @Option(names = "--limit", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "use a seeded random subset of N training examples")
    Optional<Integer> limit = Optional.empty();

    @Mixin
    MinWordsOption minWords;

    @Option(names = "--template", required = true, paramLabel = "TEXT", converter = Converters.TemplateText.class,
            description = "cloze template with one [MASK], e.g. \"{sentence} this movie was [MASK] .\"")
    Template template;

    @Option(names = "--label", required = true, paramLabel = "CLASS=WORDS", converter = Converters.Label.class,
            description = "a class as labelled in the data and the label words its weights start from")
    List<LabelOption> labels = new ArrayList<>();

    @Option(names = "--selection-fraction", defaultValue = "0.2", paramLabel = "F",
            description = "share of each class's training examples held out to choose the L2 strength "
                    + "(default: ${DEFAULT-VALUE})")
    double selectionFraction;

    @Option(names = "--cv-folds", defaultValue = "0", paramLabel = "K",
            description = "choose the L2 strength by stratified K-fold cross-validation over all training examples "
                    + "instead of on a held-out --selection-fraction, then refit on all (not with --no-refit); 0: "
                    + "held out (default: ${DEFAULT-VALUE})")
    int cvFolds;

    @Option(names = "--l2", split = ",", paramLabel = "L,L,...",
            description = "L2 strengths tried (default: half-decades from 1e-4 to 10)")
    List<Double> l2Grid = new ArrayList<>(VerbalizerSettings.DEFAULT_L2_GRID);

    @Option(names = "--no-refit", negatable = false,
            description = "keep the weights fitted without the selection examples (default: refit the chosen "
                    + "strength on all training examples)")
    boolean noRefit;

    @Option(names = "--max-length", defaultValue = "128", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "longest prompt in tokens (default: ${DEFAULT-VALUE})")
    int maxLength;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "SEED",
            description = "seed of the --limit subset, the selection split and the bootstrap (default: "
                    + "${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--eval", paramLabel = "FILE",
            description = "labelled data to report on, scored once after training (never used for selection)")
    Optional<Path> eval = Optional.empty();

    @Option(names = "--save", paramLabel = "FILE",
            description = "write the learned prompt here (for zero-shot --prompt FILE)")
    Optional<Path> save = Optional.empty();

    @Option(names = "--json", paramLabel = "FILE", description = "write the JSON report here")
    Optional<Path> json = Optional.empty();

    @Option(names = "--progress", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "show a progress bar on standard error (default: on)")
    boolean progress;

    @Override
    public Integer call() {
        Instant started = Instant.now();
        Verbalizer verbalizer = SearchSupport.searchVerbalizer(spec, labels, "fantastic");
        Dataset data = DatasetReader.read(train);
        List<Example> examples = SearchSupport.sampleFitting(spec, data, minWords.value,
                limit.orElse(Integer.MAX_VALUE), seed, template);
        Optional<Dataset> evalData = eval.map(DatasetReader::read);
        ObjectNode report = SearchSupport.object();
        report.put("command", "verbalizer").put("startedAt", started.toString());
        try (OnnxMaskedLanguageModel model = modelOptions.open()) {
            report.put("model", model.info().name()).put("precision", modelOptions.precision.toString());
            log.info("learning a verbalizer on {} of {} examples of {}", examples.size(), data.examples().size(),
                    train);
            long t0 = System.nanoTime();
            LearnedVerbalizerResult result;
            try {
                result = VerbalizerTrainer.builder(model).template(template).verbalizer(verbalizer)
                        .train(SearchSupport.toSearch(examples)).selectionFraction(selectionFraction).l2Grid(l2Grid)
                        .refit(!noRefit).crossValidation(cvFolds).maxLength(maxLength).seed(seed)
                        .batchSize(modelOptions.batchSize).build().run();
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            double trainSeconds = (System.nanoTime() - t0) / 1e9;
            save.ifPresent(f -> {
                ReportWriter.write(f, result.toJson());
                log.info("wrote the learned prompt to {}", f);
            });
            ObjectNode d = report.putObject("train");
            d.put("file", data.file().toString()).put("sha256", data.sha256()).put("minWords", minWords.value)
                    .put("examples", examples.size())
                    .put("fitted", result.trainExamples()).put("selection", result.selectionExamples());
            report.put("template", template.text()).put("labels", labels.toString());
            report.put("chosenL2", result.chosenL2()).put("initialSelectionAccuracy",
                    result.initialSelectionAccuracy()).put("refit", !noRefit).put("cvFolds", cvFolds)
                    .put("trainSeconds", trainSeconds);
            ArrayNode scores = report.putArray("selection");
            for (SelectionScore s : result.selectionScores()) {
                scores.addObject().put("l2", s.l2()).put("accuracy", s.accuracy()).put("logLoss", s.logLoss())
                        .put("iterations", s.iterations());
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf(Locale.ROOT, "learned verbalizer: l2 %s chosen on %d selection examples (accuracy %.4f; label "
                    + "words alone %.4f); %.1f s training%n", result.chosenL2(), result.selectionExamples(),
                    result.selectionAccuracy(), result.initialSelectionAccuracy(), trainSeconds);
            if (evalData.isPresent()) {
                Dataset ev = evalData.get();
                List<Map<String, String>> inputs = new ArrayList<>();
                for (Example e : ev.examples()) {
                    inputs.add(e.valuesFor(template));
                }
                PromptClassifier classifier = result.classifier(model);
                long t1 = System.nanoTime();
                List<Classification> predicted;
                try (Progress bar = Progress.start("verbalizer", "sent.", inputs.size(), progress)) {
                    predicted = Batches.classify(classifier::classifyAllFields, inputs, modelOptions.batchSize, bar);
                }
                double evalSeconds = (System.nanoTime() - t1) / 1e9;
                List<String> gold = ev.examples().stream().map(Example::label).toList();
                ClassificationMetrics m = ClassificationMetrics.of(verbalizer.labels(), gold,
                        predicted.stream().map(Classification::label).toList(), seed);
                ObjectNode e = report.putObject("eval");
                e.put("file", ev.file().toString()).put("sha256", ev.sha256()).put("examples", inputs.size())
                        .put("seconds", evalSeconds);
                e.set("metrics", ReportWriter.metrics(m));
                out.printf(Locale.ROOT, "accuracy on %s (%d examples, scored once): %s, macro-F1 %.4f%n", ev.file(),
                        inputs.size(), ReportWriter.percentWithInterval(m.accuracy()), m.macroF1());
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
