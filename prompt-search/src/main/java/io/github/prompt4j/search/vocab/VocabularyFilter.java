package io.github.prompt4j.search.vocab;

import io.github.prompt4j.core.model.Tokenizer;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which vocabulary tokens may be proposed as triggers or label words (AutoPrompt's candidate filters, Shin et al.
 * 2020, section 2.2 and appendix).
 *
 * <p>Special tokens are the tokenizer's {@code [CLS]}, {@code [SEP]}, {@code [PAD]}, {@code [MASK]}, {@code [UNK]}
 * and every bracketed vocabulary entry such as {@code [unused7]}. Continuations are word pieces spelled
 * {@code ##...}. Non-alphabetic tokens contain a character that is not a letter (after the {@code ##}). Capitalised
 * tokens start with an upper-case letter: the paper's proper-noun filter for fact retrieval. Denied tokens are
 * matched exactly against the vocabulary spelling; entries absent from the vocabulary are ignored, since they can
 * never be proposed anyway.
 *
 * <p>Immutable and thread-safe; a value that serialises to JSON.
 *
 * @param excludeSpecialTokens drop special and bracketed tokens
 * @param excludeLabelWords drop the label words (the tokens the caller passes as label ids)
 * @param excludeContinuations drop {@code ##} word-piece continuations
 * @param excludeNonAlphabetic drop tokens with a non-letter character
 * @param excludeCapitalised drop tokens that start with an upper-case letter
 * @param denied tokens never to propose, spelled as in the vocabulary
 */
public record VocabularyFilter(boolean excludeSpecialTokens, boolean excludeLabelWords, boolean excludeContinuations,
        boolean excludeNonAlphabetic, boolean excludeCapitalised, List<String> denied) {

    public VocabularyFilter {
        denied = denied == null ? List.of() : List.copyOf(denied);
    }

    /** Special tokens and label words excluded, everything else allowed (AutoPrompt's classification setting). */
    public static VocabularyFilter defaults() {
        return new VocabularyFilter(true, true, false, false, false, List.of());
    }

    /** A copy that drops {@code ##} continuations or not. */
    public VocabularyFilter withExcludeContinuations(boolean exclude) {
        return new VocabularyFilter(excludeSpecialTokens, excludeLabelWords, exclude, excludeNonAlphabetic,
                excludeCapitalised, denied);
    }

    /** A copy that drops non-alphabetic tokens or not. */
    public VocabularyFilter withExcludeNonAlphabetic(boolean exclude) {
        return new VocabularyFilter(excludeSpecialTokens, excludeLabelWords, excludeContinuations, exclude,
                excludeCapitalised, denied);
    }

    /** A copy that drops capitalised tokens or not (the proper-noun filter for fact retrieval). */
    public VocabularyFilter withExcludeCapitalised(boolean exclude) {
        return new VocabularyFilter(excludeSpecialTokens, excludeLabelWords, excludeContinuations,
                excludeNonAlphabetic, exclude, denied);
    }

    /** A copy that drops the label words or not. */
    public VocabularyFilter withExcludeLabelWords(boolean exclude) {
        return new VocabularyFilter(excludeSpecialTokens, exclude, excludeContinuations, excludeNonAlphabetic,
                excludeCapitalised, denied);
    }

    /** A copy that drops special tokens or not. */
    public VocabularyFilter withExcludeSpecialTokens(boolean exclude) {
        return new VocabularyFilter(exclude, excludeLabelWords, excludeContinuations, excludeNonAlphabetic,
                excludeCapitalised, denied);
    }

    /** A copy with this deny list (replacing the previous one). */
    public VocabularyFilter withDenied(Collection<String> tokens) {
        return new VocabularyFilter(excludeSpecialTokens, excludeLabelWords, excludeContinuations,
                excludeNonAlphabetic, excludeCapitalised, List.copyOf(tokens));
    }

    /**
     * The allowed tokens of a vocabulary.
     *
     * @param tokenizer supplies the vocabulary and the special tokens
     * @param labelIds ids of the label words (excluded when {@link #excludeLabelWords()}), possibly empty
     * @return {@code allowed[id]} for every id in {@code [0, V)}
     */
    public boolean[] allowed(Tokenizer tokenizer, Collection<Integer> labelIds) {
        int v = tokenizer.vocabularySize();
        boolean[] allowed = new boolean[v];
        Set<String> deny = new HashSet<>(denied);
        Set<Integer> labels = new HashSet<>(labelIds);
        for (int id = 0; id < v; id++) {
            allowed[id] = allows(tokenizer, id, tokenizer.idToToken(id), deny, labels);
        }
        return allowed;
    }

    private boolean allows(Tokenizer tokenizer, int id, String token, Set<String> deny, Set<Integer> labels) {
        if (excludeSpecialTokens && (tokenizer.specialTokens().contains(id)
                || (token.length() > 2 && token.startsWith("[") && token.endsWith("]")))) {
            return false;
        }
        if (excludeLabelWords && labels.contains(id)) {
            return false;
        }
        if (deny.contains(token)) {
            return false;
        }
        boolean continuation = token.startsWith("##") && token.length() > 2;
        if (excludeContinuations && continuation) {
            return false;
        }
        String word = continuation ? token.substring(2) : token;
        if (excludeNonAlphabetic && (word.isEmpty() || !word.codePoints().allMatch(Character::isLetter))) {
            return false;
        }
        return !(excludeCapitalised && !word.isEmpty() && Character.isUpperCase(word.codePointAt(0)));
    }
}
