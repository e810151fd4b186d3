package io.github.prompt4j.core.calibration;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a classifier corrects its class distribution for the bias of the prompt: which class prior it divides by.
 *
 * <p>A calibrated classifier computes, for each input, the class distribution {@code q} of its label mapper, and
 * reports {@code q'_c = (q_c / prior_c) / sum_k (q_k / prior_k)}: the distribution divided by a class prior and
 * renormalised, in probability space (Zhao et al. 2021, "Calibrate Before Use", with a diagonal correction
 * {@code W = diag(prior)^-1, b = 0}). The prior is estimated once, when the classifier is built:
 * <ul>
 *   <li>{@link #none()}: no correction (the default);</li>
 *   <li>{@link #contextual()} / {@link #contextual(List)}: the mean class distribution over content-free inputs
 *       (each string in every input field), one forward pass per content-free input;</li>
 *   <li>{@link #fromSample(List)} / {@link #fromTexts(List)}: the mean class distribution over an unlabelled sample of
 *       real inputs, one forward pass per input;</li>
 *   <li>{@link #fixed(Map)}: a prior already known (e.g. estimated earlier and saved), no forward pass.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe values.
 */
public sealed interface Calibration {

    /**
     * The content-free string that stands for the mask token of the model's tokenizer ({@code [MASK]} for BERT,
     * {@code <mask>} for RoBERTa): the classifier replaces it by the tokenizer's spelling of its mask id.
     */
    String MASK_TOKEN = "[MASK]";

    /** The content-free inputs of {@link #contextual()}: {@code "N/A"}, the empty string and the mask token. */
    List<String> DEFAULT_CONTENT_FREE = List.of("N/A", "", MASK_TOKEN);

    /** No calibration: the mapper's distribution is reported as is. */
    static Calibration none() {
        return None.INSTANCE;
    }

    /**
     * Contextual calibration with Zhao et al.'s content-free inputs {@link #DEFAULT_CONTENT_FREE}: {@code "N/A"}, the
     * empty string and the tokenizer's mask token, each written into every input field of the template.
     */
    static Calibration contextual() {
        return new Contextual(DEFAULT_CONTENT_FREE);
    }

    /**
     * Contextual calibration with the given content-free inputs; each is written into every input field, the empty
     * string is allowed (the fields then contribute no tokens), and {@link #MASK_TOKEN} means the model's mask token.
     *
     * @throws IllegalArgumentException for an empty list or a null entry
     */
    static Calibration contextual(List<String> contentFree) {
        return new Contextual(contentFree);
    }

    /**
     * Calibration by the classifier's mean class distribution over an unlabelled sample of real inputs (field name to
     * value, as for {@code PromptClassifier.classify(Map)}).
     *
     * @throws IllegalArgumentException for an empty sample or a null input
     */
    static Calibration fromSample(List<Map<String, String>> inputs) {
        return new Sample(inputs);
    }

    /**
     * Calibration by the mean class distribution over an unlabelled sample of texts, for a single-field template.
     *
     * @throws IllegalArgumentException for an empty sample or a null text
     */
    static Calibration fromTexts(List<String> texts) {
        return new SampleTexts(texts);
    }

    /**
     * Calibration by a known prior, class label to probability; it must cover every class of the classifier.
     *
     * @throws IllegalArgumentException for an empty prior or a value that is not finite and {@code > 0}
     */
    static Calibration fixed(Map<String, Double> prior) {
        return new Fixed(prior);
    }

    /** No calibration. */
    enum None implements Calibration {
        INSTANCE;

        @Override
        public String toString() {
            return "Calibration.none()";
        }
    }

    /**
     * Contextual calibration (Zhao et al. 2021).
     *
     * @param contentFree the content-free inputs, at least one; {@link #MASK_TOKEN} stands for the model's mask token
     */
    record Contextual(List<String> contentFree) implements Calibration {
        public Contextual {
            if (contentFree == null || contentFree.isEmpty()) {
                throw new IllegalArgumentException("contextual calibration needs at least one content-free input, "
                        + "e.g. Calibration.contextual(List.of(\"N/A\"))");
            }
            for (int i = 0; i < contentFree.size(); i++) {
                if (contentFree.get(i) == null) {
                    throw new IllegalArgumentException("content-free input " + i + " is null; use \"\" for an empty "
                            + "input");
                }
            }
            contentFree = List.copyOf(contentFree);
        }
    }

    /**
     * Calibration by the mean distribution over a sample of multi-field inputs.
     *
     * @param inputs field name to value, at least one input
     */
    record Sample(List<Map<String, String>> inputs) implements Calibration {
        public Sample {
            if (inputs == null || inputs.isEmpty()) {
                throw new IllegalArgumentException("the calibration sample is empty; pass at least one unlabelled "
                        + "input (a few dozen give a stable prior)");
            }
            List<Map<String, String>> copy = new ArrayList<>(inputs.size());
            for (int i = 0; i < inputs.size(); i++) {
                if (inputs.get(i) == null) {
                    throw new IllegalArgumentException("calibration sample input " + i + " is null");
                }
                copy.add(Collections.unmodifiableMap(new LinkedHashMap<>(inputs.get(i))));
            }
            inputs = List.copyOf(copy);
        }

        @Override
        public String toString() {
            return "Calibration.fromSample(" + inputs.size() + " inputs)";
        }
    }

    /**
     * Calibration by the mean distribution over a sample of texts for a single-field template.
     *
     * @param texts at least one text
     */
    record SampleTexts(List<String> texts) implements Calibration {
        public SampleTexts {
            if (texts == null || texts.isEmpty()) {
                throw new IllegalArgumentException("the calibration sample is empty; pass at least one unlabelled "
                        + "text (a few dozen give a stable prior)");
            }
            for (int i = 0; i < texts.size(); i++) {
                if (texts.get(i) == null) {
                    throw new IllegalArgumentException("calibration sample text " + i + " is null");
                }
            }
            texts = List.copyOf(texts);
        }

        @Override
        public String toString() {
            return "Calibration.fromTexts(" + texts.size() + " texts)";
        }
    }

    /**
     * Calibration by a known prior.
     *
     * @param prior class label to probability, every value finite and {@code > 0}; need not sum to 1 (only ratios
     *        matter after renormalisation)
     */
    record Fixed(Map<String, Double> prior) implements Calibration {
        public Fixed {
            if (prior == null || prior.isEmpty()) {
                throw new IllegalArgumentException("a fixed prior needs a probability for every class");
            }
            prior.forEach((label, p) -> {
                if (label == null || p == null || !(p > 0) || Double.isInfinite(p)) {
                    throw new IllegalArgumentException("prior of class '" + label + "' must be finite and > 0, got "
                            + p);
                }
            });
            prior = Collections.unmodifiableMap(new LinkedHashMap<>(prior));
        }
    }
}
