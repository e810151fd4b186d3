package io.github.prompt4j.onnx.export.checkpoint;

/**
 * Maps canonical {@link BertParameters} names to one checkpoint format's tensor names, and says whether that format
 * stores a kernel transposed ({@code [out, in]}).
 *
 * <p>One implementation per architecture family and format (Google TF BERT, HuggingFace BERT, later RoBERTa/ERNIE).
 * Implementations are stateless and thread-safe.
 */
interface ParameterNaming {

    /** The format's tensor name for a canonical parameter name. */
    String tensorName(String canonicalName);

    /** Whether this format stores the given canonical kernel as {@code [out, in]} and the reader must transpose it. */
    boolean transposed(String canonicalName);
}
