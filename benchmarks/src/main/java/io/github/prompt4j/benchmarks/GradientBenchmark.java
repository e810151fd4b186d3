package io.github.prompt4j.benchmarks;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.GradientRequest;
import io.github.prompt4j.core.model.LabelLossGradient;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * One gradient-graph batch (label loss and input-embedding gradient at five trigger positions) next to one
 * forward batch of the same prompts, in seconds per batch; their ratio is the cost of a gradient step.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgs = {"-Xmx4g"})
@Warmup(iterations = 1, time = 10)
@Measurement(iterations = 3, time = 10)
public class GradientBenchmark {

    @Param({"bert-base-uncased"})
    public String model;

    @Param({"8", "32"})
    public int batch;

    @Param({"64"})
    public int length;

    private OnnxMaskedLanguageModel mlm;
    private List<EncodedPrompt> prompts;
    private List<GradientRequest> requests;
    private int[] labelWords;

    @Setup
    public void open() {
        mlm = BertFixture.open(model, 0);
        prompts = BertFixture.prompts(mlm.tokenizer(), batch, length);
        labelWords = BertFixture.gradientLabelWords(mlm.tokenizer());
        requests = BertFixture.gradientRequests(prompts, labelWords);
    }

    @TearDown
    public void close() {
        mlm.close();
    }

    @Benchmark
    public List<LabelLossGradient> gradient() {
        return mlm.labelLossGradients(requests);
    }

    @Benchmark
    public MaskLogits forward() {
        return mlm.maskLogits(prompts, labelWords);
    }
}
