package io.github.prompt4j.onnx.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.eval.Metrics;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.onnx.runtime.PretrainedModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Zero-shot SST-2 on all 872 dev sentences with the real models: AutoPrompt's manual baseline with bert-base-cased
 * must reach 75% (an independent implementation gets about 76% with this exact setup), and the int8 engine must stay
 * within one point of it; bert-base-uncased with
 * "It was [MASK]." is known to be biased toward one class (measured: 56% accuracy, 814 of 872 predicted positive).
 */
class Sst2ZeroShotIT {

    private static final List<String> SENTENCES = new ArrayList<>();
    private static final List<String> GOLD = new ArrayList<>();

    @BeforeAll
    static void readDev() throws IOException {
        List<String> lines = Files.readAllLines(RealModels.shared().resolve("data/sst2/glue/dev.tsv"),
                StandardCharsets.UTF_8);
        for (String line : lines.subList(1, lines.size())) {
            String[] cols = line.split("\t");
            SENTENCES.add(cols[0].strip());
            GOLD.add(cols[1].strip());
        }
        assertEquals(872, SENTENCES.size());
    }

    private static List<String> predict(PromptClassifier c, List<String> texts) {
        return c.classifyAll(texts).stream().map(Classification::label).toList();
    }

    @Test
    void casedManualBaselineReaches75Percent() throws Exception {
        OnnxMaskedLanguageModel model = RealModels.get(PretrainedModels.BERT_BASE_CASED);
        PromptClassifier c = PromptClassifier.builder(model)
                .template(Template.parse("{text} this movie was [MASK]."))
                .verbalizer(Verbalizer.builder().add("0", "terrible").add("1", "fantastic").build())
                .build();
        long start = System.nanoTime();
        List<String> predicted = predict(c, SENTENCES);
        double seconds = (System.nanoTime() - start) / 1e9;
        double accuracy = Metrics.accuracy(GOLD, predicted);
        System.out.printf("SST-2 dev, bert-base-cased, '{text} this movie was [MASK].' terrible/fantastic: "
                + "accuracy %.4f (%d sentences in %.1f s)%n", accuracy, SENTENCES.size(), seconds);
        assertTrue(accuracy >= 0.75, "accuracy " + accuracy);

        // The int8 engine on the same prompt: within one point of float32.
        PromptClassifier int8 = PromptClassifier.builder(RealModels.get(PretrainedModels.BERT_BASE_CASED,
                Precision.INT8)).template(Template.parse("{text} this movie was [MASK]."))
                .verbalizer(Verbalizer.builder().add("0", "terrible").add("1", "fantastic").build()).build();
        start = System.nanoTime();
        List<String> predicted8 = predict(int8, SENTENCES);
        double seconds8 = (System.nanoTime() - start) / 1e9;
        double accuracy8 = Metrics.accuracy(GOLD, predicted8);
        long agree = java.util.stream.IntStream.range(0, predicted.size())
                .filter(i -> predicted.get(i).equals(predicted8.get(i))).count();
        System.out.printf("same prompt, INT8: accuracy %.4f (%.1f s; %d of %d predictions equal FP32's)%n",
                accuracy8, seconds8, agree, predicted.size());
        assertEquals(accuracy, accuracy8, 0.01, "int8 accuracy within one point of float32");

        // Eight threads sharing the model get the sequential predictions.
        List<String> slice = SENTENCES.subList(0, 64);
        List<String> expected = predicted.subList(0, 64);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<String>>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                futures.add(pool.submit(() -> predict(c, slice)));
            }
            for (Future<List<String>> f : futures) {
                assertEquals(expected, f.get());
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void uncasedItWasTemplateIsBiasedTowardOneClass() {
        OnnxMaskedLanguageModel model = RealModels.get(PretrainedModels.BERT_BASE_UNCASED);
        PromptClassifier c = PromptClassifier.builder(model)
                .template(Template.parse("{text} It was [MASK]."))
                .verbalizer(Verbalizer.builder().add("0", "terrible", "bad").add("1", "great", "good").build())
                .build();
        List<String> predicted = predict(c, SENTENCES);
        double accuracy = Metrics.accuracy(GOLD, predicted);
        long positive = predicted.stream().filter("1"::equals).count();
        System.out.printf("SST-2 dev, bert-base-uncased, '{text} It was [MASK].' terrible,bad/great,good: "
                + "accuracy %.4f, %d of %d predicted positive (gold: %d)%n", accuracy, positive, predicted.size(),
                GOLD.stream().filter("1"::equals).count());
        assertTrue(accuracy > 0.5, "better than chance: " + accuracy);
        // Zero-shot BERT-base prefers the positive words here: far more than the gold 51% come out positive.
        assertTrue(positive > 0.75 * predicted.size(), positive + " positive predictions");
    }
}
