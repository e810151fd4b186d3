package io.github.prompt4j.benchmarks.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.eval.Metrics;
import io.github.prompt4j.core.model.Prefix;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.LinearVerbalizer;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.onnx.export.checkpoint.HuggingFaceBertCheckpoint;
import io.github.prompt4j.onnx.export.model.ModelDirectory;
import io.github.prompt4j.onnx.export.model.ModelExporter;
import io.github.prompt4j.onnx.export.testing.TinyBert;
import io.github.prompt4j.onnx.runtime.Device;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.label.LearnedVerbalizerResult;
import io.github.prompt4j.search.label.VerbalizerTrainer;
import io.github.prompt4j.search.soft.PrefixTuner;
import io.github.prompt4j.search.soft.PrefixTuningResult;
import io.github.prompt4j.search.soft.SoftPromptListener;
import io.github.prompt4j.search.soft.SoftPromptResult;
import io.github.prompt4j.search.soft.SoftPromptTrainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Joint training of a learned verbalizer with a prefix and with soft prompts on a real exported model (a random tiny
 * BERT through ONNX Runtime and prompt4j's head gradient graphs): the head moves from the label words' output
 * embeddings, the kept epoch's recorded selection accuracy is what the saved prompt scores on the selection split, and
 * the prompt read back from JSON classifies identically (exact probabilities).
 */
class JointHeadTrainingTest {

    @TempDir
    static Path dir;
    static ModelDirectory exported;

    static final Verbalizer WORDS = Verbalizer.builder().add("negative", "bad").add("positive", "good").build();
    /** Shorter than every prompt of {@link #data}: training and scoring must cut prompts alike. */
    static final int SHORT = 8;
    /** The template, training and selection examples of the prefix tests. */
    static final Template IT_WAS = Template.parse("{text} it was [MASK] .");
    static final List<Example> TRAIN = data(16, 0);
    static final List<Example> SELECTION = data(8, 100);

    @BeforeAll
    static void export() throws Exception {
        Path hf = TinyBert.random(TinyBert.DEFAULT_CONFIG, 31).writeHuggingFace(dir.resolve("hf"));
        try (HuggingFaceBertCheckpoint c = HuggingFaceBertCheckpoint.fromDirectory(hf)) {
            exported = ModelExporter.export(c, "tiny", dir.resolve("export"));
        }
    }

    private static OnnxMaskedLanguageModel open() {
        return OnnxMaskedLanguageModel.builder().directory(exported.path()).device(Device.CPU).maxBatchSize(4).build();
    }

    /** Sentences of the tiny vocabulary, labelled by their adjective. */
    static List<Example> data(int n, int offset) {
        String[] positive = {"great", "nice", "fun", "excellent", "amazing", "best"};
        String[] negative = {"terrible", "awful", "boring", "poor", "horrible", "worst"};
        String[] nouns = {"movie", "film", "book", "story", "food", "place"};
        List<Example> out = new ArrayList<>();
        for (int i = offset; i < offset + n; i++) {
            boolean pos = i % 2 == 0;
            String adjective = (pos ? positive : negative)[(i / 2) % 6];
            out.add(Example.of("text", "the " + nouns[(i / 3) % 6] + " was " + adjective,
                    pos ? "positive" : "negative"));
        }
        return out;
    }

    /** A prefix of 2 positions with a learned verbalizer: Adam 1e-2 on batches of 4, patience 3, initial scale 0.5. */
    private static PrefixTuner.Builder headPrefix(OnnxMaskedLanguageModel model, int epochs) {
        return PrefixTuner.builder(model).template(IT_WAS).verbalizer(WORDS).train(TRAIN).selection(SELECTION)
                .learnedVerbalizer(true).prefixLength(2).learningRate(1e-2).epochs(epochs).batchSize(4).patience(3)
                .initScale(0.5);
    }

    /**
     * The head {@code Eval prefix --warm-head} starts from: a logistic regression on the mask states under
     * {@code initial}, fitted on {@link #TRAIN}, its L2 strength chosen on {@link #SELECTION}, no refit.
     */
    private static LinearVerbalizer warmHead(OnnxMaskedLanguageModel model, Prefix initial) {
        return VerbalizerTrainer.builder(model).template(IT_WAS).verbalizer(WORDS).train(TRAIN).selection(SELECTION)
                .refit(false).prefix(initial).build().run().verbalizer();
    }

    private static double accuracy(PromptClassifier c, List<Example> examples, Template template) {
        List<Classification> out = c.classifyAllFields(examples.stream().map(e -> e.valuesFor(template)).toList());
        return Metrics.accuracy(examples.stream().map(Example::label).toList(),
                out.stream().map(Classification::label).toList());
    }

    private static void assertSameClassifications(PromptClassifier a, PromptClassifier b, List<Example> examples,
            Template template) {
        List<java.util.Map<String, String>> inputs = examples.stream().map(e -> e.valuesFor(template)).toList();
        assertEquals(a.classifyAllFields(inputs), b.classifyAllFields(inputs));
    }

    @Test
    void aPrefixWithALearnedVerbalizerTrainsOnTheRealGraphsAndReloadsIdentically() {
        try (OnnxMaskedLanguageModel model = open()) {
            PrefixTuningResult r = PrefixTuner.builder(model).template(IT_WAS).verbalizer(WORDS).train(TRAIN)
                    .selection(SELECTION).learnedVerbalizer(true).prefixLength(2).learningRate(1e-2).epochs(3)
                    .batchSize(4).patience(3).build().run();
            LinearVerbalizer head = r.learnedVerbalizer().orElseThrow();
            if (r.bestEpoch() > 0) {
                assertNotEquals(LinearVerbalizer.fromLabelWords(WORDS, model), head);
            }
            assertEquals(4, r.epochs().size());
            assertEquals(r.selectionAccuracy(), accuracy(r.classifier(model), SELECTION, IT_WAS), 1e-12);
            PrefixTuningResult back = PrefixTuningResult.fromJson(r.toJson());
            assertEquals(head, back.learnedVerbalizer().orElseThrow());
            assertSameClassifications(r.classifier(model), back.classifier(model), data(12, 200), IT_WAS);
        }
    }

    @Test
    void aReparameterisedPrefixWithAWarmHeadTrainsOnTheRealGraphsAndReloadsIdentically() {
        try (OnnxMaskedLanguageModel model = open()) {
            LinearVerbalizer warm = VerbalizerTrainer.builder(model).template(IT_WAS).verbalizer(WORDS).train(TRAIN)
                    .selection(SELECTION).refit(false).build().run().verbalizer();
            PrefixTuningResult r = PrefixTuner.builder(model).template(IT_WAS).verbalizer(WORDS).train(TRAIN)
                    .selection(SELECTION).learnedVerbalizer(true).initialHead(warm).reparameterization(8)
                    .prefixLength(2).learningRate(1e-3).epochs(2).batchSize(4).patience(3).build().run();
            assertEquals(3, r.epochs().size());
            if (r.bestEpoch() > 0) {
                assertNotEquals(warm, r.learnedVerbalizer().orElseThrow(), "the head moved from its warm start");
            }
            assertEquals(r.selectionAccuracy(), accuracy(r.classifier(model), SELECTION, IT_WAS), 1e-12);
            PrefixTuningResult back = PrefixTuningResult.fromJson(r.toJson());
            assertEquals(r.prefix(), back.prefix());
            assertSameClassifications(r.classifier(model), back.classifier(model), data(12, 200), IT_WAS);
        }
    }

    @Test
    void aHeadFittedUnderTheInitialPrefixStartsEpochZeroAtItsOwnSelectionAccuracy() {
        try (OnnxMaskedLanguageModel model = open()) {
            for (int width : new int[] {0, 8}) {
                PrefixTuner.Builder settings = PrefixTuner.builder(model).template(IT_WAS).verbalizer(WORDS)
                        .train(TRAIN).selection(SELECTION).learnedVerbalizer(true).reparameterization(width)
                        .prefixLength(2).learningRate(1e-3).epochs(1).batchSize(4).initScale(0.5).maxLength(SHORT);
                Prefix initial = settings.build().initialPrefix();
                assertEquals(initial, settings.build().initialPrefix(), "the initial prefix is a function of the "
                        + "settings");
                LearnedVerbalizerResult fit = VerbalizerTrainer.builder(model).template(IT_WAS).verbalizer(WORDS)
                        .train(TRAIN).selection(SELECTION).refit(false).prefix(initial).maxLength(SHORT).build().run();
                double fitted = fit.selectionAccuracy();
                // the fit's classifier runs under the prefix: it scores the selection split as the fit measured it
                assertEquals(fitted, accuracy(fit.classifier(model), SELECTION, IT_WAS), 1e-12);
                assertThrows(IllegalStateException.class, fit::toJson);
                // epoch 0 of the run that starts from that head and prefix is the same classifier, so the same score
                PrefixTuningResult r = settings.initialHead(fit.verbalizer()).build().run();
                assertEquals(fitted, r.epochs().get(0).selectionAccuracy(), 1e-12, "width " + width);
                // the result keeps the cut it was trained and selected at, and classifies with it after a reload
                assertEquals(OptionalInt.of(SHORT), r.maxLength());
                PrefixTuningResult reloaded = PrefixTuningResult.fromJson(r.toJson());
                assertEquals(r, reloaded);
                assertEquals(r.selectionAccuracy(), accuracy(reloaded.classifier(model), SELECTION, IT_WAS), 1e-12);
            }
        }
    }

    @Test
    void aPrefixWithAWarmHeadResumesOnTheRealGraphsExactlyAsTheUninterruptedRun() {
        try (OnnxMaskedLanguageModel model = open()) {
            java.util.function.Supplier<PrefixTuner.Builder> settings = () -> headPrefix(model, 3)
                    .headLearningRate(3e-3);
            // as Eval prefix --warm-head does, on each part: the head fitted under the initial prefix
            java.util.function.Supplier<LinearVerbalizer> warm = () -> warmHead(model,
                    settings.get().build().initialPrefix());
            List<io.github.prompt4j.search.soft.PrefixTuningState> saved = new ArrayList<>();
            PrefixTuningResult whole = settings.get().initialHead(warm.get()).checkpoints(saved::add).build().run();
            assertEquals(4, saved.size(), "epoch 0 and 3 epochs");
            // interrupted after epoch 1: a second part fits its head again and continues from the JSON checkpoint
            PrefixTuningResult resumed = settings.get().initialHead(warm.get()).build().resume(
                    io.github.prompt4j.search.soft.PrefixTuningState.fromJson(saved.get(1).toJson()));
            assertEquals(whole.prefix(), resumed.prefix(), "same kept prefix to the bit");
            assertEquals(whole.learnedVerbalizer(), resumed.learnedVerbalizer(), "same kept head to the bit");
            assertEquals(whole.bestEpoch(), resumed.bestEpoch());
            assertEquals(whole.epochs().stream().map(e -> e.trainLoss() + "/" + e.selectionAccuracy()).toList(),
                    resumed.epochs().stream().map(e -> e.trainLoss() + "/" + e.selectionAccuracy()).toList());
            // resuming from the label words' head instead of the fitted one is refused, naming the difference
            IllegalArgumentException other = assertThrows(IllegalArgumentException.class, () -> settings.get().build()
                    .resume(saved.get(1)));
            assertTrue(other.getMessage().contains("initial head"), other.getMessage());
        }
    }

    @Test
    void aFrozenWarmHeadStaysWhileThePrefixTrainsUnderIt() {
        try (OnnxMaskedLanguageModel model = open()) {
            java.util.function.Supplier<PrefixTuner.Builder> settings = () -> headPrefix(model, 2);
            Prefix initial = settings.get().build().initialPrefix();
            LinearVerbalizer warm = warmHead(model, initial);
            PrefixTuningResult frozen = settings.get().initialHead(warm).headLearningRate(0).build().run();
            assertEquals(warm, frozen.learnedVerbalizer().orElseThrow(), "a head at rate 0 does not move");
            if (frozen.bestEpoch() > 0) {
                assertNotEquals(initial, frozen.prefix(), "the prefix trained under the frozen head");
            }
            // a head rate equal to the prefix's is the default: the same prompt, bit for bit
            PrefixTuningResult same = settings.get().initialHead(warm).headLearningRate(1e-2).build().run();
            PrefixTuningResult unset = settings.get().initialHead(warm).build().run();
            assertEquals(unset.prefix(), same.prefix());
            assertEquals(unset.learnedVerbalizer(), same.learnedVerbalizer());
            assertEquals(unset.bestEpoch(), same.bestEpoch());
            // a rate without a head to train, or a negative one, is refused
            assertThrows(IllegalArgumentException.class, () -> PrefixTuner.builder(model).template(IT_WAS)
                    .verbalizer(WORDS).train(TRAIN).selection(SELECTION).headLearningRate(1e-3).build());
            assertThrows(IllegalArgumentException.class, () -> settings.get().headLearningRate(-1).build());
        }
    }

    @Test
    void softPromptsWithALearnedVerbalizerTrainOnTheRealGraphsAndReloadIdentically() {
        Template template = Template.parse("{text} [P] [P] [MASK] .");
        List<Example> selection = data(8, 100);
        try (OnnxMaskedLanguageModel model = open()) {
            SoftPromptResult r = SoftPromptTrainer.builder(model).template(template).verbalizer(WORDS)
                    .train(data(16, 0)).selection(selection).learnedVerbalizer(true).initWords(List.of("it", "was"))
                    .learningRate(1e-2).epochs(3).batchSize(4).patience(0).listener(SoftPromptListener.none())
                    .build().run();
            LinearVerbalizer head = r.learnedVerbalizer().orElseThrow();
            assertEquals(3, r.epochsRun());
            assertTrue(r.trainLossHistory().stream().allMatch(l -> l > 0 && Double.isFinite(l)));
            assertEquals(r.bestDevAccuracy(), accuracy(r.classifier(model), selection, template), 1e-12);
            SoftPromptResult back = SoftPromptResult.fromJson(r.toJson());
            assertEquals(head, back.learnedVerbalizer().orElseThrow());
            assertSameClassifications(r.classifier(model), back.classifier(model), data(12, 200), template);
        }
    }
}
