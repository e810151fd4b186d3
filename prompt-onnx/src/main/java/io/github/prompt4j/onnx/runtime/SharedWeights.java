package io.github.prompt4j.onnx.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.github.prompt4j.core.model.ModelLoadException;
import io.github.prompt4j.onnx.export.weights.WeightFile;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The weights file memory-mapped once, each tensor wrapped as an ONNX Runtime tensor over the mapping (no copy), so
 * that the forward and the gradient session share one copy of the weights: the sessions get them through
 * {@code SessionOptions.addInitializer}, which replaces the graphs' external-data initializers of the same names.
 *
 * <p>Owned by one {@link OnnxMaskedLanguageModel}; closed after its sessions. Read-only and thread-safe.
 */
final class SharedWeights implements AutoCloseable {

    private final Map<String, OnnxTensor> tensors;
    private final Map<String, FloatBuffer> buffers;

    private SharedWeights(Map<String, OnnxTensor> tensors, Map<String, FloatBuffer> buffers) {
        this.tensors = Collections.unmodifiableMap(tensors);
        this.buffers = Collections.unmodifiableMap(buffers);
    }

    static SharedWeights map(OrtEnvironment env, Path file, WeightFile index) {
        Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
        Map<String, FloatBuffer> buffers = new LinkedHashMap<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (WeightFile.Entry e : index.entries().values()) {
                FloatBuffer data = ch.map(FileChannel.MapMode.READ_ONLY, e.offset(), e.length())
                        .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
                buffers.put(e.name(), data);
                tensors.put(e.name(), OnnxTensor.createTensor(env, data, e.shape()));
            }
        } catch (IOException | OrtException ex) {
            tensors.values().forEach(OnnxTensor::close);
            throw new ModelLoadException("cannot map the weights in " + file + ": " + ex.getMessage(), ex);
        }
        return new SharedWeights(tensors, buffers);
    }

    /** The ONNX Runtime tensors by initializer name. */
    Map<String, OnnxTensor> tensors() {
        return tensors;
    }

    /** A read-only view of one tensor's floats, positioned at 0. */
    FloatBuffer buffer(String name) {
        FloatBuffer b = buffers.get(name);
        if (b == null) {
            throw new IllegalArgumentException("tensor '" + name + "' is not in the weights file");
        }
        return b.asReadOnlyBuffer();
    }

    @Override
    public void close() {
        tensors.values().forEach(OnnxTensor::close);
    }
}
