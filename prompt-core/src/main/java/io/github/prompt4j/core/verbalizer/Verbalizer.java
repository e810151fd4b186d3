package io.github.prompt4j.core.verbalizer;

import io.github.prompt4j.core.model.TokenEncoding;
import io.github.prompt4j.core.model.Tokenizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Maps each class label to one or more label words, e.g. negative: awful, bad, sad; positive: great, good, happy.
 *
 * <p>{@link #resolve(Tokenizer)} validates the words against a tokenizer: a word must not encode to
 * {@code [UNK]} or to nothing, and a word of several word pieces is handled by the {@link MultiTokenPolicy}
 * ({@link MultiTokenPolicy#REJECT} by default). Words are encoded on their own; for an uncased tokenizer
 * "Great" and "great" are the same word. Leading-space (BPE) vocabularies, where "Ġgood" differs from "good", are
 * handled by encoding {@code " " + word} when {@link Tokenizer#spaceSensitive()} says so, because a label word stands
 * after a space in a cloze sentence.
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
     * A verbalizer from a map of label to words (iteration order = class order), with {@link MultiTokenPolicy#REJECT}.
     */
    public static Verbalizer of(Map<String, List<String>> labelWords) {
        Builder b = builder();
        labelWords.forEach((label, list) -> b.add(label, list.toArray(new String[0])));
        return b.build();
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
     * Resolves every word to its word pieces.
     *
     * @return label words in class order, then word order
     * @throws IllegalArgumentException naming the word: absent from the vocabulary ({@code [UNK]}), encodes to
     *         nothing, or splits into several pieces under {@link MultiTokenPolicy#REJECT} (the message lists them)
     */
    public List<LabelWord> resolve(Tokenizer tokenizer) {
        List<LabelWord> out = new ArrayList<>();
        int unk = tokenizer.specialTokens().unk();
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
                    if (id == unk) {
                        throw new IllegalArgumentException("label word '" + word + "' of class '" + label
                                + "' is not in the model's vocabulary (it encodes to " + pieces
                                + "); choose another word");
                    }
                }
                if (ids.length > 1 && policy == MultiTokenPolicy.REJECT) {
                    throw new IllegalArgumentException("label word '" + word + "' of class '" + label + "' is "
                            + ids.length + " word pieces " + pieces + "; use a single-piece word or "
                            + "MultiTokenPolicy.FIRST, MEAN or MAX");
                }
                out.add(new LabelWord(label, word, ids, pieces));
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
                String key = word.toLowerCase(Locale.ROOT);
                String previous = owner.putIfAbsent(key, label);
                if (previous != null) {
                    throw new IllegalArgumentException("label word '" + word + "' is given to both class '" + previous
                            + "' and class '" + label + "'; a word may speak for one class only");
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
