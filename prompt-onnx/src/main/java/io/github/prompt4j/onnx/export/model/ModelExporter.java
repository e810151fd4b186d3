package io.github.prompt4j.onnx.export.model;

import ai.onnx.proto.OnnxMl;
import io.github.prompt4j.core.model.ModelLoadException;
import io.github.prompt4j.core.model.SpecialTokens;
import io.github.prompt4j.onnx.internal.bert.BertGraphs;
import io.github.prompt4j.onnx.export.checkpoint.BertConfig;
import io.github.prompt4j.onnx.export.checkpoint.BertParameters;
import io.github.prompt4j.onnx.export.checkpoint.Checkpoint;
import io.github.prompt4j.onnx.internal.tokenizer.BertTokenizerJson;
import io.github.prompt4j.onnx.internal.weights.Int8Weights;
import io.github.prompt4j.onnx.internal.weights.WeightFile;
import io.github.prompt4j.onnx.internal.weights.WeightFileWriter;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a pretrained BERT {@link Checkpoint} into an exported model directory ({@link ModelDirectory}): the shared
 * weights file, its int8 quantization (encoder kernels, per output channel), the float32 and int8 forward and
 * embeddings forward ONNX graphs, the gradient graph, {@code tokenizer.json} and the manifest.
 *
 * <p>The float32 forward graphs use ONNX Runtime's fused contrib operators by default ({@link Fusion#FUSED});
 * {@link Fusion#UNFUSED} writes them in standard ONNX operators only, for debugging and for runtimes without
 * contrib operators (the int8 graphs always need them; the gradient graph never uses them).
 *
 * <p>Atomic: everything is written into a temporary sibling directory that is renamed onto the target only when
 * complete; on any failure (including thread interruption between tensors) the temporary directory is deleted and
 * the target is left as it was. The manifest records each written file's size and SHA-256, and the directory is
 * opened with checksums verified once written. Not thread-safe per target directory: {@link ModelCache} serialises conversions.
 */
public final class ModelExporter {

    private static final Logger log = LoggerFactory.getLogger(ModelExporter.class);

    /** Which operators the float32 forward graphs use. */
    public enum Fusion {
        /** ONNX Runtime's fused contrib operators (attention, skip LayerNorm, bias GELU): faster on ONNX Runtime. */
        FUSED,
        /** Standard ONNX operators only. */
        UNFUSED
    }

    private ModelExporter() {
    }

    /** Exports a checkpoint with fused float32 graphs ({@link #export(Checkpoint, String, Path, Fusion)}). */
    public static ModelDirectory export(Checkpoint checkpoint, String name, Path target) {
        return export(checkpoint, name, target, Fusion.FUSED);
    }

    /**
     * Exports a checkpoint.
     *
     * @param checkpoint the source, read tensor by tensor; not closed here
     * @param name model name for the manifest, e.g. {@code bert-base-uncased}
     * @param target directory to create; an existing one is replaced atomically
     * @param fusion the operators of the float32 forward graphs
     * @return the opened result
     * @throws ModelLoadException when the checkpoint cannot be read (naming file and tensor) or writing fails
     */
    public static ModelDirectory export(Checkpoint checkpoint, String name, Path target, Fusion fusion) {
        if (checkpoint == null || name == null || name.isBlank() || target == null || fusion == null) {
            throw new IllegalArgumentException("export needs a checkpoint, a model name and a target directory, and "
                    + "a fusion (Fusion.FUSED is the default); got " + checkpoint + ", '" + name + "', " + target
                    + ", " + fusion);
        }
        long start = System.nanoTime();
        Path parent = target.toAbsolutePath().getParent();
        Path staging = parent.resolve("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            Files.createDirectories(parent);
            Files.createDirectory(staging);
            writeInto(checkpoint, name, staging, fusion);
            replace(staging, target.toAbsolutePath());
        } catch (IOException e) {
            deleteQuietly(staging, e);
            if (e instanceof InterruptedIOException || e instanceof java.nio.channels.ClosedByInterruptException) {
                // Tell the caller's thread, after the clean-up (file channels refuse work while interrupted).
                Thread.currentThread().interrupt();
            }
            throw new ModelLoadException("cannot export " + checkpoint.source() + " to " + target + ": " + e, e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(staging, e);
            throw e;
        }
        log.info("exported {} to {} in {} s", name, target, String.format("%.1f", (System.nanoTime() - start) / 1e9));
        return ModelDirectory.open(target, ModelDirectory.Verification.CHECKSUMS);
    }

    private static void writeInto(Checkpoint checkpoint, String name, Path dir, Fusion fusion) throws IOException {
        BertConfig config = checkpoint.config();
        List<String> vocabulary = checkpoint.vocabulary();
        if (vocabulary.size() != config.vocabSize()) {
            throw new ModelLoadException("vocabulary of " + checkpoint.source() + " has " + vocabulary.size()
                    + " entries but the word embeddings have " + config.vocabSize() + " rows");
        }
        SpecialTokens special = specialTokens(vocabulary, checkpoint.source());

        Map<String, long[]> shapes = BertParameters.shapes(config);
        WeightFile weights;
        try (WeightFileWriter writer = new WeightFileWriter(dir.resolve(ModelManifest.WEIGHTS_FILE))) {
            int done = 0;
            for (Map.Entry<String, long[]> e : shapes.entrySet()) {
                if (Thread.interrupted()) {
                    throw new InterruptedIOException("export of " + name + " interrupted after " + done + " of "
                            + shapes.size() + " tensors");
                }
                writer.write(e.getKey(), e.getValue(), checkpoint.read(e.getKey()));
                done++;
                if (done % 32 == 0) {
                    log.info("{}: {} of {} tensors written", name, done, shapes.size());
                }
            }
            weights = writer.finish();
        }
        String tokenizer = checkpoint.tokenizerJson()
                .orElseGet(() -> BertTokenizerJson.generate(vocabulary, checkpoint.lowerCase()));
        Files.writeString(dir.resolve(ModelManifest.TOKENIZER_FILE), tokenizer, StandardCharsets.UTF_8);

        Map<String, float[]> activationMax = Int8Calibration.measure(config, weights, dir, checkpoint.lowerCase(),
                config.maxPositions());
        WeightFile int8 = Int8Weights.write(config, dir, weights, dir.resolve(ModelManifest.INT8_WEIGHTS_FILE),
                activationMax);
        log.info("{}: weights written ({} MB, int8 {} MB), building graphs", name, weights.totalBytes() >> 20,
                int8.totalBytes() >> 20);

        BertGraphs.Encoding fp32 = fusion == Fusion.FUSED ? BertGraphs.Encoding.FUSED : BertGraphs.Encoding.STANDARD;
        writeGraph(BertGraphs.forward(config, weights, int8, fp32, false), dir.resolve(ModelManifest.FORWARD_FILE));
        writeGraph(BertGraphs.forward(config, weights, int8, fp32, true),
                dir.resolve(ModelManifest.FORWARD_EMBEDS_FILE));
        writeGraph(BertGraphs.forward(config, weights, int8, BertGraphs.Encoding.INT8, false),
                dir.resolve(ModelManifest.FORWARD_INT8_FILE));
        writeGraph(BertGraphs.forward(config, weights, int8, BertGraphs.Encoding.INT8, true),
                dir.resolve(ModelManifest.FORWARD_EMBEDS_INT8_FILE));
        writeGraph(BertGraphs.gradient(config, weights), dir.resolve(ModelManifest.GRADIENT_FILE));
        writeGraph(BertGraphs.forwardPrefix(config, weights), dir.resolve(ModelManifest.FORWARD_PREFIX_FILE));
        writeGraph(BertGraphs.gradientPrefix(config, weights), dir.resolve(ModelManifest.GRADIENT_PREFIX_FILE));
        writeGraph(BertGraphs.gradientHead(config, weights), dir.resolve(ModelManifest.GRADIENT_HEAD_FILE));
        writeGraph(BertGraphs.gradientHeadPrefix(config, weights),
                dir.resolve(ModelManifest.GRADIENT_HEAD_PREFIX_FILE));

        // Sizes and checksums of whatever was written above, read back from disk.
        ModelManifest manifest = new ModelManifest(ModelManifest.FORMAT_VERSION, name, "bert", config, special,
                checkpoint.lowerCase(), config.maxPositions(), checkpoint.source(), checkpoint.checksum(),
                fusion == Fusion.FUSED, weights, int8, ModelDirectory.describeFiles(dir));
        // The manifest is written last: a directory with a manifest is complete.
        ModelDirectory.writeManifest(dir, manifest);
    }

    private static void writeGraph(OnnxMl.ModelProto model, Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            model.writeTo(out);
        }
    }

    static SpecialTokens specialTokens(List<String> vocabulary, String source) {
        return new SpecialTokens(indexOf(vocabulary, "[CLS]", source), indexOf(vocabulary, "[SEP]", source),
                indexOf(vocabulary, "[PAD]", source), indexOf(vocabulary, "[MASK]", source),
                indexOf(vocabulary, "[UNK]", source));
    }

    private static int indexOf(List<String> vocabulary, String token, String source) {
        int i = vocabulary.indexOf(token);
        if (i < 0) {
            throw new ModelLoadException("vocabulary of " + source + " has no " + token
                    + " token; only BERT WordPiece vocabularies are supported");
        }
        return i;
    }

    private static void replace(Path staging, Path target) throws IOException {
        Path old = null;
        if (Files.exists(target)) {
            old = target.resolveSibling("." + target.getFileName() + ".old-" + UUID.randomUUID());
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        }
        try {
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + target + " cannot rename atomically", e);
        }
        if (old != null) {
            deleteRecursively(old);
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void deleteQuietly(Path dir, Throwable primary) {
        try {
            deleteRecursively(dir);
        } catch (IOException e) {
            primary.addSuppressed(e);
        }
    }
}
