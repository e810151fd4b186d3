package io.github.prompt4j.benchmarks.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.model.Tokenizer;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
import io.github.prompt4j.search.data.Datasets;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.data.LamaRelation;
import io.github.prompt4j.search.fact.FactPrompt;
import io.github.prompt4j.search.fact.FactPrompts;
import io.github.prompt4j.search.fact.FactRetrieval;
import io.github.prompt4j.search.fact.FactSplit;
import io.github.prompt4j.search.fact.RankingMetrics;
import io.github.prompt4j.search.fact.WarmStart;
import io.github.prompt4j.search.soft.SoftPromptResult;
import io.github.prompt4j.search.soft.SoftPromptTrainer;
import io.github.prompt4j.search.trigger.SearchListener;
import io.github.prompt4j.search.trigger.TriggerSearch;
import io.github.prompt4j.search.trigger.TriggerSearchResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code eval lama}: fact retrieval on LAMA T-REx relations (Petroni et al. 2019): each relation's manual template,
 * and optionally AutoPrompt triggers searched on its training facts, ranked over the common cased vocabulary;
 * P@1, P@10 and MRR per relation and their mean over relations.
 */
@Command(name = "lama", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fact retrieval on LAMA T-REx relations: P@1, P@10 and MRR on each relation's dev facts whose "
                + "object is in the common vocabulary.",
            "Example: lama --model bert-base-cased --relations P19,P20,P36 --json lama.json"})
final class LamaCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(LamaCommand.class);
    private static final String BUNDLED = "bundled:";

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--relations", split = ",", paramLabel = "P19,P20,...",
            description = "T-REx relation ids, comma-separated (default: every relation folder under trex/)")
    List<String> relations = new ArrayList<>();

    @Option(names = "--data", defaultValue = "../shared/data/lama", paramLabel = "DIR",
            description = "LAMA directory with relations/, trex/ and vocab/ (default: ${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--limit", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "evaluate at most N dev facts per relation (a seeded random subset)")
    Optional<Integer> limit = Optional.empty();

    @Option(names = "--autoprompt", description = "also search AutoPrompt triggers on each relation's train.jsonl")
    boolean autoprompt;

    @Option(names = "--optiprompt", description = "also train continuous prompts (OptiPrompt) on train.jsonl")
    boolean optiprompt;

    @Option(names = "--prompts", paramLabel = "FILE", description = "evaluate saved prompts instead of searching: "
            + "JSON lines {\"relation\": \"P19\", \"template\": \"[X] ... [Y] .\"} (published sets, or the "
            + "autoprompt.jsonl / optiprompt.jsonl of an --out folder), or bundled:NAME for a set shipped in the jar "
            + "(bundled:autoprompt-bert-base-cased, bundled:optiprompt-bert-base-cased)")
    Optional<String> prompts = Optional.empty();

    @Option(names = "--out", paramLabel = "DIR", description = "write one result per relation and a summary here; "
            + "a rerun skips relations whose result is there (same settings)")
    Optional<Path> out = Optional.empty();

    @Option(names = "--max-minutes-per-relation", paramLabel = "MIN", description = "time budget of each "
            + "relation's search or training (default: none; steps/epochs bound it)")
    Optional<Double> maxMinutes = Optional.empty();

    @Option(names = "--selection-fraction", defaultValue = "0.2", paramLabel = "F",
            description = "share of the training facts kept for selection (default: ${DEFAULT-VALUE})")
    double selectionFraction;

    @Option(names = "--epochs", defaultValue = "10", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "OptiPrompt: most epochs (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--learning-rate", defaultValue = "3e-3", paramLabel = "LR",
            description = "OptiPrompt: Adam learning rate (default: ${DEFAULT-VALUE})")
    double learningRate;

    @Option(names = "--anchors", defaultValue = "../shared/anchors/autoprompt_table6.tsv", paramLabel = "TSV",
            description = "the paper's per-relation numbers, shown beside ours when the file exists")
    Path anchors;

    /** The clock of the per-relation seconds; tests plant one. */
    LongSupplier clock = System::nanoTime;

    @Option(names = "--iterations", defaultValue = "20", paramLabel = "N",
            description = "AutoPrompt search steps (default: ${DEFAULT-VALUE})")
    int iterations;

    @Option(names = "--candidates", defaultValue = "10", paramLabel = "K", converter = Converters.PositiveInt.class,
            description = "AutoPrompt candidates per step (default: ${DEFAULT-VALUE})")
    int candidates;

    @Option(names = "--train-limit", defaultValue = "1000", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "AutoPrompt: search on at most N training facts (default: ${DEFAULT-VALUE})")
    int trainLimit;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "SEED",
            description = "seed of the subsets and the search (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--json", paramLabel = "FILE", description = "write the JSON report here")
    Optional<Path> json = Optional.empty();

    @Option(names = "--progress", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "show a progress bar on standard error (default: on)")
    boolean progress;

    /** The relations file of the data directory. */
    Path relationsFile() {
        return data.resolve("relations").resolve("LAMA_relations.jsonl");
    }

    /** The candidate vocabulary file of the data directory. */
    Path vocabularyFile() {
        return data.resolve("vocab").resolve("common_vocab_cased.txt");
    }

    /** The T-REx facts file of a relation and split. */
    Path factsFile(String relation, String split) {
        return data.resolve("trex").resolve(relation).resolve(split + ".jsonl");
    }

    /**
     * The requested relations with their manual templates, in option order, checked against the data directory
     * before any model is opened.
     *
     * @throws ParameterException for an unknown relation, a missing file or a bad step count
     */
    List<LamaRelation> selected() {
        if (iterations < 0) {
            throw new ParameterException(spec.commandLine(), "--iterations must be 0 or more, got " + iterations);
        }
        if (!Files.isRegularFile(relationsFile())) {
            throw new ParameterException(spec.commandLine(), "no LAMA relations file " + relationsFile()
                    + "; point --data at the LAMA directory (with relations/, trex/, vocab/)");
        }
        Map<String, LamaRelation> known = new LinkedHashMap<>();
        for (LamaRelation r : Datasets.lamaRelations(relationsFile())) {
            known.put(r.id(), r);
        }
        List<LamaRelation> out = new ArrayList<>();
        List<String> ids = relations;
        if (ids.isEmpty()) {
            ids = known.keySet().stream().filter(id -> Files.isDirectory(data.resolve("trex").resolve(id))).toList();
        }
        for (String id : ids) {
            String key = id.strip();
            LamaRelation r = known.get(key);
            if (r == null) {
                throw new ParameterException(spec.commandLine(), "--relations: unknown relation '" + key + "'; "
                        + relationsFile() + " has e.g. " + List.copyOf(known.keySet()).subList(0,
                                Math.min(8, known.size())));
            }
            List<String> splits = autoprompt || optiprompt ? List.of("dev", "train") : List.of("dev");
            for (String split : splits) {
                if (!Files.isRegularFile(factsFile(key, split))) {
                    throw new ParameterException(spec.commandLine(), "relation " + key + " has no facts file "
                            + factsFile(key, split));
                }
            }
            out.add(r);
        }
        return out;
    }


    /** Facts whose object is a candidate (in the common vocabulary and a single vocabulary token). */
    static List<Example> inVocabulary(List<Example> facts, Set<String> vocabulary, Tokenizer tokenizer) {
        return facts.stream().filter(f -> vocabulary.contains(f.label()) && tokenizer.tokenToId(f.label())
                .isPresent()).toList();
    }

    @Override
    public Integer call() {
        List<LamaRelation> selected = selected();
        Map<String, FactPrompt> saved = prompts.map(this::readPrompts).orElse(Map.of());
        try (OnnxMaskedLanguageModel model = modelOptions.open();
                Progress bar = Progress.start("lama", "rel.", selected.size(), progress)) {
            ObjectNode root = run(model, selected, saved, bar::step);
            root.put("precision", modelOptions.precision.toString());
            json.ifPresent(f -> {
                SearchSupport.write(root, f);
                log.info("wrote {}", f);
            });
        }
        return 0;
    }

    private Map<String, FactPrompt> readPrompts(String source) {
        try {
            return source.startsWith(BUNDLED) ? FactPrompts.bundled(source.substring(BUNDLED.length()))
                    : FactPrompts.read(Path.of(source));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--prompts " + e.getMessage());
        }
    }

    /** The settings a result depends on; a rerun into the same --out folder must use the same. */
    ObjectNode settings(String modelName) {
        ObjectNode s = SearchSupport.object();
        s.put("model", modelName);
        s.put("precision", modelOptions == null ? "" : String.valueOf(modelOptions.precision));
        s.put("autoprompt", autoprompt);
        s.put("optiprompt", optiprompt);
        s.put("prompts", prompts.orElse(""));
        s.put("iterations", iterations);
        s.put("candidates", candidates);
        s.put("trainLimit", trainLimit);
        s.put("selectionFraction", selectionFraction);
        s.put("epochs", epochs);
        s.put("learningRate", learningRate);
        s.put("maxMinutesPerRelation", maxMinutes.orElse(0.0));
        s.put("seed", seed);
        limit.ifPresent(l -> s.put("limit", l));
        return s;
    }

    /**
     * Evaluates (and searches) every relation, skipping those whose result is already in the --out folder, and
     * prints the summary of all results there (or of this run without --out).
     */
    ObjectNode run(MaskedLanguageModel model, List<LamaRelation> selected, Map<String, FactPrompt> saved,
            java.util.function.LongConsumer step) {
        Tokenizer tokenizer = model.tokenizer();
        List<String> vocab = Datasets.vocabulary(vocabularyFile());
        Set<String> vocabulary = new HashSet<>(vocab);
        List<String> usable = vocab.stream().filter(t -> tokenizer.tokenToId(t).isPresent()).toList();
        int[] candidateIds = FactRetrieval.candidateIds(tokenizer, usable);
        ObjectNode settings = settings(model.info().name());
        Map<String, ObjectNode> results = new LinkedHashMap<>();
        out.ifPresent(dir -> results.putAll(readResults(dir, settings)));
        for (LamaRelation relation : selected) {
            if (results.containsKey(relation.id())) {
                log.info("{}: result in {}, skipped", relation.id(), out.get());
            } else {
                ObjectNode row = relation(model, relation, vocabulary, candidateIds, saved);
                row.set("settings", settings);
                results.put(relation.id(), row);
                out.ifPresent(dir -> SearchSupport.write(row, dir.resolve(relation.id() + ".json")));
            }
            step.accept(1);
        }
        List<String> order = Datasets.lamaRelations(relationsFile()).stream().map(LamaRelation::id).toList();
        List<ObjectNode> rows = new ArrayList<>();
        for (String id : order) {
            if (results.containsKey(id) && (out.isPresent() || selected.stream().anyMatch(r -> r.id().equals(id)))) {
                rows.add(results.get(id));
            }
        }
        ObjectNode root = SearchSupport.object();
        root.put("command", "lama");
        root.put("model", model.info().name());
        root.set("settings", settings);
        ArrayNode array = root.putArray("relations");
        rows.forEach(array::add);
        for (String method : List.of("manual", "autoprompt", "optiprompt", "prompts")) {
            List<RankingMetrics> ms = rows.stream().filter(r -> r.has(method)).map(r -> metricsOf(r.get(method)))
                    .toList();
            if (!ms.isEmpty()) {
                root.set("mean_" + method, mean(ms));
            }
        }
        String table = summary(rows, anchors());
        PrintWriter printer = spec.commandLine().getOut();
        printer.print(table);
        printer.flush();
        out.ifPresent(dir -> {
            ReportWriter.write(dir.resolve("summary.md"), table);
            SearchSupport.write(root, dir.resolve("summary.json"));
            for (String method : List.of("autoprompt", "optiprompt")) {
                List<FactPrompt> found = new ArrayList<>();
                for (ObjectNode r : rows) {
                    if (r.has(method)) {
                        found.add(FactPrompts.line(r.get(method).get("prompt").asText()));
                    }
                }
                if (!found.isEmpty()) {
                    FactPrompts.write(dir.resolve(method + ".jsonl"), found, model.info().name());
                }
            }
        });
        return root;
    }

    private Map<String, ObjectNode> readResults(Path dir, ObjectNode settings) {
        Map<String, ObjectNode> found = new HashMap<>();
        if (!Files.isDirectory(dir)) {
            return found;
        }
        ObjectMapper mapper = new ObjectMapper();
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().matches("P\\d+\\.json")).sorted().toList()) {
                ObjectNode r = (ObjectNode) mapper.readTree(f.toFile());
                // compared as text: a number read back may be another node type (an int for a long) of equal value
                if (r.get("settings") == null || !settings.toString().equals(r.get("settings").toString())) {
                    throw new ParameterException(spec.commandLine(), f + " was made with settings " + r.get("settings")
                            + ", this run uses " + settings + "; resume with the same options or choose another --out");
                }
                found.put(r.get("relation").asText(), r);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the results in " + dir, e);
        }
        return found;
    }

    private ObjectNode relation(MaskedLanguageModel model, LamaRelation relation, Set<String> vocabulary,
            int[] candidateIds, Map<String, FactPrompt> saved) {
        Tokenizer tokenizer = model.tokenizer();
        List<Example> dev = Datasets.lamaFacts(factsFile(relation.id(), "dev"));
        boolean searching = autoprompt || optiprompt;
        List<Example> train = searching ? Datasets.lamaFacts(factsFile(relation.id(), "train")) : List.of();
        FactSplit split = searching
                ? FactSplit.carve(train, dev, o -> vocabulary.contains(o) && tokenizer.tokenToId(o).isPresent(),
                        trainLimit, selectionFraction, seed)
                : new FactSplit(List.of(), List.of(), inVocabulary(dev, vocabulary, tokenizer));
        List<Example> reported = SearchSupport.sample(split.reported(), limit.orElse(Integer.MAX_VALUE), seed);
        ObjectNode row = SearchSupport.object();
        row.put("relation", relation.id());
        row.put("label", relation.label());
        row.put("facts", reported.size());
        row.put("searchFacts", split.search().size());
        row.put("selectionFacts", split.selection().size());
        long t0 = clock.getAsLong();
        FactPrompt manual = FactPrompt.manual(relation);
        row.set("manual", metrics(manual, FactRetrieval.evaluate(model, manual, reported, candidateIds,
                batchSize()), t0, model));
        if (saved.containsKey(relation.id())) {
            long t = clock.getAsLong();
            FactPrompt p = saved.get(relation.id());
            row.set("prompts", metrics(p, FactRetrieval.evaluate(model, p, reported, candidateIds, batchSize()), t,
                    model));
        }
        if (autoprompt) {
            long t = clock.getAsLong();
            TriggerSearchResult r = search(model, relation, split, candidateIds);
            FactPrompt p = FactPrompt.triggers(relation.id(), r.boundTemplate(), tokenizer);
            ObjectNode node = metrics(p, FactRetrieval.evaluate(model, p, reported, candidateIds, batchSize()), t,
                    model);
            node.put("selectionP@1", r.metrics().get("selection_p@1"));
            node.put("iterations", r.iterations());
            node.put("bestIteration", r.bestIteration());
            node.put("forwardPasses", r.passes().forwardPasses());
            node.put("gradientPasses", r.passes().gradientPasses());
            row.set("autoprompt", node);
        }
        if (optiprompt) {
            long t = clock.getAsLong();
            WarmStart ws = WarmStart.of(relation, tokenizer, WarmStart.Slot.SOFT);
            SoftPromptResult r = SoftPromptTrainer.builder(model).template(ws.template()).initWords(
                    ws.initialTokens()).factRetrieval(candidateIds).train(split.search()).selection(split.selection())
                    .epochs(epochs).learningRate(learningRate).batchSize(16).patience(3)
                    .forwardBatchSize(batchSize()).seed(seed).timeBudget(budget()).build().run();
            FactPrompt p = FactPrompt.soft(relation.id(), ws.template(), r.softPrompt());
            ObjectNode node = metrics(p, FactRetrieval.evaluate(model, p, reported, candidateIds, batchSize()), t,
                    model);
            node.put("selectionP@1", r.bestDevAccuracy());
            node.put("epochs", r.epochsRun());
            node.put("bestEpoch", r.bestEpoch());
            node.put("forwardPasses", r.passes().forwardPasses());
            node.put("gradientPasses", r.passes().gradientPasses());
            row.set("optiprompt", node);
        }
        log.info("{}: {}", relation.id(), row);
        return row;
    }

    private int batchSize() {
        return modelOptions == null ? 32 : modelOptions.batchSize;
    }

    private Duration budget() {
        return maxMinutes.map(m -> Duration.ofMillis((long) (m * 60_000))).orElse(null);
    }

    /**
     * The AutoPrompt search of one relation, warm-started from its manual template: the template's words are the
     * initial triggers; selection on the split's selection slice.
     */
    private TriggerSearchResult search(MaskedLanguageModel model, LamaRelation relation, FactSplit split,
            int[] candidateIds) {
        WarmStart ws = WarmStart.of(relation, model.tokenizer(), WarmStart.Slot.TRIGGER);
        log.info("AutoPrompt for {} from '{}' on {} training facts, selecting on {}", relation.id(),
                relation.lamaTemplate(), split.search().size(), split.selection().size());
        return TriggerSearch.builder(model).template(ws.template()).initialTriggers(ws.initialTokens())
                .factRetrieval(candidateIds).train(split.search()).selection(split.selection()).iterations(iterations)
                .candidates(candidates).gradientBatchSize(batchSize()).evaluationBatchSize(batchSize())
                .forwardBatchSize(batchSize()).seed(seed).timeBudget(budget()).listener(SearchListener.logging())
                .build().run();
    }

    private ObjectNode metrics(FactPrompt prompt, RankingMetrics m, long startNanos, MaskedLanguageModel model) {
        ObjectNode node = SearchSupport.object();
        node.put("template", prompt.text());
        node.put("facts", m.count());
        node.put("p@1", m.precisionAt1());
        node.put("p@10", m.precisionAt10());
        node.put("mrr", m.meanReciprocalRank());
        node.put("seconds", (clock.getAsLong() - startNanos) / 1e9);
        node.put("prompt", FactPrompts.toJson(prompt, model.info().name()));
        return node;
    }

    private static RankingMetrics metricsOf(JsonNode node) {
        return new RankingMetrics(node.get("facts").asInt(), node.get("p@1").asDouble(), node.get("p@10").asDouble(),
                node.get("mrr").asDouble());
    }

    /** The paper's numbers per relation (column name to value), or none when the file is absent. */
    private Map<String, Map<String, Double>> anchors() {
        Map<String, Map<String, Double>> out = new HashMap<>();
        if (anchors == null || !Files.isRegularFile(anchors)) {
            return out;
        }
        try {
            List<String> lines = Files.readAllLines(anchors);
            String[] header = lines.get(0).split("\t");
            for (String line : lines.subList(1, lines.size())) {
                String[] cells = line.split("\t");
                Map<String, Double> row = new LinkedHashMap<>();
                for (int i = 1; i < cells.length && i < header.length; i++) {
                    row.put(header[i], Double.parseDouble(cells[i]));
                }
                out.put(cells[0], row);
            }
        } catch (IOException | NumberFormatException e) {
            throw new ParameterException(spec.commandLine(), "--anchors " + anchors + " is not a TSV of numbers: "
                    + e.getMessage());
        }
        return out;
    }

    /** The Markdown summary: one row per relation, means at the bottom (unweighted over relations, as LAMA). */
    static String summary(List<ObjectNode> rows, Map<String, Map<String, Double>> paper) {
        List<String> methods = new ArrayList<>();
        for (String m : List.of("prompts", "autoprompt", "optiprompt")) {
            if (rows.stream().anyMatch(r -> r.has(m))) {
                methods.add(m);
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append("| relation | facts | manual P@1 | paper manual");
        for (String m : methods) {
            sb.append(" | ").append(m).append(" P@1 | P@10 | MRR | template | seconds | passes (fwd+grad)");
        }
        sb.append(" | paper AutoPrompt |\n|---|---:|---:|---:");
        sb.append(" |---:|---:|---:|---|---:|---:".repeat(methods.size())).append(" |---:|\n");
        for (ObjectNode r : rows) {
            String id = r.get("relation").asText();
            Map<String, Double> p = paper.getOrDefault(id, Map.of());
            sb.append(String.format("| %s | %d | %.1f | %s", id, r.get("facts").asInt(),
                    100 * r.get("manual").get("p@1").asDouble(), cell(p.get("lama_manual"))));
            for (String m : methods) {
                JsonNode n = r.get(m);
                if (n == null) {
                    sb.append(" | | | | | |");
                    continue;
                }
                sb.append(String.format(" | %.1f | %.1f | %.3f | `%s` | %.0f | %s", 100 * n.get("p@1").asDouble(),
                        100 * n.get("p@10").asDouble(), n.get("mrr").asDouble(), n.get("template").asText(),
                        n.get("seconds").asDouble(), n.has("forwardPasses") ? n.get("forwardPasses").asLong() + "+"
                                + n.get("gradientPasses").asLong() : ""));
            }
            sb.append(" | ").append(cell(p.get("autoprompt5"))).append(" |\n");
        }
        List<ObjectNode> withPaper = rows.stream().filter(r -> paper.containsKey(r.get("relation").asText()))
                .toList();
        sb.append(String.format("| mean (%d rel.) | | %.2f | %s", rows.size(), meanOf(rows, "manual", "p@1"),
                cell(withPaper.size() == rows.size() && !rows.isEmpty() ? withPaper.stream().mapToDouble(
                        r -> paper.get(r.get("relation").asText()).getOrDefault("lama_manual", Double.NaN))
                        .average().orElse(Double.NaN) : null)));
        for (String m : methods) {
            List<ObjectNode> have = rows.stream().filter(r -> r.has(m)).toList();
            sb.append(String.format(" | %.2f (%d rel.) | %.2f | %.3f | | %.0f |", meanOf(have, m, "p@1"),
                    have.size(), meanOf(have, m, "p@10"), meanOf(have, m, "mrr") / 100,
                    have.stream().mapToDouble(r -> r.get(m).get("seconds").asDouble()).average().orElse(Double.NaN)));
        }
        sb.append(" ").append(cell(withPaper.size() == rows.size() && !rows.isEmpty() ? withPaper.stream()
                .mapToDouble(r -> paper.get(r.get("relation").asText()).getOrDefault("autoprompt5", Double.NaN))
                .average().orElse(Double.NaN) : null)).append(" |\n");
        return sb.toString();
    }

    private static double meanOf(List<ObjectNode> rows, String method, String metric) {
        return 100 * rows.stream().mapToDouble(r -> r.get(method).get(metric).asDouble()).average()
                .orElse(Double.NaN);
    }

    private static String cell(Double v) {
        return v == null ? "" : String.format("%.2f", v);
    }

    /** The unweighted mean over relations (as LAMA reports), with the relation count. */
    static ObjectNode mean(List<RankingMetrics> ms) {
        ObjectNode node = SearchSupport.object();
        node.put("relations", ms.size());
        node.put("p@1", ms.stream().mapToDouble(RankingMetrics::precisionAt1).average().orElse(Double.NaN));
        node.put("p@10", ms.stream().mapToDouble(RankingMetrics::precisionAt10).average().orElse(Double.NaN));
        node.put("mrr", ms.stream().mapToDouble(RankingMetrics::meanReciprocalRank).average().orElse(Double.NaN));
        return node;
    }
}
