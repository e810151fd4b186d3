package io.github.prompt4j.search.soft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.GradientRequest;
import io.github.prompt4j.core.model.HeadLossGradient;
import io.github.prompt4j.core.model.HeadLossRequest;
import io.github.prompt4j.core.model.HeadTrainableModel;
import io.github.prompt4j.core.model.LinearHead;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.core.model.MaskVectors;
import io.github.prompt4j.core.model.Prefix;
import io.github.prompt4j.core.model.PrefixGradient;
import io.github.prompt4j.core.model.PrefixHeadGradient;
import io.github.prompt4j.core.model.PrefixTunableModel;
import io.github.prompt4j.core.model.SoftInput;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.testing.FakeMaskedLanguageModel;
import io.github.prompt4j.core.verbalizer.LinearVerbalizer;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.testing.FakeModelDelegate;
import io.github.prompt4j.search.trigger.SearchLoss;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link PrefixTuner} on a planted model: the fake sentiment model of prompt-core ({@code logit_v = sign_v * s}, s the
 * prompt's positive minus negative tokens) where a prefix adds the sum of its keys' first dimension to {@code s}. The
 * template adds "good good" (+2), so every example leans positive and the classes are only separable at
 * {@code s = 2}: without a prefix half the examples are wrong, a learned shift of about -2 gets them all.
 */
class PrefixTunerTest {

    static final Template LEANING = Template.parse("{text} It was good good [MASK].");
    static final Verbalizer WORDS = Verbalizer.builder().add("negative", "terrible").add("positive", "great").build();

    /** Texts of sentiment +1 are positive, -1 negative: s = 3 and 1 under the template. */
    static List<Example> data(int n, String salt) {
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Example.of("text", (i % 2 == 0 ? "fun " : "bad ") + salt + i, i % 2 == 0 ? "positive"
                    : "negative"));
        }
        return out;
    }

    @Test
    void theTunerLearnsTheShiftThatSeparatesALeaningPromptAndTheSavedPromptReproducesIt() {
        ShiftModel model = new ShiftModel();
        List<Example> train = data(32, "t");
        List<Example> selection = data(8, "s");
        List<Integer> seen = new ArrayList<>();
        PrefixTuningResult r = PrefixTuner.builder(model).template(LEANING).verbalizer(WORDS).train(train)
                .selection(selection).prefixLength(2).learningRate(0.05).epochs(20).batchSize(8).patience(20)
                .initScale(0).listener(e -> seen.add(e.epoch())).build().run();
        assertEquals(0.5, r.epochs().get(0).selectionAccuracy(), 1e-12, "a zero prefix leaves the lean");
        assertEquals(1.0, r.selectionAccuracy(), 1e-12);
        assertTrue(r.bestEpoch() >= 1);
        double shift = ShiftModel.shift(r.prefix());
        assertTrue(shift < -1 && shift > -3, "learned shift " + shift);
        assertEquals(0, seen.get(0));
        assertEquals(32 * r.epochs().get(r.epochs().size() - 1).steps() / 4, r.gradientPasses());
        // saved and loaded back: identical prefix, identical predictions
        PrefixTuningResult back = PrefixTuningResult.fromJson(r.toJson());
        assertEquals(r.prefix(), back.prefix());
        assertEquals(r.epochs(), back.epochs());
        List<Classification> a = r.classifier(model).classifyAll(List.of("fun x", "bad y", "the z"));
        List<Classification> b = back.classifier(model).classifyAll(List.of("fun x", "bad y", "the z"));
        assertEquals(a, b);
        assertEquals(List.of("positive", "negative"), a.subList(0, 2).stream().map(Classification::label).toList());
    }

    @Test
    void aLearnedVerbalizerTrainedWithThePrefixSeparatesTheLeaningPromptOnTrainingDataAloneAndLoadsBackIdentically() {
        ShiftModel model = new ShiftModel();
        List<Example> train = data(32, "t");
        List<Example> selection = data(8, "s");
        PrefixTuningResult r = PrefixTuner.builder(model).template(LEANING).verbalizer(WORDS).train(train)
                .selection(selection).learnedVerbalizer(true).prefixLength(2).learningRate(0.05).epochs(20)
                .batchSize(8).patience(20).initScale(0).build().run();
        // epoch 0 is the head initialised from the label words' output embeddings: as the label words, it leans
        assertEquals(0.5, r.epochs().get(0).selectionAccuracy(), 1e-12);
        assertEquals(1.0, r.selectionAccuracy(), 1e-12);
        LinearVerbalizer head = r.learnedVerbalizer().orElseThrow();
        assertNotEquals(LinearVerbalizer.fromLabelWords(WORDS, model), head, "the head was trained");
        assertTrue(ShiftModel.shift(r.prefix()) < -0.01, "the prefix was trained too: " + ShiftModel.shift(r.prefix()));
        // gradients were taken on training prompts only, never on the selection split
        PromptClassifier encoding = PromptClassifier.builder(model).template(LEANING).verbalizer(WORDS).build();
        java.util.Set<List<Integer>> trainIds = new java.util.HashSet<>();
        for (Example e : train) {
            trainIds.add(java.util.Arrays.stream(encoding.encoder().encode(e.valuesFor(LEANING)).ids()).boxed()
                    .toList());
        }
        assertEquals(32 * (r.epochs().size() - 1), model.headTrained.size());
        assertTrue(trainIds.containsAll(model.headTrained));
        // saved and loaded back: identical head and prefix, identical predictions through the head
        PrefixTuningResult back = PrefixTuningResult.fromJson(r.toJson());
        assertEquals(head, back.learnedVerbalizer().orElseThrow());
        assertEquals(r.prefix(), back.prefix());
        List<String> texts = List.of("fun x", "bad y", "the z");
        List<Classification> a = r.classifier(model).classifyAll(texts);
        assertEquals(a, back.classifier(model).classifyAll(texts));
        assertEquals(List.of("positive", "negative"), a.subList(0, 2).stream().map(Classification::label).toList());
        assertTrue(a.get(0).wordScores().isEmpty(), "classes are scored by the head, not the label words");
    }

    @Test
    void aLearnedVerbalizerRefusesAnotherLoss() {
        ShiftModel model = new ShiftModel();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> planted(model)
                .learnedVerbalizer(true).loss(SearchLoss.CLASS_CROSS_ENTROPY).build());
        assertTrue(e.getMessage().contains("drop loss(...)"), e.getMessage());
    }

    @Test
    void aRunWithALearnedVerbalizerResumesFromItsJsonCheckpointExactlyAsTheUninterruptedRun() {
        ShiftModel model = new ShiftModel();
        // a warm head and a head rate of its own: both belong to the run, and the checkpoint must carry them
        LinearVerbalizer warm = LinearVerbalizer.of(List.of("negative", "positive"),
                List.of(new float[] {-0.5f, 0, 0, 0}, new float[] {0.5f, 0, 0, 0}), new float[] {0, -1});
        java.util.function.Supplier<PrefixTuner.Builder> run = () -> planted(model).learnedVerbalizer(true)
                .initialHead(warm).headLearningRate(0.02);
        List<PrefixTuningState> saved = new ArrayList<>();
        PrefixTuningResult whole = run.get().checkpoints(saved::add).build().run();
        assertEquals(7, saved.size(), "a checkpoint after epoch 0 and after each of the 6 epochs");
        assertNotEquals(warm, whole.learnedVerbalizer().orElseThrow(), "the head trained");
        PrefixTuningState afterThree = PrefixTuningState.fromJson(saved.get(3).toJson());
        assertEquals(saved.get(3).head().orElseThrow().current(), afterThree.head().orElseThrow().current(), "the head survives JSON exactly");
        assertEquals(afterThree.current().size() + 2 * (4 + 1), afterThree.adamFirst().length,
                "Adam's moments cover the head's 2 x (4 + 1) parameters too");
        List<Integer> seen = new ArrayList<>();
        List<PrefixTuningState> later = new ArrayList<>();
        PrefixTuningResult resumed = run.get().listener(e -> seen.add(e.epoch())).checkpoints(later::add).build()
                .resume(afterThree);
        assertEquals(List.of(4, 5, 6), seen);
        assertEquals(whole.prefix(), resumed.prefix(), "same kept prefix to the bit");
        assertEquals(whole.learnedVerbalizer(), resumed.learnedVerbalizer(), "same kept head to the bit");
        assertEquals(trajectory(whole.epochs()), trajectory(resumed.epochs()));
        PrefixTuningState end = later.get(later.size() - 1);
        assertEquals(saved.get(6).head().orElseThrow().current(), end.head().orElseThrow().current(), "same last head to the bit");
        assertArrayEquals(saved.get(6).adamSecond(), end.adamSecond());
        assertEquals(whole.gradientPasses(), resumed.gradientPasses());

        // another run's checkpoint is refused, naming the difference: no head, another head rate, another start
        IllegalArgumentException noHead = assertThrows(IllegalArgumentException.class,
                () -> planted(model).build().resume(afterThree));
        assertTrue(noHead.getMessage().contains("learned verbalizer: true vs false"), noHead.getMessage());
        IllegalArgumentException rate = assertThrows(IllegalArgumentException.class,
                () -> run.get().headLearningRate(0.05).build().resume(afterThree));
        assertTrue(rate.getMessage().contains("headLearningRate: 0.02 vs 0.05"), rate.getMessage());
        IllegalArgumentException start = assertThrows(IllegalArgumentException.class,
                () -> planted(model).learnedVerbalizer(true).headLearningRate(0.02).build().resume(afterThree));
        assertTrue(start.getMessage().contains("initial head (SHA-256)"), start.getMessage());
        // a head given in part is refused when read, naming the field
        String json = saved.get(1).toJson();
        assertTrue(json.contains(PrefixTuningState.FORMAT_WITH_HEAD), "a head's checkpoint says so in its format");
        IllegalArgumentException part = assertThrows(IllegalArgumentException.class, () -> PrefixTuningState
                .fromJson(json.replaceFirst("\"bestHead\" : \"[^\"]*\"", "\"bestHead\" : null")));
        assertTrue(part.getMessage().contains("'bestHead' is missing or null"), part.getMessage());
    }

    @Test
    void aLearnedVerbalizerStartsFromTheGivenHeadAndRefusesOneOfOtherClasses() {
        ShiftModel model = new ShiftModel();
        // positive logit s - 2 against 0: separates s = 3 (positive) from s = 1 (negative) with no prefix
        LinearVerbalizer separating = LinearVerbalizer.of(List.of("negative", "positive"),
                List.of(new float[4], new float[] {1, 0, 0, 0}), new float[] {0, -2});
        PrefixTuningResult r = planted(model).initScale(0).epochs(1).learnedVerbalizer(true)
                .initialHead(separating).build().run();
        assertEquals(1.0, r.epochs().get(0).selectionAccuracy(), 1e-12,
                "epoch 0 is the given head (the label words' head leans: 0.5)");
        LinearVerbalizer swapped = LinearVerbalizer.of(List.of("positive", "negative"),
                List.of(new float[] {1, 0, 0, 0}, new float[4]), new float[] {-2, 0});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> planted(model)
                .learnedVerbalizer(true).initialHead(swapped).build());
        assertTrue(e.getMessage().contains("[positive, negative]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> planted(model).initialHead(separating).build());
        assertTrue(e.getMessage().contains("learnedVerbalizer(true)"), e.getMessage());
    }

    @Test
    void aReparameterisedPrefixLearnsTheShiftThroughItsMlpAndSavesThePrefixAlone() {
        ShiftModel model = new ShiftModel();
        PrefixTuningResult r = PrefixTuner.builder(model).template(LEANING).verbalizer(WORDS).train(data(32, "t"))
                .selection(data(8, "s")).prefixLength(2).reparameterization(8).learningRate(0.02).epochs(20)
                .batchSize(8).patience(20).initScale(0.01).seed(3).build().run();
        assertEquals(0.5, r.epochs().get(0).selectionAccuracy(), 1e-12, "a near-zero prefix leaves the lean");
        assertEquals(1.0, r.selectionAccuracy(), 1e-12);
        double shift = ShiftModel.shift(r.prefix());
        assertTrue(shift < -1 && shift > -3, "learned shift " + shift);
        PrefixTuningResult back = PrefixTuningResult.fromJson(r.toJson());
        assertEquals(r.prefix(), back.prefix());
        List<String> texts = List.of("fun x", "bad y");
        assertEquals(List.of("positive", "negative"), back.classifier(model).classifyAll(texts).stream()
                .map(Classification::label).toList());
    }

    @Test
    void aReparameterisationRefusesCheckpointsResumingAndANegativeWidth() {
        ShiftModel model = new ShiftModel();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> planted(model)
                .reparameterization(8).checkpoints(c -> { }).build());
        assertTrue(e.getMessage().contains("writes no checkpoints"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> planted(model).reparameterization(-1).build());
        List<PrefixTuningState> states = new ArrayList<>();
        planted(model).epochs(1).checkpoints(states::add).build().run();
        IllegalStateException s = assertThrows(IllegalStateException.class, () -> planted(model).epochs(1)
                .reparameterization(8).build().resume(states.get(0)));
        assertTrue(s.getMessage().contains("cannot resume"), s.getMessage());
    }

    /** The planted run of the first test, shorter: 6 epochs, every one of them run (patience 20). */
    static PrefixTuner.Builder planted(ShiftModel model) {
        return PrefixTuner.builder(model).template(LEANING).verbalizer(WORDS).train(data(32, "t"))
                .selection(data(8, "s")).prefixLength(2).learningRate(0.05).epochs(6).batchSize(8).patience(20)
                .initScale(0.01).seed(7);
    }

    /** Epoch records without their wall times. */
    static List<String> trajectory(List<PrefixTuningEpoch> epochs) {
        return epochs.stream().map(e -> e.epoch() + "/" + e.steps() + "/" + e.trainLoss() + "/"
                + e.selectionAccuracy()).toList();
    }

    @Test
    void aRunResumedFromItsJsonCheckpointEndsExactlyAsTheUninterruptedRun() {
        ShiftModel model = new ShiftModel();
        List<PrefixTuningState> saved = new ArrayList<>();
        PrefixTuningResult whole = planted(model).checkpoints(saved::add).build().run();
        assertEquals(7, saved.size(), "a checkpoint after epoch 0 and after each of the 6 epochs");
        assertTrue(saved.get(6).finished());
        // interrupted after epoch 2: a fresh tuner continues from the checkpoint, written and read back as JSON
        PrefixTuningState afterTwo = PrefixTuningState.fromJson(saved.get(2).toJson());
        assertEquals(2, afterTwo.epochsDone());
        assertEquals(2 * 4, afterTwo.steps());
        List<Integer> seen = new ArrayList<>();
        List<PrefixTuningState> later = new ArrayList<>();
        PrefixTuningResult resumed = planted(model).listener(e -> seen.add(e.epoch())).checkpoints(later::add)
                .build().resume(afterTwo);
        assertEquals(List.of(3, 4, 5, 6), seen);
        assertEquals(whole.prefix(), resumed.prefix(), "same kept prefix to the bit");
        PrefixTuningState end = later.get(later.size() - 1);
        assertEquals(saved.get(6).current(), end.current(), "same last prefix to the bit");
        assertArrayEquals(saved.get(6).adamSecond(), end.adamSecond());
        assertEquals(whole.bestEpoch(), resumed.bestEpoch());
        assertEquals(trajectory(whole.epochs()), trajectory(resumed.epochs()));
        assertEquals(whole.gradientPasses(), resumed.gradientPasses());
        assertEquals(whole.forwardPasses(), resumed.forwardPasses());
        // without Adam's moments the continuation would differ: the checkpoint's optimiser state is what makes it exact
        PrefixTuningState forgetful = new PrefixTuningState(afterTwo.modelName(), afterTwo.template(),
                afterTwo.labelWords(), afterTwo.prefixLength(), afterTwo.loss(), afterTwo.learningRate(),
                afterTwo.epochs(), afterTwo.batchSize(), afterTwo.warmupFraction(), afterTwo.maxLength(),
                afterTwo.seed(), afterTwo.dataDigest(), 2, afterTwo.steps(), afterTwo.current(),
                new double[afterTwo.current().size()], new double[afterTwo.current().size()], afterTwo.best(),
                afterTwo.bestEpoch(), afterTwo.epochRecords(), afterTwo.forwardPasses(), afterTwo.gradientPasses(),
                afterTwo.elapsedMillis(), afterTwo.longestEpochMillis(), false, java.util.Optional.empty());
        List<PrefixTuningState> lost = new ArrayList<>();
        planted(model).checkpoints(lost::add).build().resume(forgetful);
        assertNotEquals(saved.get(6).current(), lost.get(lost.size() - 1).current());
        // a finished checkpoint trains nothing
        PrefixTuningResult again = planted(model).build().resume(PrefixTuningState.fromJson(saved.get(6).toJson()));
        assertEquals(whole.prefix(), again.prefix());
        assertEquals(whole.gradientPasses(), again.gradientPasses());
    }

    @Test
    void resumingRefusesACheckpointOfAnotherRunNamingTheDifference() {
        ShiftModel model = new ShiftModel();
        List<PrefixTuningState> saved = new ArrayList<>();
        planted(model).epochs(1).checkpoints(saved::add).build().run();
        PrefixTuningState first = saved.get(0);
        IllegalArgumentException lr = assertThrows(IllegalArgumentException.class,
                () -> planted(model).epochs(1).learningRate(0.1).build().resume(first));
        assertTrue(lr.getMessage().contains("learningRate: 0.05 vs 0.1"), lr.getMessage());
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
                () -> planted(model).epochs(1).train(data(32, "u")).build().resume(first));
        assertTrue(other.getMessage().contains("training and selection data"), other.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PrefixTuningState.fromJson(first.toJson()
                .replace(PrefixTuningState.FORMAT, "other/1")));
        assertThrows(IllegalArgumentException.class, () -> planted(model).build().resume(null));
    }

    @Test
    void theClassCrossEntropyLearnsTheShiftAndIsPartOfTheCheckpoint() {
        ShiftModel model = new ShiftModel();
        List<PrefixTuningState> saved = new ArrayList<>();
        PrefixTuningResult r = planted(model).loss(SearchLoss.CLASS_CROSS_ENTROPY).epochs(20).checkpoints(saved::add)
                .build().run();
        assertEquals(1.0, r.selectionAccuracy(), 1e-12);
        double shift = ShiftModel.shift(r.prefix());
        assertTrue(shift < -1 && shift > -3, "learned shift " + shift);
        // the reported loss is the class cross-entropy, smaller than the likelihood over the whole fake vocabulary
        assertTrue(r.epochs().get(1).trainLoss() < planted(model).epochs(1).build().run().epochs().get(1).trainLoss());
        assertEquals("CLASS_CROSS_ENTROPY", saved.get(0).loss());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> planted(model).epochs(20).build().resume(saved.get(1)));
        assertTrue(e.getMessage().contains("loss: CLASS_CROSS_ENTROPY vs LABEL_LIKELIHOOD"), e.getMessage());
    }

    @Test
    void theTunerRefusesOverlappingSplitsAndMultiPieceWords() {
        ShiftModel model = new ShiftModel();
        List<Example> train = data(8, "t");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PrefixTuner.builder(model)
                .template(LEANING).verbalizer(WORDS).train(train).selection(train.subList(0, 2)).build());
        assertTrue(e.getMessage().contains("disjoint"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PrefixTuner.builder(model)
                .template(Template.parse("{text} [P] [MASK].")).verbalizer(WORDS).train(train)
                .selection(data(2, "s")).build());
        assertThrows(IllegalArgumentException.class, () -> PrefixTuningResult.fromJson(
                PrefixTuner.builder(model).template(LEANING).verbalizer(WORDS).train(train).selection(data(2, "s"))
                        .epochs(1).build().run().toJson().replace("prompt4j-prefix-tuning/1", "other/1")));
    }

    /**
     * The fake sentiment model with prefixes: {@code s' = s + shift}, {@code shift} = the sum of every key's first
     * dimension; logits {@code sign_v * s'}. The prefix gradient is exact: {@code dL/d key[l,p,0] = dL/ds'}, 0
     * elsewhere.
     */
    static final class ShiftModel extends FakeModelDelegate implements PrefixTunableModel, HeadTrainableModel {
        /** The ids of every prompt a head gradient was asked for. */
        final List<List<Integer>> headTrained = new ArrayList<>();

        static double shift(Prefix p) {
            float[] k = p.keys();
            double s = 0;
            for (int row = 0; row < p.layers() * p.length(); row++) {
                s += k[row * p.hidden()];
            }
            return s;
        }

        static int sign(int id) {
            return FakeMaskedLanguageModel.POSITIVE.contains(id) ? 1
                    : FakeMaskedLanguageModel.NEGATIVE.contains(id) ? -1 : 0;
        }

        static double sentiment(EncodedPrompt p) {
            int s = 0;
            for (int id : p.ids()) {
                s += sign(id);
            }
            return s;
        }

        @Override
        public int layerCount() {
            return 2;
        }

        @Override
        public MaskLogits prefixMaskLogits(List<SoftInput> inputs, Prefix prefix, int[] tokenIds) {
            double shift = shift(prefix);
            int[] counts = new int[inputs.size()];
            float[] values = new float[inputs.size() * tokenIds.length];
            float[] norms = new float[inputs.size()];
            for (int i = 0; i < inputs.size(); i++) {
                counts[i] = 1;
                double s = sentiment(inputs.get(i).prompt()) + shift;
                for (int j = 0; j < tokenIds.length; j++) {
                    values[i * tokenIds.length + j] = (float) (sign(tokenIds[j]) * s);
                }
                norms[i] = (float) FakeMaskedLanguageModel.logNormalizer(s);
            }
            return new MaskLogits(tokenIds, new MaskVectors(tokenIds.length, counts, values), norms);
        }

        /** The transformed state of the fake model, {@code [s', 0, 0, 0]}, with the prefix's shift. */
        @Override
        public MaskVectors prefixMaskHiddenStates(List<SoftInput> inputs, Prefix prefix) {
            int h = FakeMaskedLanguageModel.HIDDEN;
            float[] values = new float[inputs.size() * h];
            int[] counts = new int[inputs.size()];
            for (int i = 0; i < inputs.size(); i++) {
                counts[i] = 1;
                values[i * h] = (float) (sentiment(inputs.get(i).prompt()) + shift(prefix));
            }
            return new MaskVectors(h, counts, values);
        }

        @Override
        public MaskVectors softMaskHiddenStates(List<SoftInput> inputs) {
            throw new UnsupportedOperationException("not used");
        }

        @Override
        public List<HeadLossGradient> headLossGradients(List<HeadLossRequest> requests, LinearHead head) {
            throw new UnsupportedOperationException("not used");
        }

        /**
         * Head losses on the states of {@link #prefixMaskHiddenStates} and the exact prefix gradient:
         * {@code dL/ds' = sum_c (p_c - y_c) W[c, 0]} on every key's first dimension.
         */
        @Override
        public PrefixHeadGradient prefixHeadLossGradient(List<HeadLossRequest> requests, LinearHead head,
                Prefix prefix) {
            int h = FakeMaskedLanguageModel.HIDDEN;
            MaskVectors states = prefixMaskHiddenStates(requests.stream().map(r -> SoftInput.discrete(r.prompt()))
                    .toList(), prefix);
            float[] losses = new float[requests.size()];
            float[] w = head.weights();
            double total = 0;
            for (int i = 0; i < requests.size(); i++) {
                headTrained.add(java.util.Arrays.stream(requests.get(i).prompt().ids()).boxed().toList());
                double[] probs = head.probabilities(states.vector(i, 0));
                int gold = requests.get(i).goldClass();
                losses[i] = (float) -Math.log(probs[gold]);
                for (int c = 0; c < probs.length; c++) {
                    total += (probs[c] - (c == gold ? 1 : 0)) * w[c * h];
                }
            }
            int n = prefix.layers() * prefix.length() * prefix.hidden();
            float[] keys = new float[n];
            for (int row = 0; row < prefix.layers() * prefix.length(); row++) {
                keys[row * prefix.hidden()] = (float) total;
            }
            float[] flatStates = new float[requests.size() * h];
            for (int i = 0; i < requests.size(); i++) {
                states.copyVector(i, 0, flatStates, i * h);
            }
            return new PrefixHeadGradient(losses, flatStates, h, new PrefixGradient(losses, keys, new float[n]));
        }

        @Override
        public PrefixGradient prefixLabelLossGradient(List<GradientRequest> requests, Prefix prefix) {
            int[] vocabulary = new int[fake.info().vocabularySize()];
            java.util.Arrays.setAll(vocabulary, i -> i);
            return gradient(requests, prefix, vocabulary);
        }

        @Override
        public PrefixGradient prefixClassLossGradient(List<GradientRequest> requests, Prefix prefix,
                int[] labelTokenIds) {
            return gradient(requests, prefix, labelTokenIds);
        }

        /**
         * Losses {@code -log (sum_gold p / sum_{normaliser} p)} with {@code p_v ~ exp(sign_v s')}, and the exact
         * gradient: {@code dL/ds' = E_p[sign] - E_{p | gold}[sign]} on every key's first dimension.
         */
        private PrefixGradient gradient(List<GradientRequest> requests, Prefix prefix, int[] normaliser) {
            double shift = shift(prefix);
            float[] losses = new float[requests.size()];
            double total = 0;
            for (int i = 0; i < requests.size(); i++) {
                double s = sentiment(requests.get(i).prompt()) + shift;
                double z = 0;
                double meanSign = 0;
                for (int id : normaliser) {
                    z += Math.exp(sign(id) * s);
                    meanSign += Math.exp(sign(id) * s) * sign(id);
                }
                double gold = 0;
                double goldSign = 0;
                for (int g : requests.get(i).goldTokenIds()) {
                    double p = Math.exp(sign(g) * s) / z;
                    gold += p;
                    goldSign += p * sign(g);
                }
                losses[i] = (float) -Math.log(gold);
                total += meanSign / z - goldSign / gold;
            }
            int n = prefix.layers() * prefix.length() * prefix.hidden();
            float[] keys = new float[n];
            for (int row = 0; row < prefix.layers() * prefix.length(); row++) {
                keys[row * prefix.hidden()] = (float) total;
            }
            return new PrefixGradient(losses, keys, new float[n]);
        }
    }
}
