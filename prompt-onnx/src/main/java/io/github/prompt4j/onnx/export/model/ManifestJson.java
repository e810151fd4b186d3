package io.github.prompt4j.onnx.export.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.prompt4j.core.model.ModelLoadException;
import io.github.prompt4j.core.model.SpecialTokens;
import io.github.prompt4j.onnx.export.checkpoint.BertConfig;
import io.github.prompt4j.onnx.internal.weights.WeightFile;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads and writes {@link ModelManifest} as JSON; field errors name the file and the field. */
final class ManifestJson {

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper COMPACT = new ObjectMapper();
    /** The manifest's own checksum: SHA-256 of the compact JSON of every other field, in file order. */
    static final String CHECKSUM_FIELD = "manifestSha256";

    private ManifestJson() {
    }

    static String write(ModelManifest m) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("formatVersion", m.formatVersion());
        root.put("name", m.name());
        root.put("architecture", m.architecture());
        ObjectNode c = root.putObject("config");
        BertConfig bc = m.config();
        c.put("vocabSize", bc.vocabSize());
        c.put("hiddenSize", bc.hiddenSize());
        c.put("numLayers", bc.numLayers());
        c.put("numHeads", bc.numHeads());
        c.put("intermediateSize", bc.intermediateSize());
        c.put("maxPositions", bc.maxPositions());
        c.put("typeVocabSize", bc.typeVocabSize());
        c.put("layerNormEps", bc.layerNormEps());
        ObjectNode s = root.putObject("specialTokens");
        SpecialTokens st = m.specialTokens();
        s.put("cls", st.cls());
        s.put("sep", st.sep());
        s.put("pad", st.pad());
        s.put("mask", st.mask());
        s.put("unk", st.unk());
        root.put("lowerCase", m.lowerCase());
        root.put("maxSequenceLength", m.maxSequenceLength());
        root.put("source", m.source());
        root.put("sourceChecksum", m.sourceChecksum());
        root.put("fused", m.fused());
        writeWeights(root.putObject("weights"), m.weights());
        writeWeights(root.putObject("int8Weights"), m.int8Weights());
        ObjectNode files = root.putObject("files");
        m.files().forEach((name, f) -> files.putObject(name).put("size", f.size()).put("sha256", f.sha256()));
        root.put(CHECKSUM_FIELD, checksum(root));
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise manifest of " + m.name(), e);
        }
    }

    private static void writeWeights(ObjectNode w, WeightFile weights) {
        w.put("file", weights.fileName());
        ArrayNode tensors = w.putArray("tensors");
        for (WeightFile.Entry e : weights.entries().values()) {
            ObjectNode t = tensors.addObject();
            t.put("name", e.name());
            t.put("offset", e.offset());
            t.put("length", e.length());
            t.put("type", e.type().name());
            ArrayNode shape = t.putArray("shape");
            for (long d : e.shape()) {
                shape.add(d);
            }
        }
    }

    private static WeightFile readWeights(JsonNode root, String field, Path file) {
        JsonNode w = node(root, field, file);
        Map<String, WeightFile.Entry> entries = new LinkedHashMap<>();
        for (JsonNode t : array(w, "tensors", file)) {
            JsonNode shapeNode = array(t, "shape", file);
            long[] shape = new long[shapeNode.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = longValue(shapeNode.get(i), "shape", file);
            }
            String name = text(t, "name", file);
            WeightFile.DataType type;
            try {
                type = WeightFile.DataType.valueOf(text(t, "type", file));
            } catch (IllegalArgumentException e) {
                throw new ModelLoadException("manifest " + file + ": tensor '" + name + "' has unknown type '"
                        + t.path("type").asText() + "'; re-export the model", e);
            }
            entries.put(name, new WeightFile.Entry(name, longValue(node(t, "offset", file), "offset", file),
                    longValue(node(t, "length", file), "length", file), shape, type));
        }
        return new WeightFile(text(w, "file", file), entries);
    }

    static ModelManifest read(String json, Path file) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ModelLoadException("manifest " + file + " is not valid JSON: " + e.getOriginalMessage()
                    + "; re-export the model", e);
        }
        if (!root.isObject()) {
            throw new ModelLoadException("manifest " + file + " is not a JSON object; re-export the model");
        }
        int version = integer(root, "formatVersion", file);
        if (version != ModelManifest.FORMAT_VERSION) {
            throw new ModelLoadException("model directory " + file.getParent() + " has format version " + version
                    + " but this prompt4j reads version " + ModelManifest.FORMAT_VERSION
                    + "; re-export it with ModelExporter (or delete it from the cache to convert again)");
        }
        String recorded = text(root, CHECKSUM_FIELD, file);
        ((ObjectNode) root).remove(CHECKSUM_FIELD);
        if (!recorded.equals(checksum(root))) {
            throw new ModelLoadException("manifest " + file + " does not match its own checksum (" + CHECKSUM_FIELD
                    + "): it was altered or damaged; re-export the model (or delete it from the cache)");
        }
        try {
            JsonNode c = node(root, "config", file);
            BertConfig config = new BertConfig(integer(c, "vocabSize", file), integer(c, "hiddenSize", file),
                    integer(c, "numLayers", file), integer(c, "numHeads", file),
                    integer(c, "intermediateSize", file), integer(c, "maxPositions", file),
                    integer(c, "typeVocabSize", file), node(c, "layerNormEps", file).asDouble());
            JsonNode s = node(root, "specialTokens", file);
            SpecialTokens special = new SpecialTokens(integer(s, "cls", file), integer(s, "sep", file),
                    integer(s, "pad", file), integer(s, "mask", file), integer(s, "unk", file));
            Map<String, ModelManifest.FileRecord> files = new LinkedHashMap<>();
            node(root, "files", file).fields().forEachRemaining(f -> files.put(f.getKey(),
                    new ModelManifest.FileRecord(longValue(node(f.getValue(), "size", file), "size", file),
                            text(f.getValue(), "sha256", file))));
            return new ModelManifest(version, text(root, "name", file), text(root, "architecture", file), config,
                    special, node(root, "lowerCase", file).asBoolean(), integer(root, "maxSequenceLength", file),
                    text(root, "source", file), text(root, "sourceChecksum", file),
                    node(root, "fused", file).asBoolean(), readWeights(root, "weights", file),
                    readWeights(root, "int8Weights", file), files);
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException("manifest " + file + " is invalid: " + e.getMessage(), e);
        }
    }

    static String checksum(JsonNode root) {
        try {
            byte[] compact = COMPACT.writeValueAsBytes(root);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(compact));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot compute the manifest checksum", e);
        }
    }

    private static JsonNode node(JsonNode parent, String field, Path file) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            throw new ModelLoadException("manifest " + file + " lacks field '" + field + "'; re-export the model");
        }
        return n;
    }

    private static JsonNode array(JsonNode parent, String field, Path file) {
        JsonNode n = node(parent, field, file);
        if (!n.isArray()) {
            throw new ModelLoadException("manifest " + file + " field '" + field + "' is not an array: " + n);
        }
        return n;
    }

    private static long longValue(JsonNode n, String field, Path file) {
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new ModelLoadException("manifest " + file + " field '" + field + "' is not an integer: " + n);
        }
        return n.longValue();
    }

    private static int integer(JsonNode parent, String field, Path file) {
        JsonNode n = node(parent, field, file);
        if (!n.canConvertToInt()) {
            throw new ModelLoadException("manifest " + file + " field '" + field + "' is not an integer: " + n);
        }
        return n.asInt();
    }

    private static String text(JsonNode parent, String field, Path file) {
        return node(parent, field, file).asText();
    }
}
