package io.github.prompt4j.onnx.internal.weights;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Index of one external-data weights file shared by all ONNX graphs of an exported model: for each tensor, its
 * byte offset, byte length, shape and element type. Data are little-endian, row-major (float32, or int8 for quantized
 * weights), each tensor starting at a multiple of {@link #ALIGNMENT} bytes.
 *
 * <p>ONNX initializers refer to it with {@code data_location = EXTERNAL} and {@code location = fileName()} (a path
 * relative to the graph file), {@code offset} and {@code length}. Immutable.
 */
public final class WeightFile {

    /** Byte alignment of each tensor in the file. */
    public static final int ALIGNMENT = 64;

    /** Element types a weights file stores. */
    public enum DataType {
        /** IEEE float32, 4 bytes. */
        FLOAT32(4),
        /** Signed 8-bit integer (quantized weights), 1 byte. */
        INT8(1);

        private final int bytes;

        DataType(int bytes) {
            this.bytes = bytes;
        }

        /** Bytes per element. */
        public int bytes() {
            return bytes;
        }
    }

    /** One tensor's place in the file. */
    public record Entry(String name, long offset, long length, long[] shape, DataType type) {

        public Entry {
            if (type == null) {
                throw new IllegalArgumentException("element type of '" + name + "' must not be null");
            }
            if (offset < 0 || offset % ALIGNMENT != 0) {
                throw new IllegalArgumentException("offset of '" + name + "' must be a non-negative multiple of "
                        + ALIGNMENT + ", got " + offset);
            }
            long elements = Arrays.stream(shape).reduce(1L, Math::multiplyExact);
            if (length != elements * type.bytes()) {
                throw new IllegalArgumentException("length of '" + name + "' is " + length + " bytes but shape "
                        + Arrays.toString(shape) + " of " + type + " needs " + elements * type.bytes());
            }
            shape = shape.clone();
        }

        /** A float32 entry. */
        public Entry(String name, long offset, long length, long[] shape) {
            this(name, offset, length, shape, DataType.FLOAT32);
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        /** Number of elements. */
        public long elementCount() {
            return length / type.bytes();
        }
    }

    private final String fileName;
    private final Map<String, Entry> entries;

    /**
     * @param fileName the file's name, relative to the directory holding the graphs (e.g. {@code weights.bin})
     * @param entries tensors by name, in file order
     */
    public WeightFile(String fileName, Map<String, Entry> entries) {
        if (fileName == null || fileName.isBlank() || fileName.contains("/") || fileName.contains("\\")) {
            throw new IllegalArgumentException("weight file name must be a plain file name, got '" + fileName + "'");
        }
        this.fileName = fileName;
        this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    /** The file's name relative to the model directory. */
    public String fileName() {
        return fileName;
    }

    /** All entries in file order. */
    public Map<String, Entry> entries() {
        return entries;
    }

    /** The entry of a tensor, if present. */
    public Optional<Entry> find(String name) {
        return Optional.ofNullable(entries.get(name));
    }

    /**
     * The entry of a tensor.
     *
     * @throws IllegalArgumentException naming the tensor when it is not in the file
     */
    public Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException("tensor '" + name + "' is not in weight file " + fileName);
        }
        return e;
    }

    /** Total size of the file in bytes. */
    public long totalBytes() {
        long end = 0;
        for (Entry e : entries.values()) {
            end = Math.max(end, e.offset() + e.length());
        }
        return end;
    }
}
