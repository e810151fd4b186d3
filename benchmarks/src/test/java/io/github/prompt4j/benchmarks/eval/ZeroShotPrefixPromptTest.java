package io.github.prompt4j.benchmarks.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.model.Prefix;
import io.github.prompt4j.core.template.SoftPrompt;
import io.github.prompt4j.core.verbalizer.LinearVerbalizer;
import io.github.prompt4j.search.soft.PrefixTuningEpoch;
import io.github.prompt4j.search.soft.LearningRateSchedule;
import io.github.prompt4j.search.soft.PrefixTuningResult;
import io.github.prompt4j.search.soft.SoftPromptInit;
import io.github.prompt4j.search.soft.SoftPromptResult;
import io.github.prompt4j.search.soft.SoftPromptSettings;
import io.github.prompt4j.search.trigger.PassCounts;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code zero-shot --prompt} and {@code prefix --checkpoint} at the command line, without a model. */
class ZeroShotPrefixPromptTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private Object parse(String... args) {
        CommandLine cmd = EvalCommandLine.create(new PrintWriter(out), new PrintWriter(err));
        return cmd.parseArgs(args).subcommand().commandSpec().userObject();
    }

    /** A saved prefix-tuning prompt as {@code prefix --save} writes it: 2 layers x 1 position x 4 dimensions. */
    private Path savedPrefixPrompt() throws IOException {
        Map<String, List<String>> words = new LinkedHashMap<>();
        words.put("0", List.of("terrible"));
        words.put("1", List.of("fantastic"));
        Prefix prefix = new Prefix(2, 1, 4, new float[] {1, 2, 3, 4, 5, 6, 7, 8},
                new float[] {-1, -2, -3, -4, -5, -6, -7, -8});
        PrefixTuningResult r = new PrefixTuningResult("bert-base-cased", "{sentence} this movie was [MASK] .", words,
                prefix, List.of(new PrefixTuningEpoch(0, 0, 0, 0.5, 1)), 0, 10, 4, 4, 0, 1000, OptionalInt.of(128));
        Path file = dir.resolve("prefix.json");
        Files.writeString(file, r.toJson());
        return file;
    }

    @Test
    void aPrefixPromptBringsItsTemplateLabelWordsAndPrefix() throws IOException {
        Path file = savedPrefixPrompt();
        ZeroShotCommand c = (ZeroShotCommand) parse("zero-shot", "--eval", "dev.tsv", "--prompt", file.toString());
        assertTrue(c.prefixPrompt().isPresent());
        assertTrue(c.learnedPrompt().isEmpty());
        assertTrue(c.savedPrompt().isEmpty(), "a prefix prompt is not a trigger prompt");
        assertEquals("{sentence} this movie was [MASK] .", c.template().text());
        assertEquals(List.of("0", "1"), c.verbalizer().labels());
        assertEquals(List.of("fantastic"), c.verbalizer().words().get("1"));
        assertEquals(5f, c.prefixPrompt().get().prefix().values()[4] * -1, "the prefix is read back exactly");
    }

    @Test
    void aPrefixPromptRefusesItsOwnTemplateOrLabelsTwice() throws IOException {
        Path file = savedPrefixPrompt();
        ZeroShotCommand c = (ZeroShotCommand) parse("zero-shot", "--eval", "dev.tsv", "--prompt", file.toString(),
                "--template", "{sentence} it was [MASK] .");
        CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class, c::savedPrompt);
        assertTrue(e.getMessage().contains("drop --template"), e.getMessage());
    }

    @Test
    void aPrefixPromptWithALearnedVerbalizerBringsItsHead() throws IOException {
        PrefixTuningResult plain = PrefixTuningResult.fromJson(Files.readString(savedPrefixPrompt()));
        LinearVerbalizer head = LinearVerbalizer.of(List.of("0", "1"), List.of(new float[] {1, 0, 0, 0},
                new float[] {0, -1, 0.5f, 0}), new float[] {0.25f, -0.25f});
        PrefixTuningResult withHead = new PrefixTuningResult(plain.modelName(), plain.template(), plain.labelWords(),
                plain.prefix(), Optional.of(head), plain.epochs(), plain.bestEpoch(), plain.trainExamples(),
                plain.selectionExamples(), plain.forwardPasses(), plain.gradientPasses(), plain.elapsedMillis(),
                plain.maxLength());
        Path file = dir.resolve("prefix-head.json");
        Files.writeString(file, withHead.toJson());
        ZeroShotCommand c = (ZeroShotCommand) parse("zero-shot", "--eval", "dev.tsv", "--prompt", file.toString());
        assertEquals(head, c.prefixPrompt().orElseThrow().learnedVerbalizer().orElseThrow(), "read back exactly");
        assertEquals(plain.prefix(), c.prefixPrompt().get().prefix());
        assertEquals(List.of("0", "1"), c.verbalizer().labels());
    }

    @Test
    void thePrefixCommandTakesALearnedVerbalizerFlag() {
        PrefixCommand c = (PrefixCommand) parse("prefix", "--model", "bert-base-cased", "--train", "train.tsv",
                "--template", "{sentence} this movie was [MASK] .", "--label", "0=terrible", "--label", "1=fantastic",
                "--learned-verbalizer");
        assertTrue(c.learnedVerbalizer);
    }

    @Test
    void aSoftPromptWithALearnedVerbalizerBringsItsTemplateVectorsAndHead() throws IOException {
        Map<String, List<String>> words = new LinkedHashMap<>();
        words.put("0", List.of("terrible"));
        words.put("1", List.of("great"));
        LinearVerbalizer head = LinearVerbalizer.of(List.of("0", "1"), List.of(new float[] {1, 0}, new float[] {0, 1}),
                new float[] {0.5f, -0.5f});
        SoftPromptSettings settings = new SoftPromptSettings(SoftPromptInit.WORDS, List.of("It"), 0.02, 3e-3, 0.9,
                0.999, 1e-8, 8, 4, 0.1, LearningRateSchedule.LINEAR, 3, 32, 128, 1);
        SoftPromptResult r = new SoftPromptResult("bert-base-cased", "{sentence} [P] [MASK] .", words,
                SoftPrompt.of(List.of(new float[] {0.25f, -2f})), settings, 0.75, 0.5, 2, 4, List.of(0.7, 0.6, 0.5,
                0.4), List.of(0.5, 0.75, 0.75, 0.5), new PassCounts(40, 64), 1000, Optional.of(head));
        Path file = dir.resolve("soft.json");
        Files.writeString(file, r.toJson());
        ZeroShotCommand c = (ZeroShotCommand) parse("zero-shot", "--eval", "dev.tsv", "--prompt", file.toString());
        assertTrue(c.savedPrompt().isEmpty(), "a soft prompt is not a trigger prompt");
        assertTrue(c.prefixPrompt().isEmpty());
        assertEquals(head, c.softPrompt().orElseThrow().learnedVerbalizer().orElseThrow(), "read back exactly");
        assertEquals(r.softPrompt(), c.softPrompt().get().softPrompt());
        assertEquals(1, c.template().softCount());
        assertEquals(List.of("0", "1"), c.verbalizer().labels());
    }

    @Test
    void theSoftCommandTakesItsTemplateInitWordsAndALearnedVerbalizerFlag() {
        SoftCommand c = (SoftCommand) parse("soft", "--model", "bert-base-cased", "--train", "train.tsv",
                "--limit", "2000", "--select", "400", "--template", "{sentence} [P] [P] [MASK] .", "--init",
                "It was", "--label", "0=terrible", "--label", "1=great", "--learned-verbalizer", "--eval", "dev.tsv");
        assertTrue(c.learnedVerbalizer);
        assertEquals(List.of("It", "was"), c.init);
        assertEquals(2, c.template.softCount());
        assertEquals(400, c.splitOptions.select);
        assertEquals(2000, c.splitOptions.limit.orElseThrow());
        assertEquals(Path.of("dev.tsv"), c.splitOptions.eval.orElseThrow());
    }

    @Test
    void thePrefixCommandTakesACheckpointFileAndALoss() {
        PrefixCommand c = (PrefixCommand) parse("prefix", "--model", "bert-base-cased", "--train", "train.tsv",
                "--template", "{sentence} this movie was [MASK] .", "--label", "0=terrible", "--label", "1=fantastic",
                "--checkpoint", dir.resolve("state.json").toString(), "--loss", "class-cross-entropy");
        assertEquals(dir.resolve("state.json"), c.checkpoint.orElseThrow());
        assertEquals(io.github.prompt4j.search.trigger.SearchLoss.CLASS_CROSS_ENTROPY, c.loss);
    }
}
