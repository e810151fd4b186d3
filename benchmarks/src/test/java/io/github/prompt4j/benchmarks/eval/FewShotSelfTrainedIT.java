package io.github.prompt4j.benchmarks.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code eval few-shot --methods pooled,self_trained} end to end with the real BERT-base uncased on a 2-shot split
 * of hand-written reviews ({@link EvalZeroShotIT#ROWS}) and a small unlabelled file.
 */
class FewShotSelfTrainedIT {

    /** Plain reviews outside ROWS; with a train and a test sentence of ROWS added, they form the unlabelled file. */
    private static final List<String> UNLABELLED = List.of(
            "a dreary , joyless film .\t0",
            "a lovely film that made me smile .\t1",
            "clumsy , slow and utterly boring .\t0",
            "a superb cast and a wonderful script .\t1",
            "the jokes fall flat and the story drags .\t0",
            "warm , funny and beautifully made .\t1",
            "a lazy and irritating film .\t0",
            "a brilliant and moving drama .\t1");

    @TempDir
    Path dir;

    @Test
    void selfTrainingDistilsThePooledTeacherWithoutReadingTheUnlabelledLabels() throws IOException {
        List<String> rows = EvalZeroShotIT.ROWS;
        Path split = dir.resolve("k-shot").resolve("2-1");
        Files.createDirectories(split);
        write(split.resolve("train.tsv"), rows.subList(0, 4));
        write(split.resolve("dev.tsv"), rows.subList(4, 8));
        write(split.resolve("test.tsv"), rows.subList(8, 20));
        List<String> unlabelled = new ArrayList<>(UNLABELLED);
        // a train sentence and a test sentence (with a trailing space, as GLUE writes some): both must be left out
        unlabelled.add(rows.get(0));
        unlabelled.add(rows.get(9).replace("\t", " \t"));
        Path pool = dir.resolve("unlabelled.tsv");
        write(pool, unlabelled);
        // the same sentences with every label flipped: the result must not change
        Path flipped = dir.resolve("flipped.tsv");
        write(flipped, unlabelled.stream().map(r -> r.endsWith("\t0") ? r.replaceAll("0$", "1")
                : r.replaceAll("1$", "0")).toList());

        JsonNode first = run(pool, dir.resolve("first.json"));
        JsonNode again = run(flipped, dir.resolve("flipped.json"));

        JsonNode methods = first.get("seeds").get(0).get("methods");
        JsonNode self = methods.get("self_trained");
        JsonNode teacher = self.get("teacher");
        assertEquals(methods.get("pooled").get("testAccuracy").asDouble(), teacher.get("testAccuracy").asDouble(),
                "the teacher is the pooled ensemble, chosen the same way");
        assertEquals(methods.get("pooled").get("members"), teacher.get("members"));
        JsonNode u = self.get("unlabelled");
        assertEquals(UNLABELLED.size(), u.get("drawn").asInt(), "the train and test sentences are left out");
        int negative = u.get("teacherPredicted").get("0").asInt();
        int positive = u.get("teacherPredicted").get("1").asInt();
        assertEquals(UNLABELLED.size(), negative + positive);
        assertEquals(2 * Math.min(negative, positive), u.get("kept").asInt(), "as many of each class as the rarer");
        JsonNode students = self.get("students");
        assertEquals(teacher.get("members").size(), students.size(), "one student per teacher member");
        for (int i = 0; i < students.size(); i++) {
            assertEquals(teacher.get("members").get(i).asText(), students.get(i).get("template").asText());
            // the teacher's passes over the unlabelled sentences and its members' fits on the few-shot examples
            // left every state the student reads in the seed's cache: the same encoding, no pass of its own
            assertEquals(0, students.get(i).get("forwardPasses").asInt(), students.get(i).toString());
        }
        assertEquals(UNLABELLED.size() * teacher.get("members").size(), u.get("teacherForwardPasses").asInt(),
                "one pass per unlabelled sentence and teacher member");
        double accuracy = self.get("testAccuracy").asDouble();
        assertEquals(Math.round(accuracy * 12), accuracy * 12, 1e-9, "a fraction of the 12 test reviews");

        JsonNode selfAgain = again.get("seeds").get(0).get("methods").get("self_trained");
        assertEquals(self.get("students"), selfAgain.get("students"), "the unlabelled file's labels were read");
        assertEquals(accuracy, selfAgain.get("testAccuracy").asDouble());
        assertEquals(u.get("teacherPredicted"), selfAgain.get("unlabelled").get("teacherPredicted"));
    }

    private JsonNode run(Path unlabelled, Path json) throws IOException {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = EvalCommandLine.run(new PrintWriter(out, true), new PrintWriter(err, true), "few-shot",
                "--model", "bert-base-uncased", "--cache", testCache().toString(), "--device", "cpu",
                "--data", dir.resolve("k-shot").toString(), "--shots", "2", "--seeds", "1",
                "--methods", "pooled,self_trained", "--generated-templates", "2", "--generation-beam", "2",
                "--pooled-size", "2", "--unlabelled", unlabelled.toString(), "--unlabelled-min-words", "1",
                "--batch-size", "8", "--json", json.toString(), "--no-progress");
        assertEquals(0, code, err.toString());
        assertTrue(out.toString().contains("| pooled, distilled into learned verbalizers"), out.toString());
        return new ObjectMapper().readTree(Files.readString(json));
    }

    private static void write(Path file, List<String> rows) throws IOException {
        Files.writeString(file, "sentence\tlabel\n" + String.join("\n", rows) + "\n", StandardCharsets.UTF_8);
    }

    private static Path testCache() {
        String dir = System.getProperty("prompt4j.test.cache");
        return dir != null ? Paths.get(dir) : Path.of("target", "prompt4j-cache");
    }
}
