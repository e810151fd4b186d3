package io.github.prompt4j.benchmarks.eval;

import io.github.prompt4j.onnx.export.model.ModelManifest;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;

/**
 * Which model produced a report: its name, the checkpoint it was converted from with that checkpoint's checksum, the
 * exported directory and the execution provider.
 *
 * <p>Immutable.
 *
 * @param name the manifest's model name, e.g. {@code bert-base-cased}
 * @param source where the checkpoint came from (the manifest's source)
 * @param sourceChecksum the checkpoint's checksum (SHA-1 of the Maven jar for pretrained models)
 * @param directory the exported model directory
 * @param provider the ONNX Runtime execution provider, {@code CPU} or {@code CUDA}
 * @param precision the forward passes' precision, {@code FP32} or {@code INT8} (gradients are always float32)
 */
record ModelProvenance(String name, String source, String sourceChecksum, String directory, String provider,
        String precision) {

    /** The provenance of an open model. */
    static ModelProvenance of(OnnxMaskedLanguageModel model) {
        ModelManifest m = model.directory().manifest();
        return new ModelProvenance(m.name(), m.source(), m.sourceChecksum(),
                model.directory().path().toAbsolutePath().toString(), model.provider(),
                model.options().precision().name());
    }
}
