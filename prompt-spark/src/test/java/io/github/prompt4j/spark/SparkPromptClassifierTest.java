package io.github.prompt4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.calibration.Calibration;
import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.testing.FakeMaskedLanguageModel;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark side on a {@code local[2]} session (2 threads, up to 4 attempts per task) with the deterministic fake
 * model in place of BERT: batching, output columns, bad rows, retries, one model per JVM, open failures.
 */
class SparkPromptClassifierTest {

    static final StructType SCHEMA = new StructType().add("id", DataTypes.IntegerType, false)
            .add("text", DataTypes.StringType, true);
    static final Template TEMPLATE = Template.parse("{text} it was [MASK] .");
    static final Verbalizer WORDS = Verbalizer.builder().add("negative", "bad", "terrible")
            .add("positive", "good", "great").build();
    static final String[] SENTENCES = {"a good movie", "bad bad acting", "great fun , good cast", "terrible",
        "nothing happens", "good but sad", "happy happy great fun", "awful awful awful", "a film", "fun"};

    static SparkSession spark;
    static final AtomicInteger opened = new AtomicInteger();

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().master("local[2,4]").appName("prompt-spark-test")
                .config("spark.ui.enabled", "false").config("spark.task.maxFailures", "4").getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
        ExecutorModels.useOpener(null);
    }

    @BeforeEach
    void fakeModel() {
        opened.set(0);
        ExecutorModels.useOpener((settings, threads) -> {
            opened.incrementAndGet();
            return new FakeMaskedLanguageModel();
        });
    }

    @AfterEach
    void clearHook() {
        PartitionClassifier.chunkListener = null;
    }

    static Dataset<Row> rows(int count, int partitions) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            rows.add(RowFactory.create(i, SENTENCES[i % SENTENCES.length] + " " + "x".repeat(i % 7)));
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        return spark.createDataFrame(jsc.parallelize(rows, partitions), SCHEMA);
    }

    static SparkPromptClassifier.Builder fake() {
        return SparkPromptClassifier.builder().model(SparkModel.pretrained("bert-base-cased"))
                .prompt(SparkPrompt.of(TEMPLATE, WORDS)).rowsPerCall(8);
    }

    @Test
    void everyRowGetsTheInProcessLabelAndProbabilitiesInInputOrder() {
        Dataset<Row> input = rows(60, 4);
        List<Row> out = fake().build().transform(input).collectAsList();

        List<String> texts = input.collectAsList().stream().map(r -> r.getString(1)).toList();
        PromptClassifier inProcess = PromptClassifier.builder(new FakeMaskedLanguageModel()).template(TEMPLATE)
                .verbalizer(WORDS).build();
        List<Classification> expected = inProcess.classifyAll(texts);
        assertEquals(60, out.size());
        for (int i = 0; i < out.size(); i++) {
            Row r = out.get(i);
            assertEquals(i, r.getInt(0));
            assertEquals(texts.get(i), r.getString(1));
            assertEquals(expected.get(i).label(), r.getString(2));
            assertEquals(expected.get(i).probabilities(), r.getJavaMap(3));
            assertNull(r.get(4));
        }
        assertEquals(List.of("id", "text", "prediction", "probabilities", "prompt_error"),
                Arrays.asList(out.get(0).schema().fieldNames()));
    }

    @Test
    void oneModelPerJvmSharedByTasksAndClassifiers() {
        fake().build().transform(rows(40, 4)).count();
        fake().labelColumn("label").build().transform(rows(40, 3)).count();
        assertEquals(1, opened.get(), "one model for equal settings in this JVM");
        assertEquals(1, ExecutorModels.openedCount());
        fake().maxBatchSize(4).build().transform(rows(10, 2)).count();
        assertEquals(2, opened.get(), "other settings, another model");
    }

    @Test
    void nullAndBlankTextsGetAnErrorValueAndTheRestIsClassified() {
        List<Row> rows = List.of(RowFactory.create(0, "a good movie"), RowFactory.create(1, null),
                RowFactory.create(2, ""), RowFactory.create(3, "   "), RowFactory.create(4, "terrible"));
        List<Row> out = fake().errorColumn("why").build().transform(spark.createDataFrame(rows, SCHEMA))
                .collectAsList();
        assertEquals("positive", out.get(0).getString(2));
        assertEquals("negative", out.get(4).getString(2));
        assertEquals(Arrays.asList(null, "null text", "empty text", "empty text", null),
                out.stream().map(r -> r.getString(4)).toList());
        for (int i = 1; i <= 3; i++) {
            assertTrue(out.get(i).isNullAt(2) && out.get(i).isNullAt(3), "no label for row " + i);
        }
    }

    @Test
    void failJobNamesTheRowAndTheIdValue() {
        List<Row> rows = List.of(RowFactory.create(10, "a good movie"), RowFactory.create(11, "fun"),
                RowFactory.create(17, null));
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Dataset<Row> input = spark.createDataFrame(jsc.parallelize(rows, 1), SCHEMA);
        SparkPromptClassifier classifier = fake().invalidText(InvalidTextPolicy.FAIL_JOB).idColumn("id").build();
        assertEquals(4, classifier.transformSchema(SCHEMA).size(), "no error column under FAIL_JOB");
        SparkException e = assertThrows(SparkException.class, () -> classifier.transform(input).collectAsList());
        assertTrue(e.getMessage().contains("column 'text' holds null text in row 2 of partition 0 (id = 17)"),
                e.getMessage());
    }

    @Test
    void aRetriedTaskGivesTheSameRows() {
        Dataset<Row> input = rows(48, 3);
        SparkPromptClassifier classifier = fake().build();
        List<Row> clean = classifier.transform(input).collectAsList();
        AtomicInteger failures = new AtomicInteger();
        PartitionClassifier.chunkListener = (task, done) -> {
            if (task.partitionId() == 1 && task.attemptNumber() == 0 && done == 8) {
                failures.incrementAndGet();
                throw new IllegalStateException("injected failure after the first chunk");
            }
        };
        List<Row> retried = classifier.transform(input).collectAsList();
        assertEquals(1, failures.get(), "the hook failed one task attempt");
        assertEquals(clean, retried);
    }

    @Test
    void aModelThatCannotBeOpenedFailsTheJobWithTheExecutorsReason(@TempDir Path dir) {
        ExecutorModels.useOpener(null);
        Path missing = dir.resolve("no-such-model");
        SparkPromptClassifier classifier = SparkPromptClassifier.builder().model(SparkModel.directory(missing))
                .prompt(SparkPrompt.of(TEMPLATE, WORDS)).build();
        SparkException e = assertThrows(SparkException.class,
                () -> classifier.transform(rows(4, 1)).collectAsList());
        assertTrue(e.getMessage().contains("cannot open model directory " + missing + " (FP32) on executor driver"),
                e.getMessage());
    }

    @Test
    void aCalibratedPromptSurvivesSerialisationToTheTasks() {
        Map<String, Double> prior = Map.of("negative", 0.25, "positive", 0.75);
        List<Row> out = fake().prompt(SparkPrompt.of(TEMPLATE, WORDS, Calibration.fixed(prior))).build()
                .transform(rows(10, 2)).collectAsList();
        PromptClassifier inProcess = PromptClassifier.builder(new FakeMaskedLanguageModel()).template(TEMPLATE)
                .verbalizer(WORDS).calibration(Calibration.fixed(prior)).build();
        for (Row r : out) {
            assertEquals(inProcess.classify(r.getString(1)).probabilities(), r.getJavaMap(3));
        }
    }

    @Test
    void settingsAndColumnsAreCheckedWithTheirNames() {
        IllegalArgumentException noModel = assertThrows(IllegalArgumentException.class,
                () -> SparkPromptClassifier.builder().prompt(SparkPrompt.of(TEMPLATE, WORDS)).build());
        assertTrue(noModel.getMessage().contains("set the model"));
        assertThrows(IllegalArgumentException.class, () -> SparkModel.pretrained("bert-huge"));
        SparkPromptClassifier c = fake().inputColumn("review").build();
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> c.transformSchema(SCHEMA));
        assertTrue(missing.getMessage().contains("input column 'review' is not in the dataset"), missing.getMessage());
        IllegalArgumentException notString = assertThrows(IllegalArgumentException.class,
                () -> fake().inputColumn("id").build().transformSchema(SCHEMA));
        assertTrue(notString.getMessage().contains("'id' is int"), notString.getMessage());
        IllegalArgumentException taken = assertThrows(IllegalArgumentException.class,
                () -> fake().labelColumn("text").build().transformSchema(SCHEMA));
        assertTrue(taken.getMessage().contains("output column 'text' already exists"), taken.getMessage());
    }

    @Test
    void savedPromptsAreCheckedOnTheDriver() {
        SparkPrompt autoPrompt = SparkPrompt.fromFile(
                Path.of("../examples/src/main/resources/prompts/sst2-autoprompt-prompt.json"));
        assertTrue(autoPrompt.toString().startsWith("saved AutoPrompt prompt"), autoPrompt.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparkPrompt.fromJson("{\"template\": 3}", Calibration.none()));
        assertTrue(e.getMessage().contains("is neither an AutoPrompt result"), e.getMessage());
    }

    @Test
    void aPromptWithALearnedHeadIsNotCalibrated() {
        Path file = Path.of("../examples/src/main/resources/prompts/sst2-autoprompt-head-prompt.json");
        assertTrue(SparkPrompt.fromFile(file).toString().startsWith("saved AutoPrompt prompt"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparkPrompt.fromFile(file, Calibration.contextual(java.util.List.of("N/A"))));
        assertTrue(e.getMessage().contains("learned head") && e.getMessage().contains("drop the calibration"),
                e.getMessage());
    }

    @Test
    void anEnsemblePromptIsRefusedOnTheDriverNamingWhatToDo(@TempDir Path dir) throws java.io.IOException {
        String single = java.nio.file.Files.readString(
                Path.of("../examples/src/main/resources/prompts/sst2-autoprompt-prompt.json"));
        String ensemble = single.replaceFirst("\\{", "{ \"ensembleTriggerIds\" : [ [ 12479, 27618, 2108 ], "
                + "[ 12479, 27618, 2109 ] ],").replaceFirst("\"calibrationPrior\" : \\{[^}]*}", "\"calibrationPrior\" : { }");
        Path file = dir.resolve("ensemble.json");
        java.nio.file.Files.writeString(file, ensemble);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparkPrompt.fromFile(file));
        assertTrue(e.getMessage().contains("is an ensemble of 2 trigger states"), e.getMessage());
        assertTrue(e.getMessage().contains("--ensemble-top"), e.getMessage());
    }
}
