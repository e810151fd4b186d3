package io.github.prompt4j.onnx.runtime;

import io.github.prompt4j.onnx.export.model.ModelCache;
import io.github.prompt4j.onnx.runtime.PretrainedModels;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

/**
 * Real pretrained models shared by all integration tests of one JVM: each is converted (into the build's test cache,
 * {@code target/prompt4j-cache}) and opened once per test run.
 */
public final class RealModels {

    private static final Map<String, OnnxMaskedLanguageModel> OPEN = new java.util.HashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            synchronized (OPEN) {
                OPEN.values().forEach(OnnxMaskedLanguageModel::close);
            }
        }));
    }

    private RealModels() {
    }

    /** The test cache directory. */
    public static ModelCache cache() {
        String dir = System.getProperty("prompt4j.test.cache");
        return ModelCache.at(dir != null ? Paths.get(dir) : Path.of("target", "prompt4j-cache"));
    }

    /** The shared, open FP32 model; never close it in a test. */
    public static OnnxMaskedLanguageModel get(PretrainedModels model) {
        return get(model, Precision.FP32);
    }

    /** The shared, open model of that precision; never close it in a test. */
    public static OnnxMaskedLanguageModel get(PretrainedModels model, Precision precision) {
        synchronized (OPEN) {
            return OPEN.computeIfAbsent(model + "/" + precision, k -> OnnxMaskedLanguageModel.builder()
                    .pretrained(model).cache(cache()).device(Device.CPU).precision(precision).build());
        }
    }

    /** {@code ../shared} beside the repository, from the {@code prompt4j.shared} system property. */
    public static Path shared() {
        String dir = System.getProperty("prompt4j.shared");
        if (dir == null) {
            throw new IllegalStateException("system property prompt4j.shared is not set; run the tests through Maven");
        }
        return Paths.get(dir);
    }
}
