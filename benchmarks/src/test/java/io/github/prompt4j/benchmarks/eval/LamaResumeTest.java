package io.github.prompt4j.benchmarks.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.testing.FakeMaskedLanguageModel;
import io.github.prompt4j.search.fact.FactPrompt;
import io.github.prompt4j.search.fact.FactPrompts;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code lama --out}: a run done in parts gives the same results and summary as one uninterrupted run. */
class LamaResumeTest {

    private static final List<String> POSITIVE = List.of("good", "fun", "happy");
    private static final List<String> NEGATIVE = List.of("bad", "sad", "awful");

    @TempDir
    Path dir;

    /** Relations P1 and P2 over the fake model: a subject with positive words has object "great", else "terrible". */
    private Path plantedLama() throws IOException {
        Path lama = dir.resolve("lama");
        Files.createDirectories(lama.resolve("relations"));
        Files.createDirectories(lama.resolve("vocab"));
        Files.writeString(lama.resolve("vocab/common_vocab_cased.txt"), "great\nterrible\nplot\nstory\n");
        Files.writeString(lama.resolve("relations/LAMA_relations.jsonl"),
                "{\"relation\": \"P1\", \"template\": \"[X] is very [Y] .\", \"label\": \"one\"}\n"
                + "{\"relation\": \"P2\", \"template\": \"the [X] was [Y] .\", \"label\": \"two\"}\n");
        for (String p : List.of("P1", "P2")) {
            Files.createDirectories(lama.resolve("trex").resolve(p));
            StringBuilder train = new StringBuilder();
            StringBuilder dev = new StringBuilder();
            int n = 0;
            for (String a : POSITIVE) {
                for (String b : List.of("movie", "film", "plot", "story")) {
                    for (boolean positive : List.of(true, false)) {
                        String word = positive ? a : NEGATIVE.get(POSITIVE.indexOf(a));
                        String line = "{\"sub_label\": \"" + word + " " + b + "\", \"obj_label\": \""
                                + (positive ? "great" : "terrible") + "\"}\n";
                        (n++ % 4 == 0 ? dev : train).append(line);
                    }
                }
            }
            train.append("{\"sub_label\": \"odd one\", \"obj_label\": \"Nowhere\"}\n");
            Files.writeString(lama.resolve("trex").resolve(p).resolve("train.jsonl"), train);
            Files.writeString(lama.resolve("trex").resolve(p).resolve("dev.jsonl"), dev);
        }
        return lama;
    }

    private static LamaCommand command(Path lama, Path out, String relations) {
        StringWriter sink = new StringWriter();
        CommandLine cmd = EvalCommandLine.create(new PrintWriter(sink), new PrintWriter(sink));
        LamaCommand c = (LamaCommand) cmd.parseArgs("lama", "--model", "bert-base-cased", "--data", lama.toString(),
                "--relations", relations, "--autoprompt", "--iterations", "3", "--candidates", "3",
                "--selection-fraction", "0.25", "--anchors", lama.resolve("none.tsv").toString(), "--out",
                out.toString(), "--no-progress").subcommand().commandSpec().userObject();
        AtomicLong now = new AtomicLong();
        c.clock = () -> now.addAndGet(1_000_000_000L);
        return c;
    }

    private static int run(Path lama, Path out, String relations) {
        FakeMaskedLanguageModel model = new FakeMaskedLanguageModel();
        LamaCommand c = command(lama, out, relations);
        c.run(model, c.selected(), Map.of(), n -> { });
        return model.maskLogitCalls();
    }

    @Test
    void aRunInPartsSkipsFinishedRelationsAndEndsWithTheSameSummary() throws IOException {
        Path lama = plantedLama();
        Path whole = dir.resolve("whole");
        Path parts = dir.resolve("parts");
        run(lama, whole, "P1,P2");

        run(lama, parts, "P1");
        String firstResult = Files.readString(parts.resolve("P1.json"));
        assertTrue(Files.exists(parts.resolve("summary.md")));
        int resumedCalls = run(lama, parts, "P1,P2");
        int p2Alone = run(lama, dir.resolve("p2-alone"), "P2");

        assertEquals(p2Alone, resumedCalls, "the resumed run must only evaluate P2");
        assertEquals(firstResult, Files.readString(parts.resolve("P1.json")));
        for (String f : List.of("P1.json", "P2.json", "summary.md", "summary.json", "autoprompt.jsonl")) {
            assertEquals(Files.readString(whole.resolve(f)), Files.readString(parts.resolve(f)), f);
        }
        Map<String, FactPrompt> found = FactPrompts.read(parts.resolve("autoprompt.jsonl"));
        assertEquals(List.of("P1", "P2"), new ArrayList<>(found.keySet()));
        assertTrue(Files.readString(parts.resolve("summary.md")).contains("| mean (2 rel.) |"));
    }

    @Test
    void aRerunWithOtherSettingsIsRefused() throws IOException {
        Path lama = plantedLama();
        Path out = dir.resolve("out");
        run(lama, out, "P1");
        StringWriter sink = new StringWriter();
        CommandLine cmd = EvalCommandLine.create(new PrintWriter(sink), new PrintWriter(sink));
        LamaCommand c = (LamaCommand) cmd.parseArgs("lama", "--model", "bert-base-cased", "--data", lama.toString(),
                "--relations", "P1", "--autoprompt", "--iterations", "4", "--out", out.toString())
                .subcommand().commandSpec().userObject();
        CommandLine.ParameterException e = org.junit.jupiter.api.Assertions.assertThrows(
                CommandLine.ParameterException.class,
                () -> c.run(new FakeMaskedLanguageModel(), c.selected(), Map.of(), n -> { }));
        assertTrue(e.getMessage().contains("choose another --out"), e.getMessage());
    }
}
