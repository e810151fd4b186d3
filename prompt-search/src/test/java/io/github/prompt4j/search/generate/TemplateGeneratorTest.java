package io.github.prompt4j.search.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.core.testing.FakeTokenizer;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.generate.TemplateShape.Placement;
import io.github.prompt4j.search.select.PromptScorer;
import io.github.prompt4j.search.select.PromptSelection;
import io.github.prompt4j.search.testing.LinearBagModel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Template generation on {@link LinearBagModel} (the mask state is the sum of the input embeddings of the other
 * positions, logits {@code W h + b}) over the fake 38-token vocabulary.
 */
class TemplateGeneratorTest {

    private static final int V = FakeTokenizer.VOCABULARY.size();
    private static final Verbalizer WORDS = Verbalizer.builder().add("0", "terrible").add("1", "great").build();
    private static final List<Example> EXAMPLES = List.of(Example.of("sentence", "a good film", "1"),
            Example.of("sentence", "a bad plot", "0"), Example.of("sentence", "it was fun", "1"));

    @Test
    void contextFreeScoresDecodeTheHighestBiasTokensWithHandComputedScores() {
        // no input embeddings: every mask sees h = 0, so log p(v) = b_v - log(e^3 + e^1 + 36) at every slot
        float[][] x = new float[V][1];
        float[][] w = new float[V][1];
        float[] b = new float[V];
        b[FakeTokenizer.id("movie")] = 3f;
        b[FakeTokenizer.id("film")] = 1f;
        b[FakeTokenizer.id("great")] = 5f;   // a label word: in the normaliser, never generated
        LinearBagModel model = new LinearBagModel(x, w, b);
        GenerationResult r = TemplateGenerator.builder(model).verbalizer(WORDS).examples(EXAMPLES)
                .shapes(List.of(new TemplateShape(Placement.INPUT_FIRST, 1, 0))).beamWidth(2).build().run();
        double lse = Math.log(Math.exp(5) + Math.exp(3) + Math.exp(1) + 35);
        assertEquals(2, r.templates().size());
        assertEquals("{sentence} movie [MASK]", r.templates().get(0).template());
        assertEquals("{sentence} [T] [MASK]", r.templates().get(0).skeleton());
        assertEquals(3 * (3 - lse), r.templates().get(0).logProbability(), 1e-4);
        assertEquals("{sentence} film [MASK]", r.templates().get(1).template());
        assertEquals(3 * (1 - lse), r.templates().get(1).logProbability(), 1e-4);
        assertEquals(3, r.passes().forwardPasses(), "one slot, one beam, three examples");
    }

    @Test
    void fullWidthBeamFindsTheExhaustiveBestPairAndItsScore() {
        // one-dimensional bag: the label word and the filled slots move every later slot's distribution
        SplittableRandom random = new SplittableRandom(3);
        float[][] x = new float[V][1];
        float[][] w = new float[V][1];
        float[] b = new float[V];
        for (int v = 0; v < V; v++) {
            x[v][0] = (float) random.nextDouble(-1, 1);
            w[v][0] = (float) random.nextDouble(-2, 2);
            b[v] = (float) random.nextDouble(-1, 1);
        }
        x[FakeTokenizer.id("[MASK]")][0] = 0f;
        LinearBagModel model = new LinearBagModel(x, w, b);
        TemplateShape shape = new TemplateShape(Placement.INPUT_LAST, 1, 1);
        boolean[] allowed = TemplateGenerator.allowed(model.tokenizer(),
                List.of(FakeTokenizer.id("terrible"), FakeTokenizer.id("great")));
        int count = 0;
        for (boolean a : allowed) {
            count += a ? 1 : 0;
        }
        GenerationResult r = TemplateGenerator.builder(model).verbalizer(WORDS).examples(EXAMPLES)
                .shapes(List.of(shape)).beamWidth(count).build().run();
        // exhaustive search, building every prompt by hand: [CLS] t1 label t2 <sentence> [SEP]
        double best = Double.NEGATIVE_INFINITY;
        int[] bestPair = null;
        for (int v1 = 0; v1 < V; v1++) {
            for (int v2 = 0; v2 < V; v2++) {
                if (!allowed[v1] || !allowed[v2]) {
                    continue;
                }
                double s = 0;
                for (Example e : EXAMPLES) {
                    int label = FakeTokenizer.id(e.label().equals("1") ? "great" : "terrible");
                    s += logProb(model, e, label, 1, new int[] {-1, -1}, v1);
                    s += logProb(model, e, label, 3, new int[] {v1, -1}, v2);
                }
                if (s > best + 1e-9) {
                    best = s;
                    bestPair = new int[] {v1, v2};
                }
            }
        }
        GeneratedTemplate top = r.templates().get(0);
        assertArrayEquals(bestPair, top.tokenIds());
        assertEquals(best, top.logProbability(), 1e-3);
        assertEquals(FakeTokenizer.VOCABULARY.get(bestPair[0]) + " [MASK] " + FakeTokenizer.VOCABULARY.get(bestPair[1])
                + " {sentence}", top.template());
        for (int i = 1; i < r.templates().size(); i++) {
            assertTrue(r.templates().get(i - 1).logProbability() >= r.templates().get(i).logProbability());
        }
    }

    /** log p(v) at position {@code at} of [CLS] s1 label s2 sentence... [SEP], slot ids or [MASK] when -1. */
    private static double logProb(LinearBagModel model, Example e, int label, int at, int[] slots, int v) {
        List<Integer> ids = new ArrayList<>();
        int mask = FakeTokenizer.id("[MASK]");
        ids.add(FakeTokenizer.id("[CLS]"));
        ids.add(slots[0] < 0 ? mask : slots[0]);
        ids.add(label);
        ids.add(slots[1] < 0 ? mask : slots[1]);
        for (String word : e.fields().get("sentence").split(" ")) {
            ids.add(FakeTokenizer.id(word));
        }
        ids.add(FakeTokenizer.id("[SEP]"));
        EncodedPrompt p = EncodedPrompt.of(ids.stream().mapToInt(Integer::intValue).toArray(), new int[] {at},
                new int[0]);
        MaskLogits l = model.maskLogits(List.of(p));
        return l.logProb(0, 0, v);
    }

    @Test
    void allowedTokensAreWholeWordsThatAreNotLabelWordsOrSpecial() {
        boolean[] allowed = TemplateGenerator.allowed(new FakeTokenizer(), List.of(FakeTokenizer.id("great")));
        assertTrue(allowed[FakeTokenizer.id("movie")]);
        assertTrue(allowed[FakeTokenizer.id(".")]);
        assertTrue(!allowed[FakeTokenizer.id("great")]);
        assertTrue(!allowed[FakeTokenizer.id("##ly")]);
        assertTrue(!allowed[FakeTokenizer.id("[MASK]")]);
    }

    @Test
    void rankingScoresEveryDistinctTemplateOnTheSelectionExamples() {
        float[][] x = new float[V][1];
        float[][] w = new float[V][1];
        float[] b = new float[V];
        b[FakeTokenizer.id("movie")] = 3f;
        b[FakeTokenizer.id("film")] = 1f;
        LinearBagModel model = new LinearBagModel(x, w, b);
        GenerationResult r = TemplateGenerator.builder(model).verbalizer(WORDS).examples(EXAMPLES)
                .shapes(List.of(new TemplateShape(Placement.INPUT_FIRST, 1, 0))).beamWidth(2).build().run();
        PromptSelection ranked = r.rank(PromptScorer.builder(model).build(), EXAMPLES);
        assertEquals(2, ranked.ranked().size());
        assertThrows(IllegalArgumentException.class, () -> TemplateGenerator.builder(model).verbalizer(WORDS)
                .examples(List.of(Example.of("sentence", "good", "7"))).build().run());
    }
}
