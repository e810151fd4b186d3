package io.github.prompt4j.onnx.internal.graph;

import ai.onnx.proto.OnnxMl;

/**
 * Element types of tensors in the graphs prompt4j builds (a closed subset of ONNX's {@code TensorProto.DataType}).
 *
 * <p>Immutable and thread-safe.
 */
public enum ElementType {
    /** IEEE float32. */
    FLOAT(OnnxMl.TensorProto.DataType.FLOAT, true),
    /** IEEE float64. */
    DOUBLE(OnnxMl.TensorProto.DataType.DOUBLE, true),
    /** IEEE float16. */
    FLOAT16(OnnxMl.TensorProto.DataType.FLOAT16, true),
    /** Signed 64-bit integer (ids, indices, shapes). */
    INT64(OnnxMl.TensorProto.DataType.INT64, false),
    /** Signed 8-bit integer (quantized weights). */
    INT8(OnnxMl.TensorProto.DataType.INT8, false),
    /** Unsigned 8-bit integer (dynamically quantized activations). */
    UINT8(OnnxMl.TensorProto.DataType.UINT8, false),
    /** Signed 32-bit integer. */
    INT32(OnnxMl.TensorProto.DataType.INT32, false),
    /** Boolean. */
    BOOL(OnnxMl.TensorProto.DataType.BOOL, false);

    private final OnnxMl.TensorProto.DataType onnx;
    private final boolean floating;

    ElementType(OnnxMl.TensorProto.DataType onnx, boolean floating) {
        this.onnx = onnx;
        this.floating = floating;
    }

    /** The ONNX data type. */
    public OnnxMl.TensorProto.DataType onnx() {
        return onnx;
    }

    /** The ONNX data type's integer code (as used by {@code Cast.to}). */
    public int code() {
        return onnx.getNumber();
    }

    /** Whether values of this type are real numbers that carry gradients. */
    public boolean isFloating() {
        return floating;
    }

    /**
     * The element type of an ONNX data type code.
     *
     * @throws IllegalArgumentException when the code is not one of this enum's types
     */
    public static ElementType fromCode(int code) {
        for (ElementType t : values()) {
            if (t.code() == code) {
                return t;
            }
        }
        throw new IllegalArgumentException("ONNX element type " + code + " ("
                + OnnxMl.TensorProto.DataType.forNumber(code) + ") is not supported; use one of "
                + java.util.Arrays.toString(values()));
    }
}
