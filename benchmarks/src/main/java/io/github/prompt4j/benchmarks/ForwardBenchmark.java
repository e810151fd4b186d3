package io.github.prompt4j.benchmarks;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
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
 * Mask-logit throughput of BERT-base on the CPU for a batch of prompts of one length: label-word logits (the
 * classification path) and full-vocabulary logits. The {@code sentences} and {@code gflop} counters are per second:
 * sentences/s and GFLOP/s (compare with {@link MatMulPeakBenchmark}). {@code precision}: {@code FP32} (fused contrib
 * operators, the default engine), {@code INT8}, or {@code FP32_UNFUSED} (standard ONNX operators, the engine before
 * fusion) so that all three are compared in one run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgs = {"-Xmx4g"})
@Warmup(iterations = 1, time = 10)
@Measurement(iterations = 3, time = 10)
public class ForwardBenchmark {

    @Param({"bert-base-uncased"})
    public String model;

    @Param({"FP32_UNFUSED", "FP32", "INT8"})
    public String precision;

    /** Weight prepacking: the builder's default for the precision, or forced {@code ON} / {@code OFF}. */
    @Param({"DEFAULT"})
    public String prepack;

    @Param({"1", "8", "32"})
    public int batch;

    @Param({"32", "64", "128"})
    public int length;

    private OnnxMaskedLanguageModel mlm;
    private List<EncodedPrompt> prompts;
    private int[] labelWords;
    private double flopsPerBatch;

    /** Work counters, reported as rates. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Work {
        public double sentences;
        public double gflop;

        @Setup(Level.Iteration)
        public void reset() {
            sentences = 0;
            gflop = 0;
        }
    }

    @Setup
    public void open() {
        mlm = BertFixture.open(model, 0, precision, prepack);
        prompts = BertFixture.prompts(mlm.tokenizer(), batch, length);
        labelWords = new int[] {mlm.tokenizer().tokenToId("good").orElseThrow(),
            mlm.tokenizer().tokenToId("bad").orElseThrow()};
        flopsPerBatch = batch * BertFixture.forwardFlops(mlm.directory().manifest().config(), length);
    }

    @TearDown
    public void close() {
        mlm.close();
    }

    @Benchmark
    public MaskLogits labelWordLogits(Work work) {
        MaskLogits out = mlm.maskLogits(prompts, labelWords);
        work.sentences += batch;
        work.gflop += flopsPerBatch / 1e9;
        return out;
    }

    @Benchmark
    public MaskLogits fullVocabularyLogits(Work work) {
        MaskLogits out = mlm.maskLogits(prompts);
        work.sentences += batch;
        work.gflop += flopsPerBatch / 1e9;
        return out;
    }
}
