package io.github.prompt4j.benchmarks.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.prompt4j.search.trigger.TriggerSearchResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code eval autoprompt} end to end with the real BERT-base uncased on a dozen hand-written reviews, then
 * evaluates the saved prompt with {@code zero-shot --prompt}. Four of the twelve reviews form the selection split, the
 * search runs on the other eight, and the reported files (here the same twelve) are scored once at the end.
 */
class EvalAutoPromptIT {

    /** The first twelve reviews of {@link EvalZeroShotIT#ROWS}, six of each class. */
    private static final List<String> ROWS = EvalZeroShotIT.ROWS.subList(0, 12);

    @TempDir
    Path dir;

    @Test
    void aSavedAutoPromptScoresTheSameWithZeroShotPrompt() throws IOException {
        Path data = dir.resolve("tiny.tsv");
        Files.writeString(data, "sentence\tlabel\n" + String.join("\n", ROWS) + "\n", StandardCharsets.UTF_8);
        Path out = dir.resolve("run");
        StringWriter err = new StringWriter();
        int code = EvalCommandLine.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                "autoprompt", "--model", "bert-base-uncased", "--cache", testCache().toString(), "--device", "cpu",
                "--train", data.toString(), "--dev", data.toString(), "--eval", data.toString(),
                "--template", "{sentence} [T] [T] [MASK] .", "--label", "0=bad", "--label", "1=good",
                "--select", "4", "--iterations", "1", "--candidates", "2", "--batch-size", "4", "--seed", "5", "--out",
                out.toString(), "--no-progress");
        assertEquals(0, code, err.toString());
        for (String f : List.of(AutoPromptCommand.PROMPT, AutoPromptCommand.CHECKPOINT, AutoPromptCommand.REPORT,
                AutoPromptCommand.PLOT)) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f + " missing");
        }
        JsonNode report = new ObjectMapper().readTree(Files.readString(out.resolve(AutoPromptCommand.REPORT)));
        TriggerSearchResult prompt = TriggerSearchResult.fromJson(Files.readString(out.resolve(
                AutoPromptCommand.PROMPT)));
        assertEquals(prompt.filledTemplate(), report.get("filledTemplate").asText());
        assertEquals(1, report.get("steps").size());
        assertEquals(12, report.get("dev").get("examples").asInt());
        // dev and eval are the same file here, so their accuracies must agree
        double accuracy = report.get("eval").get("accuracy").asDouble();
        assertEquals(report.get("dev").get("accuracy").asDouble(), accuracy, 0.0);

        Path json = dir.resolve("zero-shot.json");
        code = EvalCommandLine.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                "zero-shot", "--model", "bert-base-uncased", "--cache", testCache().toString(), "--device", "cpu",
                "--eval", data.toString(), "--prompt", out.resolve(AutoPromptCommand.PROMPT).toString(),
                "--batch-size", "4", "--json", json.toString(), "--no-progress");
        assertEquals(0, code, err.toString());
        JsonNode zs = new ObjectMapper().readTree(Files.readString(json));
        assertEquals(prompt.filledTemplate(), zs.get("settings").get("template").asText());
        assertEquals(accuracy, zs.get("metrics").get("accuracy").asDouble(), 1e-12);
    }

    private static Path testCache() {
        String dir = System.getProperty("prompt4j.test.cache");
        return dir != null ? Paths.get(dir) : Path.of("target", "prompt4j-cache");
    }
}
