package io.github.prompt4j.benchmarks.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.prompt4j.search.fact.RankingMetrics;
import io.github.prompt4j.search.label.LearnedHeadStage;
import io.github.prompt4j.search.trigger.SearchLoss;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SearchCommandsTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private Object parse(String... args) {
        CommandLine cmd = EvalCommandLine.create(new PrintWriter(out), new PrintWriter(err));
        return cmd.parseArgs(args).subcommand().commandSpec().userObject();
    }

    private int run(String... args) {
        return EvalCommandLine.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void labelSearchTakesTrainTemplateWordsPerClassAndLimit() {
        LabelSearchCommand c = (LabelSearchCommand) parse("label-search", "--model", "bert-base-cased", "--train",
                "train.tsv", "--template", "{sentence} this movie was [MASK] .", "--words-per-class", "5",
                "--limit", "100", "--json", "words.json");
        assertEquals(Path.of("train.tsv"), c.train);
        assertEquals("{sentence} this movie was [MASK] .", c.template.text());
        assertEquals(5, c.wordsPerClass);
        assertEquals(Optional.of(100), c.limit);
        assertEquals(Optional.of(Path.of("words.json")), c.json);
        assertEquals(32, c.modelOptions.batchSize);
    }

    @Test
    void labelSearchDefaultsToThreeWordsAndRefusesZero() {
        LabelSearchCommand c = (LabelSearchCommand) parse("label-search", "--model", "bert-base-cased", "--train",
                "t.tsv", "--template", "{sentence} [MASK] .");
        assertEquals(3, c.wordsPerClass);
        assertEquals(Optional.empty(), c.limit);
        assertEquals(2, run("label-search", "--model", "bert-base-cased", "--train", "t.tsv", "--template",
                "{sentence} [MASK] .", "--words-per-class", "0"));
        assertTrue(err.toString().contains("Invalid value for option '--words-per-class': must be at least 1, got 0"),
                err.toString());
    }

    @Test
    void labelSearchNeedsTrainingData() {
        assertEquals(2, run("label-search", "--model", "bert-base-cased", "--template", "{sentence} [MASK] ."));
        assertTrue(err.toString().contains("Missing required option: '--train=FILE'"), err.toString());
    }

    @Test
    void autopromptTakesSplitsBudgetAndOutputDirectory() {
        AutoPromptCommand c = (AutoPromptCommand) parse("autoprompt", "--model", "bert-base-cased", "--train",
                "train.tsv", "--dev", "dev.tsv", "--eval", "test.tsv", "--template", "{sentence} [T] [T] [MASK] .",
                "--label", "0=terrible", "--label", "1=fantastic,great", "--iterations", "7", "--candidates", "4",
                "--train-limit", "300", "--select", "50", "--selection-batch", "20", "--rescore-top", "3", "--seed", "9",
                "--halving", "--out", "runs/a");
        assertEquals(Path.of("train.tsv"), c.train);
        assertEquals(Optional.of(Path.of("dev.tsv")), c.dev);
        assertEquals(Optional.of(Path.of("test.tsv")), c.eval);
        assertEquals(2, c.template.triggerCount());
        assertEquals(7, c.iterations);
        assertEquals(4, c.candidates);
        assertEquals(Optional.of(300), c.trainLimit);
        assertEquals(50, c.select);
        assertEquals(20, c.selectionBatch);
        assertEquals(3, c.rescoreTop);
        assertEquals(9L, c.seed);
        assertTrue(c.halving);
        assertEquals(Path.of("runs/a"), c.out);
        assertEquals(List.of("0", "1"), c.verbalizer().labels());
        assertEquals(List.of("fantastic", "great"), c.verbalizer().words().get("1"));
    }

    @Test
    void autopromptDefaultsToThreeTriggersExhaustiveScoringAndAFiveHundredExampleSelectionSplit() {
        AutoPromptCommand c = (AutoPromptCommand) parse("autoprompt", "--model", "bert-base-cased", "--train",
                "t.tsv", "--dev", "d.tsv", "--label", "0=bad", "--label", "1=good");
        assertEquals("{sentence} [T] [T] [T] [MASK] .", c.template.text());
        assertEquals(3, c.template.triggerCount());
        assertEquals(50, c.iterations);
        assertEquals(10, c.candidates);
        assertEquals(500, c.select);
        assertEquals(0, c.selectionBatch, "the whole split every accepted step unless asked");
        assertEquals(0, c.rescoreTop);
        assertFalse(c.halving);
        assertEquals(Optional.empty(), c.eval);
        assertEquals(Path.of("autoprompt-out"), c.out);
        assertEquals(SearchLoss.LABEL_LIKELIHOOD, c.loss, "the paper's loss unless asked");
        assertEquals(0, c.confirm);
        assertEquals(1, c.accumulation);
        assertEquals(1, c.beam);
        assertEquals(1, c.minWords.value);
    }

    @Test
    void autopromptTakesTheLossConfirmationAndSentenceLengthFilter() {
        AutoPromptCommand c = (AutoPromptCommand) parse("autoprompt", "--model", "bert-base-cased", "--train",
                "t.tsv", "--dev", "d.tsv", "--label", "0=bad", "--label", "1=good", "--loss", "Class-Cross-Entropy",
                "--confirm", "128", "--accumulation", "3", "--beam", "2", "--train-min-words", "12");
        assertEquals(SearchLoss.CLASS_CROSS_ENTROPY, c.loss);
        assertEquals(128, c.confirm);
        assertEquals(3, c.accumulation);
        assertEquals(2, c.beam);
        assertEquals(12, c.minWords.value);
        assertEquals(2, run("autoprompt", "--model", "bert-base-cased", "--train", "t.tsv", "--dev", "d.tsv",
                "--label", "0=bad", "--label", "1=good", "--loss", "hinge"));
        assertTrue(err.toString().contains("'hinge' is not a search loss"), err.toString());
    }

    @Test
    void autopromptRefusesToSelectOnTheReportedFile() {
        assertEquals(2, run("autoprompt", "--model", "bert-base-cased", "--train", "t.tsv", "--dev", "d.tsv",
                "--label", "0=bad", "--label", "1=good", "--dev-limit", "200"));
        assertTrue(err.toString().contains("use --select N"), err.toString());
    }

    @Test
    void autopromptTakesTheLabelStageAndTimeBudget() {
        AutoPromptCommand c = (AutoPromptCommand) parse("autoprompt", "--model", "bert-base-cased", "--train",
                "t.tsv", "--dev", "d.tsv", "--label", "0=bad", "--label", "1=good", "--label-search", "5",
                "--label-search-limit", "500", "--max-minutes", "52");
        assertEquals(5, c.labelSearch);
        assertEquals(500, c.labelSearchLimit);
        assertEquals(Optional.of(52), c.maxMinutes);
        AutoPromptCommand d = (AutoPromptCommand) parse("autoprompt", "--model", "bert-base-cased", "--train",
                "t.tsv", "--dev", "d.tsv", "--label", "0=bad", "--label", "1=good");
        assertEquals(0, d.labelSearch, "off unless asked");
        assertEquals(Optional.empty(), d.maxMinutes);
        assertEquals(2, run("autoprompt", "--model", "bert-base-cased", "--train", "missing.tsv", "--dev",
                "missing.tsv", "--label", "0=bad", "--label", "1=good", "--label-search", "-1"));
        assertTrue(err.toString().contains("--label-search must be 0 (off) or more, got -1"), err.toString());
        assertEquals(2, run("autoprompt", "--model", "bert-base-cased", "--train", "t.tsv", "--dev", "d.tsv",
                "--label", "0=bad", "--label", "1=good", "--max-minutes", "0"));
    }

    @Test
    void autopromptTakesTheEnsembleStageAndRefusesBadSettingsNamingThem() {
        AutoPromptCommand c = (AutoPromptCommand) parse("autoprompt", "--model", "bert-base-cased", "--train",
                "t.tsv", "--label", "0=bad", "--label", "1=good", "--rescore-top", "3", "--ensemble-top", "3");
        assertEquals(3, c.ensembleTop);
        assertEquals(List.of("0", "1"), c.verbalizer().labels(), "K = M is allowed");
        assertEquals(0, ((AutoPromptCommand) parse("autoprompt", "--model", "bert-base-cased", "--train", "t.tsv",
                "--label", "0=bad", "--label", "1=good")).ensembleTop, "off unless asked");
        assertEquals(2, run("autoprompt", "--model", "bert-base-cased", "--train", "missing.tsv", "--label", "0=bad",
                "--label", "1=good", "--rescore-top", "2", "--ensemble-top", "3"));
        assertTrue(err.toString().contains("--ensemble-top 3 chooses among the re-scored trigger states; set "
                + "--rescore-top to 3 or more (got 2)"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, run("autoprompt", "--model", "bert-base-cased", "--train", "missing.tsv", "--label", "0=bad",
                "--label", "1=good", "--ensemble-top", "2"));
        assertTrue(err.toString().contains("set --rescore-top to 2 or more (got 0)"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, run("autoprompt", "--model", "bert-base-cased", "--train", "missing.tsv", "--label", "0=bad",
                "--label", "1=good", "--rescore-top", "2", "--ensemble-top", "2", "--calibrate"));
        assertTrue(err.toString().contains("--ensemble-top and --calibrate do not combine"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, run("autoprompt", "--model", "bert-base-cased", "--train", "missing.tsv", "--label", "0=bad",
                "--label", "1=good", "--ensemble-top", "-1"));
        assertTrue(err.toString().contains("--ensemble-top must be 0 (off) or more, got -1"), err.toString());
    }

    @Test
    void autopromptTakesTheLearnedHeadStageOffUnlessAsked() {
        AutoPromptCommand c = (AutoPromptCommand) parse("autoprompt", "--model", "bert-base-cased", "--train",
                "t.tsv", "--label", "0=bad", "--label", "1=good", "--learned-head", "--head-limit", "1500");
        assertTrue(c.learnedHead);
        assertEquals(1500, c.headLimit);
        AutoPromptCommand d = (AutoPromptCommand) parse("autoprompt", "--model", "bert-base-cased", "--train",
                "t.tsv", "--label", "0=bad", "--label", "1=good");
        assertFalse(d.learnedHead, "off unless asked");
        assertEquals(2000, d.headLimit);
        assertEquals(LearnedHeadStage.States.BEST, d.headStates, "the best state unless asked");
        assertEquals(LearnedHeadStage.States.SHORTLIST, ((AutoPromptCommand) parse("autoprompt", "--model",
                "bert-base-cased", "--train", "t.tsv", "--label", "0=bad", "--label", "1=good", "--learned-head",
                "--head-states", "Shortlist")).headStates);
        assertEquals(2, run("autoprompt", "--model", "bert-base-cased", "--train", "t.tsv", "--label", "0=bad",
                "--label", "1=good", "--learned-head", "--head-states", "all"));
        assertTrue(err.toString().contains("'all' is not a choice of trigger states; use best or shortlist"),
                err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, run("autoprompt", "--model", "bert-base-cased", "--train", "t.tsv", "--label", "0=bad",
                "--label", "1=good", "--learned-head", "--head-limit", "0"));
        assertTrue(err.toString().contains("--head-limit"), err.toString());
    }

    @Test
    void wordsCountEveryTextColumn() {
        // hand-counted: 3 + 2 words; blank columns count none
        assertEquals(5, new Example(Map.of("a", " a fine  film ", "b", "truly moving"), "1").words());
        assertEquals(0, new Example(Map.of("a", "   "), "1").words());
    }

    @Test
    void trainMinWordsKeepsLongExamplesInFileOrderAndNamesTheOptionWhenNoneIsLeft() throws Exception {
        Path train = dir.resolve("train.tsv");
        Files.writeString(train, "sentence\tlabel\na fine film\t1\ndull\t0\nnot worth the ticket at all\t0\n"
                + "one of the best films of the year\t1\nugh\t0\n");
        CommandLine cmd = EvalCommandLine.create(new PrintWriter(out), new PrintWriter(err));
        Dataset data = DatasetReader.read(train);
        // hand-counted: 3, 1, 6, 8 and 1 words
        List<String> kept = SearchSupport.atLeastWords(cmd.getSubcommands().get("prefix").getCommandSpec(), data, 3)
                .stream().map(e -> e.fields().get("sentence")).toList();
        assertEquals(List.of("a fine film", "not worth the ticket at all", "one of the best films of the year"), kept);
        assertEquals(data.examples(), SearchSupport.atLeastWords(cmd.getCommandSpec(), data, 1));
        for (String command : List.of("prefix", "generate")) {
            err.getBuffer().setLength(0);
            List<String> args = new java.util.ArrayList<>(List.of(command, "--model", "bert-base-cased", "--train",
                    train.toString(), "--label", "0=terrible", "--label", "1=fantastic", "--train-min-words", "9"));
            if (command.equals("prefix")) {
                args.addAll(List.of("--template", "{sentence} It was [MASK] ."));
            }
            assertEquals(2, run(args.toArray(String[]::new)), err.toString());
            assertTrue(err.toString().contains("no training example of " + train + " has 9 or more words; lower "
                    + "--train-min-words"), err.toString());
        }
    }

    @Test
    void prefixRefusesAWarmHeadWithoutALearnedVerbalizerBeforeReadingData() {
        assertEquals(2, run("prefix", "--model", "bert-base-cased", "--train", "missing.tsv", "--template",
                "{sentence} It was [MASK] .", "--label", "0=terrible", "--label", "1=fantastic", "--warm-head"));
        assertTrue(err.toString().contains("--warm-head starts the learned verbalizer's head; add "
                + "--learned-verbalizer"), err.toString());
        PrefixCommand c = (PrefixCommand) parse("prefix", "--model", "bert-base-cased", "--train", "t.tsv",
                "--template", "{sentence} It was [MASK] .", "--label", "0=terrible", "--label", "1=fantastic",
                "--reparameterize", "512", "--learned-verbalizer", "--warm-head");
        assertEquals(512, c.reparameterize);
        assertTrue(c.warmHead);
    }

    @Test
    void autopromptRefusesATemplateWithoutTriggerSlotsBeforeReadingData() {
        assertEquals(2, run("autoprompt", "--model", "bert-base-cased", "--train", "missing.tsv", "--dev",
                "missing.tsv", "--template", "{sentence} It was [MASK] .", "--label", "0=bad", "--label", "1=good"));
        assertTrue(err.toString().contains("has no trigger slot [T]"), err.toString());
    }

    @Test
    void autopromptNeedsTwoClasses() {
        assertEquals(2, run("autoprompt", "--model", "bert-base-cased", "--train", "t.tsv", "--dev", "d.tsv",
                "--label", "0=bad"));
        assertTrue(err.toString().contains("give at least two classes"), err.toString());
    }

    @Test
    void lamaSplitsRelationsAndDefaultsToTheSharedData() {
        LamaCommand c = (LamaCommand) parse("lama", "--model", "bert-base-cased", "--relations", "P19,P20,P36");
        assertEquals(List.of("P19", "P20", "P36"), c.relations);
        assertEquals(Path.of("../shared/data/lama"), c.data);
        assertFalse(c.autoprompt);
        assertEquals(Path.of("../shared/data/lama/trex/P20/dev.jsonl"), c.factsFile("P20", "dev"));
        assertEquals(Path.of("../shared/data/lama/vocab/common_vocab_cased.txt"), c.vocabularyFile());
        LamaCommand a = (LamaCommand) parse("lama", "--model", "bert-base-cased", "--relations", "P19",
                "--autoprompt", "--iterations", "3");
        assertTrue(a.autoprompt);
        assertEquals(3, a.iterations);
    }

    @Test
    void lamaReadsTheManualTemplateOfEachRelation() throws IOException {
        Path lama = fakeLama();
        LamaCommand c = (LamaCommand) parse("lama", "--model", "bert-base-cased", "--relations", "P36,P19",
                "--data", lama.toString());
        c.spec = CommandLine.Model.CommandSpec.forAnnotatedObject(c);
        assertEquals(List.of("P36", "P19"), c.selected().stream().map(r -> r.id()).toList());
        assertEquals("{sub} was born in [MASK] .", c.selected().get(1).manualTemplate().text());
    }

    @Test
    void lamaRefusesAnUnknownRelationAndAMissingTrainingFile() throws IOException {
        Path lama = fakeLama();
        assertEquals(2, run("lama", "--model", "bert-base-cased", "--relations", "P19,P999", "--data",
                lama.toString()));
        assertTrue(err.toString().contains("unknown relation 'P999'"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, run("lama", "--model", "bert-base-cased", "--relations", "P19", "--data", lama.toString(),
                "--autoprompt"));
        assertTrue(err.toString().contains("relation P19 has no facts file "
                + lama.resolve("trex/P19/train.jsonl")), err.toString());
    }

    @Test
    void theLamaMeanIsUnweightedOverRelations() {
        ObjectNode m = LamaCommand.mean(List.of(new RankingMetrics(10, 0.5, 0.9, 0.6),
                new RankingMetrics(1000, 0.1, 0.3, 0.2)));
        assertEquals(2, m.get("relations").asInt());
        assertEquals(0.3, m.get("p@1").asDouble(), 1e-12);
        assertEquals(0.6, m.get("p@10").asDouble(), 1e-12);
        assertEquals(0.4, m.get("mrr").asDouble(), 1e-12);
    }

    @Test
    void seededSubsetsRepeatAndKeepEverythingWhenTheLimitIsLarge() {
        List<Integer> items = List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        List<Integer> a = SearchSupport.sample(items, 4, 7);
        assertEquals(a, SearchSupport.sample(items, 4, 7));
        assertEquals(4, a.size());
        assertTrue(items.containsAll(a));
        assertEquals(10, SearchSupport.sample(items, 99, 7).stream().distinct().count());
    }

    private Path fakeLama() throws IOException {
        Path lama = dir.resolve("lama");
        Files.createDirectories(lama.resolve("relations"));
        Files.writeString(lama.resolve("relations/LAMA_relations.jsonl"),
                "{\"relation\": \"P19\", \"template\": \"[X] was born in [Y] .\", \"label\": \"place of birth\"}\n"
                + "{\"relation\": \"P36\", \"template\": \"The capital of [X] is [Y] .\", \"label\": \"capital\"}\n");
        for (String p : List.of("P19", "P36")) {
            Files.createDirectories(lama.resolve("trex").resolve(p));
            Files.writeString(lama.resolve("trex").resolve(p).resolve("dev.jsonl"),
                    "{\"sub_label\": \"Dante\", \"obj_label\": \"Florence\"}\n");
        }
        return lama;
    }
}
