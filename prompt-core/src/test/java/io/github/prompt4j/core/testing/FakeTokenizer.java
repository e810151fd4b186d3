package io.github.prompt4j.core.testing;

import io.github.prompt4j.core.model.SpecialTokens;
import io.github.prompt4j.core.model.TokenEncoding;
import io.github.prompt4j.core.model.Tokenizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A small, hand-made WordPiece-like tokenizer for tests: lower-cases (optionally), splits on white space and
 * punctuation, keeps {@code [MASK]} as the mask token, matches whole words first and then greedy longest
 * {@code ##} continuations, and maps anything else (CJK, emoji, unknown words) to {@code [UNK]}. Control characters
 * are dropped. Frames sequences as {@code [CLS] ids [SEP]}.
 *
 * <p>Vocabulary: {@link #VOCABULARY}; ids are list indices. Immutable and thread-safe.
 */
public final class FakeTokenizer implements Tokenizer {

    /** The vocabulary; specials first: [PAD]=0, [UNK]=1, [CLS]=2, [SEP]=3, [MASK]=4. */
    public static final List<String> VOCABULARY = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
            "it", "was", "the", "a", "movie", "film", "is", "and", "i", "felt", "very", "not",
            "great", "good", "fun", "happy", "bad", "terrible", "awful", "sad",
            "fant", "##astic", "##ly", "##s", "plot", "story", ".", ",", "!", "?", "'", "neutral", "okay");

    private static final Map<String, Integer> IDS = new HashMap<>();

    static {
        for (int i = 0; i < VOCABULARY.size(); i++) {
            IDS.put(VOCABULARY.get(i), i);
        }
    }

    private final boolean lowerCase;
    private final int maxLength;

    /** A lower-casing tokenizer with a 512-token limit. */
    public FakeTokenizer() {
        this(true, 512);
    }

    /**
     * @param lowerCase whether input is lower-cased before lookup
     * @param maxLength the model's longest sequence, special tokens included
     */
    public FakeTokenizer(boolean lowerCase, int maxLength) {
        this.lowerCase = lowerCase;
        this.maxLength = maxLength;
    }

    /** The id of a vocabulary entry (test convenience). */
    public static int id(String token) {
        Integer id = IDS.get(token);
        if (id == null) {
            throw new IllegalArgumentException("'" + token + "' is not in the fake vocabulary");
        }
        return id;
    }

    @Override
    public TokenEncoding encode(String text) {
        if (text == null) {
            throw new IllegalArgumentException("text must not be null");
        }
        List<int[]> pieces = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            int width = Character.charCount(cp);
            if (Character.isWhitespace(cp) || Character.isISOControl(cp)) {
                i += width;
            } else if (text.startsWith("[MASK]", i)) {
                pieces.add(new int[] {id("[MASK]"), i, i + 6});
                i += 6;
            } else if (Character.isLetterOrDigit(cp) && !isCjk(cp)) {
                int start = i;
                while (i < text.length()) {
                    int c = text.codePointAt(i);
                    if (!(Character.isLetterOrDigit(c) || Character.getType(c) == Character.NON_SPACING_MARK)
                            || isCjk(c)) {
                        break;
                    }
                    i += Character.charCount(c);
                }
                wordPieces(text.substring(start, i), start, pieces);
            } else {
                String s = new String(Character.toChars(cp));
                pieces.add(new int[] {IDS.getOrDefault(s, id("[UNK]")), i, i + width});
                i += width;
            }
        }
        int[] ids = new int[pieces.size()];
        int[] starts = new int[pieces.size()];
        int[] ends = new int[pieces.size()];
        for (int k = 0; k < ids.length; k++) {
            ids[k] = pieces.get(k)[0];
            starts[k] = pieces.get(k)[1];
            ends[k] = pieces.get(k)[2];
        }
        return new TokenEncoding(ids, starts, ends);
    }

    private void wordPieces(String word, int offset, List<int[]> out) {
        String w = lowerCase ? word.toLowerCase(Locale.ROOT) : word;
        if (w.length() > 100) {
            // as BERT's WordPiece: very long words are unknown
            out.add(new int[] {id("[UNK]"), offset, offset + word.length()});
            return;
        }
        List<int[]> found = new ArrayList<>();
        int start = 0;
        while (start < w.length()) {
            int end = w.length();
            Integer match = null;
            while (end > start) {
                String piece = (start == 0 ? "" : "##") + w.substring(start, end);
                match = IDS.get(piece);
                if (match != null) {
                    break;
                }
                end--;
            }
            if (match == null) {
                out.add(new int[] {id("[UNK]"), offset, offset + word.length()});
                return;
            }
            found.add(new int[] {match, offset + start, offset + end});
            start = end;
        }
        out.addAll(found);
    }

    private static boolean isCjk(int cp) {
        return Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN;
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            String t = idToToken(id);
            if (specialTokens().contains(id)) {
                continue;
            }
            if (t.startsWith("##")) {
                sb.append(t.substring(2));
            } else {
                sb.append(sb.length() == 0 ? "" : " ").append(t);
            }
        }
        return sb.toString();
    }

    @Override
    public OptionalInt tokenToId(String token) {
        Integer id = IDS.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    @Override
    public String idToToken(int id) {
        if (id < 0 || id >= VOCABULARY.size()) {
            throw new IllegalArgumentException("id " + id + " outside the fake vocabulary");
        }
        return VOCABULARY.get(id);
    }

    @Override
    public int vocabularySize() {
        return VOCABULARY.size();
    }

    @Override
    public SpecialTokens specialTokens() {
        return new SpecialTokens(2, 3, 0, 4, 1);
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
    public int frameLength() {
        return 2;
    }

    @Override
    public int[] frame(int[] ids) {
        int[] out = new int[ids.length + 2];
        out[0] = 2;
        System.arraycopy(ids, 0, out, 1, ids.length);
        out[out.length - 1] = 3;
        return out;
    }

    @Override
    public int frameOffset() {
        return 1;
    }
}
