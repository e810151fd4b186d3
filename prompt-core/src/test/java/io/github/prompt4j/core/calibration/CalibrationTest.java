package io.github.prompt4j.core.calibration;

import static io.github.prompt4j.core.testing.FakeTokenizer.id;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.mapping.LabelMapper;
import io.github.prompt4j.core.model.EmbeddingMatrix;
import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.GradientRequest;
import io.github.prompt4j.core.model.LabelLossGradient;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.core.model.MaskVectors;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.model.ModelInfo;
import io.github.prompt4j.core.model.SoftInput;
import io.github.prompt4j.core.model.Tokenizer;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.testing.FakeMaskedLanguageModel;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Calibration on the fake model, whose rule makes every probability hand-computable: with the mean mapper over one
 * positive and one negative word, a prompt of sentiment {@code s} has {@code P(positive) = sigma(2s)}.
 */
class CalibrationTest {

    private static final Verbalizer SENTIMENT = Verbalizer.builder().add("negative", "terrible")
            .add("positive", "great").build();
    /** "good" in the template adds 1 to every prompt's sentiment: the prompt itself is biased to "positive". */
    private static final Template BIASED = Template.parse("{text} It was good [MASK].");

    private final Recording model = new Recording(new FakeMaskedLanguageModel());

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    private PromptClassifier.Builder biased() {
        return PromptClassifier.builder(model).template(BIASED).verbalizer(SENTIMENT);
    }

    @Test
    void divisionByTheFixedPriorRenormalises() {
        // A mapper that always says (0.6, 0.4); the prior (0.8, 0.2) turns it into (0.6/0.8, 0.4/0.2) normalised.
        LabelMapper constant = scores -> new double[] {0.6, 0.4};
        PromptClassifier c = biased().mapper(constant)
                .calibration(Calibration.fixed(Map.of("negative", 0.8, "positive", 0.2))).build();
        assertEquals(0, model.prompts.size(), "a fixed prior needs no forward pass at build time");
        Classification r = c.classify("the film");
        double a = 0.6 / 0.8;
        double b = 0.4 / 0.2;
        assertEquals(a / (a + b), r.probability("negative"), 1e-12);
        assertEquals(0.2727272727272727, r.probability("negative"), 1e-12);
        assertEquals(0.7272727272727273, r.probability("positive"), 1e-12);
        assertEquals("positive", r.label());
        assertEquals(Map.of("negative", 0.8, "positive", 0.2), c.prior().orElseThrow());
    }

    @Test
    void contextualPriorIsTheMeanOverTheDefaultContentFreeInputs() {
        PromptClassifier c = biased().calibration(Calibration.contextual()).build();
        // Every default content-free input ("N/A", "", "[MASK]") is neutral, so each prompt has s = 1 (the
        // template's "good"): prior = (sigma(-2), sigma(2)).
        Map<String, Double> prior = c.prior().orElseThrow();
        assertEquals(List.of("negative", "positive"), List.copyOf(prior.keySet()));
        assertEquals(sigmoid(-2), prior.get("negative"), 1e-6);
        assertEquals(sigmoid(2), prior.get("positive"), 1e-6);
        assertThrows(UnsupportedOperationException.class, () -> prior.put("positive", 1.0), "the prior is read-only");
        // "the film" has s = 1 as well: uncalibrated it is positive with sigma(2); calibrated it is exactly uniform.
        Classification neutral = c.classify("the film");
        assertEquals(0.5, neutral.probability("positive"), 1e-6);
        // "bad film" has s = 0: q = (1/2, 1/2); divided by the prior, P(negative) = (1 + e^2) / (2 + e^2 + e^-2)
        // = sigma(2).
        Classification bad = c.classify("bad film");
        assertEquals("negative", bad.label());
        assertEquals(sigmoid(2), bad.probability("negative"), 1e-6);
        PromptClassifier raw = biased().build();
        assertEquals(0.5, raw.classify("bad film").probability("negative"), 1e-6, "uncalibrated: a coin toss");
        assertEquals("positive", raw.classify("the film").label(), "uncalibrated, the template's bias wins");
        assertTrue(raw.prior().isEmpty());
        assertEquals(Calibration.none(), raw.calibration());
    }

    @Test
    void theModelSeesEachContentFreeInputInTheField() {
        biased().calibration(Calibration.contextual()).build();
        int cls = id("[CLS]");
        int sep = id("[SEP]");
        int mask = id("[MASK]");
        int unk = id("[UNK]");
        int[] tail = {id("it"), id("was"), id("good"), mask, id("."), sep};
        // "N/A": "n" and "/" are not in the fake vocabulary, "a" is
        int[] na = concat(new int[] {cls, unk, unk, id("a")}, tail);
        int[] empty = concat(new int[] {cls}, tail);
        int[] maskInput = concat(new int[] {cls, mask}, tail);
        assertEquals(3, model.prompts.size(), "one forward pass per content-free input, in one model call");
        assertArrayEquals(na, model.prompts.get(0).ids());
        assertArrayEquals(empty, model.prompts.get(1).ids());
        assertArrayEquals(maskInput, model.prompts.get(2).ids());
        // only the template's [MASK] is an answer slot; the content-free [MASK] is input
        assertArrayEquals(new int[] {5}, model.prompts.get(2).maskPositions());
    }

    @Test
    void contentFreeInputsFillEveryField() {
        Template pair = Template.parse("{premise} ? [MASK] , {hypothesis}");
        PromptClassifier.builder(model).template(pair).verbalizer(SENTIMENT)
                .calibration(Calibration.contextual(List.of("okay"))).build();
        int okay = id("okay");
        assertArrayEquals(new int[] {id("[CLS]"), okay, id("?"), id("[MASK]"), id(","), okay, id("[SEP]")},
                model.prompts.get(0).ids());
    }

    @Test
    void samplePriorIsTheMeanClassDistributionOfTheSample() {
        Template plain = Template.parse("{text} It was [MASK].");
        // s = 1 and s = 2: prior(positive) = (sigma(2) + sigma(4)) / 2
        PromptClassifier c = PromptClassifier.builder(model).template(plain).verbalizer(SENTIMENT)
                .calibration(Calibration.fromTexts(List.of("a good film", "good fun"))).build();
        double pos = (sigmoid(2) + sigmoid(4)) / 2;
        assertEquals(pos, c.prior().orElseThrow().get("positive"), 1e-6);
        assertEquals(1 - pos, c.prior().orElseThrow().get("negative"), 1e-6);
        PromptClassifier same = PromptClassifier.builder(model).template(plain).verbalizer(SENTIMENT)
                .calibration(Calibration.fromSample(List.of(Map.of("text", "a good film"), Map.of("text",
                        "good fun")))).build();
        assertEquals(c.prior(), same.prior());
        // a neutral input (s = 0, q = (1/2, 1/2)) becomes P(negative) = pos / (pos + (1 - pos))= pos
        assertEquals(pos, c.classify("the plot").probability("negative"), 1e-6);
    }

    @Test
    void classifyAllAndMapperAgreeWithClassify() {
        PromptClassifier c = biased().calibration(Calibration.contextual()).build();
        List<Classification> all = c.classifyAll(List.of("bad film", "the film"));
        assertEquals(c.classify("bad film").probabilities(), all.get(0).probabilities());
        double[] viaMapper = c.mapper().map(c.labelWordScores(List.of(c.encoder().encode("bad film"))).get(0));
        assertEquals(sigmoid(2), viaMapper[0], 1e-6);
    }

    @Test
    void badCalibrationInputsFailClearly() {
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> Calibration.fromSample(List.of()));
        assertTrue(empty.getMessage().contains("sample is empty"), empty.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Calibration.fromTexts(List.of()));
        assertThrows(IllegalArgumentException.class, () -> Calibration.contextual(List.of()));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> biased()
                .calibration(Calibration.fromSample(List.of(Map.of("text", "fine"), Map.of("sentence", "x"))))
                .build());
        assertTrue(unknown.getMessage().contains("calibration sample input 1")
                && unknown.getMessage().contains("unknown field 'sentence'"), unknown.getMessage());
        IllegalArgumentException blank = assertThrows(IllegalArgumentException.class, () -> biased()
                .calibration(Calibration.fromTexts(List.of(" "))).build());
        assertTrue(blank.getMessage().contains("calibration sample text 0"), blank.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> biased()
                .calibration(Calibration.fixed(Map.of("negative", 0.5))).build());
        assertTrue(missing.getMessage().contains("class 'positive'"), missing.getMessage());
        IllegalArgumentException extra = assertThrows(IllegalArgumentException.class, () -> biased()
                .calibration(Calibration.fixed(Map.of("negative", 0.5, "positive", 0.5, "neutral", 0.1))).build());
        assertTrue(extra.getMessage().contains("'neutral'"), extra.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Calibration.fixed(Map.of("negative", 0.0)));
        assertThrows(IllegalArgumentException.class, () -> biased().calibration(null));
        // a zero prior cannot be divided by
        LabelMapper oneHot = scores -> new double[] {1.0, 0.0};
        IllegalStateException zero = assertThrows(IllegalStateException.class,
                () -> biased().mapper(oneHot).calibration(Calibration.contextual()).build());
        assertTrue(zero.getMessage().contains("class 'positive'"), zero.getMessage());
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = new int[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Delegates to the fake model and records every prompt the classifier asks to score. */
    private static final class Recording implements MaskedLanguageModel {
        final MaskedLanguageModel delegate;
        final List<EncodedPrompt> prompts = new ArrayList<>();

        Recording(MaskedLanguageModel delegate) {
            this.delegate = delegate;
        }

        @Override
        public Tokenizer tokenizer() {
            return delegate.tokenizer();
        }

        @Override
        public ModelInfo info() {
            return delegate.info();
        }

        @Override
        public MaskLogits maskLogits(List<EncodedPrompt> p) {
            prompts.addAll(p);
            return delegate.maskLogits(p);
        }

        @Override
        public MaskLogits maskLogits(List<EncodedPrompt> p, int[] tokenIds) {
            prompts.addAll(p);
            return delegate.maskLogits(p, tokenIds);
        }

        @Override
        public MaskLogits softMaskLogits(List<SoftInput> inputs, int[] tokenIds) {
            inputs.forEach(i -> prompts.add(i.prompt()));
            return delegate.softMaskLogits(inputs, tokenIds);
        }

        @Override
        public MaskVectors maskHiddenStates(List<EncodedPrompt> p) {
            return delegate.maskHiddenStates(p);
        }

        @Override
        public EmbeddingMatrix inputEmbeddings() {
            return delegate.inputEmbeddings();
        }

        @Override
        public EmbeddingMatrix outputEmbeddings() {
            return delegate.outputEmbeddings();
        }

        @Override
        public float[] outputBias() {
            return delegate.outputBias();
        }

        @Override
        public List<LabelLossGradient> labelLossGradients(List<GradientRequest> requests) {
            return delegate.labelLossGradients(requests);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
