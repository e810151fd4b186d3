package io.github.prompt4j.onnx.internal.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import io.github.prompt4j.core.model.ModelLoadException;
import io.github.prompt4j.core.model.SpecialTokens;
import io.github.prompt4j.core.model.TokenEncoding;
import io.github.prompt4j.core.model.Tokenizer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A BERT {@link Tokenizer} backed by the HuggingFace Rust tokenizer through DJL
 * ({@code ai.djl.huggingface.tokenizers}), loaded from a {@code tokenizer.json} such as the one
 * {@code io.github.prompt4j.onnx.internal.tokenizer.BertTokenizerJson} writes.
 *
 * <p>{@link #encode(String)} runs the whole HuggingFace pipeline (added special tokens, normalizer, pre-tokenizer,
 * WordPiece) without the post-processor, without truncation and without padding: it returns every piece, however
 * long the text; {@link #frame(int[])} adds {@code [CLS]} and {@code [SEP]}. Character spans are UTF-16 indices into
 * the text as given (the Rust side reports Unicode code points; this class converts them). An unpaired surrogate is
 * handed to Rust as U+FFFD, which the BERT normalizer deletes, so it never becomes a token.
 *
 * <p>Vocabulary look-ups ({@link #tokenToId}, {@link #idToToken}) use a Java copy of the {@code model.vocab} map of
 * the {@code tokenizer.json}; the special tokens are {@code [CLS] [SEP] [PAD] [MASK] [UNK]} of that vocabulary.
 *
 * <p><b>Resources.</b> Owns a native tokenizer; whoever created this object closes it. {@link #close()} frees the
 * native memory; afterwards {@link #encode} and {@link #decode} throw {@link IllegalStateException} (the
 * vocabulary methods keep working, they touch no native memory). Closing twice is harmless.
 *
 * <p><b>Thread safety.</b> Thread-safe. The Rust tokenizer only reads its state while encoding or decoding, so
 * calls run concurrently under a shared read lock; {@link #close()} takes the write lock, so it waits for calls in
 * flight and no call can touch freed native memory.
 *
 * <p><b>No network.</b> On first use DJL extracts its bundled CPU native library (Linux x86_64/aarch64, macOS
 * aarch64, Windows x86_64) into its cache directory ({@code ~/.djl.ai/tokenizers}, or {@code $DJL_CACHE_DIR} / {@code $ENGINE_CACHE_DIR}; the JVM
 * temporary directory when the home directory is not writable). Unless the caller set them (as environment
 * variables or system properties), this class sets the system properties {@code RUST_FLAVOR=cpu}, so that on a
 * CUDA machine DJL does not download a GPU build of the library, and {@code OPT_OUT_TRACKING=true}, so that DJL
 * does not query the EC2 instance metadata service.
 */
public final class DjlTokenizer implements Tokenizer, AutoCloseable {

    private static final int FRAME_LENGTH = 2;
    private static final int FRAME_OFFSET = 1;

    private final HuggingFaceTokenizer delegate;
    private final TokenizerJson json;
    private final int maxSequenceLength;
    private final boolean lowerCases;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    private DjlTokenizer(HuggingFaceTokenizer delegate, TokenizerJson json, int maxSequenceLength,
            boolean lowerCases) {
        this.delegate = delegate;
        this.json = json;
        this.maxSequenceLength = maxSequenceLength;
        this.lowerCases = lowerCases;
    }

    /**
     * Loads a tokenizer from a {@code tokenizer.json} file.
     *
     * @param tokenizerJson the file (UTF-8)
     * @param maxSequenceLength longest sequence the model accepts, special tokens included (from the model
     *     manifest; 512 for BERT-base); must exceed {@link #frameLength()}
     * @param lowerCases whether the model is uncased (from the model manifest); must agree with the file's
     *     {@code BertNormalizer.lowercase} when it has one
     * @return a tokenizer the caller owns and closes
     * @throws IllegalArgumentException if maxSequenceLength is too small
     * @throws ModelLoadException if the file cannot be read, is not a WordPiece tokenizer.json with the BERT
     *     special tokens, disagrees with lowerCases, or DJL rejects it
     */
    public static DjlTokenizer load(Path tokenizerJson, int maxSequenceLength, boolean lowerCases) {
        if (tokenizerJson == null) {
            throw new IllegalArgumentException("tokenizerJson path must not be null");
        }
        String text;
        try {
            text = Files.readString(tokenizerJson, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ModelLoadException("cannot read tokenizer file " + tokenizerJson, e);
        }
        return create(text, tokenizerJson.toString(), maxSequenceLength, lowerCases);
    }

    /**
     * Creates a tokenizer from {@code tokenizer.json} text held in memory (no temporary file is written).
     *
     * @param tokenizerJson the JSON text
     * @param maxSequenceLength as in {@link #load(Path, int, boolean)}
     * @param lowerCases as in {@link #load(Path, int, boolean)}
     * @return a tokenizer the caller owns and closes
     * @throws IllegalArgumentException if the text is null or maxSequenceLength is too small
     * @throws ModelLoadException as in {@link #load(Path, int, boolean)}, naming the source {@code <string>}
     */
    public static DjlTokenizer fromJson(String tokenizerJson, int maxSequenceLength, boolean lowerCases) {
        if (tokenizerJson == null) {
            throw new IllegalArgumentException("tokenizerJson text must not be null");
        }
        return create(tokenizerJson, "<string>", maxSequenceLength, lowerCases);
    }

    private static DjlTokenizer create(String text, String source, int maxSequenceLength, boolean lowerCases) {
        if (maxSequenceLength <= FRAME_LENGTH) {
            throw new IllegalArgumentException("maxSequenceLength " + maxSequenceLength + " leaves no room for content"
                    + " after [CLS] and [SEP]; pass the model's limit (512 for BERT-base)");
        }
        TokenizerJson json = TokenizerJson.parse(text, source);
        json.lowerCase().ifPresent(fileLowerCase -> {
            if (fileLowerCase != lowerCases) {
                throw new ModelLoadException("tokenizer " + source + " has BertNormalizer lowercase=" + fileLowerCase
                        + " but the model says lowerCases=" + lowerCases + "; the manifest and tokenizer.json disagree");
            }
        });
        DjlEnvironment.configure();
        Map<String, String> options = Map.of(
                "addSpecialTokens", "false",
                "truncation", "false",
                "padding", "false",
                "modelMaxLength", Integer.toString(maxSequenceLength));
        HuggingFaceTokenizer nativeTokenizer;
        try (InputStream in = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8))) {
            nativeTokenizer = HuggingFaceTokenizer.newInstance(in, options);
        } catch (IOException | RuntimeException e) {
            throw new ModelLoadException("DJL could not create a HuggingFace tokenizer from " + source + ": "
                    + e.getMessage(), e);
        }
        return new DjlTokenizer(nativeTokenizer, json, maxSequenceLength, lowerCases);
    }

    @Override
    public TokenEncoding encode(String text) {
        if (text == null) {
            throw new IllegalArgumentException("text must not be null; encode \"\" for no content");
        }
        String safe = replaceUnpairedSurrogates(text);
        long[] ids;
        CharSpan[] spans;
        lock.readLock().lock();
        try {
            ensureOpen();
            Encoding encoding = delegate.encode(safe, false, false);
            ids = encoding.getIds();
            spans = encoding.getCharTokenSpans();
        } finally {
            lock.readLock().unlock();
        }
        return toEncoding(safe, ids, spans);
    }

    private static TokenEncoding toEncoding(String text, long[] ids, CharSpan[] spans) {
        int[] utf16 = codePointToUtf16(text);
        int n = ids.length;
        int[] intIds = new int[n];
        int[] starts = new int[n];
        int[] ends = new int[n];
        int previousEnd = 0;
        for (int i = 0; i < n; i++) {
            intIds[i] = Math.toIntExact(ids[i]);
            CharSpan span = spans[i];
            if (span == null) {
                // Only tokens added by a post-processor have no span, and encode() runs none; stay well-formed anyway.
                starts[i] = previousEnd;
                ends[i] = previousEnd;
            } else {
                starts[i] = utf16[span.getStart()];
                ends[i] = utf16[span.getEnd()];
                previousEnd = ends[i];
            }
        }
        return new TokenEncoding(intIds, starts, ends);
    }

    /** Maps each code point index {@code 0..count} of {@code text} to its UTF-16 index. */
    private static int[] codePointToUtf16(String text) {
        int[] map = new int[text.codePointCount(0, text.length()) + 1];
        int cp = 0;
        for (int i = 0; i < text.length(); i = text.offsetByCodePoints(i, 1)) {
            map[cp++] = i;
        }
        map[cp] = text.length();
        return map;
    }

    /**
     * Replaces each unpaired surrogate by U+FFFD. Rust strings cannot hold one; U+FFFD keeps the UTF-16 layout
     * (one unit for one unit) and, like the surrogate, carries no text: the BERT normalizer deletes it.
     */
    static String replaceUnpairedSurrogates(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1));
            if (paired) {
                if (out != null) {
                    out.append(c).append(text.charAt(i + 1));
                }
                i++;
            } else if (Character.isSurrogate(c)) {
                if (out == null) {
                    out = new StringBuilder(text.length()).append(text, 0, i);
                }
                out.append('\uFFFD');
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Skips all five special tokens ({@code [UNK]} included), joins {@code ##} continuations and removes the
     * space WordPiece decoding would leave before punctuation ({@code "hello , world"} reads {@code "hello,
     * world"}). For an uncased model the text comes back lower-cased and without accents.
     *
     * @throws IllegalArgumentException if ids is null or an id is outside {@code [0, vocabularySize())}
     * @throws IllegalStateException after {@link #close()}
     */
    @Override
    public String decode(int[] ids) {
        if (ids == null) {
            throw new IllegalArgumentException("ids must not be null");
        }
        long[] longIds = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            checkId(ids[i]);
            longIds[i] = ids[i];
        }
        lock.readLock().lock();
        try {
            ensureOpen();
            return delegate.decode(longIds, true);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public OptionalInt tokenToId(String token) {
        if (token == null) {
            throw new IllegalArgumentException("token must not be null");
        }
        Integer id = json.ids().get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    @Override
    public String idToToken(int id) {
        checkId(id);
        return json.tokens()[id];
    }

    private void checkId(int id) {
        if (id < 0 || id >= json.tokens().length) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, "
                    + json.tokens().length + ")");
        }
    }

    @Override
    public int vocabularySize() {
        return json.tokens().length;
    }

    @Override
    public SpecialTokens specialTokens() {
        return json.specialTokens();
    }

    @Override
    public int maxSequenceLength() {
        return maxSequenceLength;
    }

    @Override
    public boolean lowerCases() {
        return lowerCases;
    }

    @Override
    public int frameLength() {
        return FRAME_LENGTH;
    }

    /** {@inheritDoc} BERT: {@code [CLS] ids [SEP]}. */
    @Override
    public int[] frame(int[] ids) {
        if (ids == null) {
            throw new IllegalArgumentException("ids must not be null");
        }
        int[] framed = new int[ids.length + FRAME_LENGTH];
        framed[0] = json.specialTokens().cls();
        System.arraycopy(ids, 0, framed, FRAME_OFFSET, ids.length);
        framed[framed.length - 1] = json.specialTokens().sep();
        return framed;
    }

    @Override
    public int frameOffset() {
        return FRAME_OFFSET;
    }

    /** Frees the native tokenizer; waits for encode/decode calls in flight. Idempotent. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                delegate.close();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("tokenizer is closed (a model's tokenizer closes with the model); open "
                    + "the model again, or create a new DjlTokenizer, to encode or decode");
        }
    }

    @Override
    public String toString() {
        return "DjlTokenizer[vocabulary=" + vocabularySize() + ", lowerCases=" + lowerCases + ", maxSequenceLength="
                + maxSequenceLength + "]";
    }
}
