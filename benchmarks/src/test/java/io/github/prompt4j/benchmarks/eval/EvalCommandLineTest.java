package io.github.prompt4j.benchmarks.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.classify.MultiMaskDecoding;
import io.github.prompt4j.core.verbalizer.MultiTokenPolicy;
import io.github.prompt4j.onnx.runtime.PretrainedModels;
import io.github.prompt4j.onnx.runtime.Device;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class EvalCommandLineTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private static final String[] VALID = {"zero-shot", "--model", "bert-base-cased", "--eval", "dev.tsv",
        "--template", "{sentence} It was [MASK].", "--label", "0=terrible,bad", "--label", "1= great , good"};

    private static String[] with(String[] base, String... more) {
        List<String> all = new ArrayList<>(Arrays.asList(base));
        all.addAll(Arrays.asList(more));
        return all.toArray(new String[0]);
    }

    private ZeroShotCommand parseZeroShot(String... args) {
        CommandLine cmd = EvalCommandLine.create(new PrintWriter(out), new PrintWriter(err));
        CommandLine.ParseResult parsed = cmd.parseArgs(args);
        return (ZeroShotCommand) parsed.subcommand().commandSpec().userObject();
    }

    /** Runs the command line and returns the exit code; messages land in {@link #err}. */
    private int run(String... args) {
        return EvalCommandLine.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void labelsAreClassesWithCommaSeparatedWordsInOptionOrder() {
        ZeroShotCommand c = parseZeroShot(VALID);
        assertEquals(List.of(new LabelOption("0", List.of("terrible", "bad")),
                new LabelOption("1", List.of("great", "good"))), c.labels);
        assertEquals(List.of("terrible", "bad"), c.verbalizer().words().get("0"));
        assertEquals(List.of("0", "1"), c.verbalizer().labels());
    }

    @Test
    void defaultsAreMeanMapperRejectPolicyAutoDeviceBatch32Seed42AndNoLimit() {
        ZeroShotCommand c = parseZeroShot(VALID);
        ZeroShotSettings s = c.settings();
        assertEquals(MapperChoice.MEAN, s.mapper());
        assertEquals(MultiTokenPolicy.REJECT, s.policy());
        assertEquals(Device.AUTO, s.device());
        assertEquals(32, s.batchSize());
        assertEquals(42, s.seed());
        assertEquals(OptionalInt.empty(), s.limit());
        assertEquals(Optional.empty(), s.calibration());
        assertEquals(Optional.of(PretrainedModels.BERT_BASE_CASED), c.modelOptions.model.pretrained());
        assertEquals(Optional.empty(), c.json);
    }

    @Test
    void enumsAreCaseInsensitiveAndEveryOptionIsRead() {
        ZeroShotCommand c = parseZeroShot(with(VALID, "--mapper", "SUM", "--policy", "mean", "--device", "Cpu",
                "--batch-size", "8", "--limit", "20", "--seed", "7", "--json", "r.json", "--markdown", "r.md",
                "--no-progress", "--calibrate", "N/A"));
        ZeroShotSettings s = c.settings();
        assertEquals(MapperChoice.SUM, s.mapper());
        assertEquals(MultiTokenPolicy.MEAN, s.policy());
        assertEquals(Device.CPU, s.device());
        assertEquals(8, s.batchSize());
        assertEquals(OptionalInt.of(20), s.limit());
        assertEquals(7, s.seed());
        assertEquals(Optional.of(Path.of("r.json")), c.json);
        assertEquals(Optional.of(Path.of("r.md")), c.markdown);
        assertEquals(false, c.progress);
        assertEquals(Optional.of("N/A"), s.calibration());
        assertEquals("{sentence} It was [MASK].", s.template());
    }

    @Test
    void multiMaskPicksTheDecodingAndImpliesTheMultiMaskPolicy() {
        ZeroShotSettings s = parseZeroShot(with(VALID, "--multi-mask", "left-to-right")).settings();
        assertEquals(Optional.of(MultiMaskDecoding.LEFT_TO_RIGHT), s.multiMask());
        assertEquals(MultiTokenPolicy.MULTI_MASK, s.policy());
        ZeroShotCommand normalised = parseZeroShot(with(VALID, "--multi-mask", "PARALLEL", "--policy",
                "multi_mask_mean"));
        assertEquals(Optional.of(MultiMaskDecoding.PARALLEL), normalised.settings().multiMask());
        assertEquals(MultiTokenPolicy.MULTI_MASK_MEAN, normalised.settings().policy());
        assertEquals(MultiTokenPolicy.MULTI_MASK_MEAN, normalised.verbalizer().policy());
        assertEquals(Optional.empty(), parseZeroShot(VALID).settings().multiMask());
    }

    @Test
    void multiMaskWithAOneMaskPolicyOrAnUnknownDecodingIsRefused() {
        ZeroShotCommand c = parseZeroShot(with(VALID, "--multi-mask", "parallel", "--policy", "mean"));
        String msg = org.junit.jupiter.api.Assertions.assertThrows(CommandLine.ParameterException.class,
                c::settings).getMessage();
        assertTrue(msg.contains("--policy mean") && msg.contains("multi_mask_mean"), msg);
        assertEquals(2, run(with(VALID, "--multi-mask", "sideways")));
        assertTrue(err.toString().contains("'sideways' is not a decoding; use parallel or left-to-right"),
                err.toString());
    }

    @Test
    void anExistingDirectoryIsAnExportedModel() {
        ZeroShotCommand c = parseZeroShot("zero-shot", "--model", dir.toString(), "--eval", "d.tsv", "--template",
                "{text} [MASK]", "--label", "a=x", "--label", "b=y");
        assertEquals(Optional.of(dir), c.modelOptions.model.directory());
    }

    @Test
    void aLabelWithoutEqualsSignSaysHowToWriteIt() {
        assertEquals(2, run(with(VALID, "--label", "2terrible")));
        assertTrue(err.toString().contains("Invalid value for option '--label'"), err.toString());
        assertTrue(err.toString().contains("'2terrible' has no '='; write CLASS=word1,word2 such as 0=terrible,bad"),
                err.toString());
        assertTrue(err.toString().contains("Try 'eval zero-shot --help' for the options."), err.toString());
    }

    @Test
    void anEmptyLabelWordIsRefused() {
        assertEquals(2, run(with(VALID, "--label", "2=awful,,dire")));
        assertTrue(err.toString().contains("'2=awful,,dire' has an empty label word"), err.toString());
    }

    @Test
    void anUnknownMapperListsTheChoices() {
        assertEquals(2, run(with(VALID, "--mapper", "median")));
        assertTrue(err.toString().contains("Invalid value for option '--mapper'"), err.toString());
        assertTrue(err.toString().contains("MEAN, SUM, MAX"), err.toString());
    }

    @Test
    void anUnknownModelNamesTheKnownOnes() {
        assertEquals(2, run("zero-shot", "--model", "roberta-large", "--eval", "d.tsv", "--template",
                "{text} [MASK]", "--label", "0=bad", "--label", "1=good"));
        assertTrue(err.toString().contains("'roberta-large' is neither a known model (bert-base-uncased, "
                + "bert-base-cased, bert-base-multilingual-cased"), err.toString());
    }

    @Test
    void aTemplateWithoutMaskIsRefusedAtParseTime() {
        assertEquals(2, run("zero-shot", "--model", "bert-base-cased", "--eval", "d.tsv", "--template",
                "{sentence} It was great.", "--label", "0=bad", "--label", "1=good"));
        assertTrue(err.toString().contains("Invalid value for option '--template'"), err.toString());
        assertTrue(err.toString().contains("[MASK]"), err.toString());
    }

    @Test
    void aMissingTemplateIsNamedWithTheSavedPromptAlternative() {
        assertEquals(2, run("zero-shot", "--model", "bert-base-cased", "--eval", "d.tsv", "--label", "0=bad"));
        assertTrue(err.toString().contains("give --template and --label"), err.toString());
        assertTrue(err.toString().contains("--prompt FILE"), err.toString());
    }

    @Test
    void nonPositiveLimitAndBatchSizeAreRefused() {
        assertEquals(2, run(with(VALID, "--limit", "0")));
        assertTrue(err.toString().contains("Invalid value for option '--limit': must be at least 1, got 0"),
                err.toString());
        assertEquals(2, run(with(VALID, "--batch-size", "many")));
        assertTrue(err.toString().contains("'many' is not a whole number"), err.toString());
    }

    @Test
    void oneClassIsNotEnough() {
        assertEquals(2, run("zero-shot", "--model", "bert-base-cased", "--eval", "d.tsv", "--template",
                "{text} [MASK]", "--label", "0=bad"));
        assertTrue(err.toString().contains("give at least two classes"), err.toString());
    }

    @Test
    void aWordGivenToTwoClassesIsRefusedBeforeAnyModelIsOpened() {
        assertEquals(2, run(with(VALID, "--label", "2=bad")), err::toString);
        assertTrue(err.toString().contains("label word 'bad' is given to both class '0' and class '2'"),
                err.toString());
    }

    @Test
    void dataLabelsWithoutAClassAreReportedBeforeAnyModelIsOpened() throws IOException {
        Path data = dir.resolve("three.tsv");
        Files.writeString(data, "sentence\tlabel\nfine\t1\nmeh\t2\nbad\t0\n");
        String[] args = VALID.clone();
        args[4] = data.toString();
        assertEquals(2, run(args));
        assertTrue(err.toString().contains("has labels [2] that no --label names; the classes are [0, 1]"),
                err.toString());
    }

    @Test
    void templateFieldsThatMatchNoColumnAreReported() throws IOException {
        Path data = dir.resolve("pairs.norm.tsv");
        Files.writeString(data, "a\tb\t1\n");
        assertEquals(2, run("zero-shot", "--model", "bert-base-cased", "--eval", data.toString(), "--template",
                "{premise} [MASK] {hypothesis}", "--label", "0=no", "--label", "1=yes"));
        assertTrue(err.toString().contains("--template: template '{premise} [MASK] {hypothesis}' has fields "
                + "[premise, hypothesis] but the data has text columns [text_a, text_b]"), err.toString());
    }

    @Test
    void aMissingDataFileIsAFailureNamingThePath() {
        String[] args = VALID.clone();
        args[4] = dir.resolve("nowhere.tsv").toString();
        assertEquals(1, run(args));
        assertTrue(err.toString().contains("error: data file") && err.toString().contains("nowhere.tsv does not "
                + "exist"), err.toString());
    }

    @Test
    void fillMaskNeedsAMaskInEveryText() {
        assertEquals(2, run("fill-mask", "--model", "bert-base-cased", "--text", "Paris is nice."));
        assertTrue(err.toString().contains("--text 'Paris is nice.' has no [MASK]"), err.toString());
        assertEquals(2, run("fill-mask", "--model", "bert-base-cased", "--text", "[MASK] is nice.", "--top", "0"));
        assertTrue(err.toString().contains("Invalid value for option '--top': must be at least 1"), err.toString());
    }

    @Test
    void noSubcommandListsTheEvaluations() {
        assertEquals(2, run());
        assertTrue(err.toString().contains("say which evaluation to run: zero-shot, fill-mask, label-search, autoprompt, lama, few-shot, verbalizer, generate, calibrate, prefix, soft, ensemble, help"),
                err.toString());
    }
}
