package io.github.prompt4j.onnx.export.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Test-side writer of safetensors files (8-byte little-endian header length, JSON header padded with spaces to a
 * multiple of 8 bytes, then the tensors' bytes in insertion order), for tiny test models and corrupt-file cases.
 *
 * <p>Usage: {@code SafeTensorsWriter.create().f32("w", new long[] {2, 3}, values).write(path)}. Not thread-safe.
 */
public final class SafeTensorsWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Pending(String dtype, long[] shape, byte[] bytes) {
    }

    private final Map<String, Pending> tensors = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    private SafeTensorsWriter() {
    }

    /** An empty writer. */
    public static SafeTensorsWriter create() {
        return new SafeTensorsWriter();
    }

    /** Adds a float32 tensor; {@code values.length} must equal the shape's product. */
    public SafeTensorsWriter f32(String name, long[] shape, float[] values) {
        checkCount(name, shape, values.length);
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return raw(name, "F32", shape, b.array());
    }

    /** Adds a float16 tensor from raw binary16 bit patterns. */
    public SafeTensorsWriter f16(String name, long[] shape, short[] bits) {
        return shorts(name, "F16", shape, bits);
    }

    /** Adds a bfloat16 tensor from raw bit patterns (the upper halves of float32 values). */
    public SafeTensorsWriter bf16(String name, long[] shape, short[] bits) {
        return shorts(name, "BF16", shape, bits);
    }

    /** Adds an int64 tensor (as Transformers stores {@code position_ids}). */
    public SafeTensorsWriter i64(String name, long[] shape, long[] values) {
        checkCount(name, shape, values.length);
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return raw(name, "I64", shape, b.array());
    }

    /** Adds a tensor of any dtype from its raw little-endian bytes; no consistency check, for corrupt cases. */
    public SafeTensorsWriter raw(String name, String dtype, long[] shape, byte[] bytes) {
        tensors.put(name, new Pending(dtype, shape.clone(), bytes.clone()));
        return this;
    }

    /** Removes a tensor added earlier (no-op when absent), for missing-tensor cases. */
    public SafeTensorsWriter remove(String name) {
        tensors.remove(name);
        return this;
    }

    /** Adds a {@code __metadata__} entry. */
    public SafeTensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Writes the file, replacing any existing one. */
    public void write(Path file) {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            metadata.forEach(m::put);
        }
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (Map.Entry<String, Pending> e : tensors.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", e.getValue().dtype());
            ArrayNode shape = t.putArray("shape");
            Arrays.stream(e.getValue().shape()).forEach(shape::add);
            long begin = data.size();
            data.writeBytes(e.getValue().bytes());
            t.putArray("data_offsets").add(begin).add(data.size());
        }
        try {
            writeRaw(file, JSON.writeValueAsString(header), data.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes a file from a literal header and data, padding the header with spaces to a multiple of 8 bytes; for
     * hand-made (possibly corrupt) headers.
     */
    public static void writeRaw(Path file, String headerJson, byte[] data) {
        byte[] json = headerJson.getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer out = ByteBuffer.allocate(8 + padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded);
        out.put(json);
        for (int i = json.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        out.put(data);
        try {
            Files.write(file, out.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private SafeTensorsWriter shorts(String name, String dtype, long[] shape, short[] bits) {
        checkCount(name, shape, bits.length);
        ByteBuffer b = ByteBuffer.allocate(bits.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.asShortBuffer().put(bits);
        return raw(name, dtype, shape, b.array());
    }

    private static void checkCount(String name, long[] shape, int count) {
        long expected = Arrays.stream(shape).reduce(1L, Math::multiplyExact);
        if (expected != count) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + count + " values but shape "
                    + Arrays.toString(shape) + " needs " + expected);
        }
    }
}
