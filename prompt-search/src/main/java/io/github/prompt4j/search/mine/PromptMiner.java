package io.github.prompt4j.search.mine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mines cloze templates for a relation from a plain-text corpus, as LPAQA does (Jiang et al. 2020, "How Can We Know
 * What Language Models Know?", middle-word mining): every sentence holding both the subject and the object of a
 * known pair yields the template of the words between them, {@code "[X] <middle> [Y] ."} ({@code "[Y] <middle> [X] ."}
 * when the object comes first), and a "surroundings" template that also keeps up to {@link Builder#contextWords}
 * words left of the first entity and right of the second. Templates are ranked by support, the number of distinct
 * pairs seen with them.
 *
 * <p><b>Words.</b> A sentence is split into words the way LAMA writes its templates: runs of letters, digits and
 * combining marks are words, and every other non-space character (punctuation, symbols) and every CJK ideograph is a
 * word of its own, so "Florence." is {@code Florence .}. Subjects and objects are split the same way and match whole
 * words only ("Rome" does not match inside "Romeo"), with the letter case {@link CaseMatching} says. Templates join
 * the sentence's words with single spaces. A middle must have 1 to {@link Builder#maxMiddleWords} words; a candidate
 * holding a bracket or brace ({@code [ ] { }}) is skipped, since it would collide with template syntax.
 *
 * <p>Immutable and thread-safe.
 */
public final class PromptMiner {

    private static final Logger log = LoggerFactory.getLogger(PromptMiner.class);
    private static final Set<String> SYNTAX = Set.of("[", "]", "{", "}");

    private final int maxMiddleWords;
    private final int contextWords;
    private final CaseMatching caseMatching;
    private final int maxExamples;

    private PromptMiner(Builder b) {
        this.maxMiddleWords = b.maxMiddleWords;
        this.contextWords = b.contextWords;
        this.caseMatching = b.caseMatching;
        this.maxExamples = b.maxExamples;
    }

    /** A builder with the defaults: middles of up to 5 words, 1 context word each side, case-sensitive, 3 examples. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Mines templates from the lines of a UTF-8 text file, one sentence per line (blank lines skipped).
     *
     * @throws UncheckedIOException naming the file when it cannot be read
     * @throws IllegalArgumentException as {@link #mine(List, List)}
     */
    public List<MinedTemplate> mine(Path corpus, List<RelationPair> pairs) {
        List<String> lines;
        try {
            lines = Files.readAllLines(corpus, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the corpus " + corpus.toAbsolutePath(), e);
        }
        return mine(lines, pairs);
    }

    /**
     * Mines templates from sentences.
     *
     * @param sentences the corpus, one sentence per entry (blank entries are skipped)
     * @param pairs the relation's known (subject, object) pairs; a pair listed twice counts once
     * @return templates by support (descending), then {@link MinedTemplate.Kind#MIDDLE} before surroundings, then
     *         the order they were first found; each template text once; empty when no sentence holds a pair
     * @throws IllegalArgumentException for null lists or a null sentence
     */
    public List<MinedTemplate> mine(List<String> sentences, List<RelationPair> pairs) {
        if (sentences == null || pairs == null) {
            throw new IllegalArgumentException("sentences and pairs must not be null; pass empty lists for none");
        }
        List<List<String>> subjects = new ArrayList<>();
        List<List<String>> objects = new ArrayList<>();
        List<RelationPair> distinct = List.copyOf(new LinkedHashSet<>(pairs));
        for (RelationPair p : distinct) {
            subjects.add(normalise(words(p.subject())));
            objects.add(normalise(words(p.object())));
        }
        Map<String, Candidate> found = new LinkedHashMap<>();
        for (int s = 0; s < sentences.size(); s++) {
            String sentence = sentences.get(s);
            if (sentence == null) {
                throw new IllegalArgumentException("sentence " + s + " is null");
            }
            if (sentence.isBlank()) {
                continue;
            }
            List<String> words = words(sentence);
            List<String> keys = normalise(words);
            for (int p = 0; p < distinct.size(); p++) {
                List<Integer> subjectAt = occurrences(keys, subjects.get(p));
                if (subjectAt.isEmpty()) {
                    continue;
                }
                List<Integer> objectAt = occurrences(keys, objects.get(p));
                for (int x : subjectAt) {
                    for (int y : objectAt) {
                        collect(words, x, subjects.get(p).size(), y, objects.get(p).size(), p, sentence, found);
                    }
                }
            }
        }
        List<Candidate> ranked = new ArrayList<>(found.values());
        ranked.sort(Comparator.comparingInt((Candidate c) -> -c.pairs.cardinality())
                .thenComparing(c -> c.kind)
                .thenComparingInt(c -> c.order));
        List<MinedTemplate> out = new ArrayList<>(ranked.size());
        for (Candidate c : ranked) {
            out.add(new MinedTemplate(c.template, c.kind, c.pairs.cardinality(), List.copyOf(c.examples)));
        }
        log.debug("mined {} templates from {} sentences and {} pairs", out.size(), sentences.size(), distinct.size());
        return out;
    }

    /** Adds the middle and surroundings templates of one subject/object occurrence pair. */
    private void collect(List<String> words, int x, int xLength, int y, int yLength, int pair, String sentence,
            Map<String, Candidate> found) {
        boolean subjectFirst = x < y;
        int first = subjectFirst ? x : y;
        int firstEnd = first + (subjectFirst ? xLength : yLength);
        int second = subjectFirst ? y : x;
        int secondEnd = second + (subjectFirst ? yLength : xLength);
        int middle = second - firstEnd;
        if (middle < 1 || middle > maxMiddleWords) {
            return;
        }
        List<String> middleWords = words.subList(firstEnd, second);
        if (middleWords.stream().anyMatch(SYNTAX::contains)) {
            return;
        }
        String firstSlot = subjectFirst ? "[X]" : "[Y]";
        String secondSlot = subjectFirst ? "[Y]" : "[X]";
        String core = firstSlot + " " + String.join(" ", middleWords) + " " + secondSlot;
        add(found, core + " .", MinedTemplate.Kind.MIDDLE, pair, sentence);
        List<String> left = words.subList(Math.max(0, first - contextWords), first);
        List<String> right = words.subList(secondEnd, Math.min(words.size(), secondEnd + contextWords));
        if (left.stream().anyMatch(SYNTAX::contains) || right.stream().anyMatch(SYNTAX::contains)) {
            return;
        }
        StringBuilder wide = new StringBuilder();
        left.forEach(w -> wide.append(w).append(' '));
        wide.append(core);
        right.forEach(w -> wide.append(' ').append(w));
        // Without context words the surroundings template is the middle one (or the middle one minus its period).
        if (!left.isEmpty() || (!right.isEmpty() && !right.equals(List.of(".")))) {
            add(found, wide.toString(), MinedTemplate.Kind.SURROUNDINGS, pair, sentence);
        }
    }

    private void add(Map<String, Candidate> found, String template, MinedTemplate.Kind kind, int pair,
            String sentence) {
        Candidate c = found.computeIfAbsent(template, t -> new Candidate(t, kind, found.size()));
        c.pairs.set(pair);
        if (c.examples.size() < maxExamples && !c.examples.contains(sentence)) {
            c.examples.add(sentence);
        }
    }

    /** Start indices of whole-word occurrences of {@code needle} in {@code words}. */
    private static List<Integer> occurrences(List<String> words, List<String> needle) {
        List<Integer> out = new ArrayList<>();
        if (needle.isEmpty()) {
            return out;
        }
        for (int i = 0; i + needle.size() <= words.size(); i++) {
            if (words.subList(i, i + needle.size()).equals(needle)) {
                out.add(i);
            }
        }
        return out;
    }

    private List<String> normalise(List<String> words) {
        if (caseMatching == CaseMatching.SENSITIVE) {
            return words;
        }
        return words.stream().map(w -> w.toLowerCase(Locale.ROOT)).toList();
    }

    /** Splits text into words: letter/digit/mark runs, and single punctuation, symbol or CJK characters. */
    static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            int width = Character.charCount(cp);
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                i += width;
            } else if (wordChar(cp) && !ideograph(cp)) {
                int start = i;
                while (i < text.length() && wordChar(text.codePointAt(i)) && !ideograph(text.codePointAt(i))) {
                    i += Character.charCount(text.codePointAt(i));
                }
                out.add(text.substring(start, i));
            } else {
                out.add(text.substring(i, i + width));
                i += width;
            }
        }
        return out;
    }

    private static boolean wordChar(int cp) {
        int type = Character.getType(cp);
        return Character.isLetterOrDigit(cp) || type == Character.NON_SPACING_MARK
                || type == Character.COMBINING_SPACING_MARK;
    }

    private static boolean ideograph(int cp) {
        return Character.isIdeographic(cp) || Character.UnicodeScript.of(cp) == Character.UnicodeScript.HAN;
    }

    /** A template being collected: the pairs seen with it and some sentences. */
    private static final class Candidate {
        final String template;
        final MinedTemplate.Kind kind;
        final int order;
        final BitSet pairs = new BitSet();
        final List<String> examples = new ArrayList<>();

        Candidate(String template, MinedTemplate.Kind kind, int order) {
            this.template = template;
            this.kind = kind;
            this.order = order;
        }
    }

    /** Configures a {@link PromptMiner}. Not thread-safe. */
    public static final class Builder {
        private int maxMiddleWords = 5;
        private int contextWords = 1;
        private CaseMatching caseMatching = CaseMatching.SENSITIVE;
        private int maxExamples = 3;

        private Builder() {
        }

        /** The most words between subject and object (default 5; punctuation counts as a word). */
        public Builder maxMiddleWords(int maxMiddleWords) {
            if (maxMiddleWords < 1) {
                throw new IllegalArgumentException("maxMiddleWords must be at least 1, got " + maxMiddleWords);
            }
            this.maxMiddleWords = maxMiddleWords;
            return this;
        }

        /**
         * How many words each side the surroundings templates keep (default 1); 0 mines middle templates only.
         */
        public Builder contextWords(int contextWords) {
            if (contextWords < 0) {
                throw new IllegalArgumentException("contextWords must be >= 0, got " + contextWords);
            }
            this.contextWords = contextWords;
            return this;
        }

        /** Whether subjects and objects must match with their letter case (default {@link CaseMatching#SENSITIVE}). */
        public Builder caseMatching(CaseMatching caseMatching) {
            if (caseMatching == null) {
                throw new IllegalArgumentException("caseMatching must not be null");
            }
            this.caseMatching = caseMatching;
            return this;
        }

        /** How many example sentences each template keeps (default 3). */
        public Builder maxExamples(int maxExamples) {
            if (maxExamples < 1) {
                throw new IllegalArgumentException("maxExamples must be at least 1, got " + maxExamples);
            }
            this.maxExamples = maxExamples;
            return this;
        }

        /** The miner. */
        public PromptMiner build() {
            return new PromptMiner(this);
        }
    }
}
