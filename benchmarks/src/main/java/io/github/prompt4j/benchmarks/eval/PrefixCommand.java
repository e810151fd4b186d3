package io.github.prompt4j.benchmarks.eval;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
import io.github.prompt4j.onnx.runtime.Precision;
import io.github.prompt4j.search.protocol.HeldOut;
import io.github.prompt4j.search.protocol.SelectionSplit;
import io.github.prompt4j.search.soft.PrefixTuner;
import io.github.prompt4j.search.soft.PrefixTuningEpoch;
import io.github.prompt4j.search.soft.PrefixTuningResult;
import io.github.prompt4j.search.soft.PrefixTuningState;
import io.github.prompt4j.search.trigger.SearchLoss;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code eval prefix}: prefix-tuning ({@link PrefixTuner}) on {@code --train} less a selection split of
 * {@code --select} training examples (seeded, disjoint by value), every choice (the epoch kept, early stopping) made
 * on that split; {@code --eval} is sealed when read and scored once, at the end. With {@code --checkpoint} the
 * training state is saved after every epoch and an interrupted run continues where it stopped. With
 * {@code --learned-verbalizer} a linear head is trained with the prefix and saved with it. Gradients and the prefix
 * graphs are float32 whatever {@code --precision} says.
 */
@Command(name = "prefix", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Prefix-tuning: train per-layer key/value prefixes on --train less a selection split, report "
                + "--eval once.",
            "Example: prefix --model bert-base-cased --train ../shared/data/sst2/glue/train.tsv --limit 2000 "
                + "--select 400 --template \"{sentence} this movie was [MASK] .\" --label 0=terrible "
                + "--label 1=fantastic --eval ../shared/data/sst2/glue/dev.tsv --save out/sst2-prefix.json"})
final class PrefixCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(PrefixCommand.class);

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--train", required = true, paramLabel = "FILE",
            description = "labelled training data; the selection split is carved from it")
    Path train;

    @Option(names = "--limit", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "use a seeded random subset of N training examples (selection split included)")
    Optional<Integer> limit = Optional.empty();

    @Option(names = "--select", defaultValue = "400", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "selection split: N of the training examples (default: ${DEFAULT-VALUE})")
    int select;

    @Option(names = "--template", required = true, paramLabel = "TEXT", converter = Converters.TemplateText.class,
            description = "discrete template with one [MASK]")
    Template template;

    @Option(names = "--label", required = true, paramLabel = "CLASS=WORDS", converter = Converters.Label.class,
            description = "class and its single-piece label words, e.g. 0=terrible (repeat per class)")
    List<LabelOption> labels = new ArrayList<>();

    @Option(names = "--prefix-length", defaultValue = "16", paramLabel = "M", converter = Converters.PositiveInt.class,
            description = "prefix positions per layer (default: ${DEFAULT-VALUE})")
    int length;

    @Option(names = "--loss", defaultValue = "label-likelihood", paramLabel = "label-likelihood|class-cross-entropy",
            converter = Converters.Loss.class,
            description = "training loss: -log p(gold label words) over the vocabulary, or the cross-entropy of the "
                    + "gold class among the label words (same cost, one gradient pass) (default: ${DEFAULT-VALUE})")
    SearchLoss loss;

    @Option(names = "--learned-verbalizer", defaultValue = "false",
            description = "train a learned verbalizer (a linear head on the mask's transformed state, initialised from "
                    + "the label words' output embeddings) together with the prefix, on the head's class cross-entropy; "
                    + "the saved prompt then classifies with the head (not with --loss or --checkpoint)")
    boolean learnedVerbalizer;

    @Option(names = "--epochs", defaultValue = "8", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "most epochs (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--learning-rate", defaultValue = "5e-3", paramLabel = "LR",
            description = "peak Adam learning rate (default: ${DEFAULT-VALUE})")
    double learningRate;

    @Option(names = "--tune-batch", defaultValue = "16", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "examples per update (default: ${DEFAULT-VALUE})")
    int tuneBatch;

    @Option(names = "--patience", defaultValue = "3", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "epochs without a better selection accuracy before stopping (default: ${DEFAULT-VALUE})")
    int patience;

    @Option(names = "--max-length", defaultValue = "128", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "longest prompt in tokens (default: ${DEFAULT-VALUE})")
    int maxLength;

    @Option(names = "--max-minutes", paramLabel = "M", converter = Converters.PositiveInt.class,
            description = "training budget: no epoch starts that would likely end past it")
    Optional<Integer> maxMinutes = Optional.empty();

    @Option(names = "--checkpoint", paramLabel = "FILE", description = "write the training state here after every "
            + "epoch (atomically); when the file exists, resume from it (same model, data, template, labels and "
            + "settings; --max-minutes covers all parts together)")
    Optional<Path> checkpoint = Optional.empty();

    @Option(names = "--seed", defaultValue = "1", paramLabel = "SEED",
            description = "seed of the subset, the split, the initial prefix and the shuffles (default: "
                    + "${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--eval", paramLabel = "FILE", description = "labelled data scored once, at the end")
    Optional<Path> eval = Optional.empty();

    @Option(names = "--save", paramLabel = "FILE", description = "write the trained prompt here (JSON; usable with "
            + "zero-shot --prompt)")
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
        List<Example> examples = SearchSupport.sample(data.examples(), limit.orElse(Integer.MAX_VALUE), seed);
        try {
            examples.get(0).valuesFor(template);
        } catch (IllegalArgumentException ex) {
            throw new ParameterException(spec.commandLine(), "--template: " + ex.getMessage());
        }
        SelectionSplit split;
        try {
            split = SelectionSplit.carve(SearchSupport.toSearch(examples), select, seed + 1);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--select " + select + ": " + e.getMessage());
        }
        Optional<Dataset> evalData = eval.map(DatasetReader::read);
        Optional<HeldOut> held = evalData.map(d -> HeldOut.of(d.file().toString(), SearchSupport.toSearch(
                d.examples())));
        ObjectNode report = SearchSupport.object();
        report.put("command", "prefix").put("startedAt", started.toString());
        PrintWriter out = spec.commandLine().getOut();
        // the prefix graphs are float32: the model's precision only matters to other graphs
        try (OnnxMaskedLanguageModel model = modelOptions.open(Precision.FP32)) {
            report.put("model", model.info().name());
            log.info("prefix-tuning on {} training examples of {}, selecting on {}", split.search().size(), train,
                    split.selection().size());
            PrefixTuningResult result;
            PrefixTuner tuner;
            try {
                tuner = PrefixTuner.builder(model).template(template).verbalizer(verbalizer).train(split.search())
                        .selection(split.selection()).prefixLength(length).epochs(epochs).learningRate(learningRate)
                        .loss(loss).learnedVerbalizer(learnedVerbalizer)
                        .batchSize(tuneBatch).patience(patience).maxLength(maxLength).seed(seed)
                        .timeBudget(maxMinutes.map(Duration::ofMinutes).orElse(null))
                        .checkpoints(checkpoint.<Consumer<PrefixTuningState>>map(f -> s -> ReportWriter.replace(f,
                                s.toJson())).orElse(null)).build();
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            Optional<PrefixTuningState> resumeFrom = checkpoint.filter(Files::exists).map(PrefixCommand::readState);
            if (resumeFrom.isPresent()) {
                log.info("resuming from {} after epoch {}", checkpoint.get(), resumeFrom.get().epochsDone());
                report.put("resumedAfterEpoch", resumeFrom.get().epochsDone());
                try {
                    result = tuner.resume(resumeFrom.get());
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), "cannot resume from " + checkpoint.get() + ": "
                            + e.getMessage() + "; delete the file to start afresh");
                }
            } else {
                try {
                    result = tuner.run();
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), e.getMessage());
                }
            }
            save.ifPresent(f -> {
                ReportWriter.write(f, result.toJson());
                log.info("wrote the prefix-tuning prompt to {}", f);
            });
            ObjectNode d = report.putObject("train");
            d.put("file", data.file().toString()).put("sha256", data.sha256()).put("examples", examples.size())
                    .put("search", split.search().size()).put("selection", split.selection().size())
                    .put("selectionSeed", seed + 1);
            report.put("template", template.text()).put("labels", labels.toString()).put("prefixLength", length)
                    .put("loss", learnedVerbalizer ? "LEARNED_VERBALIZER" : loss.name())
                    .put("learnedVerbalizer", learnedVerbalizer)
                    .put("learningRate", learningRate).put("tuneBatch", tuneBatch).put("bestEpoch", result.bestEpoch())
                    .put("trainSeconds", result.elapsedMillis() / 1000.0)
                    .put("gradientPasses", result.gradientPasses()).put("forwardPasses", result.forwardPasses());
            ArrayNode ep = report.putArray("epochs");
            for (PrefixTuningEpoch e : result.epochs()) {
                ep.addObject().put("epoch", e.epoch()).put("steps", e.steps()).put("trainLoss", e.trainLoss())
                        .put("selectionAccuracy", e.selectionAccuracy()).put("seconds", e.seconds());
            }
            out.printf(Locale.ROOT, "prefix-tuning: epoch %d kept (selection accuracy %.4f on %d; before training "
                    + "%.4f); %.1f min training, %d gradient passes%n", result.bestEpoch(), result.selectionAccuracy(),
                    result.selectionExamples(), result.epochs().get(0).selectionAccuracy(),
                    result.elapsedMillis() / 60000.0, result.gradientPasses());
            if (held.isPresent()) {
                PromptClassifier classifier = result.classifier(model);
                ClassificationMetrics m = held.get().evaluateOnce(xs -> {
                    List<Map<String, String>> inputs = xs.stream().map(x -> x.valuesFor(template)).toList();
                    List<Classification> predicted;
                    try (Progress bar = Progress.start("prefix", "sent.", inputs.size(), progress)) {
                        predicted = Batches.classify(classifier::classifyAllFields, inputs, modelOptions.batchSize,
                                bar);
                    }
                    return ClassificationMetrics.of(verbalizer.labels(), xs.stream()
                            .map(io.github.prompt4j.search.data.Example::label).toList(),
                            predicted.stream().map(Classification::label).toList(), seed);
                });
                ObjectNode e = report.putObject("eval");
                e.put("file", evalData.get().file().toString()).put("sha256", evalData.get().sha256())
                        .put("examples", held.get().size());
                e.set("metrics", ReportWriter.metrics(m));
                out.printf(Locale.ROOT, "accuracy on %s (%d examples, scored once): %s, macro-F1 %.4f%n",
                        evalData.get().file(), held.get().size(), ReportWriter.percentWithInterval(m.accuracy()),
                        m.macroF1());
            }
            out.flush();
            json.ifPresent(f -> {
                SearchSupport.write(report, f);
                log.info("wrote {}", f);
            });
        }
        return 0;
    }

    private static PrefixTuningState readState(Path file) {
        try {
            return PrefixTuningState.fromJson(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + file + ": " + e, e);
        }
    }
}
