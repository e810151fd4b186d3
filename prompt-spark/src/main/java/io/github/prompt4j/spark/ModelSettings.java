package io.github.prompt4j.spark;

import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.onnx.export.model.ModelCache;
import io.github.prompt4j.onnx.runtime.PretrainedModels;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
import io.github.prompt4j.onnx.runtime.Precision;
import java.io.Serializable;
import java.nio.file.Path;
import org.apache.spark.SparkFiles;

/**
 * Everything an executor needs to open the model, and the key of the per-JVM model registry: two classifiers with
 * equal settings share one model. The only place that maps prompt-spark's settings onto prompt-onnx's builder.
 *
 * @param model where the model is
 * @param precision fp32 or int8
 * @param intraOpThreads ONNX Runtime intra-op threads; 0 = the task's {@code spark.task.cpus}
 * @param maxBatchSize most sequences per ONNX Runtime run
 * @param maxBatchTokens most padded tokens per ONNX Runtime run
 * @param cacheDirectory the model cache for pretrained models; empty = prompt4j's default cache
 */
record ModelSettings(SparkModel model, Precision precision, int intraOpThreads, int maxBatchSize,
        int maxBatchTokens, String cacheDirectory) implements Serializable {

    ModelSettings {
        if (model == null || precision == null || cacheDirectory == null) {
            throw new IllegalArgumentException("model, precision and cacheDirectory must not be null");
        }
    }

    /**
     * The canonical id of a pretrained model's name.
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    static String pretrainedId(String name) {
        return PretrainedModels.byName(name).id();
    }

    /**
     * Opens the model on this JVM with {@code threads} ONNX Runtime intra-op threads (used when
     * {@link #intraOpThreads()} is 0).
     *
     * @throws io.github.prompt4j.core.model.ModelLoadException when the model cannot be found, converted or loaded
     */
    MaskedLanguageModel open(int threads) {
        OnnxMaskedLanguageModel.Builder builder = OnnxMaskedLanguageModel.builder()
                .intraOpThreads(intraOpThreads > 0 ? intraOpThreads : threads)
                .maxBatchSize(maxBatchSize).maxBatchTokens(maxBatchTokens);
        switch (model.kind()) {
            case PRETRAINED -> {
                builder.pretrained(PretrainedModels.byName(model.location()));
                if (!cacheDirectory.isEmpty()) {
                    builder.cache(ModelCache.at(Path.of(cacheDirectory)));
                }
            }
            case DIRECTORY -> builder.directory(Path.of(model.location()));
            case SHIPPED -> builder.directory(Path.of(SparkFiles.get(model.shippedName())));
        }
        return builder.precision(precision).build();
    }
}
