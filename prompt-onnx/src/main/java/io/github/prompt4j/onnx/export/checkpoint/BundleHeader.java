package io.github.prompt4j.onnx.export.checkpoint;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.io.IOException;

/**
 * A TensorFlow tensor bundle's header, the {@code tensorflow.BundleHeaderProto} stored under the empty key of the
 * index. Immutable.
 *
 * @param numShards how many {@code .data-NNNNN-of-NNNNN} files hold the tensors
 * @param bigEndian whether the tensors' bytes are big-endian ({@code endianness = BIG})
 */
record BundleHeader(int numShards, boolean bigEndian) {

    /**
     * Decodes a serialized {@code BundleHeaderProto}: {@code num_shards} (1), {@code endianness} (2), {@code version}
     * (3, ignored).
     *
     * @throws InvalidProtocolBufferException when the bytes are not a well-formed message
     */
    static BundleHeader parse(byte[] proto) throws InvalidProtocolBufferException {
        CodedInputStream in = CodedInputStream.newInstance(proto);
        int numShards = 0;
        int endianness = 0;
        try {
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                switch (WireFormat.getTagFieldNumber(tag)) {
                    case 1 -> numShards = in.readInt32();
                    case 2 -> endianness = in.readEnum();
                    default -> in.skipField(tag);
                }
            }
        } catch (InvalidProtocolBufferException e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidProtocolBufferException(e);
        }
        return new BundleHeader(numShards, endianness == 1);
    }
}
