package io.github.prompt4j.onnx.internal.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Appends float32 and int8 tensors to a new weights file and produces its {@link WeightFile} index.
 *
 * <p>Not thread-safe. Owns the open file until {@link #close()}; {@link #finish()} flushes, closes and returns the
 * index.
 */
public final class WeightFileWriter implements AutoCloseable {

    private static final int CHUNK_FLOATS = 1 << 18;

    private final Path path;
    private final FileChannel channel;
    private final Map<String, WeightFile.Entry> entries = new LinkedHashMap<>();
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK_FLOATS * Float.BYTES)
            .order(ByteOrder.LITTLE_ENDIAN);
    private long position;

    /** Creates (or truncates) the file at {@code path}. */
    public WeightFileWriter(Path path) throws IOException {
        this.path = path;
        this.channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
    }

    /**
     * Appends one tensor.
     *
     * @param name unique tensor name
     * @param shape its shape; {@code product(shape) == data.length}
     * @param data row-major float32 values
     */
    public WeightFile.Entry write(String name, long[] shape, float[] data) throws IOException {
        checkNew(name, shape, data.length);
        long start = align();
        for (int from = 0; from < data.length; from += CHUNK_FLOATS) {
            int n = Math.min(CHUNK_FLOATS, data.length - from);
            buffer.clear();
            buffer.asFloatBuffer().put(data, from, n);
            buffer.limit(n * Float.BYTES);
            while (buffer.hasRemaining()) {
                position += channel.write(buffer, position);
            }
        }
        WeightFile.Entry entry = new WeightFile.Entry(name, start, (long) data.length * Float.BYTES, shape);
        entries.put(name, entry);
        return entry;
    }

    /**
     * Appends one int8 tensor (quantized weights).
     *
     * @param name unique tensor name
     * @param shape its shape; {@code product(shape) == data.length}
     * @param data row-major int8 values
     */
    public WeightFile.Entry writeInt8(String name, long[] shape, byte[] data) throws IOException {
        checkNew(name, shape, data.length);
        long start = align();
        ByteBuffer all = ByteBuffer.wrap(data);
        while (all.hasRemaining()) {
            position += channel.write(all, position);
        }
        WeightFile.Entry entry = new WeightFile.Entry(name, start, data.length, shape, WeightFile.DataType.INT8);
        entries.put(name, entry);
        return entry;
    }

    private void checkNew(String name, long[] shape, int values) {
        if (entries.containsKey(name)) {
            throw new IllegalArgumentException("tensor '" + name + "' was already written to " + path);
        }
        long elements = Arrays.stream(shape).reduce(1L, Math::multiplyExact);
        if (elements != values) {
            throw new IllegalArgumentException("tensor '" + name + "' has shape " + Arrays.toString(shape) + " ("
                    + elements + " elements) but " + values + " values");
        }
    }

    private long align() throws IOException {
        long aligned = (position + WeightFile.ALIGNMENT - 1) / WeightFile.ALIGNMENT * WeightFile.ALIGNMENT;
        if (aligned > position) {
            channel.write(ByteBuffer.allocate((int) (aligned - position)), position);
            position = aligned;
        }
        return position;
    }

    /** Forces the data to disk, closes the file and returns the index under the file's own name. */
    public WeightFile finish() throws IOException {
        channel.force(true);
        channel.close();
        return new WeightFile(path.getFileName().toString(), entries);
    }

    @Override
    public void close() throws IOException {
        if (channel.isOpen()) {
            channel.close();
        }
    }
}
