package io.github.prompt4j.benchmarks.eval;

import io.github.prompt4j.core.verbalizer.MultiTokenPolicy;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code --label CLASS=word1,word2} option: a class label as it appears in the dataset and its label words.
 *
 * <p>Immutable.
 *
 * @param label the class label, e.g. {@code 0}
 * @param words the label words, at least one, none blank
 */
record LabelOption(String label, List<String> words) {

    LabelOption {
        if (label == null || label.isBlank()) {
            throw new IllegalArgumentException("class label must not be blank");
        }
        words = List.copyOf(words);
        if (words.isEmpty()) {
            throw new IllegalArgumentException("class '" + label + "' has no label words");
        }
    }

    /**
     * Parses {@code CLASS=word1,word2,...}; spaces around the label and words are ignored.
     *
     * @throws IllegalArgumentException saying the expected form for a missing {@code =}, label or word
     */
    static LabelOption parse(String value) {
        int eq = value.indexOf('=');
        if (eq < 0) {
            throw new IllegalArgumentException("'" + value + "' has no '='; write CLASS=word1,word2 such as "
                    + "0=terrible,bad");
        }
        String label = value.substring(0, eq).strip();
        if (label.isEmpty()) {
            throw new IllegalArgumentException("'" + value + "' has no class label before '='; write CLASS=word1,word2"
                    + " such as 0=terrible,bad");
        }
        List<String> words = new ArrayList<>();
        for (String w : value.substring(eq + 1).split(",", -1)) {
            String word = w.strip();
            if (word.isEmpty()) {
                throw new IllegalArgumentException("'" + value + "' has an empty label word; separate words with "
                        + "single commas, e.g. " + label + "=terrible,bad");
            }
            words.add(word);
        }
        return new LabelOption(label, words);
    }

    /**
     * The verbalizer of several options, in option order.
     *
     * @throws IllegalArgumentException from {@link Verbalizer.Builder} (fewer than two classes, a class or word given
     *         twice)
     */
    static Verbalizer verbalizer(List<LabelOption> options, MultiTokenPolicy policy) {
        Verbalizer.Builder b = Verbalizer.builder().policy(policy);
        for (LabelOption o : options) {
            b.add(o.label(), o.words().toArray(new String[0]));
        }
        return b.build();
    }

    @Override
    public String toString() {
        return label + "=" + String.join(",", words);
    }
}
