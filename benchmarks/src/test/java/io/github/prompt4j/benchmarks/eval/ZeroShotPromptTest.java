package io.github.prompt4j.benchmarks.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ZeroShotPromptTest {

    @TempDir
    Path dir;

    private Path promptFile;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void copyPrompt() throws IOException {
        promptFile = dir.resolve("prompt.json");
        try (InputStream in = getClass().getResourceAsStream("/prompts/tiny-sst2-prompt.json")) {
            Files.copy(in, promptFile);
        }
    }

    private ZeroShotCommand parse(String... args) {
        CommandLine cmd = EvalCommandLine.create(new PrintWriter(out), new PrintWriter(err));
        return (ZeroShotCommand) cmd.parseArgs(args).subcommand().commandSpec().userObject();
    }

    private int run(String... args) {
        return EvalCommandLine.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void aSavedPromptBringsItsFilledTemplateLabelWordsAndTheSumMapper() {
        ZeroShotCommand c = parse("zero-shot", "--model", "bert-base-cased", "--eval", "dev.tsv", "--prompt",
                promptFile.toString());
        ZeroShotSettings s = c.settings();
        assertEquals("{sentence} truly movie [MASK] .", s.template());
        assertEquals(List.of(new LabelOption("0", List.of("terrible", "bad")),
                new LabelOption("1", List.of("fantastic"))), s.labels());
        assertEquals(MapperChoice.SUM, s.mapper());
        assertEquals(List.of("sentence"), c.template().fields());
        assertEquals(List.of("0", "1"), c.verbalizer().labels());
    }

    @Test
    void aSavedPromptWithTemplateOrLabelIsAUsageError() {
        assertEquals(2, run("zero-shot", "--model", "bert-base-cased", "--eval", "dev.tsv", "--prompt",
                promptFile.toString(), "--template", "{sentence} [MASK] ."));
        assertTrue(err.toString().contains("brings its own template and label words; drop --template and --label"),
                err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, run("zero-shot", "--model", "bert-base-cased", "--eval", "dev.tsv", "--prompt",
                promptFile.toString(), "--label", "0=bad"));
        assertTrue(err.toString().contains("drop --template and --label"), err.toString());
    }

    @Test
    void aFileThatIsNotASavedPromptIsAUsageErrorNamingIt() throws IOException {
        Path bogus = dir.resolve("bogus.json");
        Files.writeString(bogus, "{\"triggers\": []}");
        assertEquals(2, run("zero-shot", "--model", "bert-base-cased", "--eval", "dev.tsv", "--prompt",
                bogus.toString()));
        assertTrue(err.toString().contains("--prompt " + bogus + " is not a saved prompt"), err.toString());
    }
}
