package io.github.prompt4j.benchmarks.eval;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.prompt4j.core.model.Tokenizer;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
import io.github.prompt4j.search.data.Datasets;
import io.github.prompt4j.search.data.LamaRelation;
import io.github.prompt4j.search.fact.FactRetrieval;
import io.github.prompt4j.search.fact.RankingMetrics;
import io.github.prompt4j.search.trigger.SearchListener;
import io.github.prompt4j.search.trigger.TriggerSearch;
import io.github.prompt4j.search.trigger.TriggerSearchResult;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--relations", required = true, split = ",", paramLabel = "P19,P20,...",
            description = "T-REx relation ids, comma-separated")
    List<String> relations = new ArrayList<>();

    @Option(names = "--data", defaultValue = "../shared/data/lama", paramLabel = "DIR",
            description = "LAMA directory with relations/, trex/ and vocab/ (default: ${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--limit", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "evaluate at most N dev facts per relation (a seeded random subset)")
    Optional<Integer> limit = Optional.empty();

    @Option(names = "--autoprompt", description = "also search AutoPrompt triggers on each relation's train.jsonl")
    boolean autoprompt;

    @Option(names = "--iterations", defaultValue = "20", paramLabel = "N",
            description = "AutoPrompt search steps (default: ${DEFAULT-VALUE})")
    int iterations;

    @Option(names = "--triggers", defaultValue = "5", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "AutoPrompt trigger slots (default: ${DEFAULT-VALUE})")
    int triggers;

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
        for (String id : relations) {
            String key = id.strip();
            LamaRelation r = known.get(key);
            if (r == null) {
                throw new ParameterException(spec.commandLine(), "--relations: unknown relation '" + key + "'; "
                        + relationsFile() + " has e.g. " + List.copyOf(known.keySet()).subList(0,
                                Math.min(8, known.size())));
            }
            List<String> splits = autoprompt ? List.of("dev", "train") : List.of("dev");
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
    static List<io.github.prompt4j.search.data.Example> inVocabulary(List<io.github.prompt4j.search.data.Example> facts,
            Set<String> vocabulary, Tokenizer tokenizer) {
        return facts.stream().filter(f -> vocabulary.contains(f.label()) && tokenizer.tokenToId(f.label())
                .isPresent()).toList();
    }

    @Override
    public Integer call() {
        Instant started = Instant.now();
        List<LamaRelation> selected = selected();
        List<String> vocab = Datasets.vocabulary(vocabularyFile());
        ObjectNode root = SearchSupport.object();
        root.put("command", "lama");
        root.put("startedAt", started.toString());
        ObjectNode settings = root.putObject("settings");
        settings.put("data", data.toString());
        settings.put("autoprompt", autoprompt);
        settings.put("iterations", iterations);
        settings.put("triggers", triggers);
        settings.put("seed", seed);
        limit.ifPresent(l -> settings.put("limit", l));
        ArrayNode rows = root.putArray("relations");
        List<RankingMetrics> manual = new ArrayList<>();
        List<RankingMetrics> searched = new ArrayList<>();
        PrintWriter out = spec.commandLine().getOut();
        double manualSeconds = 0;
        long manualFacts = 0;
        try (OnnxMaskedLanguageModel model = modelOptions.open();
                Progress bar = Progress.start("lama", "rel.", selected.size(), progress)) {
            root.put("model", model.info().name());
            Tokenizer tokenizer = model.tokenizer();
            Set<String> vocabulary = new HashSet<>(vocab);
            List<String> usable = vocab.stream().filter(t -> tokenizer.tokenToId(t).isPresent()).toList();
            int[] candidates = FactRetrieval.candidateIds(tokenizer, usable);
            out.println("| relation | template | facts | P@1 | P@10 | MRR |");
            out.println("|---|---|---:|---:|---:|---:|");
            for (LamaRelation relation : selected) {
                var facts = inVocabulary(Datasets.lamaFacts(factsFile(relation.id(), "dev")), vocabulary, tokenizer);
                facts = SearchSupport.sample(facts, limit.orElse(Integer.MAX_VALUE), seed);
                Template template = relation.manualTemplate();
                long evaluationStart = System.nanoTime();
                RankingMetrics m = FactRetrieval.evaluate(model, template, facts, candidates, modelOptions.batchSize);
                double seconds = (System.nanoTime() - evaluationStart) / 1e9;
                manualSeconds += seconds;
                manualFacts += facts.size();
                manual.add(m);
                ObjectNode row = rows.addObject();
                row.put("relation", relation.id());
                row.put("label", relation.label());
                row.set("manual", metrics(template.text(), m));
                ((ObjectNode) row.get("manual")).put("seconds", seconds);
                out.println(row(relation.id(), template.text(), m));
                if (autoprompt) {
                    TriggerSearchResult r = search(model, relation, vocabulary, candidates);
                    RankingMetrics a = FactRetrieval.evaluate(model, r.boundTemplate(), facts, candidates,
                            modelOptions.batchSize);
                    searched.add(a);
                    ObjectNode node = metrics(r.filledTemplate(), a);
                    node.put("forwardPasses", r.passes().forwardPasses());
                    node.put("gradientPasses", r.passes().gradientPasses());
                    node.put("searchSeconds", r.elapsedMillis() / 1000.0);
                    row.set("autoprompt", node);
                    out.println(row(relation.id(), r.filledTemplate(), a));
                }
                out.flush();
                bar.step(1);
            }
        }
        root.set("meanManual", mean(manual));
        root.put("manualFactsPerSecond", manualFacts / Math.max(manualSeconds, 1e-9));
        out.println(row("mean", "manual", manual));
        out.printf("manual templates: %d facts scored against %d candidates in %.1f s (%.1f facts/s)%n", manualFacts,
                vocab.size(), manualSeconds, manualFacts / Math.max(manualSeconds, 1e-9));
        if (autoprompt) {
            root.set("meanAutoprompt", mean(searched));
            out.println(row("mean", "autoprompt", searched));
        }
        out.flush();
        json.ifPresent(f -> {
            SearchSupport.write(root, f);
            log.info("wrote {}", f);
        });
        return 0;
    }

    private TriggerSearchResult search(OnnxMaskedLanguageModel model, LamaRelation relation, Set<String> vocabulary,
            int[] candidates) {
        var train = inVocabulary(Datasets.lamaFacts(factsFile(relation.id(), "train")), vocabulary,
                model.tokenizer());
        train = SearchSupport.sample(train, trainLimit, seed);
        // AutoPrompt selects on held-out facts; a fifth of the training subset keeps dev facts out of the search.
        int held = Math.max(1, train.size() / 5);
        var select = train.subList(0, held);
        var searchOn = train.subList(held, train.size());
        log.info("AutoPrompt for {} on {} training facts, selecting on {}", relation.id(), searchOn.size(), held);
        return TriggerSearch.builder(model).template(LamaRelation.autoPromptTemplate(triggers))
                .factRetrieval(candidates).train(searchOn).dev(select).iterations(iterations).candidates(this.candidates)
                .gradientBatchSize(modelOptions.batchSize).evaluationBatchSize(modelOptions.batchSize)
                .forwardBatchSize(modelOptions.batchSize).seed(seed).listener(SearchListener.logging()).build().run();
    }

    private static ObjectNode metrics(String template, RankingMetrics m) {
        ObjectNode node = SearchSupport.object();
        node.put("template", template);
        node.put("facts", m.count());
        node.put("p@1", m.precisionAt1());
        node.put("p@10", m.precisionAt10());
        node.put("mrr", m.meanReciprocalRank());
        return node;
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

    private static String row(String id, String template, RankingMetrics m) {
        return String.format("| %s | `%s` | %d | %.1f | %.1f | %.3f |", id, template, m.count(),
                100 * m.precisionAt1(), 100 * m.precisionAt10(), m.meanReciprocalRank());
    }

    private static String row(String id, String what, List<RankingMetrics> ms) {
        ObjectNode m = mean(ms);
        return String.format("| %s | %s | %d rel. | %.1f | %.1f | %.3f |", id, what, ms.size(),
                100 * m.get("p@1").asDouble(), 100 * m.get("p@10").asDouble(), m.get("mrr").asDouble());
    }
}
