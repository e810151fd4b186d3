package io.github.prompt4j.benchmarks;

import io.github.prompt4j.onnx.export.model.ModelCache;
import io.github.prompt4j.onnx.export.model.ModelDirectory;
import io.github.prompt4j.onnx.runtime.PretrainedModels;
import io.github.prompt4j.onnx.runtime.Device;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
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
import org.openjdk.jmh.annotations.Warmup;

/** Opening a cached export (tokenizer, forward session, mapped embeddings), in seconds per open. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgs = {"-Xmx4g"})
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class ModelOpenBenchmark {

    @Param({"bert-base-uncased"})
    public String model;

    private ModelDirectory directory;

    @Setup
    public void convertOnce() {
        directory = ModelCache.defaultCache().get(PretrainedModels.byName(model));
    }

    @Benchmark
    public String open() {
        try (OnnxMaskedLanguageModel m = OnnxMaskedLanguageModel.builder().directory(directory.path())
                .device(Device.CPU).build()) {
            return m.provider();
        }
    }
}
