package io.github.prompt4j.benchmarks.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.search.trigger.SearchLoss;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class FewShotCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private FewShotCommand parse(String... args) {
        CommandLine cmd = EvalCommandLine.create(new PrintWriter(out), new PrintWriter(err));
        return (FewShotCommand) cmd.parseArgs(args).subcommand().commandSpec().userObject();
    }

    private int run(String... args) {
        return EvalCommandLine.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void defaultsAreTheFiveLmBffSeedsAllMethodsAndTheManualPrompt() {
        FewShotCommand c = parse("few-shot", "--model", "bert-base-cased");
        assertEquals(List.of(13L, 21L, 42L, 87L, 100L), c.seeds);
        assertEquals(Path.of("../shared/data/sst2/lmbff/k-shot"), c.data);
        List<FewShotCommand.Method> allButSelfTrained = new java.util.ArrayList<>(
                List.of(FewShotCommand.Method.values()));
        allButSelfTrained.remove(FewShotCommand.Method.SELF_TRAINED);
        assertEquals(allButSelfTrained, c.methods, "self_trained reads more data, so it runs only when asked for");
        assertEquals(Path.of("../shared/data/sst2/glue/train.tsv"), c.unlabelled);
        assertEquals(1000, c.unlabelledSize);
        assertEquals(12, c.unlabelledMinWords);
        assertEquals("{sentence} It was [MASK] .", c.template.text());
        assertEquals(List.of("It", "was", "really", "very"), c.softInit);
        assertEquals(List.of("It", "was", "really"), c.autopromptInit);
        assertEquals(8, c.epochs);
        assertEquals(6, c.iterations);
        assertEquals(3, c.ensembleSize);
        assertEquals(4, c.generatedTemplates);
        assertEquals(4, c.generationBeam);
        assertEquals(5, c.pooledSize);
        assertEquals(0, c.cvFolds, "L2 chosen on dev unless --cv-folds says otherwise");
        assertEquals(SearchLoss.CLASS_CROSS_ENTROPY, c.autopromptLoss);
        assertTrue(c.testLimit.isEmpty());
    }

    @Test
    void theDefaultVerbalizerIsTerribleAgainstGreat() {
        FewShotCommand c = parse("few-shot", "--model", "bert-base-cased");
        c.spec = CommandLine.Model.CommandSpec.forAnnotatedObject(c);
        assertEquals(Map.of("0", List.of("terrible"), "1", List.of("great")), c.verbalizer().words());
    }

    @Test
    void seedsMethodsAndLimitParse() {
        FewShotCommand c = parse("few-shot", "--model", "bert-base-cased", "--seeds", "13,42", "--methods",
                "manual,Ensemble", "--test-limit", "16", "--label", "0=bad", "--label", "1=good");
        assertEquals(List.of(13L, 42L), c.seeds);
        assertEquals(List.of(FewShotCommand.Method.MANUAL, FewShotCommand.Method.ENSEMBLE), c.methods);
        assertEquals(16, c.testLimit.orElseThrow());
        assertEquals(2, c.labels.size());
    }

    @Test
    void aMissingSeedDirectoryIsAUsageErrorNamingTheFile() throws IOException {
        Path seed13 = Files.createDirectories(dir.resolve("16-13"));
        for (String split : List.of("train.tsv", "dev.tsv", "test.tsv")) {
            Files.writeString(seed13.resolve(split), "sentence\tlabel\ngood .\t1\n");
        }
        assertEquals(2, run("few-shot", "--model", "bert-base-cased", "--data", dir.toString(), "--seeds", "13,21"));
        assertTrue(err.toString().contains("seed 21 has no split file " + dir.resolve("16-21").resolve("train.tsv")),
                err.toString());
    }

    @Test
    void oneCrossValidationFoldIsAUsageErrorBeforeAnyModelOpens() {
        assertEquals(2, run("few-shot", "--model", "bert-base-cased", "--cv-folds", "1"));
        assertTrue(err.toString().contains("--cv-folds must be 0 (choose on dev) or at least 2, got 1"),
                err.toString());
    }

    @Test
    void slotWordsMustMatchTheSlots() {
        assertEquals(2, run("few-shot", "--model", "bert-base-cased", "--soft-init", "It was"));
        assertTrue(err.toString().contains("has 4 slot(s) [P] but --soft-init gives 2 word(s)"), err.toString());
    }

    private static Classification predicted(String label, double positive) {
        return new Classification(label, Map.of("0", 1 - positive, "1", positive), Map.of());
    }

    private static Map<String, String> text(String sentence) {
        return Map.of("sentence", sentence);
    }

    @Test
    void pseudoLabelsKeepTheMostConfidentOfEachClassAsManyAsTheRarerClassHasInTextOrder() {
        List<Map<String, String>> texts = List.of(text("a"), text("b"), text("c"), text("d"), text("e"),
                text("f"));
        // the teacher: 4 positive (confidence .6, .9, .7, .95), 2 negative (.8, .55)
        List<Classification> labels = List.of(predicted("1", 0.6), predicted("0", 0.2), predicted("1", 0.9),
                predicted("1", 0.7), predicted("0", 0.45), predicted("1", 0.95));
        List<Example> kept = FewShotCommand.confidentBalanced(texts, labels, List.of("0", "1"));
        // both negatives, the two most confident positives (c: .9, f: .95), in the texts' order
        assertEquals(List.of(new Example(text("b"), "0"), new Example(text("c"), "1"),
                new Example(text("e"), "0"), new Example(text("f"), "1")), kept);
    }

    @Test
    void aClassTheTeacherNeverPredictsIsNamed() {
        List<Classification> labels = List.of(predicted("1", 0.6), predicted("1", 0.9));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> FewShotCommand.confidentBalanced(List.of(text("a"), text("b")), labels, List.of("0", "1")));
        assertTrue(e.getMessage().contains("class 0"), e.getMessage());
        assertTrue(e.getMessage().contains("--unlabelled-size"), e.getMessage());
    }

    @Test
    void theUnlabelledDrawLeavesOutTheSeedsSentencesWhateverTheirSpacingAndIsSeeded() {
        FewShotCommand.UnlabelledPool pool = new FewShotCommand.UnlabelledPool(List.of(text("one "), text("two"),
                text("three"), text("four"), text("five")), "digest");
        // the seed's train, dev and test examples
        List<Example> leftOut = List.of(new Example(text("one"), "0"), new Example(Map.of("text", " four"), "1"));
        List<Map<String, String>> all = pool.draw(leftOut, 10, 7);
        assertEquals(3, all.size());
        assertEquals(java.util.Set.of(text("two"), text("three"), text("five")), java.util.Set.copyOf(all));
        List<Map<String, String>> two = pool.draw(leftOut, 2, 7);
        assertEquals(two, pool.draw(leftOut, 2, 7), "the same seed draws the same sentences");
        assertEquals(all.subList(0, 2), two, "a smaller draw is a prefix of the same shuffle");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new FewShotCommand.UnlabelledPool(List.of(text("one")), "d").draw(leftOut, 5, 7));
        assertTrue(e.getMessage().contains("--unlabelled"), e.getMessage());
    }

    @Test
    void unlabelledOptionsParse() {
        FewShotCommand c = parse("few-shot", "--model", "bert-base-cased", "--methods", "pooled,self_trained",
                "--unlabelled", "u.tsv", "--unlabelled-size", "500", "--unlabelled-min-words", "8");
        assertEquals(List.of(FewShotCommand.Method.POOLED, FewShotCommand.Method.SELF_TRAINED), c.methods);
        assertEquals(Path.of("u.tsv"), c.unlabelled);
        assertEquals(500, c.unlabelledSize);
        assertEquals(8, c.unlabelledMinWords);
    }

    @Test
    void sampleStandardDeviationDividesByNMinusOne() {
        double[] values = {0.5, 0.7, 0.9};
        assertEquals(0.7, FewShotCommand.mean(values), 1e-12);
        assertEquals(0.2, FewShotCommand.std(values), 1e-12);
        assertEquals(0, FewShotCommand.std(new double[] {0.8}));
    }
}
