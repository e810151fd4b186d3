package io.github.prompt4j.search.paraphrase;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.model.Tokenizer;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.search.internal.TopK;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proposes variants of a template with the masked language model itself: each literal word of the template is masked
 * in turn and replaced by the model's most probable tokens there.
 *
 * <p><b>What is replaced.</b> The literal words of the template text: maximal runs of letters and digits, and each
 * other non-space character (punctuation) on its own. Fields {@code {name}}, literal braces {@code {{ }}}, and the
 * slots {@code [MASK]}, {@code [T]} and {@code [P]} are never touched; the answer {@code [MASK]} stays a mask while a
 * word is masked, so the context does not lean towards any class, and bound trigger ids stay bound.
 *
 * <p><b>Context.</b> Every input field holds a fill value while the model predicts: by default the neutral
 * {@value #NEUTRAL_FILL} (the content-free input of contextual calibration), so proposals do not depend on one
 * example; with {@link Builder#fill(List)} a sample of real inputs, and a replacement's score is then its mean
 * log-probability over the sample.
 *
 * <p><b>Filters.</b> A replacement token is skipped when it is a special or bracketed token, a {@code ##}
 * continuation, contains white space or template syntax ({@code { } [ ]}), is punctuation-only while the original
 * word is not (or the reverse: punctuation is replaced only by punctuation), or is the original word (ignoring case
 * for a lower-casing tokenizer). A lower-case replacement of a capitalised word is capitalised. The leading
 * {@code Ġ} of a space-sensitive (byte-level BPE) vocabulary is dropped. Per word the {@link Builder#topK(int)} best
 * remaining tokens give variants; a variant already proposed (or the original) is skipped for the next token.
 *
 * <p><b>Rounds.</b> With {@link Builder#rounds(int)} {@code r > 1}, every variant of round {@code i} is paraphrased
 * again in round {@code i + 1}; the number of variants grows as {@code (words * k)^r}.
 *
 * <p><b>Cost.</b> One forward pass over the full vocabulary per literal word, fill input and source template
 * ({@link MaskedLanguageModel#maskLogits(List)}), in batches. Deterministic: variants come in order of round, source,
 * word and rank, ties between tokens going to the smaller id. Immutable and thread-safe (the model is); it does not
 * own the model. Score the variants with {@link io.github.prompt4j.search.select.PromptScorer}.
 */
public final class MlmParaphraser {

    /** The default fill value of every input field. */
    public static final String NEUTRAL_FILL = "N/A";

    private static final Logger log = LoggerFactory.getLogger(MlmParaphraser.class);

    private final MaskedLanguageModel model;
    private final int topK;
    private final int rounds;
    private final List<Map<String, String>> fill;
    private final int batchSize;
    private final boolean[] usable;
    private final boolean[] punctuation;
    private final String[] words;

    private MlmParaphraser(Builder b) {
        this.model = b.model;
        this.topK = b.topK;
        this.rounds = b.rounds;
        this.fill = b.fill;
        this.batchSize = b.batchSize;
        Tokenizer tokenizer = model.tokenizer();
        int v = tokenizer.vocabularySize();
        this.usable = new boolean[v];
        this.punctuation = new boolean[v];
        this.words = new String[v];
        for (int id = 0; id < v; id++) {
            String token = tokenizer.idToToken(id);
            String word = tokenizer.spaceSensitive() && token.startsWith("Ġ") ? token.substring(1) : token;
            words[id] = word;
            boolean special = tokenizer.specialTokens().contains(id)
                    || (token.length() > 2 && token.startsWith("[") && token.endsWith("]"));
            boolean syntax = word.chars().anyMatch(c -> c == '{' || c == '}' || c == '[' || c == ']'
                    || Character.isWhitespace(c));
            usable[id] = !special && !word.isEmpty() && !word.startsWith("##") && !syntax;
            punctuation[id] = punctuationOnly(word);
        }
    }

    /** A builder for a paraphraser over {@code model}. */
    public static Builder builder(MaskedLanguageModel model) {
        return new Builder(model);
    }

    /**
     * The variants of a template, in order of round, source template, word and rank; without the template itself and
     * without repeats.
     *
     * @throws IllegalArgumentException if the fill inputs do not fit the template's fields
     */
    public List<Paraphrase> propose(Template template) {
        if (template == null) {
            throw new IllegalArgumentException("template must not be null");
        }
        Set<String> seen = new LinkedHashSet<>();
        seen.add(template.text());
        List<Paraphrase> out = new ArrayList<>();
        List<Template> sources = List.of(template);
        for (int round = 1; round <= rounds && !sources.isEmpty(); round++) {
            List<Paraphrase> found = round(sources, round, seen);
            out.addAll(found);
            sources = found.stream().map(Paraphrase::template).toList();
        }
        log.info("proposed {} variants of '{}' in {} round(s)", out.size(), template.text(), rounds);
        return List.copyOf(out);
    }

    /** The variants of every source template, with one batch of model calls for all masked words. */
    private List<Paraphrase> round(List<Template> sources, int round, Set<String> seen) {
        Tokenizer tokenizer = model.tokenizer();
        List<List<TemplateWords.Word>> wordsOf = new ArrayList<>();
        List<EncodedPrompt> prompts = new ArrayList<>();
        List<Integer> maskIndex = new ArrayList<>();
        int perWord = Math.max(1, fill.size());
        for (Template source : sources) {
            List<Map<String, String>> inputs = inputsFor(source);
            List<TemplateWords.Word> ws = TemplateWords.of(source.text());
            wordsOf.add(ws);
            for (TemplateWords.Word w : ws) {
                Template masked = carryTriggers(source, Template.parse(w.replaceIn(source.text(), "[MASK]")));
                for (Map<String, String> input : inputs) {
                    prompts.add(masked.encode(input, tokenizer));
                    maskIndex.add(w.masksBefore());
                }
            }
        }
        int v = tokenizer.vocabularySize();
        // mean log-probability over the fill inputs, per (source, word)
        List<double[]> means = new ArrayList<>();
        double[] current = null;
        for (int from = 0; from < prompts.size(); from += batchSize) {
            List<EncodedPrompt> batch = prompts.subList(from, Math.min(prompts.size(), from + batchSize));
            MaskLogits logits = model.maskLogits(batch);
            for (int p = 0; p < batch.size(); p++) {
                int global = from + p;
                if (global % perWord == 0) {
                    current = new double[v];
                    means.add(current);
                }
                int m = maskIndex.get(global);
                float norm = logits.logNormalizer(p, m);
                for (int id = 0; id < v; id++) {
                    current[id] += (logits.logit(p, m, id) - norm) / perWord;
                }
            }
        }
        List<Paraphrase> out = new ArrayList<>();
        int slot = 0;
        for (int s = 0; s < sources.size(); s++) {
            Template source = sources.get(s);
            List<TemplateWords.Word> ws = wordsOf.get(s);
            for (int k = 0; k < ws.size(); k++) {
                out.addAll(replacements(source, ws.get(k), k, round, means.get(slot++), seen));
            }
        }
        return out;
    }

    /** Up to {@code topK} new variants of {@code source} with word {@code w} replaced, best first. */
    private List<Paraphrase> replacements(Template source, TemplateWords.Word w, int index, int round,
            double[] logProbs, Set<String> seen) {
        String original = w.text(source.text());
        boolean originalPunctuation = punctuationOnly(original);
        boolean capitalised = Character.isUpperCase(original.codePointAt(0));
        boolean ignoreCase = model.tokenizer().lowerCases();
        boolean[] allowed = new boolean[usable.length];
        int count = 0;
        for (int id = 0; id < usable.length; id++) {
            allowed[id] = usable[id] && punctuation[id] == originalPunctuation;
            count += allowed[id] ? 1 : 0;
        }
        List<Paraphrase> out = new ArrayList<>();
        if (count == 0) {
            return out;
        }
        for (int id : TopK.largest(logProbs, allowed, count)) {
            if (out.size() == topK) {
                break;
            }
            String word = words[id];
            if (capitalised && Character.isLowerCase(word.codePointAt(0))) {
                word = word.substring(0, 1).toUpperCase(Locale.ROOT) + word.substring(1);
            }
            if (word.equals(original) || (ignoreCase && word.equalsIgnoreCase(original))) {
                continue;
            }
            String text = w.replaceIn(source.text(), word);
            if (seen.contains(text)) {
                continue;
            }
            Template variant;
            try {
                variant = carryTriggers(source, Template.parse(text));
            } catch (IllegalArgumentException e) {
                // the replacement made the text invalid template syntax (e.g. an all-capitals bracket word)
                continue;
            }
            if (!sameSlots(source, variant)) {
                continue;
            }
            seen.add(text);
            out.add(new Paraphrase(variant, source, round, index, original, word, logProbs[id]));
        }
        return out;
    }

    private static boolean sameSlots(Template a, Template b) {
        return a.fields().equals(b.fields()) && a.maskCount() == b.maskCount()
                && a.triggerCount() == b.triggerCount() && a.softCount() == b.softCount();
    }

    /** {@code to} with the bound trigger ids and the trigger initialisation id of {@code from}. */
    private static Template carryTriggers(Template from, Template to) {
        Template t = to;
        if (from.triggerIds().isPresent()) {
            t = t.withTriggerIds(from.triggerIds().get());
        }
        if (from.triggerInitId().isPresent()) {
            t = t.withTriggerInitId(from.triggerInitId().getAsInt());
        }
        return t;
    }

    /** Whether a word has no letter and no digit. */
    static boolean punctuationOnly(String word) {
        return !word.isEmpty() && word.codePoints().noneMatch(Character::isLetterOrDigit);
    }

    /**
     * The fill values for {@code template}: {@value #NEUTRAL_FILL} in every field by default; else each fill input
     * with the template's names, or its one value renamed to a single-field template's field.
     */
    private List<Map<String, String>> inputsFor(Template template) {
        List<String> names = template.fields();
        if (fill.isEmpty()) {
            Map<String, String> neutral = new LinkedHashMap<>();
            names.forEach(n -> neutral.put(n, NEUTRAL_FILL));
            return List.of(neutral);
        }
        List<Map<String, String>> out = new ArrayList<>();
        for (int i = 0; i < fill.size(); i++) {
            Map<String, String> input = fill.get(i);
            if (names.size() == input.size() && input.keySet().containsAll(names)) {
                out.add(input);
            } else if (names.size() == 1 && input.size() == 1) {
                out.add(Map.of(names.get(0), input.values().iterator().next()));
            } else {
                throw new IllegalArgumentException("fill input " + i + " has fields " + input.keySet()
                        + " but template '" + template.text() + "' has fields " + names);
            }
        }
        return out;
    }

    /** Configures a {@link MlmParaphraser}. Not thread-safe. */
    public static final class Builder {
        private final MaskedLanguageModel model;
        private int topK = 5;
        private int rounds = 1;
        private List<Map<String, String>> fill = List.of();
        private int batchSize = 64;

        private Builder(MaskedLanguageModel model) {
            if (model == null) {
                throw new IllegalArgumentException("model must not be null");
            }
            this.model = model;
        }

        /** Replacements kept per word and round (default 5). */
        public Builder topK(int k) {
            if (k <= 0) {
                throw new IllegalArgumentException("topK must be positive, got " + k);
            }
            this.topK = k;
            return this;
        }

        /** Rounds of replacement (default 1; 2 also paraphrases every round-1 variant). */
        public Builder rounds(int rounds) {
            if (rounds <= 0) {
                throw new IllegalArgumentException("rounds must be positive, got " + rounds);
            }
            this.rounds = rounds;
            return this;
        }

        /**
         * Real inputs to fill the fields with while predicting (default: every field
         * {@value MlmParaphraser#NEUTRAL_FILL}); field name to value, or one value for a single-field template under
         * any name.
         */
        public Builder fill(List<Map<String, String>> inputs) {
            if (inputs == null || inputs.isEmpty()) {
                throw new IllegalArgumentException("fill needs at least one input; omit it for the neutral fill");
            }
            List<Map<String, String>> copy = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                if (inputs.get(i) == null || inputs.get(i).isEmpty()) {
                    throw new IllegalArgumentException("fill input " + i + " is null or empty");
                }
                copy.add(Map.copyOf(inputs.get(i)));
            }
            this.fill = List.copyOf(copy);
            return this;
        }

        /** Prompts per model call (default 64; each prompt returns a full-vocabulary row). */
        public Builder batchSize(int batchSize) {
            if (batchSize <= 0) {
                throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** Builds the paraphraser (reads the vocabulary once). */
        public MlmParaphraser build() {
            return new MlmParaphraser(this);
        }
    }
}
