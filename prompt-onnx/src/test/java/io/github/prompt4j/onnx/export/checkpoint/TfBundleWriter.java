package io.github.prompt4j.onnx.export.checkpoint;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * Test-side writer of small TensorFlow tensor bundles: a LevelDB-format {@code variables.index} and one data shard,
 * written from the format's description (LevelDB {@code doc/table_format.md}, TensorFlow {@code tensor_bundle.proto})
 * independently of the reader, with knobs to produce corrupt bundles.
 */
final class TfBundleWriter {

    /** One tensor to write; {@code declaredShape}, {@code dtype} and the CRC are what the index claims. */
    record Tensor(int dtype, long[] declaredShape, byte[] bytes) {
    }

    private final Map<String, Tensor> tensors = new TreeMap<>();
    private int blockSize = 256;
    private int restartInterval = 3;

    /** Data block size threshold in bytes; small values spread the table over many blocks. */
    TfBundleWriter blockSize(int bytes) {
        this.blockSize = bytes;
        return this;
    }

    TfBundleWriter restartInterval(int entries) {
        this.restartInterval = entries;
        return this;
    }

    TfBundleWriter addFloats(String name, long[] shape, float[] values) {
        return add(name, BundleEntry.DT_FLOAT, shape, littleEndian(values));
    }

    TfBundleWriter add(String name, int dtype, long[] shape, byte[] bytes) {
        tensors.put(name, new Tensor(dtype, shape.clone(), bytes.clone()));
        return this;
    }

    static byte[] littleEndian(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b.array();
    }

    /** Writes {@code variables.index} and {@code variables.data-00000-of-00001} into {@code folder}. */
    void write(Path folder) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        Map<String, byte[]> index = new TreeMap<>();
        index.put("", header());
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            long offset = data.size();
            data.writeBytes(t.bytes());
            CRC32C crc = new CRC32C();
            crc.update(t.bytes());
            index.put(e.getKey(), entry(t.dtype(), t.declaredShape(), offset, t.bytes().length,
                    mask((int) crc.getValue())));
        }
        try {
            Files.createDirectories(folder);
            Files.write(folder.resolve("variables.data-00000-of-00001"), data.toByteArray());
            Files.write(folder.resolve("variables.index"), table(index, blockSize, restartInterval));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** LevelDB's CRC mask (util/crc32c.h), written out here independently of the reader's. */
    static int mask(int crc) {
        return Integer.rotateRight(crc, 15) + 0xa282ead8;
    }

    private static byte[] header() {
        return message(out -> {
            out.writeInt32(1, 1); // num_shards
            // endianness LITTLE = 0 is proto3's default and so not written, as TensorFlow does
            out.writeByteArray(3, message(v -> v.writeInt32(1, 1))); // VersionDef.producer
        });
    }

    private static byte[] entry(int dtype, long[] shape, long offset, long size, int crc) {
        return message(out -> {
            out.writeEnum(1, dtype);
            out.writeByteArray(2, message(s -> {
                for (long d : shape) {
                    s.writeByteArray(2, message(dim -> dim.writeInt64(1, d)));
                }
            }));
            if (offset != 0) {
                out.writeInt64(4, offset);
            }
            out.writeInt64(5, size);
            out.writeFixed32(6, crc);
        });
    }

    /** Writes a sorted table: data blocks, an empty meta-index block, an index block and the footer. */
    static byte[] table(Map<String, byte[]> sorted, int blockSize, int restartInterval) {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        Map<String, byte[]> indexEntries = new TreeMap<>();
        List<Map.Entry<String, byte[]>> block = new ArrayList<>();
        int blockBytes = 0;
        List<Map.Entry<String, byte[]>> all = new ArrayList<>(sorted.entrySet());
        for (int i = 0; i < all.size(); i++) {
            block.add(all.get(i));
            blockBytes += all.get(i).getKey().length() + all.get(i).getValue().length;
            if (blockBytes >= blockSize || i == all.size() - 1) {
                long offset = file.size();
                byte[] content = block(block, restartInterval);
                writeBlock(file, content);
                indexEntries.put(block.get(block.size() - 1).getKey(), handle(offset, content.length));
                block.clear();
                blockBytes = 0;
            }
        }
        long metaOffset = file.size();
        byte[] meta = block(List.of(), 1);
        writeBlock(file, meta);
        long indexOffset = file.size();
        byte[] index = block(new ArrayList<>(indexEntries.entrySet()), 1);
        writeBlock(file, index);
        byte[] footer = new byte[SsTableReader.FOOTER_LENGTH];
        byte[] handles = concat(handle(metaOffset, meta.length), handle(indexOffset, index.length));
        System.arraycopy(handles, 0, footer, 0, handles.length);
        ByteBuffer.wrap(footer, 40, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(0xdb4775248b80fb57L);
        file.writeBytes(footer);
        return file.toByteArray();
    }

    private static byte[] block(List<Map.Entry<String, byte[]>> entries, int restartInterval) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Integer> restarts = new ArrayList<>();
        byte[] previous = new byte[0];
        for (int i = 0; i < entries.size(); i++) {
            byte[] key = entries.get(i).getKey().getBytes(StandardCharsets.UTF_8);
            byte[] value = entries.get(i).getValue();
            int shared = 0;
            if (i % restartInterval == 0) {
                restarts.add(out.size());
            } else {
                while (shared < key.length && shared < previous.length && key[shared] == previous[shared]) {
                    shared++;
                }
            }
            int s = shared;
            out.writeBytes(message(o -> {
                o.writeUInt32NoTag(s);
                o.writeUInt32NoTag(key.length - s);
                o.writeUInt32NoTag(value.length);
            }));
            out.write(key, shared, key.length - shared);
            out.writeBytes(value);
            previous = key;
        }
        if (restarts.isEmpty()) {
            restarts.add(0);
        }
        ByteBuffer tail = ByteBuffer.allocate(4 * restarts.size() + 4).order(ByteOrder.LITTLE_ENDIAN);
        restarts.forEach(tail::putInt);
        tail.putInt(restarts.size());
        out.writeBytes(tail.array());
        return out.toByteArray();
    }

    private static void writeBlock(ByteArrayOutputStream file, byte[] content) {
        file.writeBytes(content);
        CRC32C crc = new CRC32C();
        crc.update(content);
        crc.update(0);
        ByteBuffer trailer = ByteBuffer.allocate(5).order(ByteOrder.LITTLE_ENDIAN);
        trailer.put((byte) 0).putInt(mask((int) crc.getValue()));
        file.writeBytes(trailer.array());
    }

    private static byte[] handle(long offset, long size) {
        return message(o -> {
            o.writeUInt64NoTag(offset);
            o.writeUInt64NoTag(size);
        });
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    interface Body {
        void write(CodedOutputStream out) throws IOException;
    }

    static byte[] message(Body body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        try {
            body.write(out);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
