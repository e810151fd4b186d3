package io.github.prompt4j.benchmarks;

import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * End-to-end zero-shot classification throughput on the CPU: {@link PromptClassifier#classifyAll} over the 872 SST-2
 * dev sentences, template encoding and tokenisation included. The {@code sentences} counter is sentences/s.
 *
 * <p>The data path is the {@code data} parameter, relative to the working directory (the repository root):
 * {@code java -jar benchmarks/target/benchmarks.jar ClassificationBenchmark -p data=/path/to/dev.tsv}. The file is a
 * GLUE TSV with a header line, sentence in the first column.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgs = {"-Xmx4g"})
@Warmup(iterations = 1, time = 10)
@Measurement(iterations = 3, time = 10)
public class ClassificationBenchmark {

    @Param({"bert-base-uncased"})
    public String model;

    /** Forward-pass precision, {@code FP32} or {@code INT8}. */
    @Param({"FP32", "INT8"})
    public String precision;

    @Param({"../shared/data/sst2/glue/dev.tsv"})
    public String data;

    @Param({"32"})
    public int batchSize;

    private OnnxMaskedLanguageModel mlm;
    private PromptClassifier classifier;
    private List<String> sentences;

    /** Work counters, reported as rates. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Work {
        public double sentences;

        @Setup(Level.Iteration)
        public void reset() {
            sentences = 0;
        }
    }

    @Setup
    public void open() {
        sentences = readSentences(Paths.get(data));
        mlm = BertFixture.open(model, 0, precision);
        classifier = PromptClassifier.builder(mlm)
                .template(Template.parse("{sentence} It was [MASK]."))
                .verbalizer(Verbalizer.builder().add("0", "terrible", "bad").add("1", "great", "good").build())
                .batchSize(batchSize)
                .build();
    }

    @TearDown
    public void close() {
        mlm.close();
    }

    @Benchmark
    public List<Classification> classifyAll(Work work) {
        List<Classification> out = classifier.classifyAll(sentences);
        work.sentences += sentences.size();
        return out;
    }

    /** The first column of a GLUE TSV, header skipped. */
    private static List<String> readSentences(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("SST-2 dev file " + file.toAbsolutePath() + " not found; run from the "
                    + "repository root with ../shared beside it, or pass -p data=/path/to/dev.tsv");
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            List<String> out = new ArrayList<>(lines.size());
            for (String line : lines.subList(1, lines.size())) {
                if (!line.isBlank()) {
                    out.add(line.split("\t", -1)[0]);
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e, e);
        }
    }
}
