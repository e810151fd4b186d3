package io.github.prompt4j.benchmarks.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.prompt4j.core.verbalizer.LinearVerbalizer;
import io.github.prompt4j.onnx.runtime.Device;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
import io.github.prompt4j.search.trigger.TriggerSearchResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code eval autoprompt} end to end with the real BERT-base uncased on a dozen hand-written reviews, then
 * evaluates the saved prompt with {@code zero-shot --prompt}. Four of the twelve reviews form the selection split, the
 * search runs on the other eight, and the reported files (here the same twelve) are scored once at the end. Then the
 * learned-head path on the real engine: a head made of the label words' own output embeddings and biases must classify
 * as the label words do, and a rerun with {@code --learned-head} resumes the search and adds the head stage.
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
                out.toString(), "--init", "the movie", "--rescore-top", "2", "--no-progress");
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

        // one label word per class: the head w_c = e(word_c), b_c = bias(word_c) has the words' logits, so the same
        // argmax, read from the mask state through the head instead of the vocabulary logits
        TriggerSearchResult headed;
        try (OnnxMaskedLanguageModel model = OnnxMaskedLanguageModel.builder()
                .directory(testCache().resolve("bert-base-uncased")).device(Device.CPU).build()) {
            headed = prompt.withHead(LinearVerbalizer.fromLabelWords(prompt.verbalizer(), model));
        }
        Path headedFile = dir.resolve("headed.json");
        Files.writeString(headedFile, headed.toJson());
        assertEquals(accuracy, zeroShot(data, headedFile, err), 1e-12, "the words' head classifies as the words");

        // a rerun with --learned-head resumes after the search's one step and ends with the head stage at float32
        code = EvalCommandLine.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                "autoprompt", "--model", "bert-base-uncased", "--cache", testCache().toString(), "--device", "cpu",
                "--train", data.toString(), "--dev", data.toString(),
                "--template", "{sentence} [T] [T] [MASK] .", "--label", "0=bad", "--label", "1=good",
                "--select", "4", "--iterations", "1", "--candidates", "2", "--batch-size", "4", "--seed", "5", "--out",
                out.toString(), "--init", "the movie", "--rescore-top", "2", "--no-progress", "--learned-head",
                "--head-limit", "6", "--head-states", "shortlist");
        assertEquals(0, code, err.toString());
        JsonNode second = new ObjectMapper().readTree(Files.readString(out.resolve(AutoPromptCommand.REPORT)));
        TriggerSearchResult withStage = TriggerSearchResult.fromJson(Files.readString(out.resolve(
                AutoPromptCommand.PROMPT)));
        JsonNode stage = second.get("learnedHead");
        assertEquals(6, stage.get("fitted").asInt(), "the first --head-limit search examples");
        assertEquals("FP32", stage.get("precision").asText());
        assertEquals("shortlist", stage.get("states").asText());
        // the head states: the search's best, its re-scored shortlist and the warm start "the movie", each once
        JsonNode tried = stage.get("statesTried");
        List<String> triggers = new ArrayList<>();
        for (JsonNode t : tried) {
            triggers.add(t.get("triggers").toString());
        }
        assertEquals(Arrays.toString(prompt.triggerIds()).replace(" ", ""), triggers.get(0), "the best state first");
        assertEquals(triggers.size(), new HashSet<>(triggers).size(), "each state once: " + triggers);
        try (OnnxMaskedLanguageModel model = OnnxMaskedLanguageModel.builder()
                .directory(testCache().resolve("bert-base-uncased")).device(Device.CPU).build()) {
            int[] warm = {model.tokenizer().tokenToId("the").getAsInt(), model.tokenizer().tokenToId("movie")
                    .getAsInt()};
            assertTrue(triggers.contains(Arrays.toString(warm).replace(" ", "")), "the warm start is tried: "
                    + triggers);
        }
        assertTrue(tried.size() <= 1 + 2 + 1, "at most the best, the two re-scored and the warm start");
        assertEquals(tried.size() * (6 + 4) + 4, stage.get("forwardPasses").asInt(), "training and selection states "
                + "per state, and the words' scores on the selection split");
        assertEquals(stage.get("chosen").asBoolean(), withStage.head().isPresent());
        if (withStage.head().isPresent()) {
            assertEquals(stage.get("stateTriggers").toString(), Arrays.toString(withStage.triggerIds())
                    .replace(" ", ""), "the saved prompt reads the head's state");
        } else {
            assertEquals(prompt.filledTemplate(), withStage.filledTemplate(), "resumed, not searched again");
        }
        assertEquals(prompt.passes(), withStage.passes(), "resumed, not searched again");
        assertEquals(second.get("dev").get("accuracy").asDouble(), zeroShot(data, out.resolve(
                AutoPromptCommand.PROMPT), err), 1e-12, "zero-shot --prompt reproduces the reported accuracy");
    }

    /** The accuracy of {@code zero-shot --prompt FILE} on {@code data}. */
    private double zeroShot(Path data, Path prompt, StringWriter err) throws IOException {
        Path json = dir.resolve("zero-shot-" + prompt.getFileName());
        int code = EvalCommandLine.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                "zero-shot", "--cache", testCache().toString(), "--device", "cpu", "--eval", data.toString(),
                "--prompt", prompt.toString(), "--batch-size", "4", "--json", json.toString(), "--no-progress");
        assertEquals(0, code, err.toString());
        return new ObjectMapper().readTree(Files.readString(json)).get("metrics").get("accuracy").asDouble();
    }

    private static Path testCache() {
        String dir = System.getProperty("prompt4j.test.cache");
        return dir != null ? Paths.get(dir) : Path.of("target", "prompt4j-cache");
    }
}
