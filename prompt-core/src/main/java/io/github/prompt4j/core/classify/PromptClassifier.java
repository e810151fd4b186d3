package io.github.prompt4j.core.classify;

import io.github.prompt4j.core.mapping.LabelMapper;
import io.github.prompt4j.core.mapping.LabelWordScores;
import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.template.TemplateEncoder;
import io.github.prompt4j.core.template.Truncation;
import io.github.prompt4j.core.verbalizer.LabelWord;
import io.github.prompt4j.core.verbalizer.MultiTokenPolicy;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Classifies text with a masked language model: the {@link Template} turns an input into a cloze prompt, the model
 * scores the label words at the (first) mask, the {@link MultiTokenPolicy} combines multi-piece words, and the
 * {@link LabelMapper} turns the words' probabilities into a class distribution.
 *
 * <pre>{@code
 * PromptClassifier c = PromptClassifier.builder(model)
 *         .template(Template.parse("{text} It was [MASK]."))
 *         .verbalizer(Verbalizer.builder().add("negative", "terrible").add("positive", "great").build())
 *         .build();
 * Classification r = c.classify("A gripping, moving film.");
 * }</pre>
 *
 * <p>Only the label words' pieces are scored, through {@link MaskedLanguageModel#maskLogits(List, int[])} with the
 * full-vocabulary normaliser, so word scores are exact log-probabilities. A template with several masks is scored at
 * its first.
 *
 * <p><b>Multi-mask label words.</b> Under {@link MultiTokenPolicy#MULTI_MASK} or
 * {@link MultiTokenPolicy#MULTI_MASK_MEAN} the template's single {@code [MASK]} is widened to {@code k} consecutive
 * masks for a word of {@code k} pieces, decoded as {@link Builder#multiMaskDecoding} says (e.g. a two-character
 * Chinese word is two pieces in BERT's multilingual vocabulary). Words are grouped by piece count: each input costs
 * one prompt per distinct count under {@link MultiMaskDecoding#PARALLEL}, and per count {@code k} one prompt per
 * distinct prefix of each length {@code 0..k-1} under {@link MultiMaskDecoding#LEFT_TO_RIGHT}. Words of different
 * lengths compare by total log-probability ({@code MULTI_MASK}) or by its per-piece mean ({@code MULTI_MASK_MEAN}).
 * Inputs are encoded with the limit lowered by {@code kmax - 1} tokens so that the widest prompt fits; the template
 * must have exactly one {@code [MASK]}. Batches hold at most {@link Builder#batchSize(int)} prompts (256 by default). Immutable and thread-safe
 * (the model is); it does not own the model (close the model yourself).
 */
public final class PromptClassifier {

    private final MaskedLanguageModel model;
    private final TemplateEncoder encoder;
    private final Verbalizer verbalizer;
    private final LabelMapper mapper;
    private final int batchSize;
    private final List<LabelWord> labelWords;
    private final int[] scoredIds;
    private final int[][] wordColumns;
    /** Scores multi-piece words with one mask per piece; null unless the policy is a multi-mask one. */
    private final MultiMaskScorer multiMask;

    private PromptClassifier(Builder b) {
        this.model = b.model;
        this.verbalizer = b.verbalizer;
        this.mapper = b.mapper;
        this.batchSize = b.batchSize;
        this.labelWords = List.copyOf(verbalizer.resolve(model.tokenizer()));
        TemplateEncoder full = b.template.encoder(model.tokenizer(), b.truncation);
        this.multiMask = verbalizer.policy().multiMask()
                ? MultiMaskScorer.create(model, full, verbalizer, labelWords, b.decoding, batchSize) : null;
        this.encoder = multiMask == null ? full : multiMask.encoder();
        // Each distinct piece is scored once; a word's pieces point at their columns.
        Map<Integer, Integer> column = new LinkedHashMap<>();
        this.wordColumns = new int[labelWords.size()][];
        for (int w = 0; w < labelWords.size(); w++) {
            int[] pieces = labelWords.get(w).pieceIds();
            wordColumns[w] = new int[pieces.length];
            for (int k = 0; k < pieces.length; k++) {
                wordColumns[w][k] = column.computeIfAbsent(pieces[k], id -> column.size());
            }
        }
        this.scoredIds = column.keySet().stream().mapToInt(Integer::intValue).toArray();
    }

    /** A builder for a classifier over {@code model}. */
    public static Builder builder(MaskedLanguageModel model) {
        return new Builder(model);
    }

    /** The class labels, in order. */
    public List<String> labels() {
        return verbalizer.labels();
    }

    /** The label words resolved against the model's tokenizer. */
    public List<LabelWord> labelWords() {
        return labelWords;
    }

    /**
     * The template encoder (template, tokenizer, limit and truncation). Under a multi-mask policy its limit is the
     * configured one lowered by {@code kmax - 1}, the most pieces of a label word minus one.
     */
    public TemplateEncoder encoder() {
        return encoder;
    }

    /**
     * Classifies one text with a single-field template.
     *
     * @throws IllegalArgumentException for null or blank text, or a template with more than one field
     */
    public Classification classify(String text) {
        return classifyPrompts(List.of(encoder.encode(text))).get(0);
    }

    /** Classifies one input of a multi-field template: field name to value. */
    public Classification classify(Map<String, String> fields) {
        return classifyPrompts(List.of(encoder.encode(fields))).get(0);
    }

    /**
     * Classifies many texts (single-field template) in batches of {@link Builder#batchSize}; results in input order.
     * Every input is encoded before the model is called, so bad input fails fast.
     *
     * @throws IllegalArgumentException for a null or blank text, naming its index
     */
    public List<Classification> classifyAll(List<String> texts) {
        if (texts == null) {
            throw new IllegalArgumentException("texts must not be null; pass an empty list for none");
        }
        List<EncodedPrompt> prompts = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            try {
                prompts.add(encoder.encode(texts.get(i)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("input " + i + ": " + e.getMessage(), e);
            }
        }
        return classifyPrompts(prompts);
    }

    /**
     * Classifies many inputs of a multi-field template in batches; results in input order.
     *
     * @throws IllegalArgumentException for a missing, unknown, null or blank field, naming the input's index
     */
    public List<Classification> classifyAllFields(List<Map<String, String>> inputs) {
        if (inputs == null) {
            throw new IllegalArgumentException("inputs must not be null; pass an empty list for none");
        }
        List<EncodedPrompt> prompts = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            try {
                prompts.add(encoder.encode(inputs.get(i)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("input " + i + ": " + e.getMessage(), e);
            }
        }
        return classifyPrompts(prompts);
    }

    /**
     * Label-word scores of many inputs at their first mask (for calibration or label-word search); results in input
     * order. Under a multi-mask policy each prompt's single mask is widened per word length (see the class comment).
     */
    public List<LabelWordScores> labelWordScores(List<EncodedPrompt> prompts) {
        if (multiMask != null) {
            return multiMask.score(prompts);
        }
        List<LabelWordScores> out = new ArrayList<>(prompts.size());
        for (int from = 0; from < prompts.size(); from += batchSize) {
            List<EncodedPrompt> batch = prompts.subList(from, Math.min(prompts.size(), from + batchSize));
            MaskLogits logits = model.maskLogits(batch, scoredIds);
            for (int p = 0; p < batch.size(); p++) {
                out.add(wordScores(logits, p));
            }
        }
        return out;
    }

    /** Classifies already encoded prompts (e.g. with searched trigger ids) in batches; results in input order. */
    public List<Classification> classifyPrompts(List<EncodedPrompt> prompts) {
        List<Classification> out = new ArrayList<>(prompts.size());
        if (multiMask != null) {
            for (LabelWordScores scores : multiMask.score(prompts)) {
                out.add(classification(scores));
            }
            return out;
        }
        for (int from = 0; from < prompts.size(); from += batchSize) {
            List<EncodedPrompt> batch = prompts.subList(from, Math.min(prompts.size(), from + batchSize));
            MaskLogits logits = model.maskLogits(batch, scoredIds);
            for (int p = 0; p < batch.size(); p++) {
                out.add(classification(logits, p));
            }
        }
        return out;
    }

    /** The ids this classifier asks the model to score: each distinct piece of the label words once. */
    public int[] scoredTokenIds() {
        return scoredIds.clone();
    }

    /**
     * The label words' scores at the first mask of prompt {@code p} of a batch.
     *
     * @param logits the model's answer for {@link #scoredTokenIds()}, columns in that order
     * @throws IllegalStateException under a multi-mask policy with a word of several pieces, which one mask cannot
     *         score (use {@link #labelWordScores(List)})
     */
    public LabelWordScores wordScores(MaskLogits logits, int p) {
        if (multiMask != null && multiMask.maxPieces() > 1) {
            throw new IllegalStateException("MultiTokenPolicy." + verbalizer.policy() + " scores each piece of a "
                    + "multi-piece label word at a mask of its own, which one MaskLogits row cannot give; use "
                    + "labelWordScores(prompts)");
        }
        if (logits.logits().width() != scoredIds.length) {
            throw new IllegalArgumentException("logits have " + logits.logits().width() + " columns; request exactly "
                    + "scoredTokenIds() (" + scoredIds.length + " ids)");
        }
        List<String> labels = verbalizer.labels();
        double[][] logProbs = new double[labels.size()][];
        List<List<String>> words = new ArrayList<>();
        int w = 0;
        for (int c = 0; c < labels.size(); c++) {
            List<String> classWords = verbalizer.words().get(labels.get(c));
            logProbs[c] = new double[classWords.size()];
            for (int k = 0; k < classWords.size(); k++, w++) {
                double[] pieces = new double[wordColumns[w].length];
                for (int j = 0; j < pieces.length; j++) {
                    pieces[j] = logits.logProb(p, 0, wordColumns[w][j]);
                }
                logProbs[c][k] = verbalizer.policy().combine(pieces);
            }
            words.add(classWords);
        }
        return new LabelWordScores(labels, words, logProbs);
    }

    private Classification classification(MaskLogits logits, int p) {
        return classification(wordScores(logits, p));
    }

    private Classification classification(LabelWordScores scores) {
        double[] probs = mapper.map(scores);
        Map<String, Double> byClass = new LinkedHashMap<>();
        int best = 0;
        for (int c = 0; c < probs.length; c++) {
            byClass.put(scores.labels().get(c), probs[c]);
            if (probs[c] > probs[best]) {
                best = c;
            }
        }
        Map<String, Double> byWord = new LinkedHashMap<>();
        for (int c = 0; c < scores.classCount(); c++) {
            for (int k = 0; k < scores.wordCount(c); k++) {
                byWord.put(scores.words().get(c).get(k), scores.logProb(c, k));
            }
        }
        return new Classification(scores.labels().get(best), byClass, byWord);
    }

    /** Configures a {@link PromptClassifier}. Not thread-safe. */
    public static final class Builder {
        private final MaskedLanguageModel model;
        private Template template;
        private Verbalizer verbalizer;
        private LabelMapper mapper = LabelMapper.mean();
        private int batchSize = 256;
        private Truncation truncation = Truncation.defaults();
        private MultiMaskDecoding decoding = MultiMaskDecoding.PARALLEL;
        private boolean decodingSet;

        private Builder(MaskedLanguageModel model) {
            if (model == null) {
                throw new IllegalArgumentException("model must not be null");
            }
            this.model = model;
        }

        /** The cloze template (required). */
        public Builder template(Template template) {
            this.template = template;
            return this;
        }

        /** The verbalizer (required). */
        public Builder verbalizer(Verbalizer verbalizer) {
            this.verbalizer = verbalizer;
            return this;
        }

        /** The label mapper (default {@link LabelMapper#mean()}). */
        public Builder mapper(LabelMapper mapper) {
            this.mapper = mapper;
            return this;
        }

        /**
         * Prompts per model call in {@code classifyAll} (default 256). The model itself sorts each call's prompts by
         * length and runs them in padded batches of its own size, so larger calls waste less padding.
         */
        public Builder batchSize(int batchSize) {
            if (batchSize <= 0) {
                throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Longest prompt in tokens, special tokens included (default: the model's limit; a larger value is refused
         * by {@link #build()}). Shorthand for {@code truncation(truncation.withMaxLength(maxLength))}.
         */
        public Builder maxLength(int maxLength) {
            this.truncation = truncation.withMaxLength(maxLength);
            return this;
        }

        /** How too-long inputs are shortened (default {@link Truncation#defaults()}: model limit, cut the tail). */
        public Builder truncation(Truncation truncation) {
            if (truncation == null) {
                throw new IllegalArgumentException("truncation must not be null; the default is Truncation.defaults()");
            }
            this.truncation = truncation;
            return this;
        }

        /**
         * How multi-piece label words are decoded under a multi-mask policy ({@link MultiTokenPolicy#MULTI_MASK},
         * {@link MultiTokenPolicy#MULTI_MASK_MEAN}); default {@link MultiMaskDecoding#PARALLEL}. Setting it with
         * another policy is refused by {@link #build()}.
         */
        public Builder multiMaskDecoding(MultiMaskDecoding decoding) {
            if (decoding == null) {
                throw new IllegalArgumentException("decoding must not be null; the default is PARALLEL");
            }
            this.decoding = decoding;
            this.decodingSet = true;
            return this;
        }

        /**
         * Builds the classifier, resolving the label words against the model's tokenizer.
         *
         * @throws IllegalArgumentException for a missing template, verbalizer or mapper, a template whose fixed part
         *         does not fit the limit, or a label word the vocabulary cannot represent (see
         *         {@link Verbalizer#resolve}); under a multi-mask policy also for a template without exactly one
         *         {@code [MASK]} or a word with more pieces than the limit leaves masks for; and for a
         *         {@link #multiMaskDecoding} without a multi-mask policy
         */
        public PromptClassifier build() {
            if (template == null) {
                throw new IllegalArgumentException("set a template: builder.template(Template.parse(\"{text} It was "
                        + "[MASK].\"))");
            }
            if (verbalizer == null) {
                throw new IllegalArgumentException("set a verbalizer: builder.verbalizer(Verbalizer.builder()...)");
            }
            if (mapper == null) {
                throw new IllegalArgumentException("mapper must not be null; the default is LabelMapper.mean()");
            }
            if (decodingSet && !verbalizer.policy().multiMask()) {
                throw new IllegalArgumentException("multiMaskDecoding(" + decoding + ") needs a multi-mask policy, "
                        + "but the verbalizer's is MultiTokenPolicy." + verbalizer.policy() + "; use "
                        + "verbalizer.withPolicy(MultiTokenPolicy.MULTI_MASK)");
            }
            return new PromptClassifier(this);
        }
    }
}
