package io.github.prompt4j.core.classify;

import io.github.prompt4j.core.calibration.Calibration;
import io.github.prompt4j.core.mapping.LabelMapper;
import io.github.prompt4j.core.mapping.LabelWordScores;
import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.HeadTrainableModel;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.model.Prefix;
import io.github.prompt4j.core.model.PrefixTunableModel;
import io.github.prompt4j.core.model.SoftInput;
import io.github.prompt4j.core.template.SoftPrompt;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.template.TemplateEncoder;
import io.github.prompt4j.core.template.Truncation;
import io.github.prompt4j.core.model.MaskVectors;
import io.github.prompt4j.core.verbalizer.LabelWord;
import io.github.prompt4j.core.verbalizer.LinearVerbalizer;
import io.github.prompt4j.core.verbalizer.MultiTokenPolicy;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

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
 * must have exactly one {@code [MASK]}. Batches hold at most {@link Builder#batchSize(int)} prompts (256 by default). A multi-mask policy cannot be combined with soft-prompt
 * slots.
 *
 * <p><b>One path.</b> Every method that classifies or scores runs the same steps: text is encoded by
 * {@link #encoder()} into {@link EncodedPrompt}s, which the model scores in batches of {@link Builder#batchSize(int)}
 * (with the soft-prompt vectors and prefix, if any), the {@link LabelMapper} (or the learned verbalizer) turns into
 * class distributions, and which come back as {@link Classification}s. {@link #classifyPrompts(List)} enters that path
 * after the encoding (e.g. with searched trigger ids written into the prompts).
 *
 * <p><b>Soft prompts.</b> A template with soft-prompt slots {@code [P]} needs their vectors
 * ({@link Builder#softPrompt(SoftPrompt)}); each input is then scored through
 * {@link MaskedLanguageModel#softMaskLogits} with the vectors at the prompt's {@link EncodedPrompt#softPositions()}.
 * A prompt must have as many soft slots as the classifier has vectors (none without vectors), so encode prompts with
 * {@link #encoder()}. Immutable and thread-safe (the model is); it does not own the model (close the model
 * yourself).
 *
 * <p><b>Calibration.</b> With {@link Builder#calibration(Calibration)} the classifier divides every class distribution
 * of its mapper by a class prior and renormalises (see {@link Calibration}); the prior is estimated once, in
 * {@link Builder#build()}, at the cost of one forward pass per content-free or sample input, and is reported by
 * {@link #prior()}. Word scores in {@link Classification#wordScores()} stay uncalibrated.
 *
 * <p><b>Learned verbalizer.</b> With {@link Builder#learnedVerbalizer(LinearVerbalizer)} in place of a label-word
 * verbalizer, classes are scored by a linear map of the MLM head's transformed mask state
 * ({@link MaskedLanguageModel#maskHiddenStates}): one forward pass per input, the class distribution
 * {@code softmax(W h + b)}, and no word scores ({@link Classification#wordScores()} is empty). Such a classifier takes
 * no calibration and no multi-mask policy; with a prefix it reads {@link PrefixTunableModel#prefixMaskHiddenStates},
 * with a soft prompt ({@code [P]} slots) {@link HeadTrainableModel#softMaskHiddenStates} (a head trained jointly with
 * the prefix or the soft prompt).
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
    private final Calibration calibration;
    private final Map<String, Double> prior;
    private final LabelMapper calibratedMapper;
    /** The vectors of the template's {@code [P]} slots; null for a template without soft slots. */
    private final SoftPrompt softPrompt;
    private final Prefix prefix;
    /** Scores multi-piece words with one mask per piece; null unless the policy is a multi-mask one. */
    private final MultiMaskScorer multiMask;
    /** The learned class scorer; null for a label-word verbalizer. */
    private final LinearVerbalizer head;

    private PromptClassifier(Builder b) {
        this.model = b.model;
        this.mapper = b.mapper;
        this.batchSize = b.batchSize;
        this.head = b.head;
        if (head != null) {
            this.verbalizer = null;
            this.labelWords = List.of();
            this.encoder = b.template.encoder(model.tokenizer(), b.truncation);
            this.multiMask = null;
            this.wordColumns = new int[0][];
            this.scoredIds = new int[0];
            this.softPrompt = b.softPrompt;
            this.prefix = b.prefix;
            this.calibration = b.calibration;
            this.prior = null;
            this.calibratedMapper = mapper;
            return;
        }
        this.verbalizer = b.verbalizer;
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
        this.softPrompt = b.softPrompt;
        this.prefix = b.prefix;
        this.calibration = b.calibration;
        Map<String, Double> estimated = estimatePrior(b.calibration);
        this.prior = estimated == null ? null : Collections.unmodifiableMap(estimated);
        this.calibratedMapper = prior == null ? mapper : LabelMapper.calibrated(mapper, prior);
    }

    /** A builder for a classifier over {@code model}. */
    public static Builder builder(MaskedLanguageModel model) {
        return new Builder(model);
    }

    /** The class labels, in order. */
    public List<String> labels() {
        return head != null ? head.labels() : verbalizer.labels();
    }

    /** The learned verbalizer that scores the classes; empty for a label-word verbalizer. */
    public Optional<LinearVerbalizer> learnedVerbalizer() {
        return Optional.ofNullable(head);
    }

    /** The label words resolved against the model's tokenizer; empty for a learned verbalizer. */
    public List<LabelWord> labelWords() {
        return labelWords;
    }

    /** The calibration this classifier was built with ({@link Calibration#none()} by default). */
    public Calibration calibration() {
        return calibration;
    }

    /**
     * The class prior the distributions are divided by, class label to probability in class order (estimated at build
     * time, or the fixed prior as given); empty without calibration.
     */
    public Optional<Map<String, Double>> prior() {
        return Optional.ofNullable(prior);
    }

    /**
     * The mapper that produces this classifier's class distributions: the builder's mapper, wrapped by
     * {@link LabelMapper#calibrated} when calibration is on. Apply it to {@link #wordScores} to reproduce
     * {@link Classification#probabilities()}.
     */
    public LabelMapper mapper() {
        return calibratedMapper;
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

    /** The vectors of the template's soft-prompt slots; empty for a template without {@code [P]}. */
    public Optional<SoftPrompt> softPrompt() {
        return Optional.ofNullable(softPrompt);
    }

    /** The prefix-tuning prefix every input runs with, if any ({@link Builder#prefix}). */
    public Optional<Prefix> prefix() {
        return Optional.ofNullable(prefix);
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
        return classifyPrompts(encodeAll(texts, encoder::encode));
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
        return classifyPrompts(encodeAll(inputs, encoder::encode));
    }

    /** Encodes every input before any model call, so that bad input fails fast, named by its index. */
    private static <T> List<EncodedPrompt> encodeAll(List<T> inputs, Function<T, EncodedPrompt> encode) {
        List<EncodedPrompt> prompts = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            try {
                prompts.add(encode.apply(inputs.get(i)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("input " + i + ": " + e.getMessage(), e);
            }
        }
        return prompts;
    }

    /**
     * Label-word scores of many encoded prompts at their first mask (for calibration or label-word search), in
     * batches of {@link Builder#batchSize}; results in input order. Under a multi-mask policy each prompt's single mask
     * is widened per word length (see the class comment).
     *
     * @throws IllegalArgumentException for a prompt whose number of soft slots differs from this classifier's (see
     *         {@link #classifyPrompts(List)})
     * @throws IllegalStateException for a classifier with a learned verbalizer (it has no label-word scores)
     */
    public List<LabelWordScores> labelWordScores(List<EncodedPrompt> prompts) {
        requireLabelWords();
        checkSoftSlots(prompts);
        List<LabelWordScores> out = new ArrayList<>(prompts.size());
        for (int from = 0; from < prompts.size(); from += batchSize) {
            out.addAll(scores(prompts.subList(from, Math.min(prompts.size(), from + batchSize))));
        }
        return out;
    }

    /**
     * Classifies encoded prompts (from {@link #encoder()}, possibly with searched trigger ids written in) in batches of
     * {@link Builder#batchSize}; results in input order. What {@code classify} and {@code classifyAll} run after
     * encoding: the soft-prompt vectors go to each prompt's {@link EncodedPrompt#softPositions()}, the prefix (if any)
     * to every layer.
     *
     * @throws IllegalArgumentException for a null list, or a prompt (named by index) with another number of soft slots
     *         {@code [P]} than this classifier has vectors (none without {@link Builder#softPrompt})
     */
    public List<Classification> classifyPrompts(List<EncodedPrompt> prompts) {
        checkSoftSlots(prompts);
        List<Classification> out = new ArrayList<>(prompts.size());
        for (int from = 0; from < prompts.size(); from += batchSize) {
            List<EncodedPrompt> batch = prompts.subList(from, Math.min(prompts.size(), from + batchSize));
            if (head != null) {
                out.addAll(headClassifications(batch));
            } else {
                for (LabelWordScores scores : scores(batch)) {
                    out.add(classification(scores));
                }
            }
        }
        return out;
    }

    /** Refuses prompts whose soft slots this classifier has no vectors for, before any model call. */
    private void checkSoftSlots(List<EncodedPrompt> prompts) {
        if (prompts == null) {
            throw new IllegalArgumentException("prompts must not be null; pass an empty list for none");
        }
        int slots = softPrompt == null ? 0 : softPrompt.size();
        for (int i = 0; i < prompts.size(); i++) {
            int soft = prompts.get(i).softCount();
            if (soft != slots) {
                throw new IllegalArgumentException("prompt " + i + " has " + soft + " soft-prompt slot(s) [P] but "
                        + "this classifier has " + slots + " soft-prompt vector(s) for template '"
                        + encoder.template().text() + "'; encode the prompts with this classifier's encoder()");
            }
        }
    }

    /** The label-word scores of one batch, through whichever path the configuration needs. */
    private List<LabelWordScores> scores(List<EncodedPrompt> batch) {
        if (multiMask != null) {
            return multiMask.score(batch);
        }
        MaskLogits logits = logits(batch);
        List<LabelWordScores> out = new ArrayList<>(batch.size());
        for (int p = 0; p < batch.size(); p++) {
            out.add(wordScores(logits, p));
        }
        return out;
    }

    /** The label-word logits of one batch, with the soft-prompt vectors at their slots and the prefix, if any. */
    private MaskLogits logits(List<EncodedPrompt> batch) {
        if (softPrompt == null && prefix == null) {
            return model.maskLogits(batch, scoredIds);
        }
        List<SoftInput> inputs = new ArrayList<>(batch.size());
        for (EncodedPrompt p : batch) {
            inputs.add(softPrompt == null ? SoftInput.discrete(p) : softPrompt.inputFor(p));
        }
        return prefix == null ? model.softMaskLogits(inputs, scoredIds)
                : ((PrefixTunableModel) model).prefixMaskLogits(inputs, prefix, scoredIds);
    }

    /** Classifies one batch with the learned verbalizer: the transformed mask state, then {@code softmax(W h + b)}. */
    private List<Classification> headClassifications(List<EncodedPrompt> batch) {
        MaskVectors h;
        if (softPrompt == null && prefix == null) {
            h = model.maskHiddenStates(batch);
        } else {
            List<SoftInput> inputs = new ArrayList<>(batch.size());
            for (EncodedPrompt p : batch) {
                inputs.add(softPrompt == null ? SoftInput.discrete(p) : softPrompt.inputFor(p));
            }
            h = prefix == null ? ((HeadTrainableModel) model).softMaskHiddenStates(inputs)
                    : ((PrefixTunableModel) model).prefixMaskHiddenStates(inputs, prefix);
        }
        return headClassifications(head, h);
    }

    /**
     * {@link #headClassification} of each prompt's transformed mask state (its first mask), in order: what
     * {@link #classifyAll} returns for inputs with those states, e.g. states computed once and classified by several
     * learned verbalizers.
     */
    public static List<Classification> headClassifications(LinearVerbalizer verbalizer, MaskVectors states) {
        List<Classification> out = new ArrayList<>(states.promptCount());
        float[] state = new float[states.width()];
        for (int p = 0; p < states.promptCount(); p++) {
            states.copyVector(p, 0, state, 0);
            out.add(headClassification(verbalizer, state));
        }
        return out;
    }

    /**
     * The classification a learned verbalizer gives one transformed mask state (what {@link #classifyAll} returns
     * for an input with that state): the most probable class (the first on an exact tie), every class's probability,
     * no word scores.
     */
    public static Classification headClassification(LinearVerbalizer verbalizer, float[] state) {
        double[] probs = verbalizer.probabilities(state);
        Map<String, Double> byClass = new LinkedHashMap<>();
        int best = 0;
        for (int c = 0; c < probs.length; c++) {
            byClass.put(verbalizer.labels().get(c), probs[c]);
            if (probs[c] > probs[best]) {
                best = c;
            }
        }
        return new Classification(verbalizer.labels().get(best), byClass, Map.of());
    }

    private void requireLabelWords() {
        if (head != null) {
            throw new IllegalStateException("this classifier scores classes with a learned verbalizer, which has no "
                    + "label-word scores; use classifyAll or classifyPrompts");
        }
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
        requireLabelWords();
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

    private Classification classification(LabelWordScores scores) {
        double[] probs = calibratedMapper.map(scores);
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

    /**
     * The prior of a calibration, or null for none: the mean class distribution of the (uncalibrated) mapper over the
     * calibration inputs, which are encoded and scored like any input.
     */
    private Map<String, Double> estimatePrior(Calibration c) {
        if (c instanceof Calibration.None) {
            return null;
        }
        List<String> labels = verbalizer.labels();
        Map<String, Double> out = new LinkedHashMap<>();
        if (c instanceof Calibration.Fixed f) {
            for (String label : labels) {
                Double p = f.prior().get(label);
                if (p == null) {
                    throw new IllegalArgumentException("the fixed prior " + f.prior() + " has no probability for "
                            + "class '" + label + "'; give one for every class of " + labels);
                }
                out.put(label, p);
            }
            for (String label : f.prior().keySet()) {
                if (!labels.contains(label)) {
                    throw new IllegalArgumentException("the fixed prior names class '" + label
                            + "', which the verbalizer lacks; its classes are " + labels);
                }
            }
            return out;
        }
        List<EncodedPrompt> prompts = new ArrayList<>();
        if (c instanceof Calibration.Contextual cf) {
            String maskToken = model.tokenizer().idToToken(model.tokenizer().specialTokens().mask());
            for (String text : cf.contentFree()) {
                String value = text.equals(Calibration.MASK_TOKEN) ? maskToken : text;
                Map<String, String> fields = new LinkedHashMap<>();
                encoder.template().fields().forEach(name -> fields.put(name, value));
                prompts.add(encoder.encodeContentFree(fields));
            }
        } else if (c instanceof Calibration.Sample sample) {
            for (int i = 0; i < sample.inputs().size(); i++) {
                try {
                    prompts.add(encoder.encode(sample.inputs().get(i)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("calibration sample input " + i + ": " + e.getMessage(), e);
                }
            }
        } else if (c instanceof Calibration.SampleTexts sample) {
            for (int i = 0; i < sample.texts().size(); i++) {
                try {
                    prompts.add(encoder.encode(sample.texts().get(i)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("calibration sample text " + i + ": " + e.getMessage(), e);
                }
            }
        } else {
            throw new IllegalArgumentException("unsupported calibration " + c);
        }
        double[] mean = new double[labels.size()];
        for (LabelWordScores scores : labelWordScores(prompts)) {
            double[] q = mapper.map(scores);
            for (int k = 0; k < mean.length; k++) {
                mean[k] += q[k] / prompts.size();
            }
        }
        for (int k = 0; k < mean.length; k++) {
            if (!(mean[k] > 0)) {
                throw new IllegalStateException("calibration " + c + " gives class '" + labels.get(k)
                        + "' a prior of " + mean[k] + ", which cannot be divided by; use other calibration inputs or "
                        + "Calibration.none()");
            }
            out.put(labels.get(k), mean[k]);
        }
        return out;
    }

    /** Configures a {@link PromptClassifier}. Not thread-safe. */
    public static final class Builder {
        private final MaskedLanguageModel model;
        private Template template;
        private Verbalizer verbalizer;
        private LabelMapper mapper = LabelMapper.mean();
        private int batchSize = 256;
        private Truncation truncation = Truncation.defaults();
        private Calibration calibration = Calibration.none();
        private SoftPrompt softPrompt;
        private MultiMaskDecoding decoding = MultiMaskDecoding.PARALLEL;
        private boolean decodingSet;
        private LinearVerbalizer head;
        private Prefix prefix;

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

        /**
         * A learned verbalizer that scores the classes from the transformed mask state, in place of a label-word
         * {@link #verbalizer(Verbalizer)} (give one or the other). See the class comment for what it excludes.
         */
        public Builder learnedVerbalizer(LinearVerbalizer learned) {
            if (learned == null) {
                throw new IllegalArgumentException("learned verbalizer must not be null; give a label-word verbalizer "
                        + "with verbalizer(...) instead");
            }
            this.head = learned;
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
         * How class distributions are calibrated (default {@link Calibration#none()}). Any calibration but
         * {@code none()} and {@code fixed(...)} costs {@link #build()} one forward pass per calibration input. The
         * division applies to the mapper's class distribution, whatever the mapper: for {@code mean}, {@code sum} and
         * {@code max} it rescales the per-class score {@code s_c}, for a weighted mapper it multiplies the class's
         * divisor.
         */
        public Builder calibration(Calibration calibration) {
            if (calibration == null) {
                throw new IllegalArgumentException("calibration must not be null; use Calibration.none()");
            }
            this.calibration = calibration;
            return this;
        }

        /**
         * Runs every input with prefix-tuning prefixes (e.g. trained by {@code search.soft.PrefixTuner}); the model
         * must be a {@link PrefixTunableModel} and the prefix shaped for it. Not with a multi-mask policy; with a
         * learned verbalizer, the head reads the mask state under the prefix.
         */
        public Builder prefix(Prefix prefix) {
            if (prefix == null) {
                throw new IllegalArgumentException("prefix must not be null; without prefix-tuning give none");
            }
            this.prefix = prefix;
            return this;
        }

        /**
         * The vectors of the template's soft-prompt slots {@code [P]}, one per slot in order, each of the model's
         * hidden size (required for, and only allowed with, a template with {@code [P]} slots).
         */
        public Builder softPrompt(SoftPrompt softPrompt) {
            if (softPrompt == null) {
                throw new IllegalArgumentException("softPrompt must not be null; templates without [P] need none");
            }
            this.softPrompt = softPrompt;
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
         *         {@link Verbalizer#resolve}); for a calibration input the template cannot encode (an unknown or
         *         missing field, naming the input), or a fixed prior that does not cover exactly the classes; for
         *         a template with {@code [P]} slots without soft-prompt vectors, vectors without slots, or a number
         *         or length of vectors that does not match the slots and the model's hidden size; under a
         *         multi-mask policy also for a template without exactly one {@code [MASK]}, one with {@code [P]}
         *         slots, or a word with more pieces than the limit leaves masks for; and for a
         *         {@link #multiMaskDecoding} without a multi-mask policy
         * @throws IllegalStateException when the estimated prior of a class is 0 (nothing to divide by)
         */
        public PromptClassifier build() {
            if (template == null) {
                throw new IllegalArgumentException("set a template: builder.template(Template.parse(\"{text} It was "
                        + "[MASK].\"))");
            }
            if (head != null) {
                return buildLearned();
            }
            if (verbalizer == null) {
                throw new IllegalArgumentException("set a verbalizer: builder.verbalizer(Verbalizer.builder()...)");
            }
            if (mapper == null) {
                throw new IllegalArgumentException("mapper must not be null; the default is LabelMapper.mean()");
            }
            checkSoftPrompt();
            checkPrefix();
            if (decodingSet && !verbalizer.policy().multiMask()) {
                throw new IllegalArgumentException("multiMaskDecoding(" + decoding + ") needs a multi-mask policy, "
                        + "but the verbalizer's is MultiTokenPolicy." + verbalizer.policy() + "; use "
                        + "verbalizer.withPolicy(MultiTokenPolicy.MULTI_MASK)");
            }
            if (verbalizer.policy().multiMask() && template.softCount() > 0) {
                throw new IllegalArgumentException("template '" + template.text() + "' has soft-prompt slots [P], "
                        + "which MultiTokenPolicy." + verbalizer.policy() + " cannot widen around; use single-piece "
                        + "label words or a template without [P]");
            }
            return new PromptClassifier(this);
        }

        private void checkPrefix() {
            checkPrefixShape();
            if (prefix != null && verbalizer.policy().multiMask()) {
                throw new IllegalArgumentException("a prefix runs with single-mask label words; use a single-piece "
                        + "policy instead of MultiTokenPolicy." + verbalizer.policy());
            }
        }

        private void checkPrefixShape() {
            if (prefix == null) {
                return;
            }
            if (!(model instanceof PrefixTunableModel tunable)) {
                throw new IllegalArgumentException("model '" + model.info().name() + "' cannot run prefix-tuning "
                        + "prefixes (it is not a PrefixTunableModel); use prompt-onnx's OnnxMaskedLanguageModel");
            }
            if (prefix.layers() != tunable.layerCount() || prefix.hidden() != model.info().hiddenSize()) {
                throw new IllegalArgumentException("the prefix has " + prefix.layers() + " layers x " + prefix.hidden()
                        + " hidden, but model '" + model.info().name() + "' needs " + tunable.layerCount() + " x "
                        + model.info().hiddenSize() + "; use a prefix trained on this model");
            }
        }

        private PromptClassifier buildLearned() {
            if (verbalizer != null) {
                throw new IllegalArgumentException("give either a label-word verbalizer or a learned verbalizer, not "
                        + "both; the learned one scores the classes by itself");
            }
            checkSoftPrompt();
            if (softPrompt != null && !(model instanceof HeadTrainableModel)) {
                throw new IllegalArgumentException("model '" + model.info().name() + "' cannot read the mask state of "
                        + "a soft prompt for a learned verbalizer (it is not a HeadTrainableModel); use prompt-onnx's "
                        + "OnnxMaskedLanguageModel");
            }
            if (softPrompt != null && prefix != null) {
                throw new IllegalArgumentException("give a learned verbalizer either a prefix or a soft prompt, not "
                        + "both");
            }
            checkPrefixShape();
            if (!(calibration instanceof Calibration.None)) {
                throw new IllegalArgumentException("calibration " + calibration + " divides label-word scores; a "
                        + "learned verbalizer has its own biases, so drop calibration(...)");
            }
            if (decodingSet) {
                throw new IllegalArgumentException("multiMaskDecoding(" + decoding + ") needs label words; a learned "
                        + "verbalizer reads one mask, so drop it");
            }
            int hidden = model.info().hiddenSize();
            if (head.dim() != hidden) {
                throw new IllegalArgumentException("the learned verbalizer's weights have " + head.dim() + " values "
                        + "but model '" + model.info().name() + "' has hidden size " + hidden + "; use a verbalizer "
                        + "learned on this model");
            }
            return new PromptClassifier(this);
        }

        private void checkSoftPrompt() {
            int slots = template.softCount();
            if (slots > 0 && softPrompt == null) {
                throw new IllegalArgumentException("template '" + template.text() + "' has " + slots + " soft-prompt "
                        + "slot(s) [P]; give their vectors with builder.softPrompt(SoftPrompt.of(...)) (trained, or "
                        + "word embeddings of the model)");
            }
            if (softPrompt == null) {
                return;
            }
            if (slots == 0) {
                throw new IllegalArgumentException("a soft prompt was given but template '" + template.text()
                        + "' has no soft-prompt slot [P]; add [P] slots or drop softPrompt(...)");
            }
            if (softPrompt.size() != slots) {
                throw new IllegalArgumentException("template '" + template.text() + "' has " + slots
                        + " soft-prompt slot(s) [P] but the soft prompt has " + softPrompt.size()
                        + " vector(s); give one vector per slot");
            }
            int hidden = model.info().hiddenSize();
            if (softPrompt.dim() != hidden) {
                throw new IllegalArgumentException("soft-prompt vectors have " + softPrompt.dim() + " values but "
                        + "model '" + model.info().name() + "' has hidden size " + hidden
                        + "; use vectors trained for this model");
            }
        }
    }
}
