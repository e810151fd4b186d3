package io.github.prompt4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.search.data.Datasets;
import io.github.prompt4j.search.data.Example;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
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
import org.junit.jupiter.api.Test;

/**
 * BERT-base cased on a {@code local[2]} session (2 task threads, up to 4 attempts per task): the Spark output on 500
 * SST-2 dev sentences equals in-process {@link PromptClassifier#classifyAll}, a retried task gives bit-identical rows,
 * and the JVM opens the model once for all of it (the in-process run uses the same model).
 */
class SparkPromptClassifierIT {

    static final StructType SCHEMA = new StructType().add("id", DataTypes.IntegerType, false)
            .add("sentence", DataTypes.StringType, true);
    static final Template TEMPLATE = Template.parse("{sentence} this movie was [MASK].");
    static final Verbalizer WORDS = Verbalizer.builder().add("0", "terrible").add("1", "fantastic").build();

    static SparkSession spark;
    static List<String> sentences;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2,4]").appName("prompt-spark-it")
                .config("spark.ui.enabled", "false").config("spark.task.maxFailures", "4").getOrCreate();
        String shared = System.getProperty("prompt4j.shared");
        if (shared == null) {
            throw new IllegalStateException("system property prompt4j.shared is not set; run the tests through Maven");
        }
        sentences = Datasets.sst2Glue(Paths.get(shared, "data/sst2/glue/dev.tsv")).stream()
                .map(Example::fields).map(f -> f.get(Datasets.SENTENCE)).limit(500).toList();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @AfterEach
    void clearHook() {
        PartitionClassifier.chunkListener = null;
    }

    static SparkPromptClassifier.Builder bert() {
        String cache = System.getProperty("prompt4j.test.cache", "target/prompt4j-cache");
        return SparkPromptClassifier.builder().model(SparkModel.pretrained("bert-base-cased"))
                .modelCache(Path.of(cache)).prompt(SparkPrompt.of(TEMPLATE, WORDS)).inputColumn("sentence");
    }

    static Dataset<Row> frame(List<String> texts, int partitions) {
        List<Row> rows = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            rows.add(RowFactory.create(i, texts.get(i)));
        }
        return spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(rows, partitions), SCHEMA);
    }

    @Test
    void sparkOutputEqualsInProcessClassifyAllOn500Sst2Sentences() {
        SparkPromptClassifier classifier = bert().rowsPerCall(256).build();
        List<Row> out = classifier.transform(frame(sentences, 4)).collectAsList();

        PromptClassifier inProcess = classifier.prompt().classifier(ExecutorModels.model(classifier.settings(), 2));
        List<Classification> expected = inProcess.classifyAll(sentences);
        assertEquals(500, out.size());
        double maxDiff = 0;
        for (int i = 0; i < out.size(); i++) {
            Row r = out.get(i);
            assertEquals(i, r.getInt(0));
            assertEquals(expected.get(i).label(), r.getString(2), "label of sentence " + i);
            Map<String, Double> p = r.getJavaMap(3);
            for (Map.Entry<String, Double> e : expected.get(i).probabilities().entrySet()) {
                maxDiff = Math.max(maxDiff, Math.abs(e.getValue() - p.get(e.getKey())));
            }
        }
        System.out.printf("500 SST-2 sentences: labels identical, max |p_spark - p_in_process| = %s%n", maxDiff);
        // Labels are identical; probabilities agree to float32 rounding. Spark batches each partition's rows apart, so
        // prompts meet other neighbours and paddings than in one classifyAll over all 500, and the fused fp32 graphs
        // (contrib attention, prepacked GEMMs) round a row slightly differently with another batch shape: measured
        // 1.2e-6 at most (the unfused engine was bit-identical here).
        assertTrue(maxDiff <= 1e-5, "max probability difference " + maxDiff);
        assertEquals(1, ExecutorModels.openedCount(), "one model load in this JVM");
    }

    @Test
    void aTaskThatFailsMidPartitionIsRetriedToTheSameRows() {
        SparkPromptClassifier classifier = bert().rowsPerCall(16).build();
        Dataset<Row> input = frame(sentences.subList(0, 64), 2);
        List<Row> clean = classifier.transform(input).collectAsList();
        AtomicInteger failures = new AtomicInteger();
        PartitionClassifier.chunkListener = (task, done) -> {
            if (task.partitionId() == 1 && task.attemptNumber() == 0 && done == 16) {
                failures.incrementAndGet();
                throw new IllegalStateException("injected failure after the first 16 rows");
            }
        };
        List<Row> retried = classifier.transform(input).collectAsList();
        assertEquals(1, failures.get(), "the hook failed one task attempt");
        assertEquals(clean, retried, "bit-identical rows after the retry");
        assertEquals(1, ExecutorModels.openedCount(), "one model load in this JVM");
    }
}
