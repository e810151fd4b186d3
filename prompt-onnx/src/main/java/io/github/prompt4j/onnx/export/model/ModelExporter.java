package io.github.prompt4j.onnx.export.model;

import ai.onnx.proto.OnnxMl;
import io.github.prompt4j.core.model.ModelLoadException;
import io.github.prompt4j.core.model.SpecialTokens;
import io.github.prompt4j.onnx.export.bert.BertGraphs;
import io.github.prompt4j.onnx.export.checkpoint.BertConfig;
import io.github.prompt4j.onnx.export.checkpoint.BertParameters;
import io.github.prompt4j.onnx.export.checkpoint.Checkpoint;
import io.github.prompt4j.onnx.export.tokenizer.BertTokenizerJson;
import io.github.prompt4j.onnx.export.weights.WeightFile;
import io.github.prompt4j.onnx.export.weights.WeightFileWriter;
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
 * weights file, the forward, embeddings forward and gradient ONNX graphs, {@code tokenizer.json} and the manifest.
 *
 * <p>Atomic: everything is written into a temporary sibling directory that is renamed onto the target only when
 * complete; on any failure (including thread interruption between tensors) the temporary directory is deleted and
 * the target is left as it was. The manifest records each written file's size and SHA-256, and the directory is
 * opened with checksums verified once written. Not thread-safe per target directory: {@link ModelCache} serialises conversions.
 */
public final class ModelExporter {

    private static final Logger log = LoggerFactory.getLogger(ModelExporter.class);

    private ModelExporter() {
    }

    /**
     * Exports a checkpoint.
     *
     * @param checkpoint the source, read tensor by tensor; not closed here
     * @param name model name for the manifest, e.g. {@code bert-base-uncased}
     * @param target directory to create; an existing one is replaced atomically
     * @return the opened result
     * @throws ModelLoadException when the checkpoint cannot be read (naming file and tensor) or writing fails
     */
    public static ModelDirectory export(Checkpoint checkpoint, String name, Path target) {
        if (checkpoint == null || name == null || name.isBlank() || target == null) {
            throw new IllegalArgumentException("export needs a checkpoint, a model name and a target directory; got "
                    + checkpoint + ", '" + name + "', " + target);
        }
        long start = System.nanoTime();
        Path parent = target.toAbsolutePath().getParent();
        Path staging = parent.resolve("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            Files.createDirectories(parent);
            Files.createDirectory(staging);
            writeInto(checkpoint, name, staging);
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

    private static void writeInto(Checkpoint checkpoint, String name, Path dir) throws IOException {
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
        log.info("{}: weights written ({} MB), building graphs", name, weights.totalBytes() >> 20);

        writeGraph(BertGraphs.forward(config, weights), dir.resolve(ModelManifest.FORWARD_FILE));
        writeGraph(BertGraphs.forwardEmbeds(config, weights), dir.resolve(ModelManifest.FORWARD_EMBEDS_FILE));
        writeGraph(BertGraphs.gradient(config, weights), dir.resolve(ModelManifest.GRADIENT_FILE));

        String tokenizer = checkpoint.tokenizerJson()
                .orElseGet(() -> BertTokenizerJson.generate(vocabulary, checkpoint.lowerCase()));
        Files.writeString(dir.resolve(ModelManifest.TOKENIZER_FILE), tokenizer, StandardCharsets.UTF_8);

        // Sizes and checksums of whatever was written above, read back from disk.
        ModelManifest manifest = new ModelManifest(ModelManifest.FORMAT_VERSION, name, "bert", config, special,
                checkpoint.lowerCase(), config.maxPositions(), checkpoint.source(), checkpoint.checksum(), weights,
                ModelDirectory.describeFiles(dir));
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
