package io.github.prompt4j.core.verbalizer;

import io.github.prompt4j.core.model.SpecialTokens;
import io.github.prompt4j.core.model.TokenEncoding;
import io.github.prompt4j.core.model.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps each class label to one or more label words, e.g. negative: awful, bad, sad; positive: great, good, happy.
 *
 * <p>Building checks what needs no tokenizer: at least two classes, each with at least one non-blank word, and no
 * word under two classes. {@link #resolve(Tokenizer)} then validates the words against a model's tokenizer: a word
 * must not encode to {@code [UNK]}, to a special token or to nothing; two words must not encode to the same pieces
 * (for an uncased tokenizer "Great" and "great" are the same word); and a word of several word pieces is handled by
 * the {@link MultiTokenPolicy} ({@link MultiTokenPolicy#REJECT} by default).
 *
 * <p><b>Leading-space (BPE) vocabularies.</b> In byte-level BPE vocabularies (RoBERTa, GPT-2) a word after a space is
 * a different token from the same word at the start of a text ({@code "Ġgood"} vs {@code "good"}). A label word fills
 * a mask that follows a space in a cloze sentence, so when {@link Tokenizer#spaceSensitive()} says so each word is
 * encoded as {@code " " + word}; WordPiece tokenizers (BERT) ignore white space and encode the word as written.
 *
 * <p>Immutable and thread-safe.
 */
public final class Verbalizer {

    private final Map<String, List<String>> words;
    private final MultiTokenPolicy policy;

    private Verbalizer(Map<String, List<String>> words, MultiTokenPolicy policy) {
        this.words = words;
        this.policy = policy;
    }

    /** A builder; add classes in the order the classifier should report them. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A verbalizer from a map of label to words with {@link MultiTokenPolicy#REJECT}. The map's iteration order is the
     * class order, so pass a {@link LinkedHashMap} ({@code Map.of} has no stable order).
     *
     * @throws IllegalArgumentException as {@link Builder#add} and {@link Builder#build}
     */
    public static Verbalizer of(Map<String, List<String>> labelWords) {
        return of(labelWords, MultiTokenPolicy.REJECT);
    }

    /** A verbalizer from a map of label to words (iteration order = class order) with the given policy. */
    public static Verbalizer of(Map<String, List<String>> labelWords, MultiTokenPolicy policy) {
        if (labelWords == null) {
            throw new IllegalArgumentException("labelWords must not be null");
        }
        Builder b = builder().policy(policy);
        labelWords.forEach((label, list) -> b.add(label, list == null ? new String[0] : list.toArray(new String[0])));
        return b.build();
    }

    /** Number of classes. */
    public int classCount() {
        return words.size();
    }

    /** Class labels in order. */
    public List<String> labels() {
        return List.copyOf(words.keySet());
    }

    /** Label words per class, in order. */
    public Map<String, List<String>> words() {
        return words;
    }

    /** The multi-piece policy. */
    public MultiTokenPolicy policy() {
        return policy;
    }

    /** A copy with another multi-piece policy. */
    public Verbalizer withPolicy(MultiTokenPolicy policy) {
        if (policy == null) {
            throw new IllegalArgumentException("policy must not be null");
        }
        return new Verbalizer(words, policy);
    }

    /**
     * Resolves every word to its word pieces, checking it against the tokenizer's vocabulary.
     *
     * <p>A word is encoded on its own, as {@code " " + word} when {@link Tokenizer#spaceSensitive()} (a label word
     * stands after a space in a cloze sentence), else as written.
     *
     * @return label words in class order, then word order
     * @throws IllegalArgumentException naming the word: absent from the vocabulary (it encodes to {@code [UNK]}),
     *         encodes to nothing or to a special token, encodes to the same pieces as another label word (e.g. "Good"
     *         and "good" for an uncased tokenizer; both words and classes are named), or splits into several pieces
     *         under {@link MultiTokenPolicy#REJECT} (the message lists the pieces)
     */
    public List<LabelWord> resolve(Tokenizer tokenizer) {
        if (tokenizer == null) {
            throw new IllegalArgumentException("tokenizer must not be null; pass model.tokenizer()");
        }
        List<LabelWord> out = new ArrayList<>();
        Map<List<Integer>, LabelWord> byPieces = new HashMap<>();
        SpecialTokens special = tokenizer.specialTokens();
        words.forEach((label, list) -> {
            for (String word : list) {
                TokenEncoding enc = tokenizer.encode(tokenizer.spaceSensitive() ? " " + word : word);
                int[] ids = enc.ids();
                List<String> pieces = new ArrayList<>();
                for (int id : ids) {
                    pieces.add(tokenizer.idToToken(id));
                }
                if (ids.length == 0) {
                    throw new IllegalArgumentException("label word '" + word + "' of class '" + label
                            + "' encodes to no word piece; use a word with letters");
                }
                for (int id : ids) {
                    if (id == special.unk()) {
                        throw new IllegalArgumentException("label word '" + word + "' of class '" + label
                                + "' is not in the model's vocabulary (it encodes to " + pieces
                                + "); choose another word");
                    }
                    if (special.contains(id)) {
                        throw new IllegalArgumentException("label word '" + word + "' of class '" + label
                                + "' encodes to the special token " + tokenizer.idToToken(id) + " (pieces " + pieces
                                + "); use an ordinary word");
                    }
                }
                if (ids.length > 1 && policy == MultiTokenPolicy.REJECT) {
                    throw new IllegalArgumentException("label word '" + word + "' of class '" + label + "' is "
                            + ids.length + " word pieces " + pieces + "; use a single-piece word or "
                            + "MultiTokenPolicy.FIRST, MEAN, MAX or MULTI_MASK");
                }
                LabelWord resolved = new LabelWord(label, word, ids, pieces);
                LabelWord twin = byPieces.putIfAbsent(Arrays.stream(ids).boxed().toList(), resolved);
                if (twin != null) {
                    throw new IllegalArgumentException("label words '" + twin.word() + "' (class '" + twin.label()
                            + "') and '" + word + "' (class '" + label + "') both encode to " + pieces
                            + ", so the model cannot tell them apart; keep one of them");
                }
                out.add(resolved);
            }
        });
        return out;
    }

    @Override
    public String toString() {
        return "Verbalizer" + words + " " + policy;
    }

    /** Builds a {@link Verbalizer}. Not thread-safe. */
    public static final class Builder {
        private final Map<String, List<String>> words = new LinkedHashMap<>();
        private final Map<String, String> owner = new HashMap<>();
        private MultiTokenPolicy policy = MultiTokenPolicy.REJECT;

        private Builder() {
        }

        /**
         * Adds a class with its label words.
         *
         * @throws IllegalArgumentException for a blank or repeated label, no words, a blank word, or a word already
         *         given to another class (the message names both classes)
         */
        public Builder add(String label, String... labelWords) {
            if (label == null || label.isBlank()) {
                throw new IllegalArgumentException("class label must not be blank");
            }
            if (words.containsKey(label)) {
                throw new IllegalArgumentException("class '" + label + "' was added twice; give all its words in one"
                        + " add(...) call");
            }
            if (labelWords == null || labelWords.length == 0) {
                throw new IllegalArgumentException("class '" + label + "' has no label words; give at least one, "
                        + "e.g. add(\"" + label + "\", \"good\")");
            }
            List<String> list = new ArrayList<>();
            for (String w : labelWords) {
                if (w == null || w.isBlank()) {
                    throw new IllegalArgumentException("class '" + label + "' has a blank label word");
                }
                String word = w.strip();
                String previous = owner.putIfAbsent(word, label);
                if (previous != null) {
                    throw new IllegalArgumentException(previous.equals(label)
                            ? "label word '" + word + "' is listed twice under class '" + label + "'; list it once"
                            : "label word '" + word + "' is given to both class '" + previous + "' and class '"
                                    + label + "'; a word may speak for one class only");
                }
                list.add(word);
            }
            words.put(label, Collections.unmodifiableList(list));
            return this;
        }

        /** The multi-piece policy (default {@link MultiTokenPolicy#REJECT}). */
        public Builder policy(MultiTokenPolicy policy) {
            if (policy == null) {
                throw new IllegalArgumentException("policy must not be null");
            }
            this.policy = policy;
            return this;
        }

        /**
         * Builds the verbalizer.
         *
         * @throws IllegalArgumentException with fewer than two classes
         */
        public Verbalizer build() {
            if (words.size() < 2) {
                throw new IllegalArgumentException("a verbalizer needs at least two classes, got " + words.keySet());
            }
            return new Verbalizer(Collections.unmodifiableMap(new LinkedHashMap<>(words)), policy);
        }
    }
}
