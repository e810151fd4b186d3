package io.github.prompt4j.benchmarks.eval;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
import io.github.prompt4j.search.protocol.SelectionSplit;
import io.github.prompt4j.search.soft.SoftPromptListener;
import io.github.prompt4j.search.soft.SoftPromptResult;
import io.github.prompt4j.search.soft.SoftPromptTrainer;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code eval soft}: soft-prompt training ({@link SoftPromptTrainer}) on {@code --train} less a selection split of
 * {@code --select} training examples, the epoch kept and early stopping decided on that split; {@code --eval} is sealed
 * when read and scored once, at the end. With {@code --learned-verbalizer} a linear head is trained with the vectors and
 * saved with them. Gradients are float32; the selection and {@code --eval} passes run at {@code --precision}.
 */
@Command(name = "soft", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Soft prompts: train the [P] vectors of a template on --train less a selection split, report "
                + "--eval once.",
            "Example: soft --model bert-base-cased --train ../shared/data/sst2/glue/train.tsv --limit 2000 "
                + "--select 400 --template \"{sentence} [P] [P] [P] [P] [MASK] .\" --init \"It was really very\" "
                + "--label 0=terrible --label 1=great --learned-verbalizer --eval ../shared/data/sst2/glue/dev.tsv "
                + "--save out/sst2-soft.json"})
final class SoftCommand extends SplitTrainingCommand {

    private static final Logger log = LoggerFactory.getLogger(SoftCommand.class);

    @Option(names = "--init", split = "\\s+", paramLabel = "\"WORD ...\"",
            description = "start each [P] slot at the embedding of one vocabulary word, in slot order (default: "
                    + "random normal, std 0.02)")
    List<String> init = new ArrayList<>();

    @Option(names = "--learning-rate", defaultValue = "3e-3", paramLabel = "LR",
            description = "peak Adam learning rate (default: ${DEFAULT-VALUE})")
    double learningRate;

    @Override
    public Integer call() {
        Instant started = Instant.now();
        SplitOptions o = splitOptions;
        Verbalizer verbalizer = SearchSupport.searchVerbalizer(spec, splitOptions.labels, "great");
        SplitData splitData = SplitData.read(spec, o, template);
        SelectionSplit split = splitData.split();
        ObjectNode report = SplitData.report("soft", started);
        PrintWriter out = spec.commandLine().getOut();
        try (OnnxMaskedLanguageModel model = modelOptions.open()) {
            report.put("model", model.info().name());
            log.info("soft-prompt training on {} training examples of {}, selecting on {}", split.search().size(),
                    o.train, split.selection().size());
            SoftPromptResult result;
            try {
                SoftPromptTrainer.Builder b = SoftPromptTrainer.builder(model).template(template)
                        .verbalizer(verbalizer).train(split.search()).selection(split.selection())
                        .learnedVerbalizer(learnedVerbalizer).epochs(o.epochs).batchSize(o.tuneBatch)
                        .learningRate(learningRate).patience(o.patience).maxLength(o.maxLength)
                        .forwardBatchSize(modelOptions.batchSize).seed(o.seed)
                        .timeBudget(o.maxMinutes.map(Duration::ofMinutes).orElse(null))
                        .listener(SoftPromptListener.logging());
                result = (init.isEmpty() ? b : b.initWords(init)).build().run();
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            SplitData.save(save, result.toJson(), "soft prompt");
            splitData.describe(report);
            report.put("template", template.text()).put("labels", splitOptions.labels.toString())
                    .put("init", String.join(" ", init))
                    .put("learnedVerbalizer", learnedVerbalizer).put("learningRate", learningRate)
                    .put("tuneBatch", o.tuneBatch).put("bestEpoch", result.bestEpoch())
                    .put("epochsRun", result.epochsRun()).put("selectionAccuracy", result.bestDevAccuracy())
                    .put("trainSeconds", result.elapsedMillis() / 1000.0)
                    .put("gradientPasses", result.passes().gradientPasses())
                    .put("forwardPasses", result.passes().forwardPasses());
            ArrayNode history = report.putArray("selectionAccuracyByEpoch");
            result.devAccuracyHistory().forEach(history::add);
            out.printf(Locale.ROOT, "soft prompt%s: epoch %d of %d kept (selection accuracy %.4f on %d); %.1f min "
                    + "training, %d gradient passes%n", learnedVerbalizer ? " with a learned verbalizer" : "",
                    result.bestEpoch(), result.epochsRun(), result.bestDevAccuracy(), split.selection().size(),
                    result.elapsedMillis() / 60000.0, result.passes().gradientPasses());
            splitData.evaluateOnce(result.classifier(model), template, verbalizer.labels(), modelOptions.batchSize,
                    o.progress, "soft", report, out);
            splitData.finish(report, out);
        }
        return 0;
    }
}
