package io.github.prompt4j.benchmarks.eval;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.prompt4j.core.model.Prefix;
import io.github.prompt4j.core.verbalizer.LinearVerbalizer;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
import io.github.prompt4j.onnx.runtime.Precision;
import io.github.prompt4j.search.label.LearnedVerbalizerResult;
import io.github.prompt4j.search.label.VerbalizerTrainer;
import io.github.prompt4j.search.protocol.SelectionSplit;
import io.github.prompt4j.search.soft.PrefixTuner;
import io.github.prompt4j.search.soft.PrefixTuningEpoch;
import io.github.prompt4j.search.soft.PrefixTuningResult;
import io.github.prompt4j.search.soft.PrefixTuningState;
import io.github.prompt4j.search.trigger.SearchLoss;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code eval prefix}: prefix-tuning ({@link PrefixTuner}) on {@code --train} less a selection split of
 * {@code --select} training examples (seeded, disjoint by value), every choice (the epoch kept, early stopping) made
 * on that split; {@code --eval} is sealed when read and scored once, at the end. With {@code --checkpoint} the
 * training state is saved after every epoch and an interrupted run continues where it stopped. With
 * {@code --learned-verbalizer} a linear head is trained with the prefix and saved with it; with {@code --reparameterize}
 * the prefix is trained through an MLP (Li and Liang 2021) and saved alone. Gradients and the prefix
 * graphs are float32 whatever {@code --precision} says.
 */
@Command(name = "prefix", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Prefix-tuning: train per-layer key/value prefixes on --train less a selection split, report "
                + "--eval once.",
            "Example: prefix --model bert-base-cased --train ../shared/data/sst2/glue/train.tsv --limit 2000 "
                + "--select 400 --template \"{sentence} this movie was [MASK] .\" --label 0=terrible "
                + "--label 1=fantastic --eval ../shared/data/sst2/glue/dev.tsv --save out/sst2-prefix.json"})
final class PrefixCommand extends SplitTrainingCommand {

    private static final Logger log = LoggerFactory.getLogger(PrefixCommand.class);

    @Option(names = "--prefix-length", defaultValue = "16", paramLabel = "M", converter = Converters.PositiveInt.class,
            description = "prefix positions per layer (default: ${DEFAULT-VALUE})")
    int length;

    @Option(names = "--loss", defaultValue = "label-likelihood", paramLabel = "label-likelihood|class-cross-entropy",
            converter = Converters.Loss.class,
            description = "training loss: -log p(gold label words) over the vocabulary, or the cross-entropy of the "
                    + "gold class among the label words (same cost, one gradient pass) (default: ${DEFAULT-VALUE})")
    SearchLoss loss;

    @Option(names = "--learning-rate", defaultValue = "5e-3", paramLabel = "LR",
            description = "peak Adam learning rate (default: ${DEFAULT-VALUE})")
    double learningRate;

    @Option(names = "--reparameterize", defaultValue = "0", paramLabel = "WIDTH",
            description = "train the prefix through an MLP of this hidden width (Li and Liang's reparameterisation, "
                    + "e.g. 512 with --learning-rate 5e-5; no checkpoints); 0 trains it directly "
                    + "(default: ${DEFAULT-VALUE})")
    int reparameterize;

    @Option(names = "--warm-head", negatable = false,
            description = "with --learned-verbalizer: start the head from a logistic regression on the mask state "
                    + "fitted on the training examples (L2 chosen on the selection split, no refit) instead of the "
                    + "label words' output embeddings")
    boolean warmHead;

    @Option(names = "--head-learning-rate", paramLabel = "LR",
            description = "with --learned-verbalizer: the head's peak Adam learning rate, e.g. far below "
                    + "--learning-rate with --warm-head so the prefix adapts to the fitted head; 0 freezes the head "
                    + "(default: --learning-rate)")
    Optional<Double> headLearningRate = Optional.empty();

    @Option(names = "--checkpoint", paramLabel = "FILE", description = "write the training state here after every "
            + "epoch (atomically); when the file exists, resume from it (same model, data, template, labels and "
            + "settings; --max-minutes covers all parts together; with --warm-head the head is fitted again first, "
            + "and must come out as the checkpoint's run started)")
    Optional<Path> checkpoint = Optional.empty();

    /**
     * The learned verbalizer fitted on the training split alone (its L2 strength chosen on the selection split, no
     * refit), on the mask states under the run's initial prefix: the warm start of {@code --warm-head}; records the
     * fit in {@code report}.
     */
    private LinearVerbalizer warmHead(OnnxMaskedLanguageModel model, Verbalizer verbalizer, SelectionSplit split,
            Prefix initialPrefix, ObjectNode report) {
        LearnedVerbalizerResult fit;
        try {
            fit = VerbalizerTrainer.builder(model).template(template).verbalizer(verbalizer).train(split.search())
                    .selection(split.selection()).refit(false).maxLength(splitOptions.maxLength).prefix(initialPrefix)
                    .batchSize(modelOptions.batchSize).build().run();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        double accuracy = fit.selectionAccuracy();
        log.info("warm head: logistic regression on {} training examples, L2 {} (selection accuracy {}), {} s",
                fit.trainExamples(), fit.chosenL2(), String.format(Locale.ROOT, "%.4f", accuracy),
                fit.elapsedMillis() / 1000);
        report.putObject("warmHead").put("chosenL2", fit.chosenL2()).put("selectionAccuracy", accuracy)
                .put("forwardPasses", fit.passes().forwardPasses()).put("seconds", fit.elapsedMillis() / 1000.0);
        return fit.verbalizer();
    }

    @Override
    public Integer call() {
        if (headLearningRate.isPresent() && !learnedVerbalizer) {
            throw new ParameterException(spec.commandLine(), "--head-learning-rate is the learned verbalizer's rate; "
                    + "add --learned-verbalizer or drop --head-learning-rate");
        }
        if (warmHead && !learnedVerbalizer) {
            throw new ParameterException(spec.commandLine(), "--warm-head starts the learned verbalizer's head; add "
                    + "--learned-verbalizer or drop --warm-head");
        }
        Instant started = Instant.now();
        Verbalizer verbalizer = SearchSupport.searchVerbalizer(spec, splitOptions.labels, "fantastic");
        SplitOptions o = splitOptions;
        long seed = o.seed;
        SplitData splitData = SplitData.read(spec, o, template);
        SelectionSplit split = splitData.split();
        ObjectNode report = SplitData.report("prefix", started);
        PrintWriter out = spec.commandLine().getOut();
        // the prefix graphs are float32: the model's precision only matters to other graphs
        try (OnnxMaskedLanguageModel model = modelOptions.open(Precision.FP32)) {
            report.put("model", model.info().name());
            log.info("prefix-tuning on {} training examples of {}, selecting on {}", split.search().size(), o.train,
                    split.selection().size());
            PrefixTuningResult result;
            PrefixTuner tuner;
            try {
                PrefixTuner.Builder settings = PrefixTuner.builder(model).template(template).verbalizer(verbalizer)
                        .train(split.search()).selection(split.selection()).prefixLength(length).epochs(o.epochs)
                        .learningRate(learningRate).loss(loss).learnedVerbalizer(learnedVerbalizer)
                        .reparameterization(reparameterize)
                        .batchSize(o.tuneBatch).patience(o.patience).maxLength(o.maxLength).seed(seed)
                        .timeBudget(o.maxMinutes.map(Duration::ofMinutes).orElse(null))
                        .checkpoints(checkpoint.<Consumer<PrefixTuningState>>map(f -> s -> ReportWriter.replace(f,
                                s.toJson())).orElse(null));
                headLearningRate.ifPresent(settings::headLearningRate);
                if (warmHead) {
                    // the head is fitted on the mask states under the prefix it starts training with
                    settings.initialHead(warmHead(model, verbalizer, split, settings.build().initialPrefix(),
                            report));
                }
                tuner = settings.build();
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
            SplitData.save(save, result.toJson(), "prefix-tuning prompt");
            splitData.describe(report);
            report.put("template", template.text()).put("labels", splitOptions.labels.toString())
                    .put("prefixLength", length)
                    .put("loss", learnedVerbalizer ? "LEARNED_VERBALIZER" : loss.name())
                    .put("learnedVerbalizer", learnedVerbalizer).put("reparameterize", reparameterize)
                    .put("learningRate", learningRate).put("tuneBatch", o.tuneBatch).put("bestEpoch", result.bestEpoch())
                    .put("trainSeconds", result.elapsedMillis() / 1000.0)
                    .put("gradientPasses", result.gradientPasses()).put("forwardPasses", result.forwardPasses());
            if (learnedVerbalizer) {
                report.put("headLearningRate", headLearningRate.orElse(learningRate));
            }
            ArrayNode ep = report.putArray("epochs");
            for (PrefixTuningEpoch e : result.epochs()) {
                ep.addObject().put("epoch", e.epoch()).put("steps", e.steps()).put("trainLoss", e.trainLoss())
                        .put("selectionAccuracy", e.selectionAccuracy()).put("seconds", e.seconds());
            }
            out.printf(Locale.ROOT, "prefix-tuning: epoch %d kept (selection accuracy %.4f on %d; before training "
                    + "%.4f); %.1f min training, %d gradient passes%n", result.bestEpoch(), result.selectionAccuracy(),
                    result.selectionExamples(), result.epochs().get(0).selectionAccuracy(),
                    result.elapsedMillis() / 60000.0, result.gradientPasses());
            splitData.evaluateOnce(result.classifier(model), template, verbalizer.labels(), modelOptions.batchSize,
                    o.progress, "prefix", report, out);
            splitData.finish(report, out);
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
