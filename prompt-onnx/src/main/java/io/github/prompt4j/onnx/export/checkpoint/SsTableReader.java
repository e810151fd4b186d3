package io.github.prompt4j.onnx.export.checkpoint;

import com.google.protobuf.CodedInputStream;
import io.github.prompt4j.core.model.ModelLoadException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a whole LevelDB-format sorted string table (the format of TensorFlow's {@code variables.index}) into memory.
 *
 * <p>Layout (LevelDB {@code doc/table_format.md}): data blocks, a meta-index block, an index block, then a 48-byte
 * footer holding the varint block handles {@code (offset, size)} of the meta-index and index blocks, zero padding,
 * and the magic {@code 0xdb4775248b80fb57} as the last 8 bytes (little-endian). Each block is a run of
 * prefix-compressed entries ({@code varint shared, varint nonShared, varint valueLength, key delta, value}), a
 * restart array of uint32 offsets and a uint32 restart count, followed by a 5-byte trailer: a compression byte (only
 * 0, none, is supported; TensorFlow writes index files uncompressed) and the masked CRC32C of block and compression
 * byte, which is verified. The index block maps a separator key to each data block's handle.
 *
 * <p>Indexes are small (8.5 KB for BERT-base), so the table is read whole rather than searched block by block.
 * Stateless and thread-safe.
 */
final class SsTableReader {

    /** LevelDB's table magic number, stored little-endian in the footer's last 8 bytes. */
    static final long MAGIC = 0xdb4775248b80fb57L;
    static final int FOOTER_LENGTH = 48;
    static final int BLOCK_TRAILER_LENGTH = 5;

    private SsTableReader() {
    }

    /**
     * Every key and value of the table, in key order. Keys are decoded as UTF-8 (TensorFlow tensor names).
     *
     * @param table the whole table file
     * @param file the file's name or location, for messages
     * @throws ModelLoadException naming the file when the footer, a block or its checksum is corrupt
     */
    static Map<String, byte[]> readAll(byte[] table, String file) {
        if (table.length < FOOTER_LENGTH) {
            throw corrupt(file, "is " + table.length + " bytes long, shorter than the " + FOOTER_LENGTH
                    + "-byte table footer (truncated?)");
        }
        int footer = table.length - FOOTER_LENGTH;
        try {
            long magic = CodedInputStream.newInstance(table, table.length - Long.BYTES, Long.BYTES)
                    .readRawLittleEndian64();
            if (magic != MAGIC) {
                throw corrupt(file, String.format("ends with 0x%016x instead of the table magic 0x%016x: not a "
                        + "LevelDB table, or truncated", magic, MAGIC));
            }
            CodedInputStream handles = CodedInputStream.newInstance(table, footer, FOOTER_LENGTH - Long.BYTES);
            readHandle(handles, table, footer, file, "meta-index block");
            long[] index = readHandle(handles, table, footer, file, "index block");
            Map<String, byte[]> entries = new LinkedHashMap<>();
            Map<String, byte[]> dataBlocks = readBlock(table, index, file, "index block");
            for (Map.Entry<String, byte[]> dataBlock : dataBlocks.entrySet()) {
                CodedInputStream value = CodedInputStream.newInstance(dataBlock.getValue());
                long[] handle = readHandle(value, table, footer, file, "data block before key '"
                        + dataBlock.getKey() + "'");
                entries.putAll(readBlock(table, handle, file, "data block at offset " + handle[0]));
            }
            return Collections.unmodifiableMap(entries);
        } catch (IOException e) {
            throw new ModelLoadException("TensorFlow tensor bundle index " + file + " is corrupt: " + e.getMessage(),
                    e);
        }
    }

    /** Reads a block handle and checks that the block and its trailer end before {@code limit}. */
    private static long[] readHandle(CodedInputStream in, byte[] table, int limit, String file, String what)
            throws IOException {
        long offset = in.readRawVarint64();
        long size = in.readRawVarint64();
        if (offset < 0 || size < 0 || offset > limit || size > limit - offset - BLOCK_TRAILER_LENGTH) {
            throw corrupt(file, "has a " + what + " at offset " + offset + " of " + size + " bytes, past the "
                    + table.length + "-byte file's last block (truncated?)");
        }
        return new long[] {offset, size};
    }

    /** Verifies a block's trailer and decodes its prefix-compressed entries. */
    private static Map<String, byte[]> readBlock(byte[] table, long[] handle, String file, String what)
            throws IOException {
        int offset = (int) handle[0];
        int size = (int) handle[1];
        int compression = table[offset + size] & 0xff;
        if (compression != 0) {
            throw corrupt(file, "has a " + what + " with compression type " + compression
                    + "; only uncompressed (0) blocks are supported");
        }
        int stored = CodedInputStream.newInstance(table, offset + size + 1, Integer.BYTES).readRawLittleEndian32();
        int actual = TfCrc32c.masked(table, offset, size + 1);
        if (stored != actual) {
            throw corrupt(file, String.format("has a %s whose CRC32C is 0x%08x but its trailer says 0x%08x "
                    + "(corrupt bytes)", what, actual, stored));
        }
        if (size < Integer.BYTES) {
            throw corrupt(file, "has a " + what + " of " + size + " bytes, too short for its restart count");
        }
        long restarts = CodedInputStream.newInstance(table, offset + size - Integer.BYTES, Integer.BYTES)
                .readRawLittleEndian32() & 0xffffffffL;
        long entriesEnd = size - Integer.BYTES - restarts * Integer.BYTES;
        if (entriesEnd < 0) {
            throw corrupt(file, "has a " + what + " claiming " + restarts + " restart points in " + size + " bytes");
        }
        CodedInputStream in = CodedInputStream.newInstance(table, offset, (int) entriesEnd);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        byte[] key = new byte[0];
        while (!in.isAtEnd()) {
            int shared = in.readRawVarint32();
            int nonShared = in.readRawVarint32();
            int valueLength = in.readRawVarint32();
            if (shared < 0 || shared > key.length || nonShared < 0 || valueLength < 0) {
                throw corrupt(file, "has a " + what + " with an entry sharing " + shared + " bytes of the "
                        + key.length + "-byte previous key, " + nonShared + " new key bytes, " + valueLength
                        + " value bytes");
            }
            byte[] delta = in.readRawBytes(nonShared);
            byte[] next = Arrays.copyOf(key, shared + nonShared);
            System.arraycopy(delta, 0, next, shared, nonShared);
            key = next;
            entries.put(new String(key, StandardCharsets.UTF_8), in.readRawBytes(valueLength));
        }
        return entries;
    }

    private static ModelLoadException corrupt(String file, String problem) {
        return new ModelLoadException("TensorFlow tensor bundle index " + file + " " + problem);
    }
}
