package io.github.prompt4j.onnx.export.model;

import io.github.prompt4j.core.model.ModelLoadException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An exported model directory: {@code manifest.json}, {@code forward.onnx}, {@code forward_embeds.onnx},
 * {@code gradient.onnx}, {@code forward_int8.onnx}, {@code forward_embeds_int8.onnx}, {@code tokenizer.json}, the
 * shared {@code weights.bin} and the quantized {@code weights_int8.bin}, as written by {@link ModelExporter}.
 *
 * <p>{@link #open(Path)} checks that every file is there and that the format version is the one this library reads.
 * Immutable and thread-safe; holds no open files.
 */
public final class ModelDirectory {

    private final Path path;
    private final ModelManifest manifest;

    private ModelDirectory(Path path, ModelManifest manifest) {
        this.path = path;
        this.manifest = manifest;
    }

    /**
     * Opens an exported model directory.
     *
     * @throws ModelLoadException naming the file when the directory, the manifest or any file it needs is missing,
     *         the manifest is invalid, or the format version differs (the message says how to re-export)
     */
    public static ModelDirectory open(Path path) {
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
                dir.forwardInt8Graph(), dir.forwardEmbedsInt8Graph(), dir.tokenizerJson(), dir.weightsFile(),
                dir.int8WeightsFile()}) {
            if (!Files.isRegularFile(required)) {
                throw new ModelLoadException("model directory " + path + " lacks " + required.getFileName()
                        + "; re-export the model with ModelExporter");
            }
        }
        checkSize(dir.weightsFile(), manifest.weights().totalBytes());
        checkSize(dir.int8WeightsFile(), manifest.int8Weights().totalBytes());
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
