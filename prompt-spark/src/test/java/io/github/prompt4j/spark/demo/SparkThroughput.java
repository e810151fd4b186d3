package io.github.prompt4j.spark.demo;

import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.onnx.runtime.PretrainedModels;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
import io.github.prompt4j.search.data.Datasets;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.spark.SparkModel;
import io.github.prompt4j.spark.SparkPrompt;
import io.github.prompt4j.spark.SparkPromptClassifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Throughput of prompt-spark against in-process {@code classifyAll}: the 872 SST-2 dev sentences repeated to
 * {@code ROWS} rows, classified with AutoPrompt's manual SST-2 prompt on BERT-base cased.
 *
 * <pre>
 * java [Spark's --add-opens flags] -cp ... io.github.prompt4j.spark.demo.SparkThroughput ROWS MODE [PARTITIONS]
 *   MODE: local[N] (Spark, N task threads, one ONNX Runtime thread per task) or in-process-T (classifyAll, T threads)
 * </pre>
 *
 * Prints the rows/s of the timed pass; the model is opened (and, for Spark, the session started) by an untimed
 * warm-up pass of 64 rows first, so the number is the steady state. Also prints the JVM's resident set size.
 */
public final class SparkThroughput {

    private static final Template TEMPLATE = Template.parse("{sentence} this movie was [MASK].");
    private static final Verbalizer WORDS = Verbalizer.builder().add("0", "terrible").add("1", "fantastic").build();

    private SparkThroughput() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: SparkThroughput ROWS local[N]|in-process-T [PARTITIONS] [DEV_TSV]");
            System.exit(2);
        }
        int rows = Integer.parseInt(args[0]);
        String mode = args[1];
        Path dev = Path.of(args.length > 3 ? args[3] : "../shared/data/sst2/glue/dev.tsv");
        List<String> sentences = Datasets.sst2Glue(dev).stream().map(Example::fields)
                .map(f -> f.get(Datasets.SENTENCE)).toList();
        List<String> texts = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) {
            texts.add(sentences.get(i % sentences.size()));
        }
        double seconds;
        if (mode.startsWith("in-process-")) {
            int threads = Integer.parseInt(mode.substring("in-process-".length()));
            try (OnnxMaskedLanguageModel model = OnnxMaskedLanguageModel.builder()
                    .pretrained(PretrainedModels.BERT_BASE_CASED).intraOpThreads(threads).build()) {
                PromptClassifier classifier = PromptClassifier.builder(model).template(TEMPLATE).verbalizer(WORDS)
                        .build();
                classifier.classifyAll(texts.subList(0, 64));
                long start = System.nanoTime();
                classifier.classifyAll(texts);
                seconds = (System.nanoTime() - start) / 1e9;
            }
        } else if (mode.startsWith("local[")) {
            int cores = Integer.parseInt(mode.substring("local[".length(), mode.length() - 1));
            int partitions = args.length > 2 ? Integer.parseInt(args[2]) : 4 * cores;
            SparkSession spark = SparkSession.builder().master(mode).appName("prompt4j-spark-throughput")
                    .config("spark.ui.enabled", "false").getOrCreate();
            spark.sparkContext().setLogLevel("WARN");
            try {
                SparkPromptClassifier classifier = SparkPromptClassifier.builder()
                        .model(SparkModel.pretrained("bert-base-cased")).prompt(SparkPrompt.of(TEMPLATE, WORDS))
                        .inputColumn("sentence").build();
                Dataset<Row> warmUp = spark.createDataset(texts.subList(0, 64), Encoders.STRING()).toDF("sentence")
                        .repartition(cores);
                classifier.transform(warmUp).write().format("noop").mode("overwrite").save();
                Dataset<Row> input = spark.createDataset(texts, Encoders.STRING()).toDF("sentence")
                        .repartition(partitions).cache();
                input.count();
                long start = System.nanoTime();
                classifier.transform(input).write().format("noop").mode("overwrite").save();
                seconds = (System.nanoTime() - start) / 1e9;
            } finally {
                spark.stop();
            }
        } else {
            throw new IllegalArgumentException("mode '" + mode + "' is neither local[N] nor in-process-T");
        }
        System.out.printf(Locale.ROOT, "%s: %d rows in %.1f s = %.2f rows/s; %s%n", mode, rows, seconds,
                rows / seconds, memory());
    }

    private static String memory() throws IOException {
        StringBuilder out = new StringBuilder();
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS") || line.startsWith("VmHWM")) {
                out.append(out.length() == 0 ? "" : ", ").append(line.replaceAll("\\s+", " "));
            }
        }
        return out.toString();
    }
}
