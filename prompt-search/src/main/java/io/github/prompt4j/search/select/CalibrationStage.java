package io.github.prompt4j.search.select;

import io.github.prompt4j.core.calibration.Calibration;
import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.mapping.LabelMapper;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.select.CalibrationStageResult.Option;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Chooses a prompt's calibration on the selection split: no calibration, contextual calibration by content-free
 * inputs (Zhao et al. 2021), or the mean class distribution over a sample of unlabelled training inputs; the option
 * most accurate on the selection split wins (ties: the earlier of none, content-free, training sample) and is frozen
 * as a {@link Calibration#fixed fixed} prior, so a saved prompt reproduces it without forward passes
 * ({@code TriggerSearchResult.withCalibrationPrior}).
 *
 * <p>A prompt found by search often leans to one class (a ChnSentiCorp AutoPrompt prompt predicted 860 of 1,200 dev
 * reviews positive); dividing by the prompt's own prior is the cheapest correction, and choosing whether to apply it
 * on the selection split keeps it honest. The training sample's labels are not used, so it may overlap the search's
 * training data; it must not be the selection split, whose accuracy would then measure its own prior.
 *
 * <pre>{@code
 * CalibrationStageResult calibration = CalibrationStage.builder(model).template(found.boundTemplate())
 *         .verbalizer(found.verbalizer()).sample(split.search().subList(0, 200)).selection(split.selection())
 *         .build().run();
 * TriggerSearchResult calibrated = found.withCalibrationPrior(calibration.chosenPrior());
 * }</pre>
 *
 * <p>Cost: one forward pass per selection example, per sample example and per content-free input. Immutable once
 * built; {@link #run()} is thread-safe when the model is; it does not own the model.
 */
public final class CalibrationStage {

    private final MaskedLanguageModel model;
    private final Template template;
    private final Verbalizer verbalizer;
    private final LabelMapper mapper;
    private final int maxLength;
    private final int batchSize;
    private final List<Example> sample;
    private final List<Example> selection;

    private CalibrationStage(Builder b) {
        this.model = b.model;
        this.template = b.template;
        this.verbalizer = b.verbalizer;
        this.mapper = b.mapper;
        this.maxLength = b.maxLength;
        this.batchSize = b.batchSize;
        this.sample = b.sample;
        this.selection = b.selection;
    }

    /** A builder for a stage over {@code model}. */
    public static Builder builder(MaskedLanguageModel model) {
        return new Builder(model);
    }

    /**
     * Estimates the priors and scores every option on the selection split.
     *
     * @throws IllegalArgumentException when an example does not fit the template or has a label that is not a class
     *         of the verbalizer (naming it)
     */
    public CalibrationStageResult run() {
        long t0 = System.nanoTime();
        List<String> classes = verbalizer.labels();
        for (int i = 0; i < selection.size(); i++) {
            if (!classes.contains(selection.get(i).label())) {
                throw new IllegalArgumentException("selection example " + i + " has label '"
                        + selection.get(i).label() + "', not a class of the verbalizer " + classes);
            }
        }
        Map<Option, Map<String, Double>> priors = new EnumMap<>(Option.class);
        priors.put(Option.CONTENT_FREE, classifier(Calibration.contextual()).prior().orElseThrow());
        priors.put(Option.TRAINING_SAMPLE, classifier(Calibration.fromSample(sample.stream()
                .map(e -> e.valuesFor(template)).toList())).prior().orElseThrow());
        List<Map<String, Double>> distributions = new ArrayList<>(selection.size());
        for (Classification c : classifier(Calibration.none()).classifyAllFields(selection.stream()
                .map(e -> e.valuesFor(template)).toList())) {
            distributions.add(c.probabilities());
        }
        Map<Option, Double> accuracy = new EnumMap<>(Option.class);
        Option best = null;
        for (Option option : Option.values()) {
            Map<String, Double> prior = priors.get(option);
            int correct = 0;
            for (int i = 0; i < selection.size(); i++) {
                if (argmax(classes, distributions.get(i), prior).equals(selection.get(i).label())) {
                    correct++;
                }
            }
            accuracy.put(option, (double) correct / selection.size());
            if (best == null || accuracy.get(option) > accuracy.get(best)) {
                best = option;
            }
        }
        int passes = selection.size() + sample.size() + Calibration.DEFAULT_CONTENT_FREE.size();
        return new CalibrationStageResult(best, priors, accuracy, selection.size(), passes,
                (System.nanoTime() - t0) / 1e9);
    }

    /** The class maximising {@code q_c / prior_c} (or {@code q_c} without a prior); ties go to the earlier class. */
    static String argmax(List<String> classes, Map<String, Double> q, Map<String, Double> prior) {
        String best = null;
        double top = Double.NEGATIVE_INFINITY;
        for (String c : classes) {
            double v = prior == null ? q.get(c) : q.get(c) / prior.get(c);
            if (v > top) {
                top = v;
                best = c;
            }
        }
        return best;
    }

    private PromptClassifier classifier(Calibration calibration) {
        return PromptClassifier.builder(model).template(template).verbalizer(verbalizer).mapper(mapper)
                .maxLength(Math.min(maxLength, model.tokenizer().maxSequenceLength())).batchSize(batchSize)
                .calibration(calibration).build();
    }

    /** Configures a {@link CalibrationStage}. Not thread-safe. */
    public static final class Builder {
        private final MaskedLanguageModel model;
        private Template template;
        private Verbalizer verbalizer;
        private LabelMapper mapper = LabelMapper.sum();
        private int maxLength = 512;
        private int batchSize = 32;
        private List<Example> sample = List.of();
        private List<Example> selection = List.of();

        private Builder(MaskedLanguageModel model) {
            if (model == null) {
                throw new IllegalArgumentException("model must not be null");
            }
            this.model = model;
        }

        /** The prompt's template, trigger slots bound (e.g. {@code TriggerSearchResult.boundTemplate()}; required). */
        public Builder template(Template template) {
            this.template = template;
            return this;
        }

        /** The prompt's label words (required). */
        public Builder verbalizer(Verbalizer verbalizer) {
            this.verbalizer = verbalizer;
            return this;
        }

        /** How label-word scores become class scores (default {@link LabelMapper#sum()}, as a saved prompt). */
        public Builder mapper(LabelMapper mapper) {
            this.mapper = mapper;
            return this;
        }

        /** Longest prompt in tokens, as the prompt will be used (default 512, capped at the model's limit). */
        public Builder maxLength(int tokens) {
            this.maxLength = tokens;
            return this;
        }

        /** Prompts per model call (default 32). */
        public Builder batchSize(int size) {
            this.batchSize = size;
            return this;
        }

        /**
         * Unlabelled training inputs whose mean class distribution is the training-sample prior (labels are ignored;
         * a few hundred give a stable prior; required). Not the selection split.
         */
        public Builder sample(List<Example> examples) {
            this.sample = List.copyOf(examples);
            return this;
        }

        /** The labelled selection split the option is chosen on (required), disjoint from the reported data. */
        public Builder selection(List<Example> examples) {
            this.selection = List.copyOf(examples);
            return this;
        }

        /**
         * Validates the configuration.
         *
         * @throws IllegalArgumentException naming the missing or invalid setting
         */
        public CalibrationStage build() {
            if (template == null || verbalizer == null) {
                throw new IllegalArgumentException("set the prompt's template (template(...)) and label words "
                        + "(verbalizer(...))");
            }
            if (mapper == null) {
                throw new IllegalArgumentException("mapper must not be null; the default is LabelMapper.sum()");
            }
            if (sample.isEmpty() || selection.isEmpty()) {
                throw new IllegalArgumentException("the calibration stage needs unlabelled training inputs "
                        + "(sample(...)) and a selection split (selection(...)); got " + sample.size() + " and "
                        + selection.size());
            }
            if (sample.stream().anyMatch(selection::contains)) {
                throw new IllegalArgumentException("a sample example is also a selection example: the selection "
                        + "accuracy would then measure the prior estimated on it; sample other training examples");
            }
            if (maxLength < 1 || batchSize < 1) {
                throw new IllegalArgumentException("maxLength and batchSize must be positive, got " + maxLength
                        + " and " + batchSize);
            }
            return new CalibrationStage(this);
        }
    }
}
