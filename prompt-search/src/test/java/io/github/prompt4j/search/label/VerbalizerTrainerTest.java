package io.github.prompt4j.search.label;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.model.EmbeddingMatrix;
import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.GradientRequest;
import io.github.prompt4j.core.model.LabelLossGradient;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.core.model.MaskStateCache;
import io.github.prompt4j.core.model.MaskVectors;
import io.github.prompt4j.core.model.MaskedLanguageModel;
import io.github.prompt4j.core.model.ModelInfo;
import io.github.prompt4j.core.model.Prefix;
import io.github.prompt4j.core.model.SoftInput;
import io.github.prompt4j.core.model.Tokenizer;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.testing.FakeMaskedLanguageModel;
import io.github.prompt4j.core.verbalizer.LinearVerbalizer;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.search.data.Example;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The learned verbalizer's fit on the fake model, whose transformed mask state is {@code h = (s, 0, 0, 0)} with
 * {@code s} = positive minus negative tokens, and whose output embeddings start with each word's sign.
 */
class VerbalizerTrainerTest {

    private static final Template TEMPLATE = Template.parse("{sentence} it was [MASK] .");
    private static final Verbalizer WORDS = Verbalizer.builder().add("0", "terrible").add("1", "great").build();

    /**
     * Data whose labels contradict the words: texts with more positive words are class 0. The label words' classifier
     * gets every one wrong; a learned verbalizer must turn round.
     */
    static List<Example> reversed(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        String[] pos = {"good", "great", "fun", "happy"};
        String[] neg = {"bad", "terrible", "awful", "sad"};
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean positive = i % 2 == 0;
            int k = 1 + r.nextInt(3);
            StringBuilder text = new StringBuilder("the movie");
            for (int j = 0; j < k; j++) {
                text.append(' ').append(positive ? pos[r.nextInt(4)] : neg[r.nextInt(4)]);
            }
            out.add(Example.of("sentence", text.toString(), positive ? "0" : "1"));
        }
        return out;
    }

    @Test
    void objectiveGradientMatchesFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(7);
        int n = 9;
        int dim = 4;
        int classes = 3;
        double[][] x = new double[n][dim];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < dim; j++) {
                x[i][j] = r.nextDouble(-2, 2);
            }
            y[i] = r.nextInt(classes);
        }
        double[] centre = new double[classes * dim];
        double[] theta = new double[classes * (dim + 1)];
        for (int k = 0; k < centre.length; k++) {
            centre[k] = r.nextDouble(-1, 1);
        }
        for (int k = 0; k < theta.length; k++) {
            theta[k] = r.nextDouble(-1, 1);
        }
        double l2 = 0.37;
        double[] grad = new double[theta.length];
        LogisticRegression.objective(theta, x, y, classes, l2, centre, grad);
        double h = 1e-6;
        for (int k = 0; k < theta.length; k++) {
            double[] plus = theta.clone();
            double[] minus = theta.clone();
            plus[k] += h;
            minus[k] -= h;
            double[] unused = new double[theta.length];
            double fd = (LogisticRegression.objective(plus, x, y, classes, l2, centre, unused)
                    - LogisticRegression.objective(minus, x, y, classes, l2, centre, unused)) / (2 * h);
            assertEquals(fd, grad[k], 1e-7, "component " + k);
        }
        // the penalty is centred: at theta = centre (biases 0) and no data pull, it contributes nothing
        double[] atCentre = Arrays.copyOf(centre, theta.length);
        double[] g0 = new double[theta.length];
        double withPenalty = LogisticRegression.objective(atCentre, x, y, classes, l2, centre, g0);
        double without = LogisticRegression.objective(atCentre, x, y, classes, 0, centre, new double[theta.length]);
        assertEquals(without, withPenalty, 1e-12);
    }

    @Test
    void centredFitIsStationaryAndStrongPenaltyStaysAtTheCentre() {
        // one feature, two classes: x = +1 is class 1, x = -1 class 0, and one x = +1 labelled 0
        double[][] x = {{1}, {1}, {1}, {-1}, {-1}};
        int[] y = {1, 1, 0, 0, 0};
        double[][] centre = {{-0.5}, {0.25}};
        LogisticRegression.Fit f = LogisticRegression.fit(x, y, 2, 0.1, centre, new double[] {0, 0}, 500, 1e-10);
        // stationarity (hand-derived): l2 (w_c - m_c) = -(1/n) sum_i (p_ic - [y_i = c]) x_i, sum_i (p_ic - [y_i=c]) = 0
        double[] dw = new double[2];
        double[] db = new double[2];
        for (int i = 0; i < x.length; i++) {
            double z0 = f.weights()[0][0] * x[i][0] + f.bias()[0];
            double z1 = f.weights()[1][0] * x[i][0] + f.bias()[1];
            double p1 = 1 / (1 + Math.exp(z0 - z1));
            double[] p = {1 - p1, p1};
            for (int c = 0; c < 2; c++) {
                dw[c] += (p[c] - (y[i] == c ? 1 : 0)) * x[i][0] / x.length;
                db[c] += (p[c] - (y[i] == c ? 1 : 0)) / x.length;
            }
        }
        for (int c = 0; c < 2; c++) {
            assertEquals(-dw[c], 0.1 * (f.weights()[c][0] - centre[c][0]), 1e-8);
            assertEquals(0, db[c], 1e-8);
        }
        LogisticRegression.Fit stiff = LogisticRegression.fit(x, y, 2, 1e6, centre, new double[] {0, 0}, 500, 1e-12);
        assertEquals(-0.5, stiff.weights()[0][0], 1e-5);
        assertEquals(0.25, stiff.weights()[1][0], 1e-5);
    }

    @Test
    void learnsToOverruleLabelWordsThatContradictTheData() {
        FakeMaskedLanguageModel model = new FakeMaskedLanguageModel();
        List<Example> train = reversed(40, 1);
        LearnedVerbalizerResult r = VerbalizerTrainer.builder(model).template(TEMPLATE).verbalizer(WORDS)
                .train(train).build().run();
        assertEquals(0.0, r.initialSelectionAccuracy(), 1e-12, "terrible/great get every reversed example wrong");
        assertEquals(8, r.selectionExamples(), "20% of each class of 20");
        assertEquals(32, r.trainExamples());
        assertEquals(VerbalizerSettings.DEFAULT_L2_GRID.size(), r.selectionScores().size());
        SelectionScore chosen = r.selectionScores().stream().filter(s -> s.l2() == r.chosenL2()).findFirst()
                .orElseThrow();
        assertEquals(1.0, chosen.accuracy(), 1e-12);
        assertEquals(chosen.accuracy(), r.selectionAccuracy(), 0.0);
        for (SelectionScore s : r.selectionScores()) {
            assertTrue(s.accuracy() < chosen.accuracy()
                    || (s.accuracy() == chosen.accuracy() && s.logLoss() >= chosen.logLoss()), s.toString());
        }
        // h = (s, 0, 0, 0): only dimension 0 moves; the inert dimensions keep the label words' embedding values
        LinearVerbalizer v = r.verbalizer();
        assertTrue(v.weights(0)[0] > v.weights(1)[0], "class 0 now takes positive sentiment");
        assertEquals(model.outputEmbeddings().get(model.tokenizer().tokenToId("terrible").getAsInt(), 2),
                v.weights(0)[2], 1e-6);
        PromptClassifier c = r.classifier(model);
        for (Example e : reversed(20, 99)) {
            assertEquals(e.label(), c.classify(e.fields().get("sentence")).label(), e.toString());
        }
    }

    @Test
    void crossValidationScoresEveryExampleOutOfFoldAndRefitsOnAll() {
        FakeMaskedLanguageModel model = new FakeMaskedLanguageModel();
        // a strength so strong that the weights stay at terrible / great, which get every reversed example wrong
        List<Double> grid = List.of(1e-3, 1e6);
        LearnedVerbalizerResult r = VerbalizerTrainer.builder(model).template(TEMPLATE).verbalizer(WORDS)
                .train(reversed(24, 1)).selection(reversed(8, 2)).l2Grid(grid).crossValidation(4).build().run();
        assertEquals(4, r.settings().folds());
        assertEquals(32, r.trainExamples(), "train and selection pooled");
        assertEquals(32, r.selectionExamples(), "every example scored once, out of fold");
        assertEquals(0.0, r.initialSelectionAccuracy(), 1e-12);
        // one separating feature: a free fit on 3 folds classifies the 4th without error; the pinned one never
        assertEquals(1.0, r.selectionScores().get(0).accuracy(), 1e-12);
        assertEquals(0.0, r.selectionScores().get(1).accuracy(), 1e-12);
        assertEquals(1e-3, r.chosenL2());
        assertEquals(1.0, r.selectionAccuracy(), 1e-12, "the chosen strength's out-of-fold accuracy");
        PromptClassifier c = r.classifier(model);
        for (Example e : reversed(20, 99)) {
            assertEquals(e.label(), c.classify(e.fields().get("sentence")).label(), e.toString());
        }
        assertEquals(r, LearnedVerbalizerResult.fromJson(r.toJson()), "the folds are saved with the settings");
        // the chosen strength is refitted on all 32: the same as a fit without cross-validation that refits on all
        LearnedVerbalizerResult plain = VerbalizerTrainer.builder(model).template(TEMPLATE).verbalizer(WORDS)
                .train(reversed(24, 1)).selection(reversed(8, 2)).l2Grid(List.of(1e-3)).build().run();
        assertEquals(plain.verbalizer(), r.verbalizer());
    }

    @Test
    void foldsAreStratifiedSeededAndEven() {
        int[] y = new int[23];
        for (int i = 0; i < y.length; i++) {
            y[i] = i < 15 ? 0 : 1;
        }
        int[] fold = VerbalizerTrainer.folds(y, 2, 4, 7);
        assertArrayEquals(fold, VerbalizerTrainer.folds(y, 2, 4, 7), "a function of the seed");
        int[][] count = new int[4][2];
        for (int i = 0; i < y.length; i++) {
            count[fold[i]][y[i]]++;
        }
        for (int f = 0; f < 4; f++) {
            // 15 of class 0 dealt over 4 folds: 4, 4, 4, 3; then class 1's 8 continue: 2 each
            assertTrue(count[f][0] == 3 || count[f][0] == 4, Arrays.toString(count[f]));
            assertEquals(2, count[f][1], Arrays.toString(count[f]));
            int size = count[f][0] + count[f][1];
            assertTrue(size == 5 || size == 6, "fold sizes differ by at most one: " + size);
        }
        assertThrows(IllegalArgumentException.class, () -> VerbalizerTrainer.folds(new int[] {0, 1}, 2, 3, 1));
    }

    @Test
    void savedAndLoadedGivesIdenticalPredictions() {
        FakeMaskedLanguageModel model = new FakeMaskedLanguageModel();
        LearnedVerbalizerResult r = VerbalizerTrainer.builder(model).template(TEMPLATE).verbalizer(WORDS)
                .train(reversed(30, 3)).seed(5).build().run();
        String json = r.toJson();
        assertTrue(json.contains(LearnedVerbalizerResult.FORMAT));
        LearnedVerbalizerResult back = LearnedVerbalizerResult.fromJson(json);
        assertEquals(r.verbalizer(), back.verbalizer(), "bit-identical weights");
        assertEquals(r, back);
        List<String> texts = reversed(15, 4).stream().map(e -> e.fields().get("sentence")).toList();
        List<Classification> a = r.classifier(model).classifyAll(texts);
        List<Classification> b = back.classifier(model).classifyAll(texts);
        assertEquals(a, b);
        IllegalArgumentException wrongFormat = assertThrows(IllegalArgumentException.class,
                () -> LearnedVerbalizerResult.fromJson(json.replace(LearnedVerbalizerResult.FORMAT, "other/1")));
        assertTrue(wrongFormat.getMessage().contains("format"), wrongFormat.getMessage());
    }

    @Test
    void onlyTrainingExamplesAreEverScoredAndTheSelectionIsCarvedFromThem() {
        RecordingModel model = new RecordingModel(new FakeMaskedLanguageModel());
        List<Example> train = reversed(30, 11);
        VerbalizerTrainer trainer = VerbalizerTrainer.builder(model).template(TEMPLATE).verbalizer(WORDS).train(train)
                .selectionFraction(0.3).seed(2).build();
        List<List<Example>> split = trainer.split();
        // by identity: the random texts repeat, the examples do not
        Set<Example> fit = identitySet(split.get(0));
        Set<Example> held = identitySet(split.get(1));
        assertTrue(Collections.disjoint(fit, held), "selection examples are not fitted");
        Set<Example> union = identitySet(split.get(0));
        union.addAll(held);
        assertEquals(identitySet(train), union);
        assertEquals(10, held.size(), "round(0.3 * 15) = 5 of each class");
        trainer.run();
        // every prompt the model saw is one training prompt, each seen once
        List<String> expected = new ArrayList<>();
        for (Example e : train) {
            expected.add(Arrays.toString(TEMPLATE.encoder(model.tokenizer(), io.github.prompt4j.core.template
                    .Truncation.defaults()).encode(e.valuesFor(TEMPLATE)).ids()));
        }
        List<String> seen = new ArrayList<>(model.seen);
        Collections.sort(expected);
        Collections.sort(seen);
        assertEquals(expected, seen);
    }

    private static Set<Example> identitySet(List<Example> items) {
        Set<Example> set = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        set.addAll(items);
        return set;
    }

    @Test
    void refusesBadConfiguration() {
        FakeMaskedLanguageModel model = new FakeMaskedLanguageModel();
        assertThrows(IllegalArgumentException.class, () -> VerbalizerTrainer.builder(model).template(TEMPLATE)
                .verbalizer(WORDS).train(reversed(8, 1)).crossValidation(1).build());
        IllegalArgumentException noRefit = assertThrows(IllegalArgumentException.class, () -> VerbalizerTrainer
                .builder(model).template(TEMPLATE).verbalizer(WORDS).train(reversed(8, 1)).crossValidation(4)
                .refit(false).build());
        assertTrue(noRefit.getMessage().contains("refit"), noRefit.getMessage());
        assertThrows(IllegalArgumentException.class, () -> VerbalizerTrainer.builder(model).verbalizer(WORDS)
                .train(reversed(4, 1)).build());
        assertThrows(IllegalArgumentException.class, () -> VerbalizerTrainer.builder(model).template(TEMPLATE)
                .verbalizer(WORDS).train(reversed(4, 1)).l2Grid(List.of(-1.0)).build());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> VerbalizerTrainer
                .builder(model).template(TEMPLATE).verbalizer(WORDS)
                .train(List.of(Example.of("sentence", "good", "7"), Example.of("sentence", "bad", "0"))).build()
                .run());
        assertTrue(unknown.getMessage().contains("'7'"), unknown.getMessage());
        // the fake model runs no prefixes: a prefix is refused when the trainer is built, before any pass
        IllegalArgumentException noPrefixes = assertThrows(IllegalArgumentException.class, () -> VerbalizerTrainer
                .builder(model).template(TEMPLATE).verbalizer(WORDS).train(reversed(4, 1))
                .prefix(new Prefix(1, 1, 2, new float[2], new float[2])).build());
        assertTrue(noPrefixes.getMessage().contains("PrefixTunableModel"), noPrefixes.getMessage());
    }

    @Test
    void aStateCacheSavesTheForwardPassesOfExamplesAlreadyRead() {
        RecordingModel model = new RecordingModel(new FakeMaskedLanguageModel());
        MaskStateCache cache = new MaskStateCache(model);
        List<Example> train = reversed(20, 3);
        List<Example> selection = reversed(10, 4);
        LearnedVerbalizerResult first = VerbalizerTrainer.builder(model).template(TEMPLATE).verbalizer(WORDS)
                .train(train).selection(selection).stateCache(cache).build().run();
        int distinct = (int) model.seen.stream().distinct().count();
        assertEquals(distinct, model.seen.size(), "each distinct prompt runs once");
        assertEquals(distinct, first.passes().forwardPasses(), "the passes it ran");
        assertEquals(distinct, cache.size());
        // the same examples with their roles swapped: every state is in the cache, so no pass, and the same result
        // as a trainer without a cache
        LearnedVerbalizerResult again = VerbalizerTrainer.builder(model).template(TEMPLATE).verbalizer(WORDS)
                .train(selection).selection(train).stateCache(cache).build().run();
        assertEquals(distinct, model.seen.size(), "no prompt ran again");
        assertEquals(0, again.passes().forwardPasses());
        LearnedVerbalizerResult uncached = VerbalizerTrainer.builder(model).template(TEMPLATE).verbalizer(WORDS)
                .train(selection).selection(train).build().run();
        assertEquals(30, uncached.passes().forwardPasses(), "one pass per example without a cache");
        assertEquals(uncached.chosenL2(), again.chosenL2(), 0.0);
        assertEquals(uncached.selectionScores(), again.selectionScores());
        for (int c = 0; c < 2; c++) {
            assertArrayEquals(uncached.verbalizer().weights(c), again.verbalizer().weights(c));
        }
        // another template encodes other prompts: nothing is shared
        VerbalizerTrainer.builder(model).template(Template.parse("{sentence} so [MASK] !")).verbalizer(WORDS)
                .train(train).selection(selection).stateCache(cache).build().run();
        assertEquals(2 * distinct, cache.size());
    }

    @Test
    void refusesAStateCacheOfAnotherModelOrBesideAPrefix() {
        FakeMaskedLanguageModel model = new FakeMaskedLanguageModel();
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class, () -> VerbalizerTrainer
                .builder(model).template(TEMPLATE).verbalizer(WORDS).train(reversed(4, 1))
                .stateCache(new MaskStateCache(new FakeMaskedLanguageModel())).build());
        assertTrue(other.getMessage().contains("new MaskStateCache(model)"), other.getMessage());
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> VerbalizerTrainer
                .builder(model).template(TEMPLATE).verbalizer(WORDS).train(reversed(4, 1))
                .stateCache(new MaskStateCache(model)).prefix(new Prefix(1, 1, 2, new float[2], new float[2]))
                .build());
        assertTrue(both.getMessage().contains("stateCache(...) and prefix(...)"), both.getMessage());
    }

    /** Delegates to a model and records the ids of every prompt whose mask states are asked for. */
    private static final class RecordingModel implements MaskedLanguageModel {
        private final MaskedLanguageModel inner;
        final List<String> seen = Collections.synchronizedList(new ArrayList<>());

        RecordingModel(MaskedLanguageModel inner) {
            this.inner = inner;
        }

        @Override
        public Tokenizer tokenizer() {
            return inner.tokenizer();
        }

        @Override
        public ModelInfo info() {
            return inner.info();
        }

        @Override
        public MaskLogits maskLogits(List<EncodedPrompt> prompts) {
            throw new AssertionError("the trainer reads mask states only");
        }

        @Override
        public MaskLogits maskLogits(List<EncodedPrompt> prompts, int[] tokenIds) {
            throw new AssertionError("the trainer reads mask states only");
        }

        @Override
        public MaskLogits softMaskLogits(List<SoftInput> inputs, int[] tokenIds) {
            throw new AssertionError("the trainer reads mask states only");
        }

        @Override
        public MaskVectors maskHiddenStates(List<EncodedPrompt> prompts) {
            prompts.forEach(p -> seen.add(Arrays.toString(p.ids())));
            return inner.maskHiddenStates(prompts);
        }

        @Override
        public EmbeddingMatrix inputEmbeddings() {
            return inner.inputEmbeddings();
        }

        @Override
        public EmbeddingMatrix outputEmbeddings() {
            return inner.outputEmbeddings();
        }

        @Override
        public float[] outputBias() {
            return inner.outputBias();
        }

        @Override
        public List<LabelLossGradient> labelLossGradients(List<GradientRequest> requests) {
            throw new AssertionError("the trainer takes no gradients");
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
