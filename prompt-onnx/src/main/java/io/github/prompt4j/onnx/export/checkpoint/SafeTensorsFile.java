package io.github.prompt4j.onnx.export.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.prompt4j.core.model.ModelLoadException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads tensors, one at a time, from a file in the safetensors format
 * (<a href="https://github.com/huggingface/safetensors">huggingface/safetensors</a>): an unsigned 64-bit
 * little-endian header length {@code N}, {@code N} bytes of JSON
 * {@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}}, then the raw little-endian data,
 * with offsets relative to the first data byte.
 *
 * <p>Structure (header, every tensor's offsets) is validated when the file is opened; a tensor's dtype and byte
 * length only when it is read, so a file may carry tensors of other dtypes (such as an {@code I64}
 * {@code position_ids} buffer) that are never read. F32, F16 and BF16 are read, the latter two widened exactly to
 * float32. Not thread-safe; owns a {@link FileChannel} that {@link #close()} releases.
 */
final class SafeTensorsFile implements AutoCloseable {

    /** The format's own limit on the header size, also a guard against reading garbage as a length. */
    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

    private static final String METADATA_KEY = "__metadata__";

    /** One tensor's header entry; offsets are absolute file positions. */
    record Tensor(String name, String dtype, long[] shape, long begin, long end) {

        Tensor {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        long byteLength() {
            return end - begin;
        }
    }

    private final Path file;
    private final FileChannel channel;
    private final Map<String, Tensor> tensors;
    private final Map<String, String> metadata;

    private SafeTensorsFile(Path file, FileChannel channel, Map<String, Tensor> tensors, Map<String, String> metadata) {
        this.file = file;
        this.channel = channel;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /**
     * Opens a safetensors file and parses its header.
     *
     * @throws ModelLoadException naming the file (and the tensor, for a bad entry) when it cannot be read, the
     *         header is malformed, or a tensor's offsets lie outside the file
     */
    static SafeTensorsFile open(Path file) {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new ModelLoadException("cannot open safetensors file " + file + ": " + e.getMessage(), e);
        }
        try {
            long size = channel.size();
            if (size < Long.BYTES) {
                throw new ModelLoadException(file + " is " + size + " bytes, too short for a safetensors header");
            }
            ByteBuffer lengthBytes = readFully(channel, 0, Long.BYTES, file).order(ByteOrder.LITTLE_ENDIAN);
            long headerLength = lengthBytes.getLong(0);
            if (headerLength < 2 || headerLength > MAX_HEADER_BYTES || headerLength > size - Long.BYTES) {
                throw new ModelLoadException(file + " declares a safetensors header of " + Long.toUnsignedString(
                        headerLength) + " bytes but the file is " + size + " bytes (limit " + MAX_HEADER_BYTES
                        + "); the file is truncated or not safetensors");
            }
            ByteBuffer header = readFully(channel, Long.BYTES, (int) headerLength, file);
            long dataStart = Long.BYTES + headerLength;
            JsonNode root;
            try {
                root = new ObjectMapper().readTree(header.array());
            } catch (IOException e) {
                throw new ModelLoadException(file + " has a malformed safetensors JSON header: " + e.getMessage(), e);
            }
            if (root == null || !root.isObject()) {
                throw new ModelLoadException(file + " has a safetensors header that is not a JSON object");
            }
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            Map<String, String> metadata = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (METADATA_KEY.equals(field.getKey())) {
                    field.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                } else {
                    tensors.put(field.getKey(), parseEntry(file, field.getKey(), field.getValue(), dataStart, size));
                }
            }
            return new SafeTensorsFile(file, channel, Collections.unmodifiableMap(tensors),
                    Collections.unmodifiableMap(metadata));
        } catch (IOException | RuntimeException e) {
            closeQuietlyAfter(channel, e);
            if (e instanceof ModelLoadException mle) {
                throw mle;
            }
            throw new ModelLoadException("cannot read safetensors file " + file + ": " + e.getMessage(), e);
        }
    }

    private static Tensor parseEntry(Path file, String name, JsonNode node, long dataStart, long fileSize) {
        String where = file + ": tensor '" + name + "'";
        if (!node.isObject() || !node.path("dtype").isTextual() || !node.path("shape").isArray()
                || !node.path("data_offsets").isArray() || node.path("data_offsets").size() != 2) {
            throw new ModelLoadException(where + " has a malformed header entry " + node
                    + "; expected {\"dtype\": ..., \"shape\": [...], \"data_offsets\": [begin, end]}");
        }
        JsonNode shapeNode = node.get("shape");
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
                throw new ModelLoadException(where + " has an invalid shape " + shapeNode);
            }
            shape[i] = d.asLong();
        }
        JsonNode offsets = node.get("data_offsets");
        JsonNode b = offsets.get(0);
        JsonNode e = offsets.get(1);
        if (!b.isIntegralNumber() || !e.isIntegralNumber() || !b.canConvertToLong() || !e.canConvertToLong()) {
            throw new ModelLoadException(where + " has invalid data_offsets " + offsets);
        }
        long begin = b.asLong();
        long end = e.asLong();
        long dataBytes = fileSize - dataStart;
        if (begin < 0 || end < begin || end > dataBytes) {
            throw new ModelLoadException(where + " has data_offsets [" + begin + ", " + end
                    + "] outside the file's " + dataBytes + " data bytes; the file is truncated or corrupt");
        }
        return new Tensor(name, node.get("dtype").asText(), shape, dataStart + begin, dataStart + end);
    }

    /** The file this reads. */
    Path file() {
        return file;
    }

    /** Names of all tensors, in header order. */
    Set<String> names() {
        return tensors.keySet();
    }

    /** The {@code __metadata__} string map, empty when absent. */
    Map<String, String> metadata() {
        return metadata;
    }

    /** A tensor's header entry, if the file has it. */
    Optional<Tensor> find(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    /**
     * Reads one tensor, in its stored row-major layout, as float32.
     *
     * @throws ModelLoadException naming the file and the tensor for an unsupported dtype, a byte length that does
     *         not match the shape, or an I/O failure
     * @throws IllegalStateException after {@link #close()}
     */
    float[] readFloats(Tensor tensor) {
        if (!channel.isOpen()) {
            throw new IllegalStateException("safetensors file " + file + " is closed");
        }
        String where = file + ": tensor '" + tensor.name() + "'";
        int elementBytes = switch (tensor.dtype()) {
            case "F32" -> 4;
            case "F16", "BF16" -> 2;
            default -> throw new ModelLoadException(where + " has dtype " + tensor.dtype()
                    + "; only F32, F16 and BF16 are supported");
        };
        long count = 1;
        for (long d : tensor.shape) {
            count = Math.multiplyExact(count, d);
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new ModelLoadException(where + " has " + count + " elements, more than a Java array holds");
        }
        if (tensor.byteLength() != count * elementBytes) {
            throw new ModelLoadException(where + " of dtype " + tensor.dtype() + " and shape "
                    + Arrays.toString(tensor.shape) + " needs " + count * elementBytes + " bytes but its data_offsets"
                    + " span " + tensor.byteLength());
        }
        ByteBuffer bytes;
        try {
            bytes = readFully(channel, tensor.begin(), Math.toIntExact(tensor.byteLength()), file);
        } catch (IOException e) {
            throw new ModelLoadException(where + " could not be read: " + e.getMessage(), e);
        } catch (ArithmeticException e) {
            throw new ModelLoadException(where + " is larger than 2 GiB, more than one read supports", e);
        }
        bytes.order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[(int) count];
        switch (tensor.dtype()) {
            case "F32" -> bytes.asFloatBuffer().get(out);
            case "F16" -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = halfToFloat(bytes.getShort(2 * i));
                }
            }
            default -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = bfloat16ToFloat(bytes.getShort(2 * i));
                }
            }
        }
        return out;
    }

    /**
     * Widens an IEEE 754 binary16 value (1 sign, 5 exponent, 10 mantissa bits) to float32, exactly, including
     * subnormals, infinities and NaN.
     */
    static float halfToFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h >>> 15) << 31;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            // Subnormal (or zero): mantissa * 2^-24, exactly representable as a float32 normal.
            float magnitude = mantissa * 0x1p-24f;
            return sign != 0 ? -magnitude : magnitude;
        }
        // Rebias the exponent from 15 to 127 and left-align the mantissa.
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /** Widens a bfloat16 value (the upper 16 bits of a float32) to float32, exactly. */
    static float bfloat16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    private static ByteBuffer readFully(FileChannel channel, long position, int length, Path file)
            throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new ModelLoadException(file + " ended after " + (position + buffer.position())
                        + " bytes while reading " + length + " bytes at offset " + position);
            }
        }
        buffer.flip();
        return buffer;
    }

    private static void closeQuietlyAfter(FileChannel channel, Exception primary) {
        try {
            channel.close();
        } catch (IOException e) {
            primary.addSuppressed(e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new ModelLoadException("cannot close safetensors file " + file + ": " + e.getMessage(), e);
        }
    }
}
