package io.github.prompt4j.onnx.runtime;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import io.github.prompt4j.core.model.ModelLoadException;
import io.github.prompt4j.onnx.internal.weights.WeightFile;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The weights files memory-mapped once, each tensor wrapped as an ONNX Runtime tensor over the mapping (no copy), so
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

    /**
     * Maps weight files (each a path with its index). Float32 entries are also readable through {@link #buffer}.
     *
     * @throws ModelLoadException naming the file when one cannot be mapped
     */
    static SharedWeights map(OrtEnvironment env, Map<Path, WeightFile> files) {
        Map<String, OnnxTensor> tensors = new LinkedHashMap<>();
        Map<String, FloatBuffer> buffers = new LinkedHashMap<>();
        for (Map.Entry<Path, WeightFile> f : files.entrySet()) {
            try (FileChannel ch = FileChannel.open(f.getKey(), StandardOpenOption.READ)) {
                for (WeightFile.Entry e : f.getValue().entries().values()) {
                    MappedByteBuffer bytes = ch.map(FileChannel.MapMode.READ_ONLY, e.offset(), e.length());
                    if (e.type() == WeightFile.DataType.INT8) {
                        tensors.put(e.name(), OnnxTensor.createTensor(env, bytes, e.shape(), OnnxJavaType.INT8));
                    } else {
                        FloatBuffer data = bytes.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
                        buffers.put(e.name(), data);
                        tensors.put(e.name(), OnnxTensor.createTensor(env, data, e.shape()));
                    }
                }
            } catch (IOException | OrtException ex) {
                tensors.values().forEach(OnnxTensor::close);
                throw new ModelLoadException("cannot map the weights in " + f.getKey() + ": " + ex.getMessage(), ex);
            }
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
