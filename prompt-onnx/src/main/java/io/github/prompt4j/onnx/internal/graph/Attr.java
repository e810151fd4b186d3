package io.github.prompt4j.onnx.internal.graph;

import ai.onnx.proto.OnnxMl;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Factories for ONNX node attributes and readers of attributes on existing nodes.
 *
 * <p>Stateless and thread-safe.
 */
public final class Attr {

    private Attr() {
    }

    /** An integer attribute. */
    public static OnnxMl.AttributeProto of(String name, long value) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.INT)
                .setI(value).build();
    }

    /** A float attribute. */
    public static OnnxMl.AttributeProto of(String name, float value) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.FLOAT)
                .setF(value).build();
    }

    /** A string attribute. */
    public static OnnxMl.AttributeProto of(String name, String value) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.STRING)
                .setS(com.google.protobuf.ByteString.copyFromUtf8(value)).build();
    }

    /** A tensor attribute. */
    public static OnnxMl.AttributeProto of(String name, OnnxMl.TensorProto value) {
        return OnnxMl.AttributeProto.newBuilder().setName(name).setType(OnnxMl.AttributeProto.AttributeType.TENSOR)
                .setT(value).build();
    }

    /** An integer-list attribute. */
    public static OnnxMl.AttributeProto ints(String name, long... values) {
        OnnxMl.AttributeProto.Builder b = OnnxMl.AttributeProto.newBuilder().setName(name)
                .setType(OnnxMl.AttributeProto.AttributeType.INTS);
        for (long v : values) {
            b.addInts(v);
        }
        return b.build();
    }

    /** The attribute of a node, if present. */
    public static Optional<OnnxMl.AttributeProto> find(OnnxMl.NodeProto node, String name) {
        return node.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst();
    }

    /** An integer attribute of a node, or a default. */
    public static long intOf(OnnxMl.NodeProto node, String name, long dflt) {
        return find(node, name).map(OnnxMl.AttributeProto::getI).orElse(dflt);
    }

    /** A float attribute of a node, or a default. */
    public static float floatOf(OnnxMl.NodeProto node, String name, float dflt) {
        return find(node, name).map(OnnxMl.AttributeProto::getF).orElse(dflt);
    }

    /** A string attribute of a node, or a default. */
    public static String stringOf(OnnxMl.NodeProto node, String name, String dflt) {
        return find(node, name).map(a -> a.getS().toStringUtf8()).orElse(dflt);
    }

    /** An integer-list attribute of a node, if present. */
    public static Optional<long[]> intsOf(OnnxMl.NodeProto node, String name) {
        return find(node, name).map(a -> a.getIntsList().stream().mapToLong(Long::longValue).toArray());
    }

    /** Attribute list from varargs (a defensive copy). */
    static List<OnnxMl.AttributeProto> list(OnnxMl.AttributeProto... attrs) {
        return List.copyOf(Arrays.asList(attrs));
    }
}
