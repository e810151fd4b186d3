package io.github.prompt4j.onnx.export.checkpoint;

import java.util.List;
import java.util.Optional;

/**
 * A pretrained BERT masked LM as stored by some format: its sizes, vocabulary and parameters, read one tensor at a
 * time so a conversion never holds the whole model twice.
 *
 * <p>Not thread-safe. Owns open files; {@link #close()} releases them. Reads after close throw
 * {@link IllegalStateException}.
 */
public interface Checkpoint extends AutoCloseable {

    /** Where the checkpoint came from (a file, a jar resource), for messages and the manifest. */
    String source();

    /**
     * A checksum identifying the checkpoint's content (for example the SHA-1 of the jar, or SHA-256 of the weights
     * file); a cache uses it to notice a changed source.
     */
    String checksum();

    /** Architecture sizes. */
    BertConfig config();

    /** The vocabulary, one token per id, in id order (vocab.txt). */
    List<String> vocabulary();

    /** Whether the model was trained on lower-cased, accent-stripped text. */
    boolean lowerCase();

    /** A {@code tokenizer.json} that came with the checkpoint, verbatim, if any. */
    Optional<String> tokenizerJson();

    /**
     * Reads one parameter as float32, in canonical layout (kernels {@code [in, out]}), row-major.
     *
     * @param canonicalName a name from {@link BertParameters}
     * @return {@code product(expected shape)} floats
     * @throws io.github.prompt4j.core.model.ModelLoadException naming the file and the tensor when it is missing,
     *         has a wrong shape or an unsupported dtype, or its bytes are truncated or fail their checksum
     */
    float[] read(String canonicalName);

    @Override
    void close();
}
