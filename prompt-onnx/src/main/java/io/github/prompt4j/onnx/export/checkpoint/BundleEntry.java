package io.github.prompt4j.onnx.export.checkpoint;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.Arrays;

/**
 * One tensor's entry in a TensorFlow tensor bundle index: a decoded {@code tensorflow.BundleEntryProto}
 * ({@code tensorflow/core/protobuf/tensor_bundle.proto}).
 *
 * <p>Decoded field by field with protobuf-java's {@link CodedInputStream} rather than generated classes, because
 * TensorFlow's protos are not on the classpath; unknown fields are skipped. Immutable.
 *
 * @param dtype the {@code tensorflow.DataType} enum number (1 = {@code DT_FLOAT})
 * @param shape dimension sizes, outermost first ({@code TensorShapeProto.dim[].size})
 * @param shardId which {@code .data-NNNNN-of-NNNNN} file holds the bytes
 * @param offset byte offset of the tensor in that file
 * @param size byte length of the tensor
 * @param crc32c the stored checksum of the tensor's bytes, masked ({@link TfCrc32c#mask})
 * @param sliced whether the entry describes a partitioned variable ({@code slices} set), which holds no bytes itself
 */
record BundleEntry(int dtype, long[] shape, int shardId, long offset, long size, int crc32c, boolean sliced) {

    /** {@code tensorflow.DataType.DT_FLOAT}. */
    static final int DT_FLOAT = 1;

    BundleEntry {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /**
     * Decodes a serialized {@code BundleEntryProto}.
     *
     * @throws InvalidProtocolBufferException when the bytes are not a well-formed message
     */
    static BundleEntry parse(byte[] proto) throws InvalidProtocolBufferException {
        CodedInputStream in = CodedInputStream.newInstance(proto);
        int dtype = 0;
        long[] shape = new long[0];
        int shardId = 0;
        long offset = 0;
        long size = 0;
        int crc32c = 0;
        boolean sliced = false;
        try {
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                switch (WireFormat.getTagFieldNumber(tag)) {
                    case 1 -> dtype = in.readEnum();
                    case 2 -> shape = readShape(in);
                    case 3 -> shardId = in.readInt32();
                    case 4 -> offset = in.readInt64();
                    case 5 -> size = in.readInt64();
                    case 6 -> crc32c = in.readFixed32();
                    case 7 -> {
                        sliced = true;
                        in.skipField(tag);
                    }
                    default -> in.skipField(tag);
                }
            }
        } catch (InvalidProtocolBufferException e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidProtocolBufferException(e);
        }
        return new BundleEntry(dtype, shape, shardId, offset, size, crc32c, sliced);
    }

    /** Decodes a length-delimited {@code TensorShapeProto}: repeated {@code dim} (field 2) with {@code size} (1). */
    private static long[] readShape(CodedInputStream in) throws IOException {
        int limit = in.pushLimit(in.readRawVarint32());
        long[] dims = new long[4];
        int rank = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            int field = WireFormat.getTagFieldNumber(tag);
            if (field == 2 && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                if (rank == dims.length) {
                    dims = Arrays.copyOf(dims, rank * 2);
                }
                dims[rank++] = readDimSize(in);
            } else if (field == 3 && in.readBool()) {
                throw new InvalidProtocolBufferException("tensor shape has unknown rank");
            } else if (field != 3) {
                in.skipField(tag);
            }
        }
        in.popLimit(limit);
        return Arrays.copyOf(dims, rank);
    }

    /** Decodes a length-delimited {@code TensorShapeProto.Dim}, returning its {@code size} (field 1). */
    private static long readDimSize(CodedInputStream in) throws IOException {
        int limit = in.pushLimit(in.readRawVarint32());
        long size = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (WireFormat.getTagFieldNumber(tag) == 1) {
                size = in.readInt64();
            } else {
                in.skipField(tag);
            }
        }
        in.popLimit(limit);
        return size;
    }

    /** Number of elements, the product of the shape (1 for a scalar). */
    long elementCount() {
        long count = 1;
        for (long d : shape) {
            count = Math.multiplyExact(count, d);
        }
        return count;
    }

    /** A readable name for a {@code tensorflow.DataType} enum number, for messages. */
    static String dtypeName(int dtype) {
        return switch (dtype) {
            case 1 -> "DT_FLOAT";
            case 2 -> "DT_DOUBLE";
            case 3 -> "DT_INT32";
            case 4 -> "DT_UINT8";
            case 5 -> "DT_INT16";
            case 6 -> "DT_INT8";
            case 7 -> "DT_STRING";
            case 9 -> "DT_INT64";
            case 10 -> "DT_BOOL";
            case 14 -> "DT_BFLOAT16";
            case 19 -> "DT_HALF";
            default -> "DataType " + dtype;
        };
    }
}
