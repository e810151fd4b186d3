package io.github.prompt4j.core.model;

import java.util.OptionalInt;

/**
 * A model's tokenizer: turns text into vocabulary ids and back, and frames a sequence with the model's special
 * tokens.
 *
 * <p>{@link #encode(String)} never adds special tokens; {@link #frame(int[])} adds them (BERT: {@code [CLS] ids
 * [SEP]}). Templates write neither {@code [CLS]} nor {@code [SEP]}: the tokenizer side owns them.
 *
 * <p>Implementations are thread-safe and immutable after construction.
 */
public interface Tokenizer {

    /**
     * Encodes text into word pieces without special tokens.
     *
     * @param text any string, including the empty string; never null
     * @return ids with the character span of each piece in {@code text}
     * @throws IllegalArgumentException if text is null
     */
    TokenEncoding encode(String text);

    /** Decodes ids back to text, skipping special tokens and joining word-piece continuations. */
    String decode(int[] ids);

    /** The id of a vocabulary token spelled exactly as in the vocabulary (for example {@code "##ing"}). */
    OptionalInt tokenToId(String token);

    /**
     * The vocabulary entry for an id.
     *
     * @throws IllegalArgumentException if id is outside {@code [0, vocabularySize())}
     */
    String idToToken(int id);

    /** Number of entries in the vocabulary; ids are {@code 0 .. vocabularySize()-1}. */
    int vocabularySize();

    /** The ids of the special tokens. */
    SpecialTokens specialTokens();

    /** Longest sequence the model accepts, special tokens included (512 for BERT-base). */
    int maxSequenceLength();

    /** Whether the tokenizer lower-cases (and strips accents from) its input, as uncased BERT does. */
    boolean lowerCases();

    /** How many special tokens {@link #frame(int[])} adds to one sequence (2 for BERT). */
    int frameLength();

    /**
     * Adds the model's special tokens around a sequence of content ids.
     *
     * @return a new array of length {@code ids.length + frameLength()}
     */
    int[] frame(int[] ids);

    /** Index in the framed sequence of content position 0 (1 for BERT, after {@code [CLS]}). */
    int frameOffset();

    /**
     * Whether a word encodes differently after a space (byte-level BPE vocabularies such as RoBERTa's, where
     * {@code "Ġgood"} and {@code "good"} are different tokens). WordPiece tokenizers, BERT's, are not.
     */
    default boolean spaceSensitive() {
        return false;
    }
}
