package io.github.prompt4j.core.model;

/**
 * A model could not be read, converted or opened: a missing or corrupt file, a missing tensor, a wrong shape, an
 * unsupported format. The message names the file (and the tensor where there is one); the cause is attached.
 */
public class ModelLoadException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
