package io.github.prompt4j.search.soft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.HeadLossGradient;
import io.github.prompt4j.core.model.HeadLossRequest;
import io.github.prompt4j.core.model.HeadTrainableModel;
import io.github.prompt4j.core.model.LabelLossGradient;
import io.github.prompt4j.core.model.LinearHead;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.core.model.MaskVectors;
import io.github.prompt4j.core.model.Prefix;
import io.github.prompt4j.core.model.PrefixHeadGradient;
import io.github.prompt4j.core.model.SoftInput;
import io.github.prompt4j.core.template.SoftPrompt;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.template.TemplateEncoder;
import io.github.prompt4j.core.template.Truncation;
import io.github.prompt4j.core.template.TruncationSide;
import io.github.prompt4j.core.testing.FakeMaskedLanguageModel;
import io.github.prompt4j.core.testing.FakeTokenizer;
import io.github.prompt4j.core.verbalizer.LinearVerbalizer;
import io.github.prompt4j.core.verbalizer.MultiTokenPolicy;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.testing.FakeModelDelegate;
import io.github.prompt4j.search.testing.LinearBagModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Soft-prompt training on the fake model, where a soft vector adds its first component {@code v0} to the sentiment
 * score {@code s} and nothing else matters. Planted task: texts with {@code s = 1} are labelled negative and texts
 * with {@code s = 3} positive. With the sum mapper the class is positive iff {@code s > 0}, so the initial vector
 * ({@code v0 ~ 0}) gets exactly half right and any {@code v0} in {@code (-3, -1)} gets all right.
 */
class SoftPromptTrainerTest {

    private static final Template TEMPLATE = Template.parse("{text} [P] [MASK] .");
    private static final Verbalizer VERBALIZER = Verbalizer.builder().add("negative", "bad", "terrible")
            .add("positive", "great", "good").build();

    private final FakeMaskedLanguageModel model = new FakeMaskedLanguageModel();

    private static List<Example> train() {
        return List.of(Example.of("text", "a good movie", "negative"), Example.of("text", "fun plot", "negative"),
                Example.of("text", "the happy story", "negative"), Example.of("text", "it was great", "negative"),
                Example.of("text", "good fun happy", "positive"), Example.of("text", "great good fun movie",
                        "positive"),
                Example.of("text", "happy great good", "positive"), Example.of("text", "fun fun fun", "positive"));
    }

    private static List<Example> dev() {
        return List.of(Example.of("text", "good", "negative"), Example.of("text", "a fun film", "negative"),
                Example.of("text", "great fun happy", "positive"), Example.of("text", "good good good .",
                        "positive"));
    }

    private SoftPromptTrainer.Builder planted() {
        return SoftPromptTrainer.builder(model).template(TEMPLATE).verbalizer(VERBALIZER).train(train()).selection(dev())
                .learningRate(0.2).batchSize(2).epochs(25).warmupFraction(0.1).patience(0).seed(7)
                .listener(SoftPromptListener.none());
    }

    /** Mean label loss over the training set in closed form: s = (text sentiment) + v0. */
    private static double analyticLoss(double v0) {
        double sum = 0;
        for (Example e : train()) {
            double s = sentiment(e) + v0;
            double sign = e.label().equals("positive") ? 1 : -1;
            sum += -(Math.log(2) + sign * s - FakeMaskedLanguageModel.logNormalizer(s));
        }
        return sum / train().size();
    }

    private static int sentiment(Example e) {
        int s = 0;
        for (String w : e.fields().get("text").split(" ")) {
            s += FakeMaskedLanguageModel.POSITIVE_WORDS.contains(w) ? 1
                    : FakeMaskedLanguageModel.NEGATIVE_WORDS.contains(w) ? -1 : 0;
        }
        return s;
    }

    @Test
    void plantedShiftIsLearnedToFullAccuracy() {
        SoftPromptTrainer trainer = planted().build();
        SoftPromptResult r = trainer.run();
        float v0 = r.softPrompt().vector(0)[0];
        assertTrue(v0 > -3 && v0 < -1, "v0 must land in (-3, -1), got " + v0);
        assertEquals(1.0, r.bestDevAccuracy());
        PromptClassifier c = r.classifier(model);
        List<Classification> predictions = c.classifyAll(train().stream().map(e -> e.fields().get("text")).toList());
        for (int i = 0; i < train().size(); i++) {
            assertEquals(train().get(i).label(), predictions.get(i).label(), train().get(i).fields().toString());
        }
        // The initial vector gets exactly half of the training set right.
        PromptClassifier initial = PromptClassifier.builder(model).template(TEMPLATE).verbalizer(VERBALIZER)
                .softPrompt(trainer.initialSoftPrompt()).build();
        long right = 0;
        for (Example e : train()) {
            right += initial.classify(e.fields().get("text")).label().equals(e.label()) ? 1 : 0;
        }
        assertEquals(4, right);
        assertEquals(25, r.epochsRun());
        assertEquals(25, r.trainLossHistory().size());
        assertEquals(25, r.devAccuracyHistory().size());
        assertEquals(25 * train().size(), r.passes().gradientPasses());
        assertEquals(26 * dev().size(), r.passes().forwardPasses());
    }

    @Test
    void adamStepsReduceTheTrainingLoss() {
        SoftPromptTrainer trainer = planted().epochs(5).build();
        SoftPromptResult r = trainer.run();
        double before = analyticLoss(trainer.initialSoftPrompt().vector(0)[0]);
        double after = analyticLoss(r.softPrompt().vector(0)[0]);
        assertTrue(after < before - 0.1, "loss " + before + " -> " + after);
        List<Double> history = r.trainLossHistory();
        assertTrue(history.get(history.size() - 1) < history.get(0), history.toString());
        // Only dimension 0 has a gradient in this model; Adam leaves the others where they started.
        for (int j = 1; j < FakeMaskedLanguageModel.HIDDEN; j++) {
            assertEquals(trainer.initialSoftPrompt().vector(0)[j], r.softPrompt().vector(0)[j]);
        }
    }

    @Test
    void wordInitialisationStartsAtTheWordsEmbedding() {
        SoftPromptTrainer trainer = planted().initWords(List.of("sad")).build();
        assertArrayEquals(model.inputEmbeddings().row(FakeTokenizer.id("sad")), trainer.initialSoftPrompt().vector(0));
        assertEquals(SoftPromptInit.WORDS, trainer.settings().init());
        // "sad" starts at v0 = -1, the edge of the interval: the initial vectors already get the negatives right.
        assertEquals(1.0, trainer.run().bestDevAccuracy());
    }

    @Test
    void sameSeedGivesTheSameVectorsAndAnotherSeedOthers() {
        SoftPromptResult a = planted().epochs(4).build().run();
        SoftPromptResult b = planted().epochs(4).build().run();
        assertEquals(a.softPrompt(), b.softPrompt());
        assertEquals(a.trainLossHistory(), b.trainLossHistory());
        SoftPromptTrainer other = planted().epochs(4).seed(8).build();
        assertNotEquals(planted().build().initialSoftPrompt(), other.initialSoftPrompt());
    }

    @Test
    void savedJsonReloadsToBitIdenticalPredictions() {
        SoftPromptResult r = planted().epochs(6).build().run();
        String json = r.toJson();
        SoftPromptResult back = SoftPromptResult.fromJson(json);
        assertEquals(r.softPrompt(), back.softPrompt());
        assertEquals(r.settings(), back.settings());
        assertEquals(r.trainLossHistory(), back.trainLossHistory());
        assertEquals(r.labelWords(), back.labelWords());
        List<String> texts = new ArrayList<>();
        train().forEach(e -> texts.add(e.fields().get("text")));
        List<Classification> x = r.classifier(model).classifyAll(texts);
        List<Classification> y = back.classifier(model).classifyAll(texts);
        for (int i = 0; i < texts.size(); i++) {
            assertEquals(x.get(i).probabilities(), y.get(i).probabilities(), "exact doubles for " + texts.get(i));
        }
        assertTrue(json.contains(SoftPromptResult.encode(r.softPrompt().vector(0))));
    }

    @Test
    void aLearnedVerbalizerTrainedWithTheVectorsSeparatesThePlantedTaskOnTrainingDataAndReloadsIdentically() {
        HeadFake m = new HeadFake();
        SoftPromptTrainer trainer = SoftPromptTrainer.builder(m).template(TEMPLATE).verbalizer(VERBALIZER)
                .train(train()).selection(dev()).learnedVerbalizer(true).learningRate(0.2).batchSize(2).epochs(25)
                .warmupFraction(0.1).patience(0).seed(7).listener(SoftPromptListener.none()).build();
        // before training: the head from the label words' output embeddings decides as the label words, all positive
        LinearVerbalizer initial = LinearVerbalizer.fromLabelWords(VERBALIZER, m);
        PromptClassifier before = PromptClassifier.builder(m).template(TEMPLATE).learnedVerbalizer(initial)
                .softPrompt(trainer.initialSoftPrompt()).build();
        assertEquals(List.of("positive", "positive", "positive", "positive"), before.classifyAll(dev().stream()
                .map(e -> e.fields().get("text")).toList()).stream().map(Classification::label).toList());
        SoftPromptResult r = trainer.run();
        assertEquals(1.0, r.bestDevAccuracy(), 1e-12);
        LinearVerbalizer head = r.learnedVerbalizer().orElseThrow();
        assertNotEquals(initial, head, "the head was trained");
        assertNotEquals(trainer.initialSoftPrompt(), r.softPrompt(), "the vectors were trained too");
        // gradients were taken on the training texts only, never on the selection split
        TemplateEncoder encoder = TEMPLATE.encoder(m.tokenizer(), Truncation.of(Math.min(128,
                m.tokenizer().maxSequenceLength()), TruncationSide.TAIL));
        Set<List<Integer>> trainIds = new HashSet<>();
        train().forEach(e -> trainIds.add(ids(encoder.encode(e.valuesFor(TEMPLATE)))));
        assertEquals(8 * r.epochsRun(), m.trained.size());
        assertTrue(trainIds.containsAll(m.trained));
        // saved and loaded back: identical head and vectors, identical predictions through the head
        SoftPromptResult back = SoftPromptResult.fromJson(r.toJson());
        assertEquals(head, back.learnedVerbalizer().orElseThrow());
        assertEquals(r.softPrompt(), back.softPrompt());
        List<String> texts = train().stream().map(e -> e.fields().get("text")).toList();
        List<Classification> x = r.classifier(m).classifyAll(texts);
        assertEquals(x, back.classifier(m).classifyAll(texts));
        assertTrue(x.get(0).wordScores().isEmpty(), "classes are scored by the head, not the label words");
        assertEquals(train().stream().map(Example::label).toList(), x.stream().map(Classification::label).toList());
    }

    @Test
    void aLearnedVerbalizerNeedsAHeadTrainableModelAndClasses() {
        assertMessage("is not a HeadTrainableModel", () -> planted().learnedVerbalizer(true).build());
    }

    private static List<Integer> ids(EncodedPrompt p) {
        return Arrays.stream(p.ids()).boxed().toList();
    }

    /**
     * The fake model as a {@link HeadTrainableModel}: its transformed state is {@code [s, 0, 0, 0]} (s the sentiment
     * score with the soft vectors' first components), so a head's loss depends on the vectors through {@code s}
     * alone and {@code dL/dv[0] = sum_c (p_c - y_c) W[c, 0]} at every attended soft position.
     */
    static final class HeadFake extends FakeModelDelegate implements HeadTrainableModel {
        private final int great = FakeTokenizer.id("great");
        /** The ids of every prompt a head gradient was asked for. */
        final List<List<Integer>> trained = new ArrayList<>();

        @Override
        public MaskVectors softMaskHiddenStates(List<SoftInput> inputs) {
            MaskLogits logits = fake.softMaskLogits(inputs, new int[] {great});
            int h = FakeMaskedLanguageModel.HIDDEN;
            float[] values = new float[inputs.size() * h];
            int[] counts = new int[inputs.size()];
            for (int i = 0; i < inputs.size(); i++) {
                counts[i] = 1;
                values[i * h] = logits.logit(i, 0, 0);
            }
            return new MaskVectors(h, counts, values);
        }

        @Override
        public List<HeadLossGradient> headLossGradients(List<HeadLossRequest> requests, LinearHead head) {
            int h = FakeMaskedLanguageModel.HIDDEN;
            MaskVectors states = softMaskHiddenStates(requests.stream().map(r -> new SoftInput(r.prompt(),
                    r.softVectors())).toList());
            float[] w = head.weights();
            List<HeadLossGradient> out = new ArrayList<>();
            for (int i = 0; i < requests.size(); i++) {
                HeadLossRequest r = requests.get(i);
                trained.add(ids(r.prompt()));
                float[] state = states.vector(i, 0);
                double[] probs = head.probabilities(state);
                double ds = 0;
                for (int c = 0; c < probs.length; c++) {
                    ds += (probs[c] - (c == r.goldClass() ? 1 : 0)) * w[c * h];
                }
                int[] positions = r.gradientPositions();
                float[] grads = new float[positions.length * h];
                for (int k = 0; k < positions.length; k++) {
                    grads[k * h] = r.prompt().attentionMask()[positions[k]] == 1 ? (float) ds : 0f;
                }
                out.add(new HeadLossGradient(state, new LabelLossGradient((float) -Math.log(probs[r.goldClass()]),
                        positions, grads, h)));
            }
            return out;
        }

        @Override
        public PrefixHeadGradient prefixHeadLossGradient(List<HeadLossRequest> requests, LinearHead head,
                Prefix prefix) {
            throw new UnsupportedOperationException("not used");
        }
    }

    @Test
    void vectorsAreStoredAsLittleEndianFloat32Base64() {
        // 1.0f = 0x3F800000, little-endian bytes 00 00 80 3F
        assertEquals("AACAPw==", SoftPromptResult.encode(new float[] {1f}));
        assertArrayEquals(new float[] {1f, -2.5f}, SoftPromptResult.decode(SoftPromptResult.encode(
                new float[] {1f, -2.5f}), 2, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SoftPromptResult.decode("AACAPw==", 4, 0));
        assertTrue(e.getMessage().contains("hiddenSize 4"), e.getMessage());
        String json = planted().epochs(1).build().run().toJson().replace("\"hiddenSize\" : 4", "\"hiddenSize\" : 3");
        assertThrows(IllegalArgumentException.class, () -> SoftPromptResult.fromJson(json));
    }

    @Test
    void earlyStoppingEndsAfterPatienceEpochsWithoutBetterAccuracy() {
        List<SoftPromptEpoch> seen = new ArrayList<>();
        SoftPromptResult r = planted().learningRate(1e-6).patience(2).epochs(10).listener(seen::add).build().run();
        assertEquals(2, r.epochsRun());
        assertEquals(2, seen.size());
        assertEquals(0.5, r.bestDevAccuracy());
        assertEquals(List.of(1, 2), seen.stream().map(SoftPromptEpoch::epoch).toList());
    }

    @Test
    void badInputsAreRefusedWithClearMessages() {
        assertMessage("no soft-prompt slot [P]", () -> planted().template(Template.parse("{text} [MASK] .")).build());
        assertMessage("training set is empty", () -> planted().train(List.of()).build());
        assertMessage("selection split) is empty", () -> planted().selection(List.of()).build());
        assertMessage("2 init words", () -> planted().initWords(List.of("good", "bad")).build());
        assertMessage("not a single vocabulary token", () -> planted().initWords(List.of("zebra")).build());
        assertMessage("single-piece label words", () -> planted().verbalizer(Verbalizer.builder()
                .add("negative", "bad").add("positive", "fantastic").policy(MultiTokenPolicy.MEAN).build()).build());
        assertMessage("not one of the classes", () -> planted().train(List.of(Example.of("text", "good", "meh")))
                .build());
        assertMessage("class 'positive' has no training example", () -> planted().train(List.of(
                Example.of("text", "good", "negative"))).build());
        assertMessage("learningRate", () -> planted().learningRate(0).build());
        SoftPromptResult r = planted().epochs(1).build().run();
        LinearBagModel other = new LinearBagModel(new float[38][3], new float[38][3], new float[38]);
        assertMessage("trained on model 'fake-sentiment-mlm'", () -> r.classifier(other));
        assertMessage("has 1 soft-prompt slot(s) [P] but the result holds 2", () -> new SoftPromptResult(
                r.modelName(), r.template(), r.labelWords(), SoftPrompt.of(new float[4], new float[4]), r.settings(),
                1, 0, 0, 1, List.of(), List.of(), r.passes(), 0));
    }

    private static void assertMessage(String fragment, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), "message '" + e.getMessage() + "' lacks '" + fragment + "'");
    }
}
