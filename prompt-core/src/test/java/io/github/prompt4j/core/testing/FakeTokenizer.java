package io.github.prompt4j.core.testing;

import io.github.prompt4j.core.model.SpecialTokens;
import io.github.prompt4j.core.model.TokenEncoding;
import io.github.prompt4j.core.model.Tokenizer;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A small, hand-made WordPiece-like tokenizer for tests, with the behaviour of BERT's where it matters.
 *
 * <p>Encoding: control and format characters are dropped; white space separates words; every punctuation or symbol
 * character (emoji included) and every CJK ideograph is a word of its own; the literal text {@code [MASK]} is the
 * mask token. With lower-casing on (the default), words are lower-cased and their accents stripped (NFD, combining
 * marks removed), as uncased BERT does. Each word is then split greedily into the longest vocabulary entries, the
 * first as written and the rest as {@code ##} continuations; a word that cannot be split, or is longer than 100
 * characters, is {@code [UNK]}. Character spans point into the original text.
 *
 * <p>Space-sensitive mode ({@link #spaceSensitive(int)}) imitates a byte-level BPE vocabulary: the vocabulary also
 * holds {@code "Ġ" + t} for every plain token {@code t}, and the first piece of a word that follows white space is
 * looked up with the {@code Ġ} prefix, so {@code "good"} and {@code " good"} encode differently.
 *
 * <p>Vocabulary: {@link #VOCABULARY} (38 entries; ids are list indices), extended at the end in space-sensitive
 * mode. Frames as {@code [CLS] ids [SEP]}. Immutable and thread-safe.
 */
public final class FakeTokenizer implements Tokenizer {

    /** The standard vocabulary; specials first: [PAD]=0, [UNK]=1, [CLS]=2, [SEP]=3, [MASK]=4. */
    public static final List<String> VOCABULARY = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
            "it", "was", "the", "a", "movie", "film", "is", "and", "i", "felt", "very", "not",
            "great", "good", "fun", "happy", "bad", "terrible", "awful", "sad",
            "fant", "##astic", "##ly", "##s", "plot", "story", ".", ",", "!", "?", "'", "neutral", "okay");

    /** The prefix that marks a token following white space in space-sensitive mode. */
    public static final String SPACE_PREFIX = "Ġ";

    private static final Map<String, Integer> STANDARD_IDS = index(VOCABULARY);
    private static final SpecialTokens SPECIAL = new SpecialTokens(2, 3, 0, 4, 1);
    private static final int MAX_WORD_CHARS = 100;

    private final List<String> vocabulary;
    private final Map<String, Integer> ids;
    private final boolean lowerCase;
    private final boolean spaceSensitive;
    private final int maxLength;

    /** A lower-casing WordPiece tokenizer with a 512-token limit. */
    public FakeTokenizer() {
        this(true, 512);
    }

    /**
     * A WordPiece tokenizer over {@link #VOCABULARY}.
     *
     * @param lowerCase whether input is lower-cased (and accents stripped) before lookup
     * @param maxLength the model's longest sequence, special tokens included
     */
    public FakeTokenizer(boolean lowerCase, int maxLength) {
        this(lowerCase, maxLength, false);
    }

    private FakeTokenizer(boolean lowerCase, int maxLength, boolean spaceSensitive) {
        if (maxLength < 3) {
            throw new IllegalArgumentException("maxLength must leave room for [CLS], [SEP] and a mask, got "
                    + maxLength);
        }
        this.lowerCase = lowerCase;
        this.maxLength = maxLength;
        this.spaceSensitive = spaceSensitive;
        List<String> vocab = new ArrayList<>(VOCABULARY);
        if (spaceSensitive) {
            for (String t : VOCABULARY) {
                if (!t.startsWith("[") && !t.startsWith("##")) {
                    vocab.add(SPACE_PREFIX + t);
                }
            }
        }
        this.vocabulary = Collections.unmodifiableList(vocab);
        this.ids = index(vocab);
    }

    /** A lower-casing tokenizer that imitates a leading-space (BPE) vocabulary; see the class comment. */
    public static FakeTokenizer spaceSensitive(int maxLength) {
        return new FakeTokenizer(true, maxLength, true);
    }

    /** A copy with another length limit. */
    public FakeTokenizer withMaxSequenceLength(int maxLength) {
        return new FakeTokenizer(lowerCase, maxLength, spaceSensitive);
    }

    /**
     * The id of an entry of the standard {@link #VOCABULARY} (test convenience; space-sensitive tokenizers keep these
     * ids and add their {@code Ġ} entries after them).
     *
     * @throws IllegalArgumentException if the token is not in the standard vocabulary
     */
    public static int id(String token) {
        Integer id = STANDARD_IDS.get(token);
        if (id == null) {
            throw new IllegalArgumentException("'" + token + "' is not in the fake vocabulary " + VOCABULARY);
        }
        return id;
    }

    /** This tokenizer's vocabulary, ids are indices. */
    public List<String> vocabulary() {
        return vocabulary;
    }

    private static Map<String, Integer> index(List<String> vocab) {
        Map<String, Integer> map = new HashMap<>();
        for (int i = 0; i < vocab.size(); i++) {
            map.put(vocab.get(i), i);
        }
        return Collections.unmodifiableMap(map);
    }

    @Override
    public TokenEncoding encode(String text) {
        if (text == null) {
            throw new IllegalArgumentException("text must not be null");
        }
        List<int[]> pieces = new ArrayList<>();
        boolean afterSpace = false;
        int i = 0;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            int width = Character.charCount(cp);
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                afterSpace = true;
                i += width;
                continue;
            }
            if (dropped(cp)) {
                i += width;
                continue;
            }
            if (text.startsWith("[MASK]", i)) {
                pieces.add(new int[] {SPECIAL.mask(), i, i + 6});
                i += 6;
            } else if (standalone(cp)) {
                wordPieces(text, i, i + width, afterSpace, pieces);
                i += width;
            } else {
                int start = i;
                while (i < text.length()) {
                    int c = text.codePointAt(i);
                    if (Character.isWhitespace(c) || Character.isSpaceChar(c) || standalone(c)
                            || text.startsWith("[MASK]", i)) {
                        break;
                    }
                    i += Character.charCount(c);
                }
                wordPieces(text, start, i, afterSpace, pieces);
            }
            afterSpace = false;
        }
        int[] out = new int[pieces.size()];
        int[] starts = new int[pieces.size()];
        int[] ends = new int[pieces.size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = pieces.get(k)[0];
            starts[k] = pieces.get(k)[1];
            ends[k] = pieces.get(k)[2];
        }
        return new TokenEncoding(out, starts, ends);
    }

    /** Control, format, unassigned, private-use and lone surrogate code points are removed, as BERT does. */
    private static boolean dropped(int cp) {
        int type = Character.getType(cp);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.UNASSIGNED
                || type == Character.PRIVATE_USE || type == Character.SURROGATE;
    }

    /** Punctuation, symbols (emoji included) and CJK ideographs are words of their own. */
    private static boolean standalone(int cp) {
        int type = Character.getType(cp);
        boolean punctuation = type == Character.CONNECTOR_PUNCTUATION || type == Character.DASH_PUNCTUATION
                || type == Character.START_PUNCTUATION || type == Character.END_PUNCTUATION
                || type == Character.INITIAL_QUOTE_PUNCTUATION || type == Character.FINAL_QUOTE_PUNCTUATION
                || type == Character.OTHER_PUNCTUATION;
        boolean symbol = type == Character.MATH_SYMBOL || type == Character.CURRENCY_SYMBOL
                || type == Character.MODIFIER_SYMBOL || type == Character.OTHER_SYMBOL;
        return punctuation || symbol || Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN;
    }

    /** Splits {@code text[from, to)} into word pieces; spans refer to {@code text}. */
    private void wordPieces(String text, int from, int to, boolean afterSpace, List<int[]> out) {
        // The normalised word and, for each of its chars, the span of the original code point it came from.
        StringBuilder word = new StringBuilder();
        List<int[]> origin = new ArrayList<>();
        for (int i = from; i < to; ) {
            int cp = text.codePointAt(i);
            int w = Character.charCount(cp);
            if (!dropped(cp)) {
                String s = new String(Character.toChars(cp));
                if (lowerCase) {
                    s = Normalizer.normalize(s.toLowerCase(Locale.ROOT), Normalizer.Form.NFD);
                }
                for (int k = 0; k < s.length(); k++) {
                    char c = s.charAt(k);
                    if (lowerCase && Character.getType(c) == Character.NON_SPACING_MARK) {
                        continue;
                    }
                    word.append(c);
                    origin.add(new int[] {i, i + w});
                }
            }
            i += w;
        }
        if (word.length() == 0) {
            // only combining marks, stripped by lower-casing: nothing to encode
            return;
        }
        int unk = SPECIAL.unk();
        if (word.length() > MAX_WORD_CHARS) {
            out.add(new int[] {unk, from, to});
            return;
        }
        String w = word.toString();
        String firstPrefix = spaceSensitive && afterSpace ? SPACE_PREFIX : "";
        List<int[]> found = new ArrayList<>();
        int start = 0;
        while (start < w.length()) {
            int end = w.length();
            Integer match = null;
            while (end > start) {
                String piece = (start == 0 ? firstPrefix : "##") + w.substring(start, end);
                match = ids.get(piece);
                if (match != null) {
                    break;
                }
                end--;
            }
            if (match == null) {
                out.add(new int[] {unk, from, to});
                return;
            }
            found.add(new int[] {match, origin.get(start)[0], origin.get(end - 1)[1]});
            start = end;
        }
        out.addAll(found);
    }

    @Override
    public String decode(int[] tokenIds) {
        StringBuilder sb = new StringBuilder();
        for (int id : tokenIds) {
            String t = idToToken(id);
            if (SPECIAL.contains(id)) {
                continue;
            }
            if (t.startsWith("##")) {
                sb.append(t.substring(2));
            } else {
                sb.append(sb.length() == 0 ? "" : " ").append(t.startsWith(SPACE_PREFIX) ? t.substring(1) : t);
            }
        }
        return sb.toString();
    }

    @Override
    public OptionalInt tokenToId(String token) {
        Integer id = ids.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    @Override
    public String idToToken(int id) {
        if (id < 0 || id >= vocabulary.size()) {
            throw new IllegalArgumentException("id " + id + " is outside the fake vocabulary of " + vocabulary.size()
                    + " tokens");
        }
        return vocabulary.get(id);
    }

    @Override
    public int vocabularySize() {
        return vocabulary.size();
    }

    @Override
    public SpecialTokens specialTokens() {
        return SPECIAL;
    }

    @Override
    public int maxSequenceLength() {
        return maxLength;
    }

    @Override
    public boolean lowerCases() {
        return lowerCase;
    }

    @Override
    public boolean spaceSensitive() {
        return spaceSensitive;
    }

    @Override
    public int frameLength() {
        return 2;
    }

    @Override
    public int[] frame(int[] content) {
        int[] out = new int[content.length + 2];
        out[0] = SPECIAL.cls();
        System.arraycopy(content, 0, out, 1, content.length);
        out[out.length - 1] = SPECIAL.sep();
        return out;
    }

    @Override
    public int frameOffset() {
        return 1;
    }
}
