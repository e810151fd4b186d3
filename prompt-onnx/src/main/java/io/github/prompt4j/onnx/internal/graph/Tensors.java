package io.github.prompt4j.onnx.internal.graph;

import ai.onnx.proto.OnnxMl;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/** Small inline tensors: creation and reading back of values stored in a {@link OnnxMl.TensorProto}. */
final class Tensors {

    private Tensors() {
    }

    static OnnxMl.TensorProto of(String name, ElementType type, long[] shape, double[] values) {
        OnnxMl.TensorProto.Builder b = OnnxMl.TensorProto.newBuilder().setName(name).setDataType(type.code());
        long n = 1;
        for (long d : shape) {
            b.addDims(d);
            n *= d;
        }
        if (n != values.length) {
            throw new IllegalArgumentException("tensor '" + name + "' of shape " + java.util.Arrays.toString(shape)
                    + " needs " + n + " values, got " + values.length);
        }
        switch (type) {
            case FLOAT -> {
                for (double v : values) {
                    b.addFloatData((float) v);
                }
            }
            case DOUBLE -> {
                for (double v : values) {
                    b.addDoubleData(v);
                }
            }
            case INT64 -> {
                for (double v : values) {
                    b.addInt64Data((long) v);
                }
            }
            case INT32, BOOL -> {
                for (double v : values) {
                    b.addInt32Data((int) v);
                }
            }
            default -> throw new IllegalArgumentException("inline tensors of type " + type + " are not supported");
        }
        return b.build();
    }

    static OnnxMl.TensorProto ofLongs(String name, long[] shape, long[] values) {
        OnnxMl.TensorProto.Builder b = OnnxMl.TensorProto.newBuilder().setName(name)
                .setDataType(ElementType.INT64.code());
        for (long d : shape) {
            b.addDims(d);
        }
        for (long v : values) {
            b.addInt64Data(v);
        }
        return b.build();
    }

    /** The int64 values of an inline tensor, if it is one. */
    static Optional<long[]> longs(OnnxMl.TensorProto t) {
        if (t.getDataType() != ElementType.INT64.code()
                || t.getDataLocation() == OnnxMl.TensorProto.DataLocation.EXTERNAL) {
            return Optional.empty();
        }
        if (t.getInt64DataCount() > 0) {
            return Optional.of(t.getInt64DataList().stream().mapToLong(Long::longValue).toArray());
        }
        ByteBuffer raw = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        long[] out = new long[raw.remaining() / Long.BYTES];
        raw.asLongBuffer().get(out);
        return Optional.of(out);
    }

    static long[] dims(OnnxMl.TensorProto t) {
        return t.getDimsList().stream().mapToLong(Long::longValue).toArray();
    }
}
