package io.github.prompt4j.search.select;

import io.github.prompt4j.core.calibration.Calibration;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.mapping.LabelMapper;
import io.github.prompt4j.core.mapping.LabelWordScores;
import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.core.model.MaskVectors;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.template.TemplateEncoder;
import io.github.prompt4j.search.data.Example;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores and ranks prompt candidates (templates x verbalizers): on labelled dev examples by accuracy or mean gold-class
 * log-likelihood, or without labels by an LM score.
 *
 * <p><b>LM score.</b> For a candidate with label words {@code W} (all classes), the mean over inputs of
 * {@code log sum_{w in W} p(w | mask)}, each word's probability after its multi-piece policy. It measures how much
 * the template makes the model answer with the verbalizer's words at all, so a template that asks the right question
 * and label words the model finds natural there score high. It was chosen over the pseudo-log-likelihood of the
 * filled template because it costs nothing beyond the mask logits already needed for classification (a
 * pseudo-log-likelihood needs one forward pass per token of every prompt) and, unlike fluency, it depends on the
 * verbalizer; it says nothing about which class is right, so prefer labelled criteria when labels exist.
 *
 * <p><b>Cost.</b> Candidates sharing a template are scored together: every input is encoded once per template and
 * the model is asked once per batch for the union of all those candidates' label-word pieces
 * ({@link MaskedLanguageModel#maskLogits(List, int[])}); each candidate then reads its own columns. So {@code T}
 * templates over {@code N} inputs cost {@code T * N} forward passes however many verbalizers there are, plus the
 * calibration inputs of each candidate when a calibration is set (see {@link Calibration}).
 *
 * <p>Candidates are classified as by a {@link PromptClassifier} built with this scorer's mapper and calibration, so
 * the accuracy reported is the accuracy such a classifier has. Immutable and thread-safe (the model is); it does not
 * own the model.
 *
 * <p>Precision: scoring runs at the model's precision (with prompt-onnx,
 * {@code OnnxMaskedLanguageModel.builder().precision(...)}).
 */
public final class PromptScorer {

    private static final Logger log = LoggerFactory.getLogger(PromptScorer.class);

    private final MaskedLanguageModel model;
    private final LabelMapper mapper;
    private final Calibration calibration;
    private final int batchSize;

    private PromptScorer(Builder b) {
        this.model = b.model;
        this.mapper = b.mapper;
        this.calibration = b.calibration;
        this.batchSize = b.batchSize;
    }

    /** A builder for a scorer over {@code model}. */
    public static Builder builder(MaskedLanguageModel model) {
        return new Builder(model);
    }

    /**
     * Ranks candidates on labelled examples; every score has all three metrics, the ranking is by {@code criterion}.
     *
     * @throws IllegalArgumentException for no candidates or no examples, an example whose label is not a class of a
     *         candidate, or an example whose fields do not fit a template (naming the example's index)
     */
    public PromptSelection rank(List<PromptCandidate> candidates, List<Example> examples, Criterion criterion) {
        if (examples == null || examples.isEmpty()) {
            throw new IllegalArgumentException("ranking needs at least one labelled example");
        }
        List<Map<String, String>> inputs = examples.stream().map(Example::fields).toList();
        List<String> gold = examples.stream().map(Example::label).toList();
        return rank(candidates, inputs, gold, criterion);
    }

    /**
     * Ranks candidates on unlabelled inputs by {@link Criterion#LM_SCORE}; accuracy and log-likelihood are NaN.
     * Inputs are matched to each template's fields as {@link Example#valuesFor} does.
     *
     * @throws IllegalArgumentException for no candidates or no inputs, or an input whose fields do not fit a template
     */
    public PromptSelection rankUnlabelled(List<PromptCandidate> candidates, List<Map<String, String>> inputs) {
        if (inputs == null || inputs.isEmpty()) {
            throw new IllegalArgumentException("ranking needs at least one input");
        }
        return rank(candidates, inputs, null, Criterion.LM_SCORE);
    }

    /**
     * An ensemble of candidates (e.g. {@link PromptSelection#top(int)}) classified with this scorer's mapper and
     * calibration, weighted equally.
     */
    public PromptEnsemble ensemble(List<PromptCandidate> candidates) {
        if (candidates == null || candidates.isEmpty()) {
            throw new IllegalArgumentException("an ensemble needs at least one candidate");
        }
        List<PromptClassifier> members = new ArrayList<>();
        for (PromptCandidate c : candidates) {
            members.add(classifier(c));
        }
        return PromptEnsemble.of(members);
    }

    private PromptSelection rank(List<PromptCandidate> candidates, List<Map<String, String>> inputs,
            List<String> gold, Criterion criterion) {
        if (candidates == null || candidates.isEmpty()) {
            throw new IllegalArgumentException("ranking needs at least one candidate");
        }
        if (criterion == null) {
            throw new IllegalArgumentException("criterion must not be null");
        }
        if (gold == null && criterion != Criterion.LM_SCORE) {
            throw new IllegalArgumentException(criterion + " needs labels; rank unlabelled inputs by LM_SCORE");
        }
        Map<Template, List<Integer>> byTemplate = new LinkedHashMap<>();
        for (int i = 0; i < candidates.size(); i++) {
            byTemplate.computeIfAbsent(candidates.get(i).template(), t -> new ArrayList<>()).add(i);
        }
        PromptScore[] scores = new PromptScore[candidates.size()];
        for (Map.Entry<Template, List<Integer>> group : byTemplate.entrySet()) {
            List<PromptCandidate> members = group.getValue().stream().map(candidates::get).toList();
            PromptScore[] groupScores = scoreTemplate(group.getKey(), members, inputs, gold);
            for (int k = 0; k < members.size(); k++) {
                scores[group.getValue().get(k)] = groupScores[k];
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < scores.length; i++) {
            order.add(i);
        }
        Criterion tieBreak = criterion == Criterion.ACCURACY ? Criterion.LOG_LIKELIHOOD
                : criterion == Criterion.LOG_LIKELIHOOD ? Criterion.ACCURACY : Criterion.LM_SCORE;
        // List.sort is stable, so exact ties keep the candidates' order
        order.sort(Comparator.<Integer>comparingDouble(i -> -scores[i].value(criterion))
                .thenComparingDouble(i -> -scores[i].value(tieBreak)));
        PromptSelection selection = new PromptSelection(criterion, order.stream().map(i -> scores[i]).toList());
        log.info("ranked {} candidates over {} templates on {} inputs by {}; best '{}' ({})", candidates.size(),
                byTemplate.size(), inputs.size(), criterion, selection.best().candidate().name(),
                selection.best().value(criterion));
        return selection;
    }

    /** Scores the candidates of one template from one set of mask logits over the union of their label pieces. */
    private PromptScore[] scoreTemplate(Template template, List<PromptCandidate> members,
            List<Map<String, String>> inputs, List<String> gold) {
        List<PromptClassifier> classifiers = new ArrayList<>();
        Map<Integer, Integer> column = new LinkedHashMap<>();
        int[][] columns = new int[members.size()][];
        for (int m = 0; m < members.size(); m++) {
            PromptClassifier c = classifier(members.get(m));
            classifiers.add(c);
            if (gold != null) {
                for (int i = 0; i < gold.size(); i++) {
                    if (!c.labels().contains(gold.get(i))) {
                        throw new IllegalArgumentException("example " + i + " has label '" + gold.get(i)
                                + "', which is not a class of candidate '" + members.get(m).name() + "'; its classes "
                                + "are " + c.labels());
                    }
                }
            }
            int[] ids = c.scoredTokenIds();
            columns[m] = new int[ids.length];
            for (int j = 0; j < ids.length; j++) {
                columns[m][j] = column.computeIfAbsent(ids[j], id -> column.size());
            }
        }
        int[] union = column.keySet().stream().mapToInt(Integer::intValue).toArray();
        TemplateEncoder encoder = classifiers.get(0).encoder();
        List<EncodedPrompt> prompts = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            try {
                prompts.add(encoder.encode(valuesFor(inputs.get(i), template)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("input " + i + ": " + e.getMessage(), e);
            }
        }
        int[] correct = new int[members.size()];
        double[] logLikelihood = new double[members.size()];
        double[] lm = new double[members.size()];
        for (int from = 0; from < prompts.size(); from += batchSize) {
            List<EncodedPrompt> batch = prompts.subList(from, Math.min(prompts.size(), from + batchSize));
            MaskLogits logits = model.maskLogits(batch, union);
            for (int m = 0; m < members.size(); m++) {
                PromptClassifier c = classifiers.get(m);
                MaskLogits own = columns(logits, c.scoredTokenIds(), columns[m]);
                for (int p = 0; p < batch.size(); p++) {
                    LabelWordScores words = c.wordScores(own, p);
                    lm[m] += totalLogMass(words);
                    if (gold != null) {
                        double[] probs = c.mapper().map(words);
                        int g = c.labels().indexOf(gold.get(from + p));
                        logLikelihood[m] += Math.log(probs[g]);
                        if (argmax(probs) == g) {
                            correct[m]++;
                        }
                    }
                }
            }
        }
        int n = prompts.size();
        PromptScore[] out = new PromptScore[members.size()];
        for (int m = 0; m < members.size(); m++) {
            out[m] = new PromptScore(members.get(m), gold == null ? Double.NaN : (double) correct[m] / n,
                    gold == null ? Double.NaN : logLikelihood[m] / n, lm[m] / n, n);
        }
        return out;
    }

    private PromptClassifier classifier(PromptCandidate c) {
        return PromptClassifier.builder(model).template(c.template()).verbalizer(c.verbalizer()).mapper(mapper)
                .calibration(calibration).batchSize(batchSize).build();
    }

    /** The columns {@code cols} of {@code logits} (full normalisers kept) as logits over {@code ids}. */
    private static MaskLogits columns(MaskLogits logits, int[] ids, int[] cols) {
        int prompts = logits.promptCount();
        int[] counts = new int[prompts];
        int rows = 0;
        for (int p = 0; p < prompts; p++) {
            counts[p] = logits.maskCount(p);
            rows += counts[p];
        }
        float[] values = new float[rows * cols.length];
        float[] norms = new float[rows];
        int row = 0;
        for (int p = 0; p < prompts; p++) {
            for (int k = 0; k < counts[p]; k++, row++) {
                for (int j = 0; j < cols.length; j++) {
                    values[row * cols.length + j] = logits.logit(p, k, cols[j]);
                }
                norms[row] = logits.logNormalizer(p, k);
            }
        }
        return new MaskLogits(ids, new MaskVectors(cols.length, counts, values), norms);
    }

    /** {@code log sum_w p_w} over every label word of every class, by log-sum-exp. */
    static double totalLogMass(LabelWordScores scores) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < scores.classCount(); c++) {
            for (int w = 0; w < scores.wordCount(c); w++) {
                max = Math.max(max, scores.logProb(c, w));
            }
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return max;
        }
        double sum = 0;
        for (int c = 0; c < scores.classCount(); c++) {
            for (int w = 0; w < scores.wordCount(c); w++) {
                sum += Math.exp(scores.logProb(c, w) - max);
            }
        }
        return max + Math.log(sum);
    }

    /** The first index of the largest value, as {@link io.github.prompt4j.core.classify.Classification} picks. */
    static int argmax(double[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }

    /** The input's values for {@code template}, as {@link Example#valuesFor} maps them. */
    static Map<String, String> valuesFor(Map<String, String> fields, Template template) {
        List<String> names = template.fields();
        if (names.size() == fields.size() && fields.keySet().containsAll(names)) {
            return fields;
        }
        if (names.size() == 1 && fields.size() == 1) {
            return Map.of(names.get(0), fields.values().iterator().next());
        }
        throw new IllegalArgumentException("fields " + fields.keySet() + " do not match the fields " + names
                + " of template '" + template.text() + "'; rename the template fields");
    }

    /** Configures a {@link PromptScorer}. Not thread-safe. */
    public static final class Builder {
        private final MaskedLanguageModel model;
        private LabelMapper mapper = LabelMapper.mean();
        private Calibration calibration = Calibration.none();
        private int batchSize = 256;

        private Builder(MaskedLanguageModel model) {
            if (model == null) {
                throw new IllegalArgumentException("model must not be null");
            }
            this.model = model;
        }

        /** The label mapper of every candidate (default {@link LabelMapper#mean()}). */
        public Builder mapper(LabelMapper mapper) {
            if (mapper == null) {
                throw new IllegalArgumentException("mapper must not be null; the default is LabelMapper.mean()");
            }
            this.mapper = mapper;
            return this;
        }

        /**
         * The calibration of every candidate (default {@link Calibration#none()}); each candidate estimates its own
         * prior, at one forward pass per calibration input.
         */
        public Builder calibration(Calibration calibration) {
            if (calibration == null) {
                throw new IllegalArgumentException("calibration must not be null; use Calibration.none()");
            }
            this.calibration = calibration;
            return this;
        }

        /** Prompts per model call (default 256). */
        public Builder batchSize(int batchSize) {
            if (batchSize <= 0) {
                throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** Builds the scorer. */
        public PromptScorer build() {
            return new PromptScorer(this);
        }
    }
}
