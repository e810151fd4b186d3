package io.github.prompt4j.benchmarks.eval;

import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
import io.github.prompt4j.onnx.runtime.Precision;
import io.github.prompt4j.search.protocol.DataUse;
import io.github.prompt4j.search.protocol.HeldOut;
import io.github.prompt4j.search.protocol.Protocol;
import io.github.prompt4j.search.select.CalibrationStage;
import io.github.prompt4j.search.select.CalibrationStageResult;
import io.github.prompt4j.search.trigger.TriggerSearchResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code eval calibrate}: chooses the calibration of a saved AutoPrompt prompt on the selection split its search
 * recorded ({@link CalibrationStage}: none, content-free inputs, or a sample of unlabelled training inputs), freezes the
 * choice into the prompt as a fixed prior, and scores {@code --dev} / {@code --eval} once with it. The selection rows
 * are read from the prompt's protocol, so the choice is made on exactly the training examples that chose the
 * triggers, and {@code --train} must be the file the protocol names (same SHA-256).
 */
@Command(name = "calibrate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Choose a saved prompt's calibration on its recorded selection split, save it into the prompt, "
                + "report --dev / --eval once.",
            "Example: calibrate --prompt examples/src/main/resources/prompts/chnsenticorp-autoprompt-prompt.json "
                + "--train ../shared/data/chnsenticorp/train.tsv --dev ../shared/data/chnsenticorp/dev.tsv "
                + "--out chn-calibrated.json"})
final class CalibrateCommand implements Callable<Integer> {

    /** Metric added to the saved prompt: the chosen calibration's accuracy on the selection split. */
    static final String CALIBRATION_ACCURACY = "calibration_stage_selection_accuracy";

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--prompt", required = true, paramLabel = "FILE",
            description = "a saved prompt (autoprompt-prompt.json) whose protocol records its selection split")
    Path prompt;

    @Option(names = "--train", required = true, paramLabel = "FILE",
            description = "the training file the prompt's protocol names (checked by SHA-256)")
    Path train;

    @Option(names = "--sample", defaultValue = "200", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "unlabelled training inputs (outside the selection split, seeded) for the training-sample "
                    + "prior (default: ${DEFAULT-VALUE})")
    int sample;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "SEED",
            description = "seed of the sample draw and of the bootstrap intervals (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--dev", paramLabel = "FILE", description = "labelled data scored once, at the end, and reported")
    Optional<Path> dev = Optional.empty();

    @Option(names = "--eval", paramLabel = "FILE", description = "more labelled data scored once and reported")
    Optional<Path> eval = Optional.empty();

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "where the calibrated prompt goes")
    Path out;

    @Override
    public Integer call() {
        TriggerSearchResult saved = PromptFile.read(prompt, spec.commandLine());
        if (saved.isEnsemble()) {
            throw new ParameterException(spec.commandLine(), "--prompt " + prompt + " is an ensemble of "
                    + saved.ensembleTriggerIds().size() + " trigger states, whose averaged members are not "
                    + "calibrated; calibrate a single prompt (autoprompt without --ensemble-top)");
        }
        Dataset trainData = DatasetReader.read(train);
        DataUse selectionUse = saved.protocol().data().stream().filter(u -> u.role() == DataUse.Role.SELECTION)
                .findFirst().orElseThrow(() -> new ParameterException(spec.commandLine(), "--prompt " + prompt
                        + " records no selection split (it was saved before the honest protocol, or by code that "
                        + "did not call withProtocol); rerun its search with autoprompt --calibrate instead"));
        if (!selectionUse.sha256().equals(trainData.sha256())) {
            throw new ParameterException(spec.commandLine(), "--train " + train + " has SHA-256 "
                    + trainData.sha256() + ", but the prompt's selection split was drawn from '" + selectionUse.file()
                    + "' with SHA-256 " + selectionUse.sha256() + "; give that file");
        }
        List<Example> rows = trainData.examples();
        Set<Integer> selected = new HashSet<>();
        List<io.github.prompt4j.search.data.Example> selection = new ArrayList<>();
        for (int i : selectionUse.indices()) {
            if (i < 0 || i >= rows.size()) {
                throw new ParameterException(spec.commandLine(), "the prompt's selection row " + i + " is outside "
                        + train + " (" + rows.size() + " rows)");
            }
            selected.add(i);
            selection.add(SearchSupport.toSearch(List.of(rows.get(i))).get(0));
        }
        List<Integer> others = new ArrayList<>();
        Set<io.github.prompt4j.search.data.Example> selectionSet = new HashSet<>(selection);
        for (int i = 0; i < rows.size(); i++) {
            if (!selected.contains(i) && !selectionSet.contains(SearchSupport.toSearch(List.of(rows.get(i))).get(0))) {
                others.add(i);
            }
        }
        List<Integer> sampleRows = SearchSupport.sample(others, sample, seed);
        List<io.github.prompt4j.search.data.Example> sampled = SearchSupport.toSearch(sampleRows.stream()
                .map(rows::get).toList());
        Optional<Dataset> devData = dev.map(DatasetReader::read);
        Optional<Dataset> evalData = eval.map(DatasetReader::read);
        Optional<HeldOut> devHeld = devData.map(d -> HeldOut.of(d.file().toString(),
                SearchSupport.toSearch(d.examples())));
        Optional<HeldOut> evalHeld = evalData.map(d -> HeldOut.of(d.file().toString(),
                SearchSupport.toSearch(d.examples())));
        if (modelOptions.model == null) {
            modelOptions.model = ModelSpec.parse(saved.modelName());
        }
        CalibrationStageResult stage;
        try (OnnxMaskedLanguageModel model = modelOptions.open()) {
            stage = choose(model, saved, sampled, selection, modelOptions.batchSize);
        }
        List<DataUse> uses = new ArrayList<>(saved.protocol().data());
        uses.add(new DataUse(DataUse.Role.CALIBRATION, train.toString(), trainData.sha256(), rows.size(),
                sampled.size(), seed, "a seeded draw of unlabelled rows outside the selection split (calibration "
                        + "chosen on the selection split: " + stage.chosen() + ")", sampleRows.stream()
                        .mapToInt(Integer::intValue).sorted().toArray()));
        TriggerSearchResult calibrated = saved.withCalibrationPrior(stage.chosenPrior())
                .withMetrics(Map.of(CALIBRATION_ACCURACY, stage.chosenAccuracy()))
                .withProtocol(new Protocol(saved.protocol().description(), uses));
        Map<String, Double> measured = new LinkedHashMap<>();
        PrintWriter w = spec.commandLine().getOut();
        try (OnnxMaskedLanguageModel model = modelOptions.open(Precision.FP32)) {
            PromptClassifier classifier = calibrated.classifier(model);
            Function<List<Map<String, String>>, List<Classification>> classify = classifier::classifyAllFields;
            Template bound = calibrated.boundTemplate();
            List<String> classes = calibrated.verbalizer().labels();
            devHeld.ifPresent(h -> {
                ClassificationMetrics m = h.evaluateOnce(x -> evaluate(classify, bound, classes, x, seed));
                measured.put(AutoPromptCommand.DEV_FILE_ACCURACY, m.accuracy().estimate());
                w.printf("dev accuracy (scored once, at fp32): %s, macro-F1 %.3f%n",
                        ReportWriter.percentWithInterval(m.accuracy()), m.macroF1());
            });
            evalHeld.ifPresent(h -> {
                ClassificationMetrics m = h.evaluateOnce(x -> evaluate(classify, bound, classes, x, seed));
                measured.put(AutoPromptCommand.EVAL_FILE_ACCURACY, m.accuracy().estimate());
                w.printf("eval accuracy (scored once, at fp32): %s%n", ReportWriter.percentWithInterval(m.accuracy()));
            });
        }
        Map<String, Double> metrics = new LinkedHashMap<>(measured);
        saved.metrics().forEach((k, v) -> {
            if (measured.containsKey(k)) {
                metrics.put("uncalibrated_" + k, v);
            }
        });
        calibrated = calibrated.withMetrics(metrics);
        ReportWriter.write(out, calibrated.toJson());
        stage.selectionAccuracy().forEach((o, a) -> w.printf("selection accuracy %-15s %.1f%%%s%n", o, 100 * a,
                o == stage.chosen() ? "  <- chosen" : ""));
        w.printf("prior %s (%d selection examples, %d forward passes, %.0f s); wrote %s%n", stage.chosenPrior(),
                stage.selectionSize(), stage.forwardPasses(), stage.seconds(), out);
        w.flush();
        return 0;
    }

    /** The calibration stage on a saved prompt, as the prompt classifies (sum mapper, its max length). */
    static CalibrationStageResult choose(OnnxMaskedLanguageModel model, TriggerSearchResult r,
            List<io.github.prompt4j.search.data.Example> sample, List<io.github.prompt4j.search.data.Example> selection,
            int batchSize) {
        return CalibrationStage.builder(model).template(r.boundTemplate()).verbalizer(r.verbalizer())
                .maxLength(r.settings().maxLength()).batchSize(batchSize).sample(sample).selection(selection).build()
                .run();
    }

    /** Classifies every example once and measures accuracy (bootstrap interval seeded by {@code seed}). */
    static ClassificationMetrics evaluate(Function<List<Map<String, String>>, List<Classification>> classify,
            Template bound, List<String> classes,
            List<io.github.prompt4j.search.data.Example> data, long seed) {
        List<String> predicted = new ArrayList<>(data.size());
        for (Classification c : classify.apply(data.stream().map(e -> e.valuesFor(bound)).toList())) {
            predicted.add(c.label());
        }
        return ClassificationMetrics.of(classes, data.stream().map(io.github.prompt4j.search.data.Example::label)
                .toList(), predicted, seed);
    }
}
