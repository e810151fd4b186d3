package io.github.prompt4j.search.label;

import io.github.prompt4j.search.vocab.VocabularyFilter;
import io.github.prompt4j.core.model.MaskLogits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.core.testing.FakeTokenizer;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.testing.LinearBagModel;
import io.github.prompt4j.search.testing.Planted;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LabelWordSearchTest {

    private static final Template TEMPLATE = Template.parse("{sentence} [MASK] .");

    @Test
    void recoversThePlantedClassIndicativeWords() {
        LinearBagModel model = Planted.model();
        LabelWordSearchResult r = LabelWordSearch.builder(model).template(TEMPLATE).train(Planted.examples(40, 0))
                .wordsPerClass(2).l2(1e-2).build().run();
        assertEquals(List.of("positive", "negative"), r.classes());
        assertEquals("great", r.words().get("positive").get(0).word());
        assertEquals("terrible", r.words().get("negative").get(0).word());
        assertEquals(2, r.words().get("positive").size());
        assertEquals(2, r.words().get("negative").size());
        assertEquals(1.0, r.trainAccuracy(), 1e-12);
        for (List<ScoredWord> words : r.words().values()) {
            for (int i = 1; i < words.size(); i++) {
                assertTrue(words.get(i - 1).score() >= words.get(i).score(), "best first");
            }
        }
        assertEquals(List.of("great", r.words().get("positive").get(1).word()), r.verbalizer().words().get(
                "positive"));
    }

    @Test
    void wordScoresAreClassWeightsDotOutputEmbeddings() {
        LinearBagModel model = Planted.model();
        List<Example> train = Planted.examples(40, 0);
        LabelWordSearchResult r = LabelWordSearch.builder(model).template(TEMPLATE).train(train).wordsPerClass(1)
                .build().run();
        // refit on independently computed hidden states (the double's closed form) and recompute the score by hand
        double[][] x = new double[train.size()][];
        int[] y = new int[train.size()];
        for (int i = 0; i < train.size(); i++) {
            EncodedPrompt p = TEMPLATE.encoder(model.tokenizer()).encode(train.get(i).fields().get("sentence"));
            x[i] = model.hidden(p, null);
            y[i] = train.get(i).label().equals("positive") ? 0 : 1;
        }
        LogisticRegression.Fit fit = LogisticRegression.fit(x, y, 2, 1e-2, 500, 1e-6);
        int great = FakeTokenizer.id("great");
        double expected = 0;
        for (int j = 0; j < Planted.DIM; j++) {
            expected += fit.weights()[0][j] * model.outputEmbeddings().get(great, j);
        }
        assertEquals(expected, r.words().get("positive").get(0).score(), 1e-5);
    }

    @Test
    void logisticRegressionReachesTheStationaryPointOfThePenalisedLoss() {
        SplittableRandom rng = new SplittableRandom(4);
        int n = 60;
        int d = 3;
        double[][] x = new double[n][d];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 3;
            for (int j = 0; j < d; j++) {
                x[i][j] = rng.nextGaussian() + (j == y[i] ? 1.5 : 0);
            }
        }
        double l2 = 0.05;
        LogisticRegression.Fit fit = LogisticRegression.fit(x, y, 3, l2, 1000, 1e-9);
        // gradient of the objective computed here from scratch: (1/n) sum (p - onehot) x + l2 w, and for biases
        double[][] gw = new double[3][d];
        double[] gb = new double[3];
        for (int i = 0; i < n; i++) {
            double[] z = new double[3];
            double norm = 0;
            for (int c = 0; c < 3; c++) {
                z[c] = fit.bias()[c];
                for (int j = 0; j < d; j++) {
                    z[c] += fit.weights()[c][j] * x[i][j];
                }
                norm += Math.exp(z[c]);
            }
            for (int c = 0; c < 3; c++) {
                double r = Math.exp(z[c]) / norm - (c == y[i] ? 1 : 0);
                gb[c] += r / n;
                for (int j = 0; j < d; j++) {
                    gw[c][j] += r * x[i][j] / n;
                }
            }
        }
        for (int c = 0; c < 3; c++) {
            assertEquals(0, gb[c], 1e-7);
            for (int j = 0; j < d; j++) {
                assertEquals(0, gw[c][j] + l2 * fit.weights()[c][j], 1e-7);
            }
        }
        assertTrue(fit.weights()[1][1] > fit.weights()[0][1], "class 1 weighs feature 1 up");
    }

    @Test
    void wordsAreExclusiveToOneClassAndPassTheFilter() {
        LabelWordSearchResult r = LabelWordSearch.builder(Planted.model()).template(TEMPLATE)
                .train(Planted.examples(40, 0)).wordsPerClass(5).build().run();
        List<String> all = new ArrayList<>();
        r.words().values().forEach(ws -> ws.forEach(w -> all.add(w.word())));
        assertEquals(all.size(), all.stream().distinct().count());
        for (String w : all) {
            assertFalse(w.startsWith("[") || w.startsWith("##"), w);
        }
        LabelWordSearchResult back = LabelWordSearchResult.fromJson(r.toJson());
        assertEquals(r, back);
    }

    @Test
    void extendKeepsTheSeedWordsAndAddsTheBestNewSearchedOnes() {
        Map<String, List<ScoredWord>> words = new LinkedHashMap<>();
        words.put("negative", List.of(new ScoredWord("bad", 1, 3.0), new ScoredWord("great", 2, 2.5),
                new ScoredWord("terrible", 3, 2.0), new ScoredWord("dull", 4, 1.0)));
        words.put("positive", List.of(new ScoredWord("fine", 5, 2.0), new ScoredWord("superb", 6, 1.5),
                new ScoredWord("fun", 7, 1.0), new ScoredWord("neat", 8, 0.5)));
        LabelWordSearchResult r = new LabelWordSearchResult("m", "{sentence} [MASK] .", words, 0.9, 1e-2, true, 7,
                40, 0);
        Verbalizer seeds = Verbalizer.builder().add("negative", "terrible").add("positive", "great").build();
        assertEquals(seeds.words(), r.extend(seeds, 0).words());
        // "great" is the other class's seed and "terrible" already a seed: both skipped
        assertEquals(Map.of("negative", List.of("terrible", "bad", "dull"), "positive", List.of("great", "fine",
                "superb")), r.extend(seeds, 2).words());
        assertEquals(List.of("negative", "positive"), r.extend(seeds, 1).labels());
        IllegalArgumentException few = assertThrows(IllegalArgumentException.class, () -> r.extend(seeds, 3));
        assertTrue(few.getMessage().contains("'negative' has 2 searched words"), few.getMessage());
        Verbalizer swapped = Verbalizer.builder().add("positive", "great").add("negative", "terrible").build();
        assertThrows(IllegalArgumentException.class, () -> r.extend(swapped, 1));
        assertThrows(IllegalArgumentException.class, () -> r.extend(seeds, -1));
    }

    @Test
    void badInputIsRejected() {
        LinearBagModel m = Planted.model();
        assertThrows(IllegalArgumentException.class, () -> LabelWordSearch.builder(m).template(TEMPLATE)
                .train(List.of()).build());
        List<Example> onlyPositive = Planted.examples(10, 0).stream().filter(e -> e.label().equals("positive"))
                .toList();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabelWordSearch.builder(m)
                .template(TEMPLATE).train(onlyPositive).classes(List.of("negative", "positive")).build());
        assertTrue(e.getMessage().contains("'negative'"), e.getMessage());
    }

    @Test
    void candidatePoolHoldsTheWordsMostProbableAtTheMaskOnAverage() {
        LinearBagModel model = Planted.model();
        List<Example> train = Planted.examples(40, 0);
        int pool = 4;
        LabelWordSearchResult r = LabelWordSearch.builder(model).template(TEMPLATE).train(train).wordsPerClass(1)
                .candidatePool(pool).build().run();
        // independent expectation: the model's own full-vocabulary log-probabilities, averaged over the prompts
        List<EncodedPrompt> prompts = train.stream().map(e -> TEMPLATE.encoder(model.tokenizer())
                .encode(e.fields().get("sentence"))).toList();
        MaskLogits logits = model.maskLogits(prompts);
        boolean[] allowed = VocabularyFilter.defaults().withExcludeContinuations(true).allowed(model.tokenizer(),
                java.util.Set.of());
        int v = logits.logits().width();
        double[] mean = new double[v];
        for (int p = 0; p < prompts.size(); p++) {
            for (int w = 0; w < v; w++) {
                mean[w] += logits.logProb(p, 0, w) / prompts.size();
            }
        }
        java.util.Set<Integer> expected = new java.util.HashSet<>();
        java.util.stream.IntStream.range(0, v).filter(w -> allowed[w]).boxed()
                .sorted((a, b) -> Double.compare(mean[b], mean[a])).limit(pool).forEach(expected::add);
        assertEquals(pool, r.candidatePool());
        for (List<ScoredWord> words : r.words().values()) {
            for (ScoredWord w : words) {
                assertTrue(expected.contains(w.id()), w.word() + " is not among the " + pool + " most probable "
                        + "words " + expected);
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LabelWordSearch
                .builder(model).template(TEMPLATE).train(train).candidatePool(-1).build());
        assertTrue(e.getMessage().contains("candidatePool"), e.getMessage());
    }
}
