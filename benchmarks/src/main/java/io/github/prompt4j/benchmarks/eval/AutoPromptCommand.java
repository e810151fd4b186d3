package io.github.prompt4j.benchmarks.eval;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
import io.github.prompt4j.search.trigger.CandidateEvaluation;
import io.github.prompt4j.search.trigger.SearchListener;
import io.github.prompt4j.search.trigger.SearchLoss;
import io.github.prompt4j.search.trigger.SearchStep;
import io.github.prompt4j.search.trigger.TriggerSearch;
import io.github.prompt4j.search.trigger.TriggerSearchResult;
import io.github.prompt4j.search.trigger.TriggerSearchState;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 * {@code eval autoprompt}: gradient-guided trigger search (AutoPrompt, Shin et al. 2020) on training data, selection
 * on dev, and the accuracy of the best prompt on dev and an optional further split.
 *
 * <p>Writes into {@code --out}: {@value #PROMPT} (the result, reusable with {@code zero-shot --prompt}),
 * {@value #CHECKPOINT} (the state after every step; an existing one is resumed), {@value #REPORT} and
 * {@value #PLOT} (train loss and dev accuracy per step of this run).
 */
@Command(name = "autoprompt", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"AutoPrompt trigger search: search on --train, select on --dev, evaluate on --dev and --eval.",
            "Example: autoprompt --model bert-base-cased --train ../shared/data/sst2/glue/train.tsv "
                + "--dev ../shared/data/sst2/glue/dev.tsv --template \"{sentence} [T] [T] [T] [MASK] .\" "
                + "--label 0=terrible --label 1=fantastic --iterations 50 --train-limit 4000 --dev-limit 200 "
                + "--halving --out out/autoprompt"})
final class AutoPromptCommand implements Callable<Integer> {

    static final String PROMPT = "autoprompt-prompt.json";

    /** Metric added to the saved prompt: accuracy on every example of {@code --dev}. */
    static final String DEV_FILE_ACCURACY = "dev_file_accuracy";
    /** Selection-subset accuracy of the label words after the label-search stage. */
    static final String LABEL_SEARCH_ACCURACY = "label_search_dev_accuracy";

    /** Metric added to the saved prompt: accuracy on every example of {@code --eval}. */
    static final String EVAL_FILE_ACCURACY = "eval_file_accuracy";
    static final String CHECKPOINT = "autoprompt-checkpoint.json";
    static final String REPORT = "autoprompt-report.json";
    static final String PLOT = "autoprompt-steps.png";

    private static final Logger log = LoggerFactory.getLogger(AutoPromptCommand.class);

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--train", required = true, paramLabel = "FILE", description = "labelled data to search on")
    Path train;

    @Option(names = "--dev", required = true, paramLabel = "FILE",
            description = "labelled data to select the triggers on (a --dev-limit subset) and to report on (all)")
    Path dev;

    @Option(names = "--eval", paramLabel = "FILE", description = "further labelled data to report the accuracy on")
    Optional<Path> eval = Optional.empty();

    @Option(names = "--template", defaultValue = "{sentence} [T] [T] [T] [MASK] .", paramLabel = "TEXT",
            converter = Converters.TemplateText.class,
            description = "template with trigger slots [T] and one [MASK] (default: ${DEFAULT-VALUE})")
    Template template;

    @Option(names = "--label", required = true, paramLabel = "CLASS=WORDS", converter = Converters.Label.class,
            description = "a class as labelled in the data and its comma-separated label words, e.g. "
                    + "--label 0=terrible --label 1=fantastic")
    List<LabelOption> labels = new ArrayList<>();

    @Option(names = "--iterations", defaultValue = "50", paramLabel = "N",
            description = "search steps (default: ${DEFAULT-VALUE})")
    int iterations;

    @Option(names = "--candidates", defaultValue = "10", paramLabel = "K", converter = Converters.PositiveInt.class,
            description = "candidate tokens per step from the gradient (default: ${DEFAULT-VALUE})")
    int candidates;

    @Option(names = "--train-limit", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "search on a seeded random subset of N training examples")
    Optional<Integer> trainLimit = Optional.empty();

    @Option(names = "--train-min-words", defaultValue = "1", paramLabel = "N",
            converter = Converters.PositiveInt.class,
            description = "search on training examples of at least N words only (SST-2's training set is mostly "
                    + "short phrases, its dev set whole sentences; default: ${DEFAULT-VALUE}, all)")
    int trainMinWords;

    @Option(names = "--dev-limit", defaultValue = "200", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "select on a seeded random subset of N dev examples (default: ${DEFAULT-VALUE})")
    int devLimit;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "SEED",
            description = "seed of the subsets and the search (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--init", split = "\\s+", paramLabel = "\"TOKEN ...\"",
            description = "starting token of each trigger slot, spelled as in the vocabulary, separated by spaces "
                    + "(default: every slot "
                    + "starts as the mask token, as in the paper)")
    List<String> init = List.of();

    @Option(names = "--halving", negatable = true, defaultValue = "false",
            description = "score candidates by successive halving instead of all on a full batch (default: off)")
    boolean halving;

    @Option(names = "--loss", defaultValue = "label-likelihood", paramLabel = "label-likelihood|class-cross-entropy",
            converter = Converters.Loss.class,
            description = "training loss: -log p(gold label words) as the paper, or the cross-entropy of the gold "
                    + "class among the label words, which rewards separating the classes (default: ${DEFAULT-VALUE})")
    SearchLoss loss;

    @Option(names = "--accumulation", defaultValue = "1", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "gradient batches summed per step (default: ${DEFAULT-VALUE})")
    int accumulation;

    @Option(names = "--confirm", defaultValue = "0", paramLabel = "N",
            description = "fresh training examples on which a step's winner must beat the current triggers again "
                    + "before it is accepted; 0 accepts the evaluation batch's winner as the paper "
                    + "(default: ${DEFAULT-VALUE})")
    int confirm;

    @Option(names = "--beam", defaultValue = "1", paramLabel = "B", converter = Converters.PositiveInt.class,
            description = "trigger sequences kept per step; 1 is the paper (default: ${DEFAULT-VALUE})")
    int beam;

    @Option(names = "--label-search", defaultValue = "0", paramLabel = "K",
            description = "after the triggers, search label words on the found template (logistic regression on the "
                    + "mask's hidden state) and add up to K per class to the --label words, keeping the count (0 to K) "
                    + "most accurate on the dev selection subset (default: ${DEFAULT-VALUE}, keep the --label words)")
    int labelSearch;

    @Option(names = "--label-search-limit", defaultValue = "1000", paramLabel = "N",
            converter = Converters.PositiveInt.class,
            description = "training examples (the first N of the search's) the label search fits on "
                    + "(default: ${DEFAULT-VALUE})")
    int labelSearchLimit;

    @Option(names = "--max-minutes", paramLabel = "M", converter = Converters.PositiveInt.class,
            description = "wall-clock budget of the whole search, resumed parts included: no step starts that would "
                    + "likely end past it (default: none, run all --iterations)")
    Optional<Integer> maxMinutes = Optional.empty();

    @Option(names = "--out", defaultValue = "autoprompt-out", paramLabel = "DIR",
            description = "directory of the prompt, checkpoint and report (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--progress", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "show a progress bar on standard error (default: on)")
    boolean progress;

    /** Whitespace-separated words over all text columns of an example. */
    static int words(Example e) {
        int n = 0;
        for (String text : e.fields().values()) {
            String t = text.strip();
            n += t.isEmpty() ? 0 : t.split("\\s+").length;
        }
        return n;
    }

    /**
     * The verbalizer of {@code --label}, after checking the template has trigger slots and the step count.
     *
     * @throws ParameterException naming the fix
     */
    Verbalizer verbalizer() {
        if (template.triggerCount() == 0) {
            throw new ParameterException(spec.commandLine(), "--template '" + template.text() + "' has no trigger "
                    + "slot [T]; add slots for the search to fill, e.g. \"{sentence} [T] [T] [T] [MASK] .\"");
        }
        if (iterations < 0) {
            throw new ParameterException(spec.commandLine(), "--iterations must be 0 or more, got " + iterations);
        }
        if (labelSearch < 0) {
            throw new ParameterException(spec.commandLine(), "--label-search must be 0 (off) or more, got "
                    + labelSearch);
        }
        return SearchSupport.searchVerbalizer(spec, labels, "fantastic");
    }

    @Override
    public Integer call() {
        Instant started = Instant.now();
        Verbalizer verbalizer = verbalizer();
        Dataset trainData = DatasetReader.read(train);
        Dataset devData = DatasetReader.read(dev);
        Optional<Dataset> evalData = eval.map(DatasetReader::read);
        List<Example> eligible = trainData.examples().stream().filter(e -> words(e) >= trainMinWords).toList();
        if (eligible.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "no training example of " + train + " has "
                    + trainMinWords + " or more words; lower --train-min-words");
        }
        List<Example> trainSet = SearchSupport.sample(eligible, trainLimit.orElse(Integer.MAX_VALUE),
                seed);
        List<Example> select = SearchSupport.sample(devData.examples(), devLimit, seed + 1);
        Path checkpoint = out.resolve(CHECKPOINT);
        List<SearchStep> steps = new ArrayList<>();
        try (OnnxMaskedLanguageModel model = modelOptions.open();
                Progress bar = Progress.start("autoprompt", "steps", iterations, progress)) {
            TriggerSearch search;
            try {
                TriggerSearch.Builder builder = TriggerSearch.builder(model).template(template).verbalizer(verbalizer)
                        .train(SearchSupport.toSearch(trainSet)).dev(SearchSupport.toSearch(select))
                        .iterations(iterations).candidates(candidates).gradientBatchSize(modelOptions.batchSize)
                        .evaluationBatchSize(modelOptions.batchSize).forwardBatchSize(modelOptions.batchSize)
                        .candidateEvaluation(halving ? CandidateEvaluation.SUCCESSIVE_HALVING
                                : CandidateEvaluation.EXHAUSTIVE)
                        .loss(loss).accumulationSteps(accumulation).beamWidth(beam).confirmationBatchSize(confirm)
                        .seed(seed).listener(listener(bar, steps, checkpoint))
                        .timeBudget(maxMinutes.map(Duration::ofMinutes).orElse(null));
                if (!init.isEmpty()) {
                    builder.initialTriggers(init);
                }
                search = builder.build();
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            TriggerSearchResult result;
            if (Files.exists(checkpoint)) {
                TriggerSearchState state = TriggerSearchState.fromJson(read(checkpoint));
                log.info("resuming from {} after step {}", checkpoint, state.iteration());
                bar.step(state.iteration());
                try {
                    result = search.resume(state);
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), "cannot resume from " + checkpoint + ": "
                            + e.getMessage() + "; rerun with the same options, or another --out to start afresh");
                }
            } else {
                result = search.run();
            }
            Optional<LabelStage> labelStage = Optional.empty();
            if (labelSearch > 0) {
                LabelStage stage;
                try {
                    stage = LabelStage.run(model, result, labelSearch, SearchSupport.toSearch(
                            trainSet.subList(0, Math.min(labelSearchLimit, trainSet.size()))),
                            SearchSupport.toSearch(select), modelOptions.batchSize);
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), "label search on the found prompt failed: "
                            + e.getMessage() + "; the triggers are saved in " + checkpoint + ", so rerunning with "
                            + "other --label-search or --label-search-limit values resumes without searching again");
                }
                result = result.withLabelWords(stage.chosen())
                        .withMetrics(Map.of(LABEL_SEARCH_ACCURACY, stage.selectionAccuracy()));
                labelStage = Optional.of(stage);
            }
            PromptClassifier classifier = result.classifier(model);
            Template bound = result.boundTemplate();
            ClassificationMetrics devMetrics = evaluate(classifier, bound, verbalizer.labels(), devData.examples());
            Optional<ClassificationMetrics> evalMetrics = evalData.map(d -> evaluate(classifier, bound,
                    verbalizer.labels(), d.examples()));
            // the saved prompt also carries its accuracy on the whole --dev (and --eval) file, not only on the
            // selection subset the search saw
            Map<String, Double> measured = new LinkedHashMap<>();
            measured.put(DEV_FILE_ACCURACY, devMetrics.accuracy().estimate());
            evalMetrics.ifPresent(m -> measured.put(EVAL_FILE_ACCURACY, m.accuracy().estimate()));
            result = result.withMetrics(measured);
            ReportWriter.write(out.resolve(PROMPT), result.toJson());
            ObjectNode report = report(started, result, labelStage, devData, devMetrics, evalData, evalMetrics,
                    steps);
            SearchSupport.write(report, out.resolve(REPORT));
            if (!steps.isEmpty()) {
                SearchPlot.write(steps, result.filledTemplate(), "dev accuracy", out.resolve(PLOT));
            }
            PrintWriter w = spec.commandLine().getOut();
            w.printf("prompt: %s%ndev accuracy: %s%n", result.filledTemplate(),
                    ReportWriter.percentWithInterval(devMetrics.accuracy()));
            evalMetrics.ifPresent(m -> w.printf("eval accuracy: %s%n", ReportWriter.percentWithInterval(
                    m.accuracy())));
            labelStage.ifPresent(st -> w.printf("label words: %s (%d searched per class added of %d tried; "
                    + "%.1f%% on the %d selection examples; %.0f s)%n", st.chosen().words(), st.added(),
                    labelSearch, 100 * st.selectionAccuracy(), select.size(), st.seconds()));
            if (result.iterations() < iterations) {
                w.printf("stopped by --max-minutes %d after %d of %d steps (%.0f s)%n", maxMinutes.orElseThrow(),
                        result.iterations(), iterations, result.elapsedMillis() / 1000.0);
            }
            w.printf("passes: %d forward, %d gradient; wrote %s%n", result.passes().forwardPasses(),
                    result.passes().gradientPasses(), out.resolve(PROMPT));
            w.flush();
        }
        return 0;
    }

    private SearchListener listener(Progress bar, List<SearchStep> steps, Path checkpoint) {
        SearchListener logging = SearchListener.logging();
        return new SearchListener() {
            @Override
            public void onStep(SearchStep step) {
                logging.onStep(step);
                steps.add(step);
                bar.step(1);
            }

            @Override
            public void onCheckpoint(TriggerSearchState state) {
                ReportWriter.write(checkpoint, state.toJson());
            }
        };
    }

    private ClassificationMetrics evaluate(PromptClassifier classifier, Template bound, List<String> classes,
            List<Example> data) {
        List<Map<String, String>> inputs = data.stream().map(e -> e.valuesFor(bound)).toList();
        List<String> predicted = new ArrayList<>(inputs.size());
        for (Classification c : classifier.classifyAllFields(inputs)) {
            predicted.add(c.label());
        }
        return ClassificationMetrics.of(classes, data.stream().map(Example::label).toList(), predicted, seed);
    }

    private ObjectNode report(Instant started, TriggerSearchResult r, Optional<LabelStage> labelStage, Dataset devData,
            ClassificationMetrics devMetrics, Optional<Dataset> evalData, Optional<ClassificationMetrics> evalMetrics,
            List<SearchStep> steps) {
        ObjectNode root = SearchSupport.object();
        root.put("command", "autoprompt");
        root.put("startedAt", started.toString());
        ObjectNode s = root.putObject("settings");
        s.put("template", template.text());
        s.put("labels", labels.toString());
        s.put("iterations", iterations);
        s.put("candidates", candidates);
        trainLimit.ifPresent(l -> s.put("trainLimit", l));
        s.put("trainMinWords", trainMinWords);
        s.put("loss", loss.name());
        s.put("accumulation", accumulation);
        s.put("beam", beam);
        s.put("confirm", confirm);
        s.put("devLimit", devLimit);
        maxMinutes.ifPresent(m -> s.put("maxMinutes", m));
        s.put("labelSearch", labelSearch);
        s.put("labelSearchLimit", labelSearchLimit);
        s.put("seed", seed);
        s.put("halving", halving);
        s.put("init", String.join(" ", init));
        s.put("batchSize", modelOptions.batchSize);
        root.put("model", r.modelName());
        root.put("filledTemplate", r.filledTemplate());
        ArrayNode triggers = root.putArray("triggers");
        r.triggerTokens().forEach(triggers::add);
        root.put("stepsRun", r.iterations());
        root.put("bestIteration", r.bestIteration());
        ObjectNode passes = root.putObject("passes");
        passes.put("forward", r.passes().forwardPasses());
        passes.put("gradient", r.passes().gradientPasses());
        root.put("searchSeconds", r.elapsedMillis() / 1000.0);
        labelStage.ifPresent(st -> {
            root.set("labelSearch", st.toJson());
            root.put("totalSearchSeconds", r.elapsedMillis() / 1000.0 + st.seconds());
        });
        ObjectNode searchMetrics = root.putObject("searchMetrics");
        r.metrics().forEach(searchMetrics::put);
        ObjectNode devNode = ReportWriter.metrics(devMetrics);
        devNode.put("file", devData.file().toString());
        devNode.put("sha256", devData.sha256());
        root.set("dev", devNode);
        if (evalData.isPresent() && evalMetrics.isPresent()) {
            ObjectNode evalNode = ReportWriter.metrics(evalMetrics.get());
            evalNode.put("file", evalData.get().file().toString());
            evalNode.put("sha256", evalData.get().sha256());
            root.set("eval", evalNode);
        }
        ArrayNode stepNodes = root.putArray("steps");
        for (SearchStep st : steps) {
            stepNodes.addObject().put("iteration", st.iteration()).put("trainLoss", st.trainLoss())
                    .put("devMetric", st.devMetric()).put("accepted", st.accepted());
        }
        return root;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + file, e);
        }
    }
}
