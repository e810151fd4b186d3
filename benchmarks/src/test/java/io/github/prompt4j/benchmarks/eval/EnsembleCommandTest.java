package io.github.prompt4j.benchmarks.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.onnx.export.checkpoint.HuggingFaceBertCheckpoint;
import io.github.prompt4j.onnx.export.model.ModelDirectory;
import io.github.prompt4j.onnx.export.model.ModelExporter;
import io.github.prompt4j.onnx.export.testing.TinyBert;
import io.github.prompt4j.onnx.runtime.Device;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.soft.PrefixTuner;
import io.github.prompt4j.search.soft.PrefixTuningResult;
import io.github.prompt4j.search.soft.SoftPromptListener;
import io.github.prompt4j.search.soft.SoftPromptResult;
import io.github.prompt4j.search.soft.SoftPromptTrainer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eval ensemble} on a real exported model (a random tiny BERT): a prefix-tuning prompt and a soft prompt saved
 * to files, combined by the command, give per file the accuracy of that prompt's own classifier and for the ensemble
 * the accuracy of the argmax of the two classifiers' mean class probabilities, computed here independently.
 */
class EnsembleCommandTest {

    @TempDir
    static Path dir;
    static ModelDirectory exported;
    static Path prefixFile;
    static Path softFile;
    static Path evalFile;
    static List<Example> evalData;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void exportAndTrain() throws Exception {
        Path hf = TinyBert.random(TinyBert.DEFAULT_CONFIG, 37).writeHuggingFace(dir.resolve("hf"));
        try (HuggingFaceBertCheckpoint c = HuggingFaceBertCheckpoint.fromDirectory(hf)) {
            exported = ModelExporter.export(c, "tiny", dir.resolve("export"));
        }
        try (OnnxMaskedLanguageModel model = open()) {
            PrefixTuningResult prefix = PrefixTuner.builder(model).template(Template.parse("{text} it was [MASK] ."))
                    .verbalizer(JointHeadTrainingTest.WORDS).train(JointHeadTrainingTest.data(16, 0))
                    .selection(JointHeadTrainingTest.data(8, 100)).prefixLength(2).learningRate(1e-2).epochs(2)
                    .batchSize(4).build().run();
            SoftPromptResult soft = SoftPromptTrainer.builder(model).template(Template.parse("{text} [P] [P] [MASK] ."))
                    .verbalizer(JointHeadTrainingTest.WORDS).train(JointHeadTrainingTest.data(16, 0))
                    .selection(JointHeadTrainingTest.data(8, 100)).initWords(List.of("it", "was")).learningRate(1e-2)
                    .epochs(2).batchSize(4).patience(0).listener(SoftPromptListener.none()).build().run();
            prefixFile = Files.writeString(dir.resolve("prefix.json"), prefix.toJson());
            softFile = Files.writeString(dir.resolve("soft.json"), soft.toJson());
        }
        evalData = JointHeadTrainingTest.data(14, 300);
        StringBuilder tsv = new StringBuilder("text\tlabel\n");
        evalData.forEach(e -> tsv.append(e.fields().get("text")).append('\t').append(e.label()).append('\n'));
        evalFile = Files.writeString(dir.resolve("eval.tsv"), tsv.toString());
    }

    private static OnnxMaskedLanguageModel open() {
        return OnnxMaskedLanguageModel.builder().directory(exported.path()).device(Device.CPU).maxBatchSize(4).build();
    }

    private int run(String... args) {
        return EvalCommandLine.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    private static List<Classification> classify(PromptClassifier c) {
        return c.classifyAllFields(evalData.stream().map(e -> e.valuesFor(c.encoder().template())).toList());
    }

    private static double accuracy(List<String> predicted) {
        int correct = 0;
        for (int i = 0; i < predicted.size(); i++) {
            correct += predicted.get(i).equals(evalData.get(i).label()) ? 1 : 0;
        }
        return (double) correct / predicted.size();
    }

    @Test
    void theEnsembleIsTheArgmaxOfTheMembersMeanProbabilities() throws Exception {
        List<Classification> a;
        List<Classification> b;
        try (OnnxMaskedLanguageModel model = open()) {
            a = classify(PromptFile.readAny(prefixFile, null).classifiers().apply(model).get(0));
            b = classify(PromptFile.readAny(softFile, null).classifiers().apply(model).get(0));
        }
        List<String> mean = new java.util.ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            double negative = (a.get(i).probability("negative") + b.get(i).probability("negative")) / 2;
            double positive = (a.get(i).probability("positive") + b.get(i).probability("positive")) / 2;
            // an exact tie goes to the first class, as PromptEnsemble documents
            mean.add(positive > negative ? "positive" : "negative");
        }
        Path report = dir.resolve("report.json");
        assertEquals(0, run("ensemble", "--model", exported.path().toString(), "--prompt", prefixFile.toString(),
                "--prompt", softFile.toString(), "--eval", evalFile.toString(), "--json", report.toString(),
                "--no-progress"), err.toString());
        JsonNode json = new ObjectMapper().readTree(report.toFile());
        assertEquals(accuracy(a.stream().map(Classification::label).toList()),
                json.at("/members/0/metrics/accuracy").asDouble(), 1e-12);
        assertEquals(accuracy(b.stream().map(Classification::label).toList()),
                json.at("/members/1/metrics/accuracy").asDouble(), 1e-12);
        assertEquals(accuracy(mean), json.at("/eval/metrics/accuracy").asDouble(), 1e-12);
        assertEquals(evalData.size(), json.at("/eval/examples").asInt());
        assertTrue(out.toString().contains("| ensemble of the 2 files | 2 |"), out.toString());
    }

    @Test
    void oneFileOrMembersOfDifferentModelsAreUsageErrorsNamingTheFiles() throws Exception {
        assertEquals(2, run("ensemble", "--prompt", prefixFile.toString(), "--eval", evalFile.toString()));
        assertTrue(err.toString().contains("an ensemble needs at least two --prompt files, got 1"), err.toString());
        err.getBuffer().setLength(0);
        Path other = Files.writeString(dir.resolve("other.json"), Files.readString(softFile)
                .replace("\"tiny\"", "\"bert-base-cased\""));
        assertEquals(2, run("ensemble", "--prompt", prefixFile.toString(), "--prompt", other.toString(), "--eval",
                evalFile.toString()));
        assertTrue(err.toString().contains("--prompt " + other + " was made with model 'bert-base-cased' but --prompt "
                + prefixFile + " with 'tiny'"), err.toString());
    }

    @Test
    void theParsedOptionsKeepEveryPromptInOrder() {
        EnsembleCommand c = (EnsembleCommand) EvalCommandLine.create(new PrintWriter(out), new PrintWriter(err))
                .parseArgs("ensemble", "--prompt", "a.json", "--prompt", "b.json", "--eval", "dev.tsv", "--limit", "5")
                .subcommand().commandSpec().userObject();
        assertEquals(List.of(Path.of("a.json"), Path.of("b.json")), c.prompts);
        assertEquals(java.util.Optional.of(5), c.limit);
    }
}
