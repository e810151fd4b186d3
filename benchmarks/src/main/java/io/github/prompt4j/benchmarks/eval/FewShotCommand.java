package io.github.prompt4j.benchmarks.eval;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.prompt4j.core.calibration.Calibration;
import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.mapping.LabelMapper;
import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.MaskStateCache;
import io.github.prompt4j.core.model.MaskVectors;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
import io.github.prompt4j.search.generate.GenerationResult;
import io.github.prompt4j.search.generate.TemplateGenerator;
import io.github.prompt4j.search.label.LearnedVerbalizerResult;
import io.github.prompt4j.search.label.VerbalizerTrainer;
import io.github.prompt4j.search.select.Criterion;
import io.github.prompt4j.search.select.PromptCandidate;
import io.github.prompt4j.search.select.PromptEnsemble;
import io.github.prompt4j.search.select.PromptScore;
import io.github.prompt4j.search.select.PromptScorer;
import io.github.prompt4j.search.select.PromptSelection;
import io.github.prompt4j.search.soft.SoftPromptResult;
import io.github.prompt4j.search.soft.SoftPromptTrainer;
import io.github.prompt4j.search.trigger.CandidateEvaluation;
import io.github.prompt4j.search.trigger.SearchListener;
import io.github.prompt4j.search.trigger.SearchLoss;
import io.github.prompt4j.search.trigger.TriggerSearch;
import io.github.prompt4j.search.trigger.TriggerSearchResult;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code eval few-shot}: the k-shot comparison of LM-BFF's SST-2 splits (Gao et al. 2021): for every seed directory
 * {@code 16-<seed>/} (train.tsv and dev.tsv of 32 examples, test.tsv), the test accuracy of a manual prompt, the same
 * prompt with contextual calibration, a soft prompt trained on train (early stopping on dev), AutoPrompt triggers
 * searched on train (selected on dev), an ensemble of the manual prompts ranked best on dev, a learned
 * verbalizer on the manual template (fitted on train, L2 chosen on dev, refit on both), and an ensemble of the learned
 * verbalizers of the grid templates ranked best on dev, and the same ensemble over templates generated from the seed's
 * train examples (LM-BFF's automatic templates, ranked on dev with the label words), and the same ensemble over the
 * pool of both (grid and generated templates, the {@code --pooled-size} best on dev); and, on request
 * ({@code self_trained}), that pooled ensemble distilled into learned verbalizers on unlabelled training sentences it
 * labels (PET's distillation with frozen-model students); then the mean and sample standard deviation over seeds and
 * the time of each method.
 *
 * <p>One model serves every method and seed. The JSON report (rewritten after every seed, so a long run can be
 * watched) holds the settings, the model and every seed's accuracies, times and chosen prompts.
 */
@Command(name = "few-shot", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Few-shot comparison on LM-BFF k-shot splits: manual, calibrated, soft prompt, AutoPrompt, "
                + "ensemble, learned verbalizer, ensemble of learned verbalizers on the grid templates, on templates "
                + "generated from train, or on both pooled; mean and standard deviation over seeds.",
            "Example: few-shot --model bert-base-cased --data ../shared/data/sst2/lmbff/k-shot --seeds 13,21,42,87,100 "
                + "--json out/fewshot.json"})
final class FewShotCommand implements Callable<Integer> {

    /** The methods compared, in report order. */
    enum Method {
        MANUAL("manual"),
        CALIBRATED("manual + contextual calibration"),
        SOFT("soft prompt"),
        AUTOPROMPT("AutoPrompt"),
        ENSEMBLE("ensemble (top 3 on dev, calibrated)"),
        LEARNED("learned verbalizer (L2 on the few-shot data)"),
        LEARNED_ENSEMBLE("learned verbalizers of the grid templates (top 3 on the few-shot data)"),
        GENERATED("learned verbalizers of templates generated from train (top 3 on the few-shot data)"),
        POOLED("learned verbalizers of the grid and generated templates (top --pooled-size on the few-shot data)"),
        SELF_TRAINED("pooled, distilled into learned verbalizers on unlabelled training sentences (not in the default "
                + "list: reads --unlabelled)");

        final String title;

        Method(String title) {
            this.title = title;
        }

        String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The manual templates of the ensemble grid, each with the two verbalizers of {@link #ENSEMBLE_WORDS}. */
    static final List<String> ENSEMBLE_TEMPLATES = List.of("{sentence} It was [MASK] .",
            "{sentence} This movie is [MASK] .", "{sentence} A [MASK] film .", "{sentence} I thought it was [MASK] .");

    /** Negative and positive words of the ensemble's verbalizers. */
    static final List<List<String>> ENSEMBLE_WORDS = List.of(List.of("terrible", "great"), List.of("bad", "good"));

    private static final Logger log = LoggerFactory.getLogger(FewShotCommand.class);

    /**
     * Test-set classifications of prompts that do not depend on the seed (the manual prompt, calibrated or not, and
     * the ensemble's grid members), keyed by prompt and test-file digest: LM-BFF's seeds share one test file, so
     * each such prompt runs over it once, and a reused result is identical to a rerun (inference is deterministic).
     */
    private final Map<String, List<Classification>> testCache = new HashMap<>();

    /**
     * Each seed's generated templates, ranked on its dev split: generated on first use, then shared by the methods
     * that read them ({@code generated} and {@code pooled}), since generation is the costliest step of either.
     */
    private final Map<Long, Generation> generationCache = new HashMap<>();

    /**
     * The transformed mask states (the learned verbalizer's input) of every prompt a learned verbalizer reads, for the
     * whole run: the test examples under each template, which every seed's learned verbalizers share, and each seed's
     * few-shot examples and unlabelled sentences, which learned verbalizers of several methods on one template, and
     * the self_trained students reading the sentences their teacher labelled, share. Each prompt runs once. About
     * 3 KB per prompt (BERT-base): tens of thousands of prompts in a 5-seed run, a few hundred MB at most.
     */
    private MaskStateCache states;

    /** The unlabelled pool's sentences of at least --unlabelled-min-words words, read once, labels dropped. */
    private UnlabelledPool unlabelledPool;

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--data", defaultValue = "../shared/data/sst2/lmbff/k-shot", paramLabel = "DIR",
            description = "directory of the seed splits 16-<seed>/{train,dev,test}.tsv (default: ${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--shots", defaultValue = "16", paramLabel = "K", converter = Converters.PositiveInt.class,
            description = "examples per class, the prefix of the split directories (default: ${DEFAULT-VALUE})")
    int shots;

    @Option(names = "--seeds", defaultValue = "13,21,42,87,100", split = ",", paramLabel = "S,S,...",
            description = "the split seeds (default: ${DEFAULT-VALUE})")
    List<Long> seeds;

    @Option(names = "--methods", defaultValue = "manual,calibrated,soft,autoprompt,ensemble,learned,learned_ensemble,generated,pooled",
            split = ",",
            paramLabel = "M,M,...", description = "methods to run (default: ${DEFAULT-VALUE})")
    List<Method> methods;

    @Option(names = "--template", defaultValue = "{sentence} It was [MASK] .", paramLabel = "TEXT",
            converter = Converters.TemplateText.class,
            description = "manual template (default: ${DEFAULT-VALUE})")
    Template template;

    @Option(names = "--label", paramLabel = "CLASS=WORD", converter = Converters.Label.class,
            description = "a class and its label word, shared by manual, soft and AutoPrompt (default: 0=terrible "
                    + "1=great)")
    List<LabelOption> labels = new ArrayList<>();

    @Option(names = "--soft-template", defaultValue = "{sentence} [P] [P] [P] [P] [MASK] .", paramLabel = "TEXT",
            converter = Converters.TemplateText.class,
            description = "soft-prompt template with [P] slots (default: ${DEFAULT-VALUE})")
    Template softTemplate;

    @Option(names = "--soft-init", defaultValue = "It was really very", split = "\\s+", paramLabel = "\"WORD ...\"",
            description = "starting word of each [P] slot (default: ${DEFAULT-VALUE})")
    List<String> softInit;

    @Option(names = "--epochs", defaultValue = "8", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "most soft-prompt epochs (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--soft-batch", defaultValue = "8", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "soft-prompt training examples per update (default: ${DEFAULT-VALUE})")
    int softBatch;

    @Option(names = "--learning-rate", defaultValue = "3e-3", paramLabel = "LR",
            description = "soft-prompt Adam learning rate (default: ${DEFAULT-VALUE})")
    double learningRate;

    @Option(names = "--autoprompt-template", defaultValue = "{sentence} [T] [T] [T] [MASK] .", paramLabel = "TEXT",
            converter = Converters.TemplateText.class,
            description = "AutoPrompt template with [T] slots (default: ${DEFAULT-VALUE})")
    Template autopromptTemplate;

    @Option(names = "--autoprompt-init", defaultValue = "It was really", split = "\\s+", paramLabel = "\"TOKEN ...\"",
            description = "starting token of each [T] slot (default: ${DEFAULT-VALUE})")
    List<String> autopromptInit;

    @Option(names = "--iterations", defaultValue = "6", paramLabel = "N",
            description = "AutoPrompt search steps (default: ${DEFAULT-VALUE})")
    int iterations;

    @Option(names = "--candidates", defaultValue = "10", paramLabel = "K", converter = Converters.PositiveInt.class,
            description = "AutoPrompt candidate tokens per step, scored by successive halving "
                    + "(default: ${DEFAULT-VALUE})")
    int candidates;

    @Option(names = "--autoprompt-loss", defaultValue = "class-cross-entropy",
            paramLabel = "label-likelihood|class-cross-entropy", converter = Converters.Loss.class,
            description = "AutoPrompt training loss; with 32 examples the paper's label likelihood rarely accepts a "
                    + "candidate (default: ${DEFAULT-VALUE})")
    SearchLoss autopromptLoss;

    @Option(names = "--ensemble-size", defaultValue = "3", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "manual prompts in the ensemble, the best on dev (default: ${DEFAULT-VALUE})")
    int ensembleSize;

    @Option(names = "--generated-templates", defaultValue = "4", paramLabel = "N",
            converter = Converters.PositiveInt.class,
            description = "generated: templates kept after ranking on dev, each with a learned verbalizer "
                    + "(default: ${DEFAULT-VALUE})")
    int generatedTemplates;

    @Option(names = "--pooled-size", defaultValue = "5", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "pooled: learned verbalizers averaged, the best on dev among the grid templates and the "
                    + "kept generated ones (default: ${DEFAULT-VALUE})")
    int pooledSize;

    @Option(names = "--cv-folds", defaultValue = "0", paramLabel = "K",
            description = "learned verbalizers (learned, learned_ensemble, generated, pooled): choose each L2 "
                    + "strength, and rank the ensemble members, by stratified K-fold cross-validation over the "
                    + "seed's train and dev examples together (64 at 16-shot) instead of on its 32 dev examples; "
                    + "0: on dev (default: ${DEFAULT-VALUE})")
    int cvFolds;

    @Option(names = "--unlabelled", defaultValue = "../shared/data/sst2/glue/train.tsv", paramLabel = "FILE",
            description = "self_trained: sentences the pooled ensemble labels for its students; their gold labels "
                    + "are dropped on reading, and sentences of the seed's train, dev and test splits are left out "
                    + "(default: ${DEFAULT-VALUE})")
    Path unlabelled;

    @Option(names = "--unlabelled-size", defaultValue = "1000", paramLabel = "N",
            converter = Converters.PositiveInt.class,
            description = "self_trained: unlabelled sentences drawn per seed (seeded by the split seed) "
                    + "(default: ${DEFAULT-VALUE})")
    int unlabelledSize;

    @Option(names = "--unlabelled-min-words", defaultValue = "12", paramLabel = "N",
            converter = Converters.PositiveInt.class,
            description = "self_trained: draw only unlabelled entries of at least N words (SST-2's GLUE training "
                    + "file is mostly phrase fragments, the test sentences whole) (default: ${DEFAULT-VALUE})")
    int unlabelledMinWords;

    @Option(names = "--generation-beam", defaultValue = "4", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "generated: beam width of template generation (default: ${DEFAULT-VALUE})")
    int generationBeam;

    @Option(names = "--test-limit", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "evaluate on the first N test examples only (smoke checks)")
    Optional<Integer> testLimit = Optional.empty();

    @Option(names = "--json", paramLabel = "FILE", description = "write the JSON report here")
    Optional<Path> json = Optional.empty();

    @Option(names = "--progress", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "show a progress bar on standard error (default: on)")
    boolean progress;

    /**
     * The split directory of each seed, in order.
     *
     * @throws ParameterException naming the first directory or file that is missing
     */
    List<Path> seedDirectories() {
        if (seeds.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "give at least one seed, e.g. --seeds 13,21,42");
        }
        List<Path> dirs = new ArrayList<>();
        for (long seed : seeds) {
            Path dir = data.resolve(shots + "-" + seed);
            for (String split : List.of("train.tsv", "dev.tsv", "test.tsv")) {
                if (!Files.isRegularFile(dir.resolve(split))) {
                    throw new ParameterException(spec.commandLine(), "seed " + seed + " has no split file "
                            + dir.resolve(split) + "; point --data at the k-shot directory holding " + shots + "-"
                            + seed + "/ or drop the seed from --seeds");
                }
            }
            dirs.add(dir);
        }
        return dirs;
    }

    /**
     * The verbalizer of {@code --label} (0=terrible, 1=great when none is given), after checking the templates.
     *
     * @throws ParameterException naming the fix
     */
    Verbalizer verbalizer() {
        if (softTemplate.softCount() != softInit.size()) {
            throw new ParameterException(spec.commandLine(), "--soft-template '" + softTemplate.text() + "' has "
                    + softTemplate.softCount() + " slot(s) [P] but --soft-init gives " + softInit.size()
                    + " word(s); give one word per slot");
        }
        if (autopromptTemplate.triggerCount() != autopromptInit.size()) {
            throw new ParameterException(spec.commandLine(), "--autoprompt-template '" + autopromptTemplate.text()
                    + "' has " + autopromptTemplate.triggerCount() + " slot(s) [T] but --autoprompt-init gives "
                    + autopromptInit.size() + " token(s); give one token per slot");
        }
        if (iterations < 0) {
            throw new ParameterException(spec.commandLine(), "--iterations must be 0 or more, got " + iterations);
        }
        List<LabelOption> classes = labels.isEmpty()
                ? List.of(LabelOption.parse("0=terrible"), LabelOption.parse("1=great")) : labels;
        return SearchSupport.searchVerbalizer(spec, classes, "great");
    }

    @Override
    public Integer call() {
        Instant started = Instant.now();
        if (cvFolds < 0 || cvFolds == 1) {
            throw new ParameterException(spec.commandLine(), "--cv-folds must be 0 (choose on dev) or at least 2, got "
                    + cvFolds);
        }
        Verbalizer verbalizer = verbalizer();
        List<Path> dirs = seedDirectories();
        Map<Method, double[]> accuracy = new EnumMap<>(Method.class);
        Map<Method, double[]> seconds = new EnumMap<>(Method.class);
        methods.forEach(m -> {
            accuracy.put(m, new double[dirs.size()]);
            seconds.put(m, new double[dirs.size()]);
        });
        ObjectNode report = SearchSupport.object();
        try (OnnxMaskedLanguageModel model = modelOptions.open()) {
            states = new MaskStateCache(model);
            ArrayNode seedNodes = header(report, started, model.info().name());
            for (int s = 0; s < dirs.size(); s++) {
                long seed = seeds.get(s);
                Dataset train = DatasetReader.read(dirs.get(s).resolve("train.tsv"));
                Dataset dev = DatasetReader.read(dirs.get(s).resolve("dev.tsv"));
                Dataset testData = DatasetReader.read(dirs.get(s).resolve("test.tsv"));
                List<Example> test = testData.first(testLimit.orElse(Integer.MAX_VALUE));
                ObjectNode seedNode = seedNodes.addObject();
                seedNode.put("seed", seed).put("trainSha256", train.sha256()).put("devSha256", dev.sha256())
                        .put("testSha256", testData.sha256()).put("testExamples", test.size());
                ObjectNode results = seedNode.putObject("methods");
                for (Method m : methods) {
                    log.info("seed {}: {} on {} test examples", seed, m.title, test.size());
                    long t0 = System.nanoTime();
                    ObjectNode details = results.putObject(m.key());
                    double acc = run(m, model, verbalizer, seed, train.examples(), dev.examples(),
                            new TestSet(test, testData.sha256()), details);
                    double secs = (System.nanoTime() - t0) / 1e9;
                    accuracy.get(m)[s] = acc;
                    seconds.get(m)[s] = secs;
                    details.put("testAccuracy", acc).put("seconds", secs);
                    log.info("seed {}: {} test accuracy {} in {} s", seed, m.title,
                            String.format(Locale.ROOT, "%.4f", acc), String.format(Locale.ROOT, "%.1f", secs));
                }
                summary(report, accuracy, seconds, s + 1);
                json.ifPresent(f -> SearchSupport.write(report, f));
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(markdown(accuracy, seconds));
        out.flush();
        json.ifPresent(f -> log.info("wrote {}", f));
        return 0;
    }

    /** Runs one method on one seed's splits and returns its test accuracy, recording what it chose in details. */
    private double run(Method method, OnnxMaskedLanguageModel model, Verbalizer verbalizer, long seed,
            List<Example> train, List<Example> dev, TestSet test, ObjectNode details) {
        int batch = modelOptions.batchSize;
        switch (method) {
            case MANUAL, CALIBRATED -> {
                PromptClassifier c = PromptClassifier.builder(model).template(template).verbalizer(verbalizer)
                        .mapper(LabelMapper.sum()).batchSize(batch)
                        .calibration(method == Method.CALIBRATED ? Calibration.contextual() : Calibration.none())
                        .build();
                c.prior().ifPresent(p -> p.forEach(details.putObject("prior")::put));
                return accuracy(test, cached(method.key(), test, () -> classify(method, c::classifyAllFields,
                        template, test)));
            }
            case SOFT -> {
                SoftPromptResult r = SoftPromptTrainer.builder(model).template(softTemplate).verbalizer(verbalizer)
                        .train(SearchSupport.toSearch(train)).selection(SearchSupport.toSearch(dev)).initWords(softInit)
                        .epochs(epochs).batchSize(softBatch).learningRate(learningRate).forwardBatchSize(batch)
                        .seed(seed).build().run();
                details.put("bestEpoch", r.bestEpoch()).put("epochsRun", r.epochsRun())
                        .put("bestDevAccuracy", r.bestDevAccuracy());
                return accuracy(test, classify(method, r.classifier(model)::classifyAllFields, softTemplate, test));
            }
            case AUTOPROMPT -> {
                TriggerSearchResult r = TriggerSearch.builder(model).template(autopromptTemplate)
                        .verbalizer(verbalizer).train(SearchSupport.toSearch(train)).selection(SearchSupport.toSearch(dev))
                        .iterations(iterations).candidates(candidates).initialTriggers(autopromptInit)
                        .candidateEvaluation(CandidateEvaluation.SUCCESSIVE_HALVING).loss(autopromptLoss)
                        .gradientBatchSize(batch)
                        .evaluationBatchSize(batch).forwardBatchSize(batch).seed(seed)
                        .listener(SearchListener.logging()).build().run();
                details.put("filledTemplate", r.filledTemplate()).put("bestIteration", r.bestIteration());
                return accuracy(test, classify(method, r.classifier(model)::classifyAllFields, r.boundTemplate(),
                        test));
            }
            case ENSEMBLE -> {
                PromptScorer scorer = PromptScorer.builder(model).mapper(LabelMapper.sum())
                        .calibration(Calibration.contextual()).batchSize(batch).build();
                PromptSelection ranked = scorer.rank(ensembleGrid(verbalizer), SearchSupport.toSearch(dev),
                        Criterion.ACCURACY);
                ArrayNode devScores = details.putArray("devRanking");
                for (PromptScore p : ranked.ranked()) {
                    devScores.addObject().put("prompt", p.candidate().name()).put("devAccuracy", p.accuracy());
                }
                List<PromptCandidate> top = ranked.top(ensembleSize);
                ArrayNode members = details.putArray("members");
                top.forEach(c -> members.add(c.name()));
                PromptEnsemble ensemble = scorer.ensemble(top);
                List<List<Classification>> perMember = new ArrayList<>();
                for (int i = 0; i < top.size(); i++) {
                    PromptClassifier member = ensemble.members().get(i);
                    perMember.add(cached("ensemble member " + top.get(i).name(), test,
                            () -> classify(method, member::classifyAllFields, template, test)));
                }
                return accuracy(test, ensemble.combine(perMember));
            }
            case LEARNED -> {
                return accuracy(test, learned(model, template, verbalizer, seed, train, dev, test, details)
                        .predicted());
            }
            case LEARNED_ENSEMBLE -> {
                // one learned verbalizer per grid template (first word pair), the ensembleSize best on dev averaged
                return learnedEnsemble(model, ENSEMBLE_TEMPLATES, verbalizer, seed, train, dev, test, details,
                        ensembleSize);
            }
            case GENERATED -> {
                return learnedEnsemble(model, generated(model, verbalizer, seed, train, dev, details), verbalizer,
                        seed, train, dev, test, details, ensembleSize);
            }
            case POOLED -> {
                // both sources of templates in one pool, the pooledSize best learned verbalizers on dev averaged
                return learnedEnsemble(model, pool(model, verbalizer, seed, train, dev, details), verbalizer, seed,
                        train, dev, test, details, pooledSize);
            }
            case SELF_TRAINED -> {
                return selfTrained(model, verbalizer, seed, train, dev, test, details);
            }
            default -> throw new IllegalStateException("no run for method " + method);
        }
    }

    /**
     * LM-BFF's automatic templates: generated from the seed's train examples with the label words, ranked on dev by
     * the label words' accuracy, once per seed ({@link #generationCache}); returns the best
     * {@code --generated-templates} and records them in {@code details}.
     */
    private List<String> generated(OnnxMaskedLanguageModel model, Verbalizer verbalizer, long seed,
            List<Example> train, List<Example> dev, ObjectNode details) {
        Generation g = generationCache.get(seed);
        if (g == null) {
            long t0 = System.nanoTime();
            GenerationResult generated = TemplateGenerator.builder(model).verbalizer(verbalizer)
                    .examples(SearchSupport.toSearch(train)).beamWidth(generationBeam)
                    .batchSize(modelOptions.batchSize).build().run();
            PromptSelection ranked = generated.rank(PromptScorer.builder(model).mapper(LabelMapper.sum())
                    .batchSize(modelOptions.batchSize).build(), SearchSupport.toSearch(dev));
            List<PromptScore> all = ranked.ranked();
            g = new Generation(generated.templates().size(), (System.nanoTime() - t0) / 1e9,
                    List.copyOf(all.subList(0, Math.min(generatedTemplates, all.size()))));
            generationCache.put(seed, g);
        } else {
            log.info("seed {}: reusing the {} templates generated for it", seed, g.templates());
        }
        ArrayNode list = details.put("generatedTemplates", g.templates()).put("generationSeconds", g.seconds())
                .putArray("kept");
        for (PromptScore score : g.kept()) {
            list.addObject().put("template", score.candidate().name())
                    .put("devAccuracyOfLabelWords", score.accuracy());
        }
        return g.kept().stream().map(score -> score.candidate().name()).toList();
    }

    /** One seed's template generation: how many were generated, in what time, and the best on dev, best first. */
    private record Generation(int templates, double seconds, List<PromptScore> kept) {
    }

    /**
     * One learned verbalizer per template (the verbalizer's words), the {@code size} best on dev averaged; returns the
     * ensemble's test accuracy and records every template's choice and the members in {@code details}.
     */
    private double learnedEnsemble(OnnxMaskedLanguageModel model, List<String> templates, Verbalizer verbalizer,
            long seed, List<Example> train, List<Example> dev, TestSet test, ObjectNode details, int size) {
        return ensembleAccuracy(test, rankedLearned(model, templates, verbalizer, seed, train, dev, test, details,
                size));
    }

    /** The test accuracy of the mean class distribution of learned verbalizers, from their test classifications. */
    private static double ensembleAccuracy(TestSet test, List<Learned> members) {
        PromptEnsemble ensemble = PromptEnsemble.of(members.stream().map(Learned::classifier).toList());
        return accuracy(test, ensemble.combine(members.stream().map(Learned::predicted).toList()));
    }

    /** The grid templates and the seed's kept generated templates, in that order, without repeats. */
    private List<String> pool(OnnxMaskedLanguageModel model, Verbalizer verbalizer, long seed, List<Example> train,
            List<Example> dev, ObjectNode details) {
        Set<String> pool = new LinkedHashSet<>(ENSEMBLE_TEMPLATES);
        pool.addAll(generated(model, verbalizer, seed, train, dev, details));
        return List.copyOf(pool);
    }

    /**
     * PET's distillation (Schick and Schuetze 2021) with frozen-model students: the pooled ensemble (the teacher,
     * chosen on the few-shot data as {@code pooled} is) labels {@code --unlabelled-size} sentences of
     * {@code --unlabelled} (read without their labels, none of them a sentence of the seed's splits); the most
     * confident sentences, as many for each class as the teacher's least predicted class has, become the students'
     * training data. Each teacher member's template gets a student learned verbalizer fitted on them, its L2 strength
     * chosen on the seed's train and dev examples (the few-shot data, 64 at 16-shot) and refit on both; the students'
     * mean class distribution classifies the test set. Records the teacher's members and test accuracy (computed from
     * the same passes) and the pseudo-labels' counts. The teacher's states of the unlabelled sentences go into
     * {@link #states}, as do those of the few-shot examples from its members' fits, so the students run no forward
     * pass of their own (recorded per student).
     */
    private double selfTrained(OnnxMaskedLanguageModel model, Verbalizer verbalizer, long seed, List<Example> train,
            List<Example> dev, TestSet test, ObjectNode details) {
        ObjectNode teacherNode = details.putObject("teacher");
        List<Learned> teacher = rankedLearned(model, pool(model, verbalizer, seed, train, dev, teacherNode),
                verbalizer, seed, train, dev, test, teacherNode, pooledSize);
        teacherNode.put("testAccuracy", ensembleAccuracy(test, teacher));
        List<Example> leftOut = new ArrayList<>(train);
        leftOut.addAll(dev);
        leftOut.addAll(test.examples());
        List<Map<String, String>> texts = unlabelledPool().draw(leftOut, unlabelledSize, seed);
        List<List<Classification>> perMember = new ArrayList<>();
        int cachedBefore = states.size();
        for (Learned member : teacher) {
            // the states go into the cache, where the student on this template finds them
            Template t = member.classifier().encoder().template();
            perMember.add(PromptClassifier.headClassifications(member.classifier().learnedVerbalizer().orElseThrow(),
                    maskStates(member.classifier(), texts.stream().map(f -> Example.valuesFor(f, t)).toList(),
                            Method.SELF_TRAINED)));
        }
        List<Classification> labels = PromptEnsemble.of(teacher.stream().map(Learned::classifier).toList())
                .combine(perMember);
        List<Example> pseudo = confidentBalanced(texts, labels, verbalizer.labels());
        ObjectNode unlabelledNode = details.putObject("unlabelled").put("file", unlabelled.toString())
                .put("sha256", unlabelledPool().sha256()).put("minWords", unlabelledMinWords)
                .put("drawn", texts.size()).put("kept", pseudo.size())
                .put("teacherForwardPasses", states.size() - cachedBefore);
        ObjectNode predictedNode = unlabelledNode.putObject("teacherPredicted");
        for (String c : verbalizer.labels()) {
            predictedNode.put(c, labels.stream().filter(l -> l.label().equals(c)).count());
        }
        List<Example> fewShot = new ArrayList<>(train);
        fewShot.addAll(dev);
        List<Learned> students = new ArrayList<>();
        ArrayNode studentNodes = details.putArray("students");
        for (Learned member : teacher) {
            Template t = member.classifier().encoder().template();
            LearnedVerbalizerResult r = fit(model, t, verbalizer, seed, pseudo, fewShot, 0);
            studentNodes.addObject().put("template", t.text()).put("chosenL2", r.chosenL2())
                    .put("fewShotAccuracy", r.selectionAccuracy()).put("forwardPasses", r.passes().forwardPasses());
            students.add(learnedOnTest(model, r, test));
        }
        return ensembleAccuracy(test, students);
    }

    /**
     * The texts with the teacher's labels, the most confident first within each class, as many of each class as the
     * least predicted class has (so the students see balanced classes), in the texts' order.
     *
     * @throws IllegalStateException naming the class the teacher never predicted
     */
    static List<Example> confidentBalanced(List<Map<String, String>> texts, List<Classification> labels,
            List<String> classes) {
        Map<String, List<Integer>> byClass = new LinkedHashMap<>();
        classes.forEach(c -> byClass.put(c, new ArrayList<>()));
        for (int i = 0; i < labels.size(); i++) {
            byClass.get(labels.get(i).label()).add(i);
        }
        int keep = Integer.MAX_VALUE;
        for (Map.Entry<String, List<Integer>> e : byClass.entrySet()) {
            if (e.getValue().isEmpty()) {
                throw new IllegalStateException("the teacher labelled none of " + texts.size() + " unlabelled "
                        + "sentences as class " + e.getKey() + "; draw more with --unlabelled-size");
            }
            keep = Math.min(keep, e.getValue().size());
        }
        List<Integer> kept = new ArrayList<>();
        for (List<Integer> rows : byClass.values()) {
            // stable: equal confidence keeps the earlier sentence
            rows.sort(Comparator.comparingDouble((Integer i) -> -labels.get(i).confidence()));
            kept.addAll(rows.subList(0, keep));
        }
        kept.sort(null);
        return kept.stream().map(i -> new Example(texts.get(i), labels.get(i).label())).toList();
    }

    /** The unlabelled pool, read on first use. */
    private UnlabelledPool unlabelledPool() {
        if (unlabelledPool == null) {
            Dataset d = DatasetReader.read(unlabelled);
            unlabelledPool = new UnlabelledPool(SearchSupport.atLeastWords(spec, d, unlabelledMinWords).stream()
                    .map(Example::fields).toList(), d.sha256());
        }
        return unlabelledPool;
    }

    /**
     * Text columns of an unlabelled file (its labels, if it has any, dropped) and the file's digest.
     *
     * @param texts the entries' text columns, in file order
     */
    record UnlabelledPool(List<Map<String, String>> texts, String sha256) {

        /**
         * A seeded draw of at most {@code n} entries whose text is none of {@code leftOut}'s texts (the seed's
         * train, dev and test examples: the unlabelled pool never holds a sentence that is scored or selected on).
         *
         * @throws IllegalStateException when nothing is left to draw
         */
        List<Map<String, String>> draw(List<Example> leftOut, int n, long seed) {
            Set<String> seen = new java.util.HashSet<>();
            leftOut.forEach(e -> seen.add(key(e.fields())));
            List<Map<String, String>> free = texts.stream().filter(t -> !seen.contains(key(t))).toList();
            if (free.isEmpty()) {
                throw new IllegalStateException("the unlabelled file has no entry outside the seed's splits; "
                        + "point --unlabelled at other sentences or lower --unlabelled-min-words");
            }
            return SearchSupport.sample(free, n, seed);
        }

        /** The text columns' values, stripped, in column order (files differ in column names and trailing space). */
        static String key(Map<String, String> fields) {
            return fields.values().stream().map(String::strip).collect(java.util.stream.Collectors.joining("\t"));
        }
    }

    /**
     * The fitted learned verbalizers of the templates, best on the few-shot data first (a stable sort: ties keep the
     * given order), the first {@code size} of them; records every template's choice and the members in
     * {@code details}.
     */
    private List<Learned> rankedLearned(OnnxMaskedLanguageModel model, List<String> templates, Verbalizer verbalizer,
            long seed, List<Example> train, List<Example> dev, TestSet test, ObjectNode details, int size) {
        List<Learned> fitted = new ArrayList<>();
        ArrayNode perTemplate = details.putArray("templates");
        for (String t : templates) {
            ObjectNode d = perTemplate.addObject().put("template", t);
            fitted.add(learned(model, Template.parse(t), verbalizer, seed, train, dev, test, d));
        }
        // best dev accuracy first; the sort is stable, so ties keep the given order
        fitted.sort(Comparator.comparingDouble((Learned l) -> -l.devAccuracy()));
        List<Learned> top = List.copyOf(fitted.subList(0, Math.min(size, fitted.size())));
        ArrayNode members = details.putArray("members");
        top.forEach(l -> members.add(l.classifier().encoder().template().text()));
        return top;
    }

    /** A learned verbalizer fitted on one seed: its classifier, its dev accuracy and its test classifications. */
    private record Learned(PromptClassifier classifier, double devAccuracy, List<Classification> predicted) {
    }

    /**
     * A learned verbalizer on {@code t} under LM-BFF's protocol: fitted on train, L2 chosen on dev (both part of the
     * few-shot data; with {@code --cv-folds}, by cross-validation over both), refit on both; the test set classified
     * from its cached mask states. Records the choice in {@code details}.
     */
    private Learned learned(OnnxMaskedLanguageModel model, Template t, Verbalizer verbalizer, long seed,
            List<Example> train, List<Example> dev, TestSet test, ObjectNode details) {
        LearnedVerbalizerResult r = fit(model, t, verbalizer, seed, train, dev, cvFolds);
        // with --cv-folds these are out-of-fold accuracies over train and dev together
        details.put("chosenL2", r.chosenL2()).put("devAccuracyOfLabelWords", r.initialSelectionAccuracy())
                .put("devAccuracy", r.selectionAccuracy());
        return learnedOnTest(model, r, test);
    }

    /**
     * A learned verbalizer on {@code t} fitted on {@code train}, its L2 strength chosen on {@code selection} (or, with
     * {@code folds >= 2}, by cross-validation over both), refit on both.
     */
    private LearnedVerbalizerResult fit(OnnxMaskedLanguageModel model, Template t, Verbalizer verbalizer, long seed,
            List<Example> train, List<Example> selection, int folds) {
        return VerbalizerTrainer.builder(model).template(t).verbalizer(verbalizer)
                .train(SearchSupport.toSearch(train)).selection(SearchSupport.toSearch(selection)).seed(seed)
                .crossValidation(folds).batchSize(modelOptions.batchSize).stateCache(states).build().run();
    }

    /**
     * A fitted learned verbalizer with its test classifications, from the test mask states of its template (computed
     * once, for the first seed that reads them).
     */
    private Learned learnedOnTest(OnnxMaskedLanguageModel model, LearnedVerbalizerResult r, TestSet test) {
        PromptClassifier c = r.classifier(model);
        List<Classification> predicted = PromptClassifier.headClassifications(r.verbalizer(), maskStates(c,
                test.examples().stream().map(e -> e.valuesFor(c.encoder().template())).toList(), Method.LEARNED));
        return new Learned(c, r.selectionAccuracy(), predicted);
    }

    /** The ensemble's candidates: every grid template with every word pair, classes as in the verbalizer. */
    private static List<PromptCandidate> ensembleGrid(Verbalizer verbalizer) {
        List<String> classes = verbalizer.labels();
        if (classes.size() != 2) {
            throw new IllegalArgumentException("the ensemble grid has negative/positive words for two classes, but "
                    + "--label gives " + classes + "; give two classes, negative first");
        }
        List<Verbalizer> verbalizers = new ArrayList<>();
        for (List<String> words : ENSEMBLE_WORDS) {
            Map<String, List<String>> map = new LinkedHashMap<>();
            map.put(classes.get(0), List.of(words.get(0)));
            map.put(classes.get(1), List.of(words.get(1)));
            verbalizers.add(Verbalizer.of(map));
        }
        return PromptCandidate.grid(ENSEMBLE_TEMPLATES.stream().map(Template::parse).toList(), verbalizers);
    }

    /** The test examples of a seed and the digest of their file, which keys {@link #testCache}. */
    private record TestSet(List<Example> examples, String sha256) {
    }

    /** A seed-independent prompt's test classifications: computed on first use, then reused for every seed. */
    private List<Classification> cached(String prompt, TestSet test, Supplier<List<Classification>> compute) {
        String key = prompt + " on " + test.sha256() + " (" + test.examples().size() + " examples)";
        if (testCache.containsKey(key)) {
            log.info("reusing the test classifications of {}", key);
        }
        return testCache.computeIfAbsent(key, k -> compute.get());
    }

    /**
     * The transformed mask states of {@code inputs} (values for {@code c}'s template), encoded by {@code c}'s encoder
     * exactly as the classifier would, read through {@link #states} in batches under a progress bar.
     */
    private MaskVectors maskStates(PromptClassifier c, List<Map<String, String>> inputs, Method method) {
        List<MaskVectors> parts = new ArrayList<>();
        int batch = modelOptions.batchSize;
        try (Progress bar = Progress.start(method.key(), "sent.", inputs.size(), progress)) {
            for (int from = 0; from < inputs.size(); from += batch) {
                List<EncodedPrompt> prompts = new ArrayList<>();
                for (Map<String, String> values : inputs.subList(from, Math.min(inputs.size(), from + batch))) {
                    prompts.add(c.encoder().encode(values));
                }
                parts.add(states.maskHiddenStates(prompts));
                bar.step(prompts.size());
            }
        }
        return MaskVectors.concat(parts);
    }

    /** Classifies the test examples in batches with a progress bar. */
    private List<Classification> classify(Method method,
            Function<List<Map<String, String>>, List<Classification>> classify, Template fields, TestSet test) {
        List<Map<String, String>> inputs = test.examples().stream().map(e -> e.valuesFor(fields)).toList();
        try (Progress bar = Progress.start(method.key(), "sent.", inputs.size(), progress)) {
            return Batches.classify(classify, inputs, modelOptions.batchSize, bar);
        }
    }

    /** The fraction of test examples whose predicted class is their label. */
    private static double accuracy(TestSet test, List<Classification> predicted) {
        int correct = 0;
        for (int i = 0; i < predicted.size(); i++) {
            if (predicted.get(i).label().equals(test.examples().get(i).label())) {
                correct++;
            }
        }
        return (double) correct / predicted.size();
    }

    private ArrayNode header(ObjectNode root, Instant started, String modelName) {
        root.put("command", "few-shot");
        root.put("startedAt", started.toString());
        root.put("model", modelName);
        ObjectNode s = root.putObject("settings");
        s.put("data", data.toString());
        s.put("shots", shots);
        seeds.forEach(s.putArray("seeds")::add);
        methods.forEach(m -> s.withArray("methods").add(m.key()));
        s.put("template", template.text());
        s.put("labels", labels.isEmpty() ? "[0=terrible, 1=great]" : labels.toString());
        s.put("mapper", "sum");
        s.put("softTemplate", softTemplate.text());
        s.put("softInit", String.join(" ", softInit));
        s.put("epochs", epochs);
        s.put("softBatch", softBatch);
        s.put("learningRate", learningRate);
        s.put("autopromptTemplate", autopromptTemplate.text());
        s.put("autopromptInit", String.join(" ", autopromptInit));
        s.put("iterations", iterations);
        s.put("candidates", candidates);
        s.put("candidateEvaluation", CandidateEvaluation.SUCCESSIVE_HALVING.name());
        s.put("autopromptLoss", autopromptLoss.name());
        ENSEMBLE_TEMPLATES.forEach(s.putArray("ensembleTemplates")::add);
        ENSEMBLE_WORDS.forEach(w -> s.withArray("ensembleWords").add(String.join("/", w)));
        s.put("ensembleSize", ensembleSize);
        s.put("ensembleCalibration", "contextual");
        s.put("generatedTemplates", generatedTemplates);
        s.put("generationBeam", generationBeam);
        s.put("pooledSize", pooledSize);
        s.put("cvFolds", cvFolds);
        if (methods.contains(Method.SELF_TRAINED)) {
            s.put("unlabelled", unlabelled.toString()).put("unlabelledSize", unlabelledSize)
                    .put("unlabelledMinWords", unlabelledMinWords);
        }
        testLimit.ifPresent(l -> s.put("testLimit", l));
        s.put("batchSize", modelOptions.batchSize);
        return root.putArray("seeds");
    }

    private void summary(ObjectNode root, Map<Method, double[]> accuracy, Map<Method, double[]> seconds, int done) {
        ObjectNode sum = root.putObject("summary");
        sum.put("seedsDone", done);
        for (Method m : methods) {
            double[] acc = java.util.Arrays.copyOf(accuracy.get(m), done);
            double[] secs = java.util.Arrays.copyOf(seconds.get(m), done);
            sum.putObject(m.key()).put("title", m.title).put("meanAccuracy", mean(acc)).put("stdAccuracy", std(acc))
                    .put("meanSeconds", mean(secs)).put("totalSeconds", mean(secs) * done);
        }
    }

    /** The comparison as a Markdown table: one row per method, mean ± std, one column per seed, mean time. */
    String markdown(Map<Method, double[]> accuracy, Map<Method, double[]> seconds) {
        StringBuilder md = new StringBuilder("| method | test accuracy (mean ± std) |");
        StringBuilder rule = new StringBuilder("|---|---|");
        for (long seed : seeds) {
            md.append(" seed ").append(seed).append(" |");
            rule.append("---|");
        }
        md.append(" time per seed (s) |\n");
        rule.append("---|\n");
        md.append(rule);
        for (Method m : methods) {
            double[] acc = accuracy.get(m);
            md.append("| ").append(m.title).append(" | ").append(percent(mean(acc))).append(" ± ")
                    .append(percent(std(acc))).append(" |");
            for (double a : acc) {
                md.append(' ').append(percent(a)).append(" |");
            }
            md.append(String.format(Locale.ROOT, " %.1f |%n", mean(seconds.get(m))));
        }
        return md.toString();
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f", 100 * fraction);
    }

    static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    /** Sample standard deviation (n - 1 in the denominator); 0 for a single value. */
    static double std(double[] values) {
        if (values.length < 2) {
            return 0;
        }
        double mean = mean(values);
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        return Math.sqrt(ss / (values.length - 1));
    }
}
