package io.github.prompt4j.benchmarks.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.onnx.export.model.ModelCache;
import io.github.prompt4j.onnx.runtime.PretrainedModels;
import io.github.prompt4j.onnx.runtime.Device;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@code eval zero-shot} end to end with the real BERT-base uncased on a small hand-written dataset. */
class EvalZeroShotIT {

    /** Ten plainly negative and ten plainly positive reviews, interleaved. */
    static final List<String> ROWS = List.of(
            "the movie was a complete waste of time .\t0",
            "a wonderful , moving film with great performances .\t1",
            "boring , predictable and far too long .\t0",
            "one of the best films of the year .\t1",
            "the acting is awful and the plot makes no sense .\t0",
            "a delightful comedy that the whole family will love .\t1",
            "i hated every minute of it .\t0",
            "a beautiful and touching story .\t1",
            "the worst film i have seen in years .\t0",
            "funny , smart and full of heart .\t1",
            "dull , lifeless and badly written .\t0",
            "an excellent film , brilliantly directed .\t1",
            "a tedious mess with nothing to say .\t0",
            "i loved it from start to finish .\t1",
            "painfully bad dialogue and wooden acting .\t0",
            "a triumph : gripping , warm and wise .\t1",
            "an ugly , stupid and pointless movie .\t0",
            "the most enjoyable film of the summer .\t1",
            "a disappointing and forgettable sequel .\t0",
            "a charming , clever and moving film .\t1");

    @TempDir
    Path dir;

    @Test
    void zeroShotOnTwentyRowsWritesAConsistentJsonReport() throws IOException {
        Path data = dir.resolve("tiny.tsv");
        Files.writeString(data, "sentence\tlabel\n" + String.join("\n", ROWS) + "\n", StandardCharsets.UTF_8);
        Path json = dir.resolve("report.json");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();

        int code = EvalCommandLine.run(new PrintWriter(out, true), new PrintWriter(err, true), "zero-shot",
                "--model", "bert-base-uncased", "--cache", testCache().toString(), "--device", "cpu",
                "--eval", data.toString(), "--template", "{sentence} It was [MASK].",
                "--label", "0=terrible,bad", "--label", "1=great,good", "--batch-size", "8", "--seed", "3",
                "--json", json.toString(), "--no-progress");

        assertEquals(0, code, err.toString());
        JsonNode r = new ObjectMapper().readTree(Files.readString(json));
        assertEquals("bert-base-uncased", r.get("model").get("name").asText());
        assertEquals(PretrainedModels.BERT_BASE_UNCASED.jarSha1(), r.get("model").get("sourceChecksum").asText());
        assertEquals(sha256(Files.readAllBytes(data)), r.get("data").get("sha256").asText());
        assertEquals(20, r.get("data").get("rows").asInt());
        assertEquals(20, r.get("data").get("evaluated").asInt());
        assertEquals(8, r.get("settings").get("batchSize").asInt());

        JsonNode m = r.get("metrics");
        JsonNode counts = m.get("confusionMatrix").get("counts");
        int correct = counts.get(0).get(0).asInt() + counts.get(1).get(1).asInt();
        int total = correct + counts.get(0).get(1).asInt() + counts.get(1).get(0).asInt();
        assertEquals(20, total);
        assertEquals(10, m.get("goldCounts").get("0").asInt());
        assertEquals(10, m.get("goldCounts").get("1").asInt());
        assertEquals(20, m.get("predictedCounts").get("0").asInt() + m.get("predictedCounts").get("1").asInt());
        assertEquals(correct / 20.0, m.get("accuracy").asDouble(), 1e-12);
        // Always answering one class gets 10 of these 20 right; the prompt must do better.
        assertTrue(correct > 10, "only " + correct + " of 20 plain reviews right: " + out);
        assertEquals(expectedConfusion(), counts.toString(), "the report must count the library's own predictions");
        double lower = m.get("accuracyCi").get("lower").asDouble();
        double upper = m.get("accuracyCi").get("upper").asDouble();
        assertTrue(lower <= correct / 20.0 && correct / 20.0 <= upper && upper <= 1.0, lower + " " + upper);
        assertEquals(3, m.get("accuracyCi").get("seed").asInt());
        assertTrue(r.get("timing").get("sentencesPerSecond").asDouble() > 0);

        String md = out.toString();
        String percent = String.format(Locale.ROOT, "%.1f", 5.0 * correct);
        assertTrue(md.contains("| bert-base-uncased | tiny.tsv | 20 | `{sentence} It was [MASK].` | "
                + "0=terrible,bad; 1=great,good | mean | " + percent + " ["), md);
    }

    /** The confusion matrix from classifying the rows with the library directly, counted here. */
    private static String expectedConfusion() {
        int[][] counts = new int[2][2];
        try (OnnxMaskedLanguageModel model = OnnxMaskedLanguageModel.builder()
                .pretrained(PretrainedModels.BERT_BASE_UNCASED).cache(ModelCache.at(testCache())).device(Device.CPU)
                .build()) {
            PromptClassifier classifier = PromptClassifier.builder(model)
                    .template(Template.parse("{sentence} It was [MASK]."))
                    .verbalizer(Verbalizer.builder().add("0", "terrible", "bad").add("1", "great", "good").build())
                    .build();
            for (String row : ROWS) {
                String[] cells = row.split("\t");
                counts[Integer.parseInt(cells[1])][Integer.parseInt(classifier.classify(cells[0]).label())]++;
            }
        }
        return "[[" + counts[0][0] + "," + counts[0][1] + "],[" + counts[1][0] + "," + counts[1][1] + "]]";
    }

    private static Path testCache() {
        String dir = System.getProperty("prompt4j.test.cache");
        return dir != null ? Paths.get(dir) : Path.of("target", "prompt4j-cache");
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
