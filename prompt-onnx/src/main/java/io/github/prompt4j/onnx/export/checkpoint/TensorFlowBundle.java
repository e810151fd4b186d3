package io.github.prompt4j.onnx.export.checkpoint;

import com.google.protobuf.InvalidProtocolBufferException;
import io.github.prompt4j.core.model.ModelLoadException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A TensorFlow tensor bundle (the {@code variables/} folder of a SavedModel, or a {@code model.ckpt.index} with its
 * data shards): an index table naming each tensor's dtype, shape, shard, offset, size and checksum, and data files
 * of raw tensor bytes, read by positional {@link FileChannel} reads.
 *
 * <p>Knows nothing about BERT. Messages name files by their display location (for a bundle extracted from a jar,
 * the path inside the jar rather than the temporary copy). Owns its open channels; not thread-safe.
 */
final class TensorFlowBundle implements AutoCloseable {

    private final String indexLocation;
    private final Map<String, byte[]> entries;
    private final List<String> shardLocations;
    private final List<FileChannel> shards;

    private TensorFlowBundle(String indexLocation, Map<String, byte[]> entries, List<String> shardLocations,
            List<FileChannel> shards) {
        this.indexLocation = indexLocation;
        this.entries = entries;
        this.shardLocations = shardLocations;
        this.shards = shards;
    }

    /**
     * Opens the bundle whose index is {@code <folder>/<prefix>.index} and whose data shards are
     * {@code <folder>/<prefix>.data-NNNNN-of-NNNNN}.
     *
     * @param folder the folder holding the files
     * @param prefix the file-name prefix, {@code variables} in a SavedModel
     * @param displayFolder how messages name {@code folder}
     * @throws ModelLoadException naming the file when the index is missing or corrupt, the header is unsupported or
     *         a data shard is missing
     */
    static TensorFlowBundle open(Path folder, String prefix, String displayFolder) {
        String indexName = prefix + ".index";
        String indexLocation = displayFolder + "/" + indexName;
        byte[] table;
        try {
            table = Files.readAllBytes(folder.resolve(indexName));
        } catch (NoSuchFileException e) {
            throw new ModelLoadException("TensorFlow tensor bundle index " + indexLocation + " does not exist", e);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read TensorFlow tensor bundle index " + indexLocation, e);
        }
        Map<String, byte[]> entries = SsTableReader.readAll(table, indexLocation);
        BundleHeader header = header(entries, indexLocation);
        List<String> shardLocations = new ArrayList<>();
        List<FileChannel> shards = new ArrayList<>();
        try {
            for (int i = 0; i < header.numShards(); i++) {
                String shardName = String.format("%s.data-%05d-of-%05d", prefix, i, header.numShards());
                shardLocations.add(displayFolder + "/" + shardName);
                shards.add(FileChannel.open(folder.resolve(shardName), StandardOpenOption.READ));
            }
        } catch (IOException e) {
            ModelLoadException failure = new ModelLoadException("cannot open TensorFlow tensor bundle data file "
                    + shardLocations.get(shardLocations.size() - 1) + " (named by " + indexLocation + ")", e);
            closeAll(shards, failure);
            throw failure;
        }
        return new TensorFlowBundle(indexLocation, entries, List.copyOf(shardLocations), List.copyOf(shards));
    }

    private static BundleHeader header(Map<String, byte[]> entries, String indexLocation) {
        byte[] proto = entries.get("");
        if (proto == null) {
            throw new ModelLoadException("TensorFlow tensor bundle index " + indexLocation
                    + " has no header (empty key): not a tensor bundle index");
        }
        BundleHeader header;
        try {
            header = BundleHeader.parse(proto);
        } catch (InvalidProtocolBufferException e) {
            throw new ModelLoadException("TensorFlow tensor bundle index " + indexLocation + " has a corrupt header",
                    e);
        }
        if (header.numShards() < 1) {
            throw new ModelLoadException("TensorFlow tensor bundle index " + indexLocation + " declares "
                    + header.numShards() + " data shards");
        }
        if (header.bigEndian()) {
            throw new ModelLoadException("TensorFlow tensor bundle index " + indexLocation
                    + " holds big-endian tensors; only little-endian bundles are supported");
        }
        return header;
    }

    /** Display location of the index file, for messages. */
    String indexLocation() {
        return indexLocation;
    }

    /** Names of every tensor in the bundle, in key order (the header's empty key excluded). */
    List<String> tensorNames() {
        List<String> names = new ArrayList<>(entries.size());
        for (String key : entries.keySet()) {
            if (!key.isEmpty()) {
                names.add(key);
            }
        }
        return names;
    }

    /** Whether the bundle holds a tensor of this name. */
    boolean contains(String tensorName) {
        return !tensorName.isEmpty() && entries.containsKey(tensorName);
    }

    /**
     * The decoded entry of a tensor, if the bundle has one.
     *
     * @throws ModelLoadException naming the index and tensor when the entry is not a well-formed message
     */
    Optional<BundleEntry> entry(String tensorName) {
        byte[] proto = tensorName.isEmpty() ? null : entries.get(tensorName);
        if (proto == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(BundleEntry.parse(proto));
        } catch (InvalidProtocolBufferException e) {
            throw new ModelLoadException("tensor '" + tensorName + "' in TensorFlow tensor bundle index "
                    + indexLocation + " has a corrupt entry", e);
        }
    }

    /**
     * Reads a float32 tensor, checking its dtype, shape, extent and CRC32C.
     *
     * @param tensorName the tensor's name in the bundle
     * @param expectedShape the shape it must have
     * @param context appended to the tensor name in messages (for example the canonical name), may be empty
     * @return the tensor's elements, row-major
     * @throws ModelLoadException naming the file and the tensor when the tensor is missing, is not
     *         {@code DT_FLOAT}, has another shape, lies beyond the end of its data file or fails its checksum
     */
    float[] readFloats(String tensorName, long[] expectedShape, String context) {
        String tensor = "tensor '" + tensorName + "'" + context;
        BundleEntry entry = entry(tensorName).orElseThrow(() -> new ModelLoadException(tensor
                + " is missing from TensorFlow tensor bundle index " + indexLocation));
        if (entry.sliced()) {
            throw new ModelLoadException(tensor + " in " + indexLocation
                    + " is a partitioned (sliced) variable; partitioned variables are not supported");
        }
        if (entry.dtype() != BundleEntry.DT_FLOAT) {
            throw new ModelLoadException(tensor + " in " + indexLocation + " has dtype "
                    + BundleEntry.dtypeName(entry.dtype()) + "; only DT_FLOAT tensors are supported");
        }
        if (!Arrays.equals(entry.shape(), expectedShape)) {
            throw new ModelLoadException(tensor + " in " + indexLocation + " has shape "
                    + Arrays.toString(entry.shape()) + " but " + Arrays.toString(expectedShape) + " is expected");
        }
        if (entry.shardId() < 0 || entry.shardId() >= shards.size()) {
            throw new ModelLoadException(tensor + " in " + indexLocation + " names data shard " + entry.shardId()
                    + " of " + shards.size());
        }
        String dataLocation = shardLocations.get(entry.shardId());
        long bytes = entry.elementCount() * Float.BYTES;
        if (entry.size() != bytes) {
            throw new ModelLoadException(tensor + " in " + indexLocation + " claims " + entry.size()
                    + " bytes in " + dataLocation + " but shape " + Arrays.toString(expectedShape) + " needs " + bytes);
        }
        if (bytes > Integer.MAX_VALUE - 16) {
            throw new ModelLoadException(tensor + " in " + dataLocation + " has " + bytes
                    + " bytes, more than one Java array holds");
        }
        ByteBuffer buffer = read(entry, tensor, dataLocation);
        int actual = TfCrc32c.plain(buffer);
        if (TfCrc32c.mask(actual) != entry.crc32c()) {
            throw new ModelLoadException(String.format("%s in %s fails its checksum: the bytes at offset %d have "
                    + "CRC32C 0x%08x (masked 0x%08x) but the index %s stores 0x%08x (corrupt data file)", tensor,
                    dataLocation, entry.offset(), actual, TfCrc32c.mask(actual), indexLocation, entry.crc32c()));
        }
        float[] values = new float[(int) entry.elementCount()];
        buffer.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }

    private ByteBuffer read(BundleEntry entry, String tensor, String dataLocation) {
        FileChannel channel = shards.get(entry.shardId());
        try {
            long fileSize = channel.size();
            if (entry.offset() < 0 || entry.offset() > fileSize - entry.size()) {
                throw new ModelLoadException(tensor + " lies at bytes [" + entry.offset() + ", "
                        + (entry.offset() + entry.size()) + ") of data file " + dataLocation + ", which has only "
                        + fileSize + " bytes (truncated data file)");
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) entry.size());
            long position = entry.offset();
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer, position);
                if (n < 0) {
                    throw new ModelLoadException(tensor + " ends past the end of data file " + dataLocation
                            + " (truncated data file)");
                }
                position += n;
            }
            return buffer.flip();
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + tensor + " from data file " + dataLocation, e);
        }
    }

    /** Names of every data shard's display location, in shard order. */
    List<String> shardLocations() {
        return shardLocations;
    }

    @Override
    public void close() {
        ModelLoadException failure = null;
        for (FileChannel shard : shards) {
            try {
                shard.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = new ModelLoadException("cannot close TensorFlow tensor bundle data file of "
                            + indexLocation, e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static void closeAll(List<FileChannel> channels, Exception failure) {
        for (FileChannel channel : channels) {
            try {
                channel.close();
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
        }
    }
}
