package io.github.prompt4j.onnx.export.model;

import io.github.prompt4j.core.model.ModelLoadException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * An exported model directory: {@code manifest.json}, {@code forward.onnx}, {@code forward_embeds.onnx},
 * {@code gradient.onnx}, {@code forward_prefix.onnx}, {@code gradient_prefix.onnx}, {@code gradient_head.onnx},
 * {@code gradient_head_prefix.onnx}, {@code forward_int8.onnx}, {@code forward_embeds_int8.onnx}, {@code tokenizer.json}, the
 * shared {@code weights.bin} and the quantized {@code weights_int8.bin}, as written by {@link ModelExporter}.
 *
 * <p>{@link #open(Path)} checks that every file is there, that the format version is the one this library reads, that
 * the manifest matches its own checksum and that every file has the size the manifest records;
 * {@link #open(Path, Verification)} with {@link Verification#CHECKSUMS} also compares each file's SHA-256 (a second
 * or so per 400 MB). Immutable and thread-safe; holds no open files.
 */
public final class ModelDirectory {

    private final Path path;
    private final ModelManifest manifest;

    private ModelDirectory(Path path, ModelManifest manifest) {
        this.path = path;
        this.manifest = manifest;
    }

    /** How much of a directory's content {@link #open(Path, Verification)} checks against its manifest. */
    public enum Verification {
        /** Every recorded file exists with the recorded size (cheap; catches truncation). */
        SIZES,
        /** Sizes and each file's SHA-256 (reads every byte; catches altered content). */
        CHECKSUMS
    }

    /**
     * Opens an exported model directory, checking file sizes ({@link Verification#SIZES}).
     *
     * @throws ModelLoadException naming the file when the directory, the manifest or any file it needs is missing,
     *         the manifest is invalid, or the format version differs (the message says how to re-export)
     */
    public static ModelDirectory open(Path path) {
        return open(path, Verification.SIZES);
    }

    /**
     * Opens an exported model directory, checking its files as far as {@code verification} says.
     *
     * @throws ModelLoadException naming the file when the directory, the manifest or any file it needs is missing,
     *         the manifest is invalid, the format version differs, or a file's size or checksum is not the one the
     *         manifest records (the message says how to re-export)
     */
    public static ModelDirectory open(Path path, Verification verification) {
        if (path == null) {
            throw new IllegalArgumentException("model directory path must not be null");
        }
        if (verification == null) {
            throw new IllegalArgumentException("verification must not be null; use Verification.SIZES");
        }
        if (!Files.isDirectory(path)) {
            throw new ModelLoadException("model directory " + path + " does not exist or is not a directory");
        }
        Path manifestFile = path.resolve(ModelManifest.MANIFEST_FILE);
        if (!Files.isRegularFile(manifestFile)) {
            throw new ModelLoadException("model directory " + path + " has no " + ModelManifest.MANIFEST_FILE
                    + "; it is not an exported prompt4j model (export one with ModelExporter)");
        }
        String json;
        try {
            json = Files.readString(manifestFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + manifestFile, e);
        }
        ModelManifest manifest = ManifestJson.read(json, manifestFile);
        ModelDirectory dir = new ModelDirectory(path, manifest);
        for (Path required : new Path[] {dir.forwardGraph(), dir.forwardEmbedsGraph(), dir.gradientGraph(),
                dir.forwardPrefixGraph(), dir.gradientPrefixGraph(), dir.gradientHeadGraph(),
                dir.gradientHeadPrefixGraph(),
                dir.forwardInt8Graph(), dir.forwardEmbedsInt8Graph(), dir.tokenizerJson(), dir.weightsFile(),
                dir.int8WeightsFile()}) {
            if (!Files.isRegularFile(required)) {
                throw new ModelLoadException("model directory " + path + " lacks " + required.getFileName()
                        + "; re-export the model with ModelExporter");
            }
        }
        checkSize(dir.weightsFile(), manifest.weights().totalBytes());
        checkSize(dir.int8WeightsFile(), manifest.int8Weights().totalBytes());
        for (Map.Entry<String, ModelManifest.FileRecord> f : manifest.files().entrySet()) {
            verify(path, f.getKey(), f.getValue(), verification);
        }
        return dir;
    }

    private static void checkSize(Path file, long expected) {
        try {
            long actual = Files.size(file);
            if (actual < expected) {
                throw new ModelLoadException("weights file " + file + " is truncated: " + actual
                        + " bytes, the manifest needs " + expected + "; re-export the model");
            }
        } catch (IOException e) {
            throw new ModelLoadException("cannot read the size of " + file, e);
        }
    }

    private static void verify(Path dir, String name, ModelManifest.FileRecord expected, Verification verification) {
        Path file = dir.resolve(name);
        String fix = "; re-export the model with ModelExporter (a cache entry: delete it to convert again)";
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new ModelLoadException("model directory " + dir + " lacks " + name + " (" + e + ")" + fix, e);
        }
        if (size != expected.size()) {
            throw new ModelLoadException("file " + name + " of model directory " + dir + " has " + size
                    + " bytes but the manifest records " + expected.size() + ": it is truncated or was changed" + fix);
        }
        if (verification == Verification.CHECKSUMS) {
            String actual = sha256(file);
            if (!actual.equals(expected.sha256())) {
                throw new ModelLoadException("file " + name + " of model directory " + dir + " has SHA-256 " + actual
                        + " but the manifest records " + expected.sha256() + ": its content was altered" + fix);
            }
        }
    }

    /** Size and SHA-256 of every regular file in a directory being exported, except the manifest. */
    static Map<String, ModelManifest.FileRecord> describeFiles(Path directory) throws IOException {
        Map<String, ModelManifest.FileRecord> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(directory)) {
            for (Path p : list.filter(Files::isRegularFile).toList()) {
                String name = p.getFileName().toString();
                if (!name.equals(ModelManifest.MANIFEST_FILE)) {
                    files.put(name, new ModelManifest.FileRecord(Files.size(p), sha256(p)));
                }
            }
        }
        return files;
    }

    private static String sha256(Path file) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new ModelLoadException("cannot read " + file + " to compute its SHA-256: " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Writes a manifest into a directory being exported. */
    static void writeManifest(Path directory, ModelManifest manifest) throws IOException {
        Files.writeString(directory.resolve(ModelManifest.MANIFEST_FILE), ManifestJson.write(manifest),
                StandardCharsets.UTF_8);
    }

    /** The directory. */
    public Path path() {
        return path;
    }

    /** Its manifest. */
    public ModelManifest manifest() {
        return manifest;
    }

    /** The forward graph file. */
    public Path forwardGraph() {
        return path.resolve(ModelManifest.FORWARD_FILE);
    }

    /** The embeddings forward graph file (input embeddings instead of token ids, for soft prompts). */
    public Path forwardEmbedsGraph() {
        return path.resolve(ModelManifest.FORWARD_EMBEDS_FILE);
    }

    /** The gradient graph file. */
    public Path gradientGraph() {
        return path.resolve(ModelManifest.GRADIENT_FILE);
    }

    /** The prefix-tuning forward graph file (input embeddings plus per-layer key/value prefixes). */
    public Path forwardPrefixGraph() {
        return path.resolve(ModelManifest.FORWARD_PREFIX_FILE);
    }

    /** The prefix-tuning gradient graph file (label loss and its gradient with respect to the prefixes). */
    public Path gradientPrefixGraph() {
        return path.resolve(ModelManifest.GRADIENT_PREFIX_FILE);
    }

    /** The learned-head gradient graph file (head cross-entropy and its gradient w.r.t. the input embeddings). */
    public Path gradientHeadGraph() {
        return path.resolve(ModelManifest.GRADIENT_HEAD_FILE);
    }

    /** The learned-head prefix gradient graph file (head cross-entropy and its gradient w.r.t. the prefixes). */
    public Path gradientHeadPrefixGraph() {
        return path.resolve(ModelManifest.GRADIENT_HEAD_PREFIX_FILE);
    }

    /** The int8 forward graph file (quantized encoder, fp32 embeddings and MLM head). */
    public Path forwardInt8Graph() {
        return path.resolve(ModelManifest.FORWARD_INT8_FILE);
    }

    /** The int8 embeddings forward graph file. */
    public Path forwardEmbedsInt8Graph() {
        return path.resolve(ModelManifest.FORWARD_EMBEDS_INT8_FILE);
    }

    /** The quantized encoder weights file. */
    public Path int8WeightsFile() {
        return path.resolve(manifest.int8Weights().fileName());
    }

    /** The tokenizer definition file. */
    public Path tokenizerJson() {
        return path.resolve(ModelManifest.TOKENIZER_FILE);
    }

    /** The shared weights file. */
    public Path weightsFile() {
        return path.resolve(manifest.weights().fileName());
    }

    @Override
    public String toString() {
        return "ModelDirectory[" + manifest.name() + " at " + path + "]";
    }
}
