package io.github.prompt4j.benchmarks;

import io.github.prompt4j.onnx.export.model.ModelCache;
import io.github.prompt4j.onnx.export.model.ModelDirectory;
import io.github.prompt4j.onnx.runtime.PretrainedModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
 * Model conversion on first use (checkpoint jar to exported directory), in seconds per conversion. The checkpoint jars must be in the local Maven repository (the test build puts them there).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgs = {"-Xmx6g"})
@Warmup(iterations = 0)
@Measurement(iterations = 2)
public class ConversionBenchmark {

    @Param({"bert-base-uncased"})
    public String model;

    private Path cacheRoot;
    private ModelCache cache;

    @Setup(Level.Iteration)
    public void emptyCache() throws IOException {
        cacheRoot = Files.createTempDirectory("prompt4j-bench-cache");
        cache = ModelCache.at(cacheRoot);
    }

    @TearDown(Level.Iteration)
    public void deleteCache() throws IOException {
        try (Stream<Path> walk = Files.walk(cacheRoot)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Converts the checkpoint into an empty cache: jar extraction, weights, both graphs, tokenizer, manifest. */
    @Benchmark
    public ModelDirectory convert() {
        return cache.get(PretrainedModels.byName(model));
    }
}
