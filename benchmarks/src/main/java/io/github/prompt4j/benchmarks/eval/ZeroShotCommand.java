package io.github.prompt4j.benchmarks.eval;

import io.github.prompt4j.core.calibration.Calibration;
import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.MultiMaskDecoding;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.mapping.LabelMapper;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.MultiTokenPolicy;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
import io.github.prompt4j.search.label.LearnedVerbalizerResult;
import io.github.prompt4j.search.soft.PrefixTuningResult;
import io.github.prompt4j.search.soft.SoftPromptResult;
import io.github.prompt4j.search.trigger.TriggerSearchResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
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
 * {@code eval zero-shot}: classifies a labelled dataset with a template and label words, no training, and reports
 * accuracy (with a bootstrap interval), macro-F1 and the confusion matrix as JSON and Markdown.
 */
@Command(name = "zero-shot", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Zero-shot classification of a labelled dataset with a cloze template and label words.",
            "Example: zero-shot --model bert-base-cased --eval ../shared/data/sst2/glue/dev.tsv "
                + "--template \"{sentence} this movie was [MASK].\" --label 0=terrible --label 1=fantastic "
                + "--json out.json",
            "Or a saved prompt (its model by default): zero-shot --eval FILE --prompt out/autoprompt-prompt.json"})
final class ZeroShotCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(ZeroShotCommand.class);

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--eval", required = true, paramLabel = "FILE",
            description = "labelled data: GLUE TSV (header sentence<TAB>label), ChnSentiCorp TSV (header "
                    + "label<TAB>text_a) or *.norm.tsv (text<TAB>label, no header)")
    Path eval;

    @Option(names = "--prompt", paramLabel = "FILE",
            description = "a saved prompt (the result JSON of autoprompt): its triggers, template and label words "
                    + "replace --template and --label, and classes score by the sum of their words' probabilities")
    Optional<Path> prompt = Optional.empty();

    @Option(names = "--template", paramLabel = "TEXT", converter = Converters.TemplateText.class,
            description = "cloze template with one [MASK] and fields named after the data's columns; a single "
                    + "field takes the only text column, e.g. \"{sentence} It was [MASK].\"")
    Template template;

    @Option(names = "--label", paramLabel = "CLASS=WORDS", converter = Converters.Label.class,
            description = "a class as labelled in the data and its comma-separated label words, e.g. "
                    + "--label 0=terrible,bad --label 1=great,good (at least two classes)")
    List<LabelOption> labels = new ArrayList<>();

    @Option(names = "--mapper", defaultValue = "mean", paramLabel = "mean|sum|max",
            description = "how a class's label-word probabilities combine (default: ${DEFAULT-VALUE})")
    MapperChoice mapper;

    @Option(names = "--policy", defaultValue = "reject",
            paramLabel = "first|mean|max|reject|multi_mask|multi_mask_mean",
            description = "how a label word of several word pieces is scored; reject refuses such words, "
                    + "multi_mask gives each piece a mask of its own (default: ${DEFAULT-VALUE})")
    MultiTokenPolicy policy;

    @Option(names = "--multi-mask", paramLabel = "parallel|left-to-right", converter = Converters.MultiMask.class,
            description = "score a label word of k pieces with k masks in place of the template's [MASK]: all in "
                    + "one pass (parallel) or filling them one by one (left-to-right, exact chain rule, k passes); "
                    + "implies --policy multi_mask unless --policy multi_mask_mean (length-normalised) is given")
    Optional<MultiMaskDecoding> multiMask = Optional.empty();

    @Option(names = "--calibrate", paramLabel = "TEXT",
            description = "contextual calibration (Zhao et al. 2021): divide the class probabilities by those of "
                    + "this content-free input, e.g. N/A; the report then also gives the uncalibrated metrics of "
                    + "the same forward passes. A saved --prompt applies its own saved prior (eval calibrate) unless "
                    + "this option replaces it")
    Optional<String> calibrate = Optional.empty();

    @Option(names = "--limit", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "evaluate only the first N examples")
    Optional<Integer> limit = Optional.empty();

    @Option(names = "--seed", defaultValue = "42", paramLabel = "SEED",
            description = "seed of the bootstrap confidence interval (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--json", paramLabel = "FILE", description = "write the JSON report here")
    Optional<Path> json = Optional.empty();

    @Option(names = "--markdown", paramLabel = "FILE", description = "also write the Markdown table here")
    Optional<Path> markdown = Optional.empty();

    @Option(names = "--progress", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "show a progress bar on standard error (default: on)")
    boolean progress;

    /**
     * The validated settings.
     *
     * @throws ParameterException for fewer than two classes, or a class or word given twice
     */
    ZeroShotSettings settings() {
        Verbalizer verbalizer = verbalizer();
        List<LabelOption> classes = labels;
        if (prompt.isPresent()) {
            classes = new ArrayList<>();
            for (String c : verbalizer.labels()) {
                classes.add(new LabelOption(c, verbalizer.words().get(c)));
            }
        }
        OptionalInt lim = limit.isPresent() ? OptionalInt.of(limit.get()) : OptionalInt.empty();
        if (calibrate.isPresent() && calibrate.get().isBlank()) {
            throw new ParameterException(spec.commandLine(), "--calibrate needs a non-blank content-free input such "
                    + "as N/A");
        }
        String templateText = prefixPrompt().map(PrefixTuningResult::template)
                .or(() -> softPrompt().map(SoftPromptResult::template)).orElseGet(() -> learnedPrompt()
                .map(LearnedVerbalizerResult::template).orElseGet(() -> savedPrompt()
                .map(TriggerSearchResult::filledTemplate).orElseGet(() -> template.text())));
        boolean learnedHead = learnedPrompt().isPresent()
                || prefixPrompt().flatMap(PrefixTuningResult::learnedVerbalizer).isPresent()
                || softPrompt().flatMap(SoftPromptResult::learnedVerbalizer).isPresent()
                || savedPrompt().flatMap(TriggerSearchResult::head).isPresent();
        return new ZeroShotSettings(templateText, classes, prompt.isPresent() ? MapperChoice.SUM : mapper, policy(),
                lim, seed, modelOptions.batchSize, modelOptions.device, calibrate, multiMask, learnedHead);
    }

    /**
     * The multi-piece policy: {@code --policy}, or {@code multi_mask} when {@code --multi-mask} is given without a
     * multi-mask policy.
     *
     * @throws ParameterException for {@code --multi-mask} with {@code --prompt} or with first, mean or max
     */
    MultiTokenPolicy policy() {
        if (multiMask.isEmpty() || policy.multiMask()) {
            return policy;
        }
        if (prompt.isPresent()) {
            throw new ParameterException(spec.commandLine(), "--multi-mask does not apply to a saved --prompt, whose "
                    + "label words are single pieces; drop --multi-mask");
        }
        if (policy != MultiTokenPolicy.REJECT) {
            throw new ParameterException(spec.commandLine(), "--multi-mask gives every piece its own mask, but "
                    + "--policy " + policy.name().toLowerCase(java.util.Locale.ROOT) + " scores all pieces at one "
                    + "mask; drop --policy, or use --policy multi_mask_mean for length-normalised scores");
        }
        return MultiTokenPolicy.MULTI_MASK;
    }

    /**
     * The saved prompt of {@code --prompt}, read once.
     *
     * @throws ParameterException when {@code --template} or {@code --label} is also given, or the file is not a
     *         saved classification prompt
     */
    Optional<TriggerSearchResult> savedPrompt() {
        if (prompt.isEmpty()) {
            if (template == null || labels.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "give --template and --label (e.g. --template "
                        + "\"{sentence} It was [MASK].\" --label 0=terrible --label 1=fantastic), or a saved prompt "
                        + "with --prompt FILE");
            }
            return Optional.empty();
        }
        if (template != null || !labels.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--prompt " + prompt.get() + " brings its own template "
                    + "and label words; drop --template and --label");
        }
        if (learnedPrompt().isPresent() || prefixPrompt().isPresent() || softPrompt().isPresent()) {
            return Optional.empty();
        }
        if (loaded == null) {
            loaded = PromptFile.read(prompt.get(), spec.commandLine());
        }
        return Optional.of(loaded);
    }

    private TriggerSearchResult loaded;
    private LearnedVerbalizerResult learned;

    private PrefixTuningResult prefixed;

    /** The saved prompt of {@code --prompt} when it is a prefix-tuning prompt ({@code prefix --save}). */
    Optional<PrefixTuningResult> prefixPrompt() {
        if (prompt.isEmpty() || !PromptFile.isPrefix(prompt.get())) {
            return Optional.empty();
        }
        if (prefixed == null) {
            prefixed = PromptFile.readPrefix(prompt.get(), spec.commandLine());
        }
        return Optional.of(prefixed);
    }

    private SoftPromptResult soft;

    /** The saved prompt of {@code --prompt} when it is a soft prompt ({@code soft --save}). */
    Optional<SoftPromptResult> softPrompt() {
        if (prompt.isEmpty() || !PromptFile.isSoft(prompt.get())) {
            return Optional.empty();
        }
        if (soft == null) {
            soft = PromptFile.readSoft(prompt.get(), spec.commandLine());
        }
        return Optional.of(soft);
    }

    /** The saved prompt of {@code --prompt} when it is a learned-verbalizer prompt ({@code verbalizer --save}). */
    Optional<LearnedVerbalizerResult> learnedPrompt() {
        if (prompt.isEmpty() || !PromptFile.isLearnedVerbalizer(prompt.get())) {
            return Optional.empty();
        }
        if (learned == null) {
            learned = PromptFile.readLearned(prompt.get(), spec.commandLine());
        }
        return Optional.of(learned);
    }

    /** The template: {@code --template}, or the saved prompt's with its triggers bound. */
    Template template() {
        if (prefixPrompt().isPresent()) {
            return Template.parse(prefixed.template());
        }
        if (softPrompt().isPresent()) {
            return Template.parse(soft.template());
        }
        if (learnedPrompt().isPresent()) {
            return Template.parse(learned.template());
        }
        return savedPrompt().map(TriggerSearchResult::boundTemplate).orElse(template);
    }

    /** The verbalizer of the {@code --label} options, or the saved prompt's label words. */
    Verbalizer verbalizer() {
        Optional<TriggerSearchResult> saved = savedPrompt();
        if (saved.isPresent()) {
            return saved.get().verbalizer();
        }
        if (prefixPrompt().isPresent()) {
            return Verbalizer.of(prefixed.labelWords());
        }
        if (softPrompt().isPresent()) {
            return soft.verbalizer();
        }
        if (learnedPrompt().isPresent()) {
            return learned.initialWords();
        }
        if (labels.size() < 2) {
            throw new ParameterException(spec.commandLine(), "give at least two classes, e.g. --label 0=terrible "
                    + "--label 1=fantastic; got " + labels.size());
        }
        try {
            return LabelOption.verbalizer(labels, policy());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--label: " + e.getMessage());
        }
    }

    /**
     * The examples to evaluate with their template values, checked against the classes and the template's fields
     * before any model is opened.
     */
    List<Map<String, String>> inputs(List<Example> examples) {
        Set<String> classes = new LinkedHashSet<>(settings().classLabels());
        Set<String> unknown = new LinkedHashSet<>();
        List<Map<String, String>> inputs = new ArrayList<>(examples.size());
        for (Example e : examples) {
            if (!classes.contains(e.label())) {
                unknown.add(e.label());
            }
            try {
                inputs.add(e.valuesFor(template()));
            } catch (IllegalArgumentException ex) {
                throw new ParameterException(spec.commandLine(), "--template: " + ex.getMessage());
            }
        }
        if (!unknown.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "the data " + eval + " has labels " + unknown
                    + " that no " + (prompt.isPresent() ? "class of the saved prompt" : "--label") + " names; the classes are " + classes + (prompt.isPresent()
                    ? " (the saved prompt's classes must be the labels as written in the data)"
                    : " (add e.g. --label " + unknown.iterator().next() + "=word)"));
        }
        return inputs;
    }

    @Override
    public Integer call() {
        Instant started = Instant.now();
        ZeroShotSettings settings = settings();
        Verbalizer verbalizer = verbalizer();
        Template template = template();
        Optional<TriggerSearchResult> saved = savedPrompt();
        LabelMapper baseMapper = saved.isPresent() ? LabelMapper.sum() : mapper.mapper();
        Dataset data = DatasetReader.read(eval);
        List<Example> examples = data.first(limit.orElse(Integer.MAX_VALUE));
        List<Map<String, String>> inputs = inputs(examples);
        log.info("zero-shot on {} of {} examples of {} ({}, SHA-256 {})", examples.size(), data.examples().size(),
                eval, data.format(), data.sha256());

        Optional<String> named = saved.map(TriggerSearchResult::modelName)
                .or(() -> learnedPrompt().map(LearnedVerbalizerResult::modelName))
                .or(() -> prefixPrompt().map(PrefixTuningResult::modelName))
                .or(() -> softPrompt().map(SoftPromptResult::modelName));
        if (modelOptions.model == null && named.isPresent()) {
            modelOptions.orNamed(named.get(), "--prompt " + prompt.get());
            log.info("model {}, as named by {}", modelOptions.model, prompt.get());
        }
        long t0 = System.nanoTime();
        try (OnnxMaskedLanguageModel model = modelOptions.open()) {
            double openSeconds = (System.nanoTime() - t0) / 1e9;
            PromptClassifier classifier;
            Calibration calibration = calibrate.map(text -> Calibration.contextual(List.of(text)))
                    .orElse(Calibration.none());
            try {
                if ((prefixPrompt().isPresent() || softPrompt().isPresent()) && calibrate.isPresent()) {
                    throw new IllegalArgumentException("--calibrate is not supported with the trained prompt of "
                            + "--prompt " + prompt.get() + "; drop --calibrate");
                }
                if (learnedPrompt().isPresent() && calibrate.isPresent()) {
                    throw new IllegalArgumentException("--calibrate divides label-word scores; the learned "
                            + "verbalizer of --prompt " + prompt.get() + " has its own biases, so drop --calibrate");
                }
                if (saved.isPresent() && saved.get().isEnsemble() && calibrate.isPresent()) {
                    throw new IllegalArgumentException("--prompt " + prompt.get() + " is an ensemble of "
                            + saved.get().ensembleTriggerIds().size() + " trigger states, whose averaged members are "
                            + "not calibrated; drop --calibrate");
                }
                classifier = prefixPrompt().isPresent() ? prefixed.classifier(model)
                        : softPrompt().isPresent() ? soft.classifier(model)
                        : learnedPrompt().isPresent() ? learned.classifier(model)
                        : saved.isPresent() ? (calibrate.isPresent() ? saved.get().classifier(model, calibration)
                                : saved.get().memberClassifiers(model).get(0))
                        : withDecoding(PromptClassifier.builder(model).template(template).verbalizer(verbalizer)
                                .mapper(baseMapper).batchSize(settings.batchSize()).calibration(calibration)).build();
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            Map<String, Double> prior = classifier.prior().orElse(Map.of());
            if (saved.isPresent() && saved.get().isEnsemble()) {
                log.info("classifying with the mean of the {} trigger states of the ensemble in {}",
                        saved.get().ensembleTriggerIds().size(), prompt.get());
            }
            if (calibrate.isPresent()) {
                log.info("calibrating by the class distribution of content-free input '{}': {}", calibrate.get(),
                        prior);
            }
            long t1 = System.nanoTime();
            Predictions predictions;
            try (Progress bar = Progress.start("zero-shot", "sent.", inputs.size(), progress)) {
                predictions = saved.isPresent() && saved.get().isEnsemble()
                        ? new Predictions(Batches.classify(PromptFile.classify(saved.get(), model), inputs,
                                settings.batchSize(), bar).stream().map(Classification::label).toList(),
                                Optional.empty())
                        : predict(classifier, verbalizer, baseMapper, inputs, settings.batchSize(), bar);
            }
            double classifySeconds = (System.nanoTime() - t1) / 1e9;
            List<String> gold = examples.stream().map(Example::label).toList();
            Optional<ClassificationMetrics> uncalibrated = predictions.uncalibrated().map(u ->
                    ClassificationMetrics.of(settings.classLabels(), gold, u, seed));
            ZeroShotReport report = new ZeroShotReport(started, settings, ModelProvenance.of(model),
                    DataProvenance.of(data, examples.size()), prior,
                    ClassificationMetrics.of(settings.classLabels(), gold, predictions.predicted(), seed),
                    uncalibrated, new Timing(openSeconds, classifySeconds, examples.size()));
            uncalibrated.ifPresent(u -> log.info("uncalibrated accuracy {} (same forward passes)",
                    ReportWriter.percentWithInterval(u.accuracy())));
            log.info("accuracy {} on {} examples in {} s", ReportWriter.percentWithInterval(
                    report.metrics().accuracy()), examples.size(), String.format("%.1f", classifySeconds));
            emit(report);
        }
        return 0;
    }

    /**
     * The predicted classes of one pass over the inputs.
     *
     * @param predicted the classifier's predictions (calibrated when it is), in input order
     * @param uncalibrated for a calibrated classifier, the predictions of its base mapper from the same word scores;
     *        empty for an uncalibrated one
     */
    record Predictions(List<String> predicted, Optional<List<String>> uncalibrated) {
        Predictions {
            predicted = List.copyOf(predicted);
            uncalibrated = uncalibrated.map(List::copyOf);
        }
    }

    /**
     * Classifies the inputs in chunks of {@code batchSize}, each input scored once: with calibration, the uncalibrated
     * prediction comes from the same word scores (see {@link Uncalibrated}), not from a second pass.
     *
     * @param classifier the classifier, calibrated or not
     * @param verbalizer its verbalizer
     * @param baseMapper the mapper it was built with, before calibration
     * @param bar advanced by the number of inputs of each chunk
     */
    static Predictions predict(PromptClassifier classifier, Verbalizer verbalizer, LabelMapper baseMapper,
            List<Map<String, String>> inputs, int batchSize, Progress bar) {
        boolean calibrated = classifier.prior().isPresent();
        List<String> predicted = new ArrayList<>(inputs.size());
        List<String> uncalibrated = new ArrayList<>(calibrated ? inputs.size() : 0);
        for (Classification c : Batches.classify(classifier::classifyAllFields, inputs, batchSize, bar)) {
            predicted.add(c.label());
            if (calibrated) {
                uncalibrated.add(Uncalibrated.of(c, verbalizer, baseMapper).label());
            }
        }
        return new Predictions(predicted, calibrated ? Optional.of(uncalibrated) : Optional.empty());
    }

    /** The builder with the {@code --multi-mask} decoding, when given. */
    private PromptClassifier.Builder withDecoding(PromptClassifier.Builder builder) {
        multiMask.ifPresent(builder::multiMaskDecoding);
        return builder;
    }

    private void emit(ZeroShotReport report) {
        String md = ReportWriter.markdown(report);
        PrintWriter out = spec.commandLine().getOut();
        out.print(md);
        out.flush();
        json.ifPresent(f -> {
            ReportWriter.writeJson(report, f);
            log.info("wrote {}", f);
        });
        markdown.ifPresent(f -> {
            ReportWriter.write(f, md);
            log.info("wrote {}", f);
        });
    }
}
