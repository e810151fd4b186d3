package io.github.prompt4j.benchmarks.eval;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
import io.github.prompt4j.onnx.runtime.Precision;
import io.github.prompt4j.search.label.LabelStage;
import io.github.prompt4j.search.label.LabelStageResult;
import io.github.prompt4j.search.label.LearnedHeadStage;
import io.github.prompt4j.search.label.LearnedHeadStageResult;
import io.github.prompt4j.search.label.SelectionScore;
import io.github.prompt4j.search.protocol.DataUse;
import io.github.prompt4j.search.protocol.HeldOut;
import io.github.prompt4j.search.protocol.Protocol;
import io.github.prompt4j.search.protocol.SelectionSplit;
import io.github.prompt4j.search.select.CalibrationStageResult;
import io.github.prompt4j.search.select.PromptScore;
import io.github.prompt4j.search.select.TriggerEnsembleStage;
import io.github.prompt4j.search.select.TriggerEnsembleStageResult;
import io.github.prompt4j.search.trigger.CandidateEvaluation;
import io.github.prompt4j.search.trigger.ScoredTriggers;
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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code eval autoprompt}: gradient-guided trigger search (AutoPrompt, Shin et al. 2020) under an honest protocol:
 * a selection split of {@code --select} examples is carved from the training data (seeded, disjoint from every search
 * batch) and every choice is made on it (the best step, the label-word count); the search runs on the rest of the
 * training data; {@code --dev} and {@code --eval} are read into {@link HeldOut}s that no search sees and are scored
 * once, at the end, at float32.
 *
 * <p>Writes into {@code --out}: {@value #PROMPT} (the result, reusable with {@code zero-shot --prompt}),
 * {@value #CHECKPOINT} (the state after every step; an existing one is resumed), {@value #REPORT} and
 * {@value #PLOT} (train loss and dev accuracy per step of this run).
 */
@Command(name = "autoprompt", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"AutoPrompt trigger search: search on --train less a selection split of --select training "
                + "examples, choose on that split, report --dev and --eval once at the end.",
            "Example: autoprompt --model bert-base-cased --train ../shared/data/sst2/glue/train.tsv "
                + "--dev ../shared/data/sst2/glue/dev.tsv --template \"{sentence} [T] [T] [T] [MASK] .\" "
                + "--label 0=terrible --label 1=fantastic --iterations 50 --train-limit 4000 --select 500 "
                + "--halving --out out/autoprompt"})
final class AutoPromptCommand implements Callable<Integer> {

    static final String PROMPT = "autoprompt-prompt.json";

    /** Metric added to the saved prompt: accuracy on every example of {@code --dev}, scored once at the end. */
    static final String DEV_FILE_ACCURACY = "dev_file_accuracy";
    /** Selection-split accuracy of the label words after the label-search stage. */
    static final String LABEL_SEARCH_ACCURACY = "label_stage_selection_accuracy";
    /** The chosen ensemble's accuracy on the selection split, in the saved prompt's metrics. */
    static final String ENSEMBLE_ACCURACY = "ensemble_stage_selection_accuracy";

    /** The learned head's selection accuracy at its chosen L2 strength, in the saved prompt's metrics. */
    static final String HEAD_ACCURACY = "head_stage_selection_accuracy";
    /** The label-word prompt's selection accuracy at float32, which the head had to beat. */
    static final String HEAD_STAGE_WORDS_ACCURACY = "head_stage_label_words_selection_accuracy";

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

    @Option(names = "--train", required = true, paramLabel = "FILE",
            description = "labelled training data: the search runs on it, less the --select split carved from it")
    Path train;

    @Option(names = "--dev", paramLabel = "FILE",
            description = "labelled data to report on: every example scored once, after every choice; never seen by "
                    + "the search")
    Optional<Path> dev = Optional.empty();

    @Option(names = "--eval", paramLabel = "FILE", description = "further labelled data to report on, as --dev")
    Optional<Path> eval = Optional.empty();

    @Option(names = "--select", defaultValue = "500", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "size of the selection split: N training examples (seeded, of at least --train-min-words "
                    + "words) set aside before the search, on which the best step and the label-word count are "
                    + "chosen (default: ${DEFAULT-VALUE})")
    int select;

    @Option(names = "--selection-batch", defaultValue = "0", paramLabel = "N",
            description = "score each accepted step on a fixed seeded batch of N selection examples instead of the "
                    + "whole split; with --rescore-top the choice is still made on the whole split (default: "
                    + "${DEFAULT-VALUE}, the whole split every time)")
    int selectionBatch;

    @Option(names = "--rescore-top", defaultValue = "0", paramLabel = "M",
            description = "re-score the M best trigger states by selection-batch accuracy on the whole selection "
                    + "split before choosing (default: ${DEFAULT-VALUE}, off)")
    int rescoreTop;

    @Option(names = "--ensemble-top", defaultValue = "0", paramLabel = "K",
            description = "after the label words, choose on the selection split an ensemble of the k best re-scored "
                    + "trigger states (k from 1 to K, ties to the smaller; needs --rescore-top >= K) and save its "
                    + "members in the prompt; not with --calibrate (default: ${DEFAULT-VALUE}, off)")
    int ensembleTop;

    @Option(names = "--dev-limit", hidden = true, paramLabel = "N")
    Optional<Integer> devLimit = Optional.empty();

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

    @Mixin
    MinWordsOption minWords;

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
                    + "most accurate on the selection split (default: ${DEFAULT-VALUE}, keep the --label words)")
    int labelSearch;

    @Option(names = "--label-search-limit", defaultValue = "1000", paramLabel = "N",
            converter = Converters.PositiveInt.class,
            description = "training examples (the first N of the search's, never the selection split) the label "
                    + "search fits on "
                    + "(default: ${DEFAULT-VALUE})")
    int labelSearchLimit;

    @Option(names = "--calibrate", description = "after the label words, choose the calibration (none, content-free "
            + "inputs, or the prior of --calibration-sample training inputs) on the selection split and save it in the "
            + "prompt as a fixed prior (see eval calibrate)")
    boolean calibrate;

    @Option(names = "--calibration-sample", defaultValue = "200", paramLabel = "N",
            converter = Converters.PositiveInt.class,
            description = "unlabelled training inputs of the search (never the selection split) the training-sample "
                    + "prior is estimated on (default: ${DEFAULT-VALUE})")
    int calibrationSample;

    @Option(names = "--learned-head", description = "after the other stages, fit a learned verbalizer (a logistic "
            + "regression on the found prompt's [MASK] state, started from the label words, L2 chosen on the selection "
            + "split) on --head-limit training examples at float32, and keep it in place of the label words when it "
            + "is more accurate on the selection split than the prompt as it stands (see eval verbalizer)")
    boolean learnedHead;

    @Option(names = "--head-states", defaultValue = "best", paramLabel = "best|shortlist",
            converter = Converters.HeadStates.class,
            description = "the trigger states --learned-head fits a head on: best (the chosen state) or shortlist (the "
                    + "chosen state, the --rescore-top shortlist and the --init warm start, the head most accurate on "
                    + "the selection split kept; one more head fit per state) (default: ${DEFAULT-VALUE})")
    LearnedHeadStage.States headStates;

    @Option(names = "--head-limit", defaultValue = "2000", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "training examples (the first N of the search's, never the selection split) the learned "
                    + "head is fitted on (default: ${DEFAULT-VALUE})")
    int headLimit;

    @Option(names = "--max-minutes", paramLabel = "M", converter = Converters.PositiveInt.class,
            description = "wall-clock budget of the whole search, resumed parts included: no step starts that would "
                    + "likely end past it (default: none, run all --iterations)")
    Optional<Integer> maxMinutes = Optional.empty();

    @Option(names = "--max-length", defaultValue = "128", paramLabel = "TOKENS",
            converter = Converters.PositiveInt.class,
            description = "longest prompt in tokens, special tokens included; longer inputs lose their tail. The "
                    + "saved prompt keeps it, so its reports truncate alike (default: ${DEFAULT-VALUE})")
    int maxLength;

    @Option(names = "--out", defaultValue = "autoprompt-out", paramLabel = "DIR",
            description = "directory of the prompt, checkpoint and report (default: ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--progress", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "show a progress bar on standard error (default: on)")
    boolean progress;

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
        if (devLimit.isPresent()) {
            throw new ParameterException(spec.commandLine(), "--dev-limit chose the triggers on the reported --dev "
                    + "file; choices are now made on a split of the training data: use --select N");
        }
        if (selectionBatch < 0 || rescoreTop < 0) {
            throw new ParameterException(spec.commandLine(), "--selection-batch and --rescore-top must be 0 (off) or "
                    + "more, got " + selectionBatch + " and " + rescoreTop);
        }
        if (ensembleTop < 0) {
            throw new ParameterException(spec.commandLine(), "--ensemble-top must be 0 (off) or more, got "
                    + ensembleTop);
        }
        if (ensembleTop > 0 && rescoreTop < ensembleTop) {
            throw new ParameterException(spec.commandLine(), "--ensemble-top " + ensembleTop + " chooses among the "
                    + "re-scored trigger states; set --rescore-top to " + ensembleTop + " or more (got "
                    + rescoreTop + ")");
        }
        if (ensembleTop > 0 && calibrate) {
            throw new ParameterException(spec.commandLine(), "--ensemble-top and --calibrate do not combine: an "
                    + "ensemble averages uncalibrated members; drop one of them");
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
        // the reported files are sealed as soon as they are read: nothing below hands them to a search or scorer
        Optional<Dataset> devData = dev.map(DatasetReader::read);
        Optional<Dataset> evalData = eval.map(DatasetReader::read);
        Optional<HeldOut> devHeld = devData.map(d -> HeldOut.of(d.file().toString(),
                SearchSupport.toSearch(d.examples())));
        Optional<HeldOut> evalHeld = evalData.map(d -> HeldOut.of(d.file().toString(),
                SearchSupport.toSearch(d.examples())));
        List<Integer> eligibleRows = SearchSupport.rowsOfAtLeastWords(spec, trainData, minWords.value);
        List<io.github.prompt4j.search.data.Example> eligible = SearchSupport.toSearch(
                eligibleRows.stream().map(trainData.examples()::get).toList());
        SelectionSplit split;
        try {
            split = SelectionSplit.carve(eligible, select, seed + 1);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--select " + select + ": " + e.getMessage());
        }
        List<io.github.prompt4j.search.data.Example> trainSet = SearchSupport.sample(split.search(),
                trainLimit.orElse(Integer.MAX_VALUE), seed);
        List<io.github.prompt4j.search.data.Example> selection = split.selection();
        int[] selectionRows = Arrays.stream(split.sortedSelectionIndices()).map(eligibleRows::get).toArray();
        Protocol protocol = protocol(trainData, split, trainSet.size(), selectionRows, devData, evalData);
        Path checkpoint = out.resolve(CHECKPOINT);
        List<SearchStep> steps = new ArrayList<>();
        TriggerSearchResult result;
        Optional<LabelStageResult> labelStage = Optional.empty();
        Optional<CalibrationStageResult> calibrationStage = Optional.empty();
        Optional<TriggerEnsembleStageResult> ensembleStage = Optional.empty();
        Optional<LearnedHeadStageResult> headStage = Optional.empty();
        String modelName;
        try (OnnxMaskedLanguageModel model = modelOptions.open();
                Progress bar = Progress.start("autoprompt", "steps", iterations, progress)) {
            modelName = model.info().name();
            TriggerSearch search;
            try {
                TriggerSearch.Builder builder = TriggerSearch.builder(model).template(template).verbalizer(verbalizer)
                        .train(trainSet).selection(selection)
                        .iterations(iterations).candidates(candidates).gradientBatchSize(modelOptions.batchSize)
                        .evaluationBatchSize(modelOptions.batchSize).forwardBatchSize(modelOptions.batchSize)
                        .candidateEvaluation(halving ? CandidateEvaluation.SUCCESSIVE_HALVING
                                : CandidateEvaluation.EXHAUSTIVE)
                        .loss(loss).accumulationSteps(accumulation).beamWidth(beam).confirmationBatchSize(confirm)
                        .selectionBatchSize(selectionBatch).rescoreTop(rescoreTop).maxLength(maxLength)
                        .seed(seed).listener(listener(bar, steps, checkpoint))
                        .timeBudget(maxMinutes.map(Duration::ofMinutes).orElse(null));
                if (!init.isEmpty()) {
                    builder.initialTriggers(init);
                }
                search = builder.build();
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
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
            if (labelSearch > 0) {
                LabelStageResult stage;
                try {
                    stage = LabelStage.builder(model).template(result.boundTemplate())
                            .seedWords(result.verbalizer()).maxAdded(labelSearch)
                            .train(trainSet.subList(0, Math.min(labelSearchLimit, trainSet.size())))
                            .selection(selection).batchSize(modelOptions.batchSize).build().run();
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), "label search on the found prompt failed: "
                            + e.getMessage() + "; the triggers are saved in " + checkpoint + ", so rerunning with "
                            + "other --label-search or --label-search-limit values resumes without searching again");
                }
                result = result.withLabelWords(stage.chosen())
                        .withMetrics(Map.of(LABEL_SEARCH_ACCURACY, stage.selectionAccuracy()));
                labelStage = Optional.of(stage);
            }
            if (ensembleTop > 0) {
                TriggerEnsembleStageResult stage = TriggerEnsembleStage.builder(model).result(result)
                        .selection(selection).maxMembers(ensembleTop).batchSize(modelOptions.batchSize).build().run();
                result = result.withEnsemble(stage.members(), model.tokenizer())
                        .withMetrics(Map.of(ENSEMBLE_ACCURACY, stage.chosenAccuracy()));
                ensembleStage = Optional.of(stage);
            }
            if (calibrate) {
                CalibrationStageResult stage = CalibrateCommand.choose(model, result,
                        trainSet.subList(0, Math.min(calibrationSample, trainSet.size())), selection,
                        modelOptions.batchSize);
                result = result.withCalibrationPrior(stage.chosenPrior())
                        .withMetrics(Map.of(CalibrateCommand.CALIBRATION_ACCURACY, stage.chosenAccuracy()));
                calibrationStage = Optional.of(stage);
            }
        }
        // the head stage and the reports run at float32 whatever --precision searched at: the head reads the states
        // the saved prompt will be used with
        Optional<ClassificationMetrics> devMetrics;
        Optional<ClassificationMetrics> evalMetrics;
        double searchSeconds;
        try (OnnxMaskedLanguageModel model = modelOptions.open(Precision.FP32)) {
            if (learnedHead) {
                LearnedHeadStageResult stage;
                try {
                    stage = LearnedHeadStage.builder(model).result(result).states(headStates)
                            .train(trainSet.subList(0, Math.min(headLimit, trainSet.size()))).selection(selection)
                            .batchSize(modelOptions.batchSize).build().run();
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), "the learned-head stage failed: "
                            + e.getMessage() + "; the triggers are saved in " + checkpoint + ", so a rerun resumes "
                            + "without searching again");
                }
                result = stage.applyTo(result, model.tokenizer()).withMetrics(Map.of(HEAD_ACCURACY, stage.headAccuracy(),
                        HEAD_STAGE_WORDS_ACCURACY, stage.promptAccuracy()));
                headStage = Optional.of(stage);
            }
            searchSeconds = Duration.between(started, Instant.now()).toMillis() / 1000.0;
            // every choice is made: the reported files are scored once
            final TriggerSearchResult chosen = result;
            Function<List<Map<String, String>>, List<Classification>> classify = PromptFile.classify(chosen, model);
            Template bound = chosen.boundTemplate();
            devMetrics = devHeld.map(h -> h.evaluateOnce(examples -> evaluate(classify, bound,
                    verbalizer.labels(), examples)));
            evalMetrics = evalHeld.map(h -> h.evaluateOnce(examples -> evaluate(classify, bound,
                    verbalizer.labels(), examples)));
        }
        Map<String, Double> measured = new LinkedHashMap<>();
        devMetrics.ifPresent(m -> measured.put(DEV_FILE_ACCURACY, m.accuracy().estimate()));
        evalMetrics.ifPresent(m -> measured.put(EVAL_FILE_ACCURACY, m.accuracy().estimate()));
        result = result.withMetrics(measured).withProtocol(protocol);
        ReportWriter.write(out.resolve(PROMPT), result.toJson());
        ObjectNode report = report(started, result, labelStage, calibrationStage, ensembleStage, headStage, protocol,
                searchSeconds, devData, devMetrics, evalData, evalMetrics, steps);
        SearchSupport.write(report, out.resolve(REPORT));
        if (!steps.isEmpty()) {
            SearchPlot.write(steps, result.filledTemplate(), "selection accuracy", out.resolve(PLOT));
        }
        PrintWriter w = spec.commandLine().getOut();
        w.printf("prompt: %s (model %s)%n", result.filledTemplate(), modelName);
        w.printf("selection split: %d training examples (seed %d); search on %d%n", selection.size(), seed + 1,
                trainSet.size());
        devMetrics.ifPresent(m -> w.printf("dev accuracy (scored once, at the end): %s%n",
                ReportWriter.percentWithInterval(m.accuracy())));
        evalMetrics.ifPresent(m -> w.printf("eval accuracy (scored once, at the end): %s%n",
                ReportWriter.percentWithInterval(m.accuracy())));
        labelStage.ifPresent(st -> w.printf("label words: %s (%d searched per class added of %d tried; "
                + "%.1f%% on the %d selection examples; %.0f s)%n", st.chosen().words(), st.added(),
                labelSearch, 100 * st.selectionAccuracy(), selection.size(), st.seconds()));
        ensembleStage.ifPresent(st -> {
            for (int k = 1; k <= st.selectionAccuracy().size(); k++) {
                w.printf("ensemble of the %d best trigger states: %.1f%% on the selection split%s%n", k,
                        100 * st.selectionAccuracy().get(k - 1), k == st.chosenSize() ? "  <- chosen" : "");
            }
        });
        calibrationStage.ifPresent(st -> w.printf("calibration: %s (%.1f%% on the selection split; none %.1f%%)%n",
                st.chosen(), 100 * st.chosenAccuracy(), 100 * st.selectionAccuracy().get(
                        CalibrationStageResult.Option.NONE)));
        headStage.ifPresent(st -> {
            if (st.states().size() > 1) {
                for (LearnedHeadStageResult.StateScore sc : st.states()) {
                    w.printf("learned head on the state of step %d: %.1f%% on the selection split (L2 %s)%s%n",
                            sc.state().iteration(), 100 * sc.accuracy(), sc.chosenL2(),
                            sc.state().equals(st.state()) ? "  <- best head" : "");
                }
            }
            w.printf("learned head: %s (L2 %s fitted on %d training examples, %.1f%% on the selection split against "
                    + "%.1f%% with the label words at float32; %.0f s)%n", st.headChosen()
                    ? "kept in place of the label words" : "not kept", st.chosenL2(), st.fitted(),
                    100 * st.headAccuracy(), 100 * st.promptAccuracy(), st.seconds());
        });
        if (result.iterations() < iterations) {
            w.printf("stopped by --max-minutes %d after %d of %d steps (%.0f s)%n", maxMinutes.orElseThrow(),
                    result.iterations(), iterations, result.elapsedMillis() / 1000.0);
        }
        w.printf("passes: %d forward, %d gradient; wrote %s%n", result.passes().forwardPasses(),
                result.passes().gradientPasses(), out.resolve(PROMPT));
        w.flush();
        return 0;
    }

    /** What searched, what selected, what reported. */
    private Protocol protocol(Dataset trainData, SelectionSplit split, int searched, int[] selectionRows,
            Optional<Dataset> devData, Optional<Dataset> evalData) {
        String rows = minWords.value > 1 ? "rows of " + minWords.value + "+ words" : "rows";
        List<DataUse> uses = new ArrayList<>();
        uses.add(new DataUse(DataUse.Role.SEARCH, train.toString(), trainData.sha256(),
                trainData.examples().size(), searched, seed, rows + " less the selection split (and rows equal to a "
                        + "selection example)" + (trainLimit.isPresent() ? ", a seeded sample of " + trainLimit.get()
                        : ""), new int[0]));
        uses.add(new DataUse(DataUse.Role.SELECTION, train.toString(), trainData.sha256(),
                trainData.examples().size(), split.selection().size(), split.seed(), "a seeded draw of "
                        + split.selection().size() + " of the " + split.sourceSize() + " " + rows
                        + "; indices are file rows", selectionRows));
        devData.ifPresent(d -> uses.add(new DataUse(DataUse.Role.REPORTED, d.file().toString(), d.sha256(),
                d.examples().size(), d.examples().size(), 0, "every row, scored once after every choice",
                new int[0])));
        evalData.ifPresent(d -> uses.add(new DataUse(DataUse.Role.REPORTED, d.file().toString(), d.sha256(),
                d.examples().size(), d.examples().size(), 0, "every row, scored once after every choice",
                new int[0])));
        return Protocol.honest(uses);
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

    private ClassificationMetrics evaluate(Function<List<Map<String, String>>, List<Classification>> classify,
            Template bound, List<String> classes, List<io.github.prompt4j.search.data.Example> data) {
        return CalibrateCommand.evaluate(classify, bound, classes, data, seed);
    }

    private ObjectNode report(Instant started, TriggerSearchResult r, Optional<LabelStageResult> labelStage,
            Optional<CalibrationStageResult> calibrationStage, Optional<TriggerEnsembleStageResult> ensembleStage,
            Optional<LearnedHeadStageResult> headStage, Protocol protocol, double searchSeconds,
            Optional<Dataset> devData, Optional<ClassificationMetrics> devMetrics, Optional<Dataset> evalData,
            Optional<ClassificationMetrics> evalMetrics, List<SearchStep> steps) {
        ObjectNode root = SearchSupport.object();
        root.put("command", "autoprompt");
        root.put("startedAt", started.toString());
        ObjectNode s = root.putObject("settings");
        s.put("template", template.text());
        s.put("labels", labels.toString());
        s.put("iterations", iterations);
        s.put("candidates", candidates);
        trainLimit.ifPresent(l -> s.put("trainLimit", l));
        s.put("trainMinWords", minWords.value);
        s.put("loss", loss.name());
        s.put("accumulation", accumulation);
        s.put("beam", beam);
        s.put("confirm", confirm);
        s.put("select", select);
        s.put("selectionBatch", selectionBatch);
        s.put("rescoreTop", rescoreTop);
        s.put("maxLength", maxLength);
        s.put("precision", modelOptions.precision.name());
        maxMinutes.ifPresent(m -> s.put("maxMinutes", m));
        s.put("labelSearch", labelSearch);
        s.put("labelSearchLimit", labelSearchLimit);
        s.put("ensembleTop", ensembleTop);
        s.put("calibrate", calibrate);
        s.put("calibrationSample", calibrationSample);
        s.put("learnedHead", learnedHead);
        s.put("headLimit", headLimit);
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
            root.set("labelSearch", labelStageJson(st));
            root.put("totalSearchSeconds", r.elapsedMillis() / 1000.0 + st.seconds());
        });
        ensembleStage.ifPresent(st -> root.set("ensemble", ensembleStageJson(st)));
        calibrationStage.ifPresent(st -> {
            ObjectNode c = root.putObject("calibration");
            c.put("chosen", st.chosen().name());
            c.set("prior", SearchSupport.tree(st.chosenPrior()));
            c.set("selectionAccuracy", SearchSupport.tree(st.selectionAccuracy()));
            c.put("forwardPasses", st.forwardPasses());
            c.put("seconds", st.seconds());
        });
        headStage.ifPresent(st -> {
            ObjectNode h = root.putObject("learnedHead");
            h.put("chosen", st.headChosen()).put("chosenL2", st.chosenL2()).put("fitted", st.fitted())
                    .put("selectionAccuracy", st.headAccuracy()).put("labelWordsSelectionAccuracy",
                            st.promptAccuracy()).put("precision", "FP32").put("forwardPasses", st.forwardPasses())
                    .put("seconds", st.seconds());
            h.put("states", ReportWriter.lower(headStates)).put("stateIteration", st.state().iteration());
            ArrayNode ids = h.putArray("stateTriggers");
            Arrays.stream(st.state().triggers()).forEach(ids::add);
            ArrayNode scores = h.putArray("strengths");
            for (SelectionScore sc : st.headScores()) {
                scores.addObject().put("l2", sc.l2()).put("accuracy", sc.accuracy()).put("logLoss", sc.logLoss());
            }
            ArrayNode tried = h.putArray("statesTried");
            for (LearnedHeadStageResult.StateScore sc : st.states()) {
                ObjectNode one = tried.addObject().put("iteration", sc.state().iteration()).put("l2", sc.chosenL2())
                        .put("accuracy", sc.accuracy());
                Arrays.stream(sc.state().triggers()).forEach(one.putArray("triggers")::add);
            }
        });
        root.put("secondsUntilReport", searchSeconds);
        root.put("wallSeconds", Duration.between(started, Instant.now()).toMillis() / 1000.0);
        root.set("protocol", SearchSupport.tree(protocol));
        ObjectNode searchMetrics = root.putObject("searchMetrics");
        r.metrics().forEach(searchMetrics::put);
        if (devData.isPresent() && devMetrics.isPresent()) {
            ObjectNode devNode = ReportWriter.metrics(devMetrics.get());
            devNode.put("file", devData.get().file().toString());
            devNode.put("sha256", devData.get().sha256());
            devNode.put("precision", "FP32");
            root.set("dev", devNode);
        }
        if (evalData.isPresent() && evalMetrics.isPresent()) {
            ObjectNode evalNode = ReportWriter.metrics(evalMetrics.get());
            evalNode.put("file", evalData.get().file().toString());
            evalNode.put("sha256", evalData.get().sha256());
            root.set("eval", evalNode);
        }
        ArrayNode stepNodes = root.putArray("steps");
        for (SearchStep st : steps) {
            stepNodes.addObject().put("iteration", st.iteration()).put("trainLoss", st.trainLoss())
                    .put("selectionMetric", st.selectionMetric()).put("accepted", st.accepted());
        }
        return root;
    }

    /** The report block of the ensemble stage: each state's and each size's selection accuracy, the choice. */
    private static ObjectNode ensembleStageJson(TriggerEnsembleStageResult stage) {
        ObjectNode root = SearchSupport.object();
        root.put("chosenSize", stage.chosenSize());
        root.put("selectionSize", stage.selectionSize());
        root.put("forwardPasses", stage.forwardPasses());
        root.put("seconds", stage.seconds());
        ArrayNode states = root.putArray("rankedStates");
        for (ScoredTriggers st : stage.ranked()) {
            ArrayNode ids = states.addObject().put("iteration", st.iteration())
                    .put("selectionAccuracy", st.metrics().get(TriggerEnsembleStageResult.MEMBER_ACCURACY))
                    .putArray("triggerIds");
            Arrays.stream(st.triggers()).forEach(ids::add);
        }
        ArrayNode sizes = root.putArray("sizes");
        for (int k = 1; k <= stage.selectionAccuracy().size(); k++) {
            sizes.addObject().put("members", k).put("selectionAccuracy", stage.selectionAccuracy().get(k - 1));
        }
        return root;
    }

    /** The report block of the label stage: searched words with scores, every count's selection metrics, the choice. */
    private static ObjectNode labelStageJson(LabelStageResult stage) {
        ObjectNode root = SearchSupport.object();
        root.put("maxAdded", stage.maxAdded());
        root.put("added", stage.added());
        root.put("seconds", stage.seconds());
        root.put("trainAccuracy", stage.search().trainAccuracy());
        root.put("forwardPasses", stage.search().forwardPasses());
        root.set("searchedWords", SearchSupport.words(stage.search()));
        ArrayNode options = root.putArray("candidates");
        for (int k = 0; k < stage.byAdded().size(); k++) {
            PromptScore score = stage.byAdded().get(k);
            ObjectNode o = options.addObject().put("added", k).put("selectionAccuracy", score.accuracy())
                    .put("selectionLogLikelihood", score.logLikelihood());
            ObjectNode w = o.putObject("labelWords");
            score.candidate().verbalizer().words().forEach((label, list) -> w.put(label, String.join(",", list)));
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
