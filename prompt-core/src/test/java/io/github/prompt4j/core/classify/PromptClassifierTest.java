package io.github.prompt4j.core.classify;

import static io.github.prompt4j.core.testing.FakeTokenizer.id;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.mapping.LabelMapper;
import io.github.prompt4j.core.mapping.LabelWordScores;
import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.template.Truncation;
import io.github.prompt4j.core.template.TruncationSide;
import io.github.prompt4j.core.testing.FakeMaskedLanguageModel;
import io.github.prompt4j.core.verbalizer.MultiTokenPolicy;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The classifier end to end on the fake model, whose rule makes every probability hand-computable. */
class PromptClassifierTest {

    private final FakeMaskedLanguageModel model = new FakeMaskedLanguageModel();

    private PromptClassifier sentiment() {
        return PromptClassifier.builder(model)
                .template(Template.parse("{text} It was [MASK]."))
                .verbalizer(Verbalizer.builder().add("negative", "bad", "terrible").add("positive", "great", "good")
                        .build())
                .build();
    }

    @Test
    void probabilitiesFollowTheModelsScores() {
        Classification c = sentiment().classify("a good movie");
        // s = 1: positive words logit +1, negative -1; mean mapper: P(pos) = e / (e + 1/e) = 1 / (1 + e^-2)
        assertEquals("positive", c.label());
        assertEquals(1 / (1 + Math.exp(-2)), c.probability("positive"), 1e-6);
        assertEquals(1 - 1 / (1 + Math.exp(-2)), c.probability("negative"), 1e-6);
        assertEquals(List.of("negative", "positive"), List.copyOf(c.probabilities().keySet()));
        // log p(good) = 1 - log(5e + 4/e + 29)
        double ln = Math.log(5 * Math.E + 4 / Math.E + 29);
        assertEquals(1 - ln, c.wordScores().get("good"), 1e-5);
        assertEquals(-1 - ln, c.wordScores().get("terrible"), 1e-5);
    }

    @Test
    void negativeAndNeutralInputs() {
        PromptClassifier c = sentiment();
        Classification neg = c.classify("bad and terrible");
        assertEquals("negative", neg.label());
        assertEquals(1 / (1 + Math.exp(-4)), neg.confidence(), 1e-6);
        Classification neutral = c.classify("the plot");
        assertEquals(0.5, neutral.probability("positive"), 1e-9);
        assertEquals("negative", neutral.label(), "an exact tie goes to the first class");
    }

    @Test
    void multiPieceWordsUseTheDeclaredPolicy() {
        Verbalizer v = Verbalizer.builder().add("negative", "bad").add("positive", "fantastic")
                .policy(MultiTokenPolicy.MEAN).build();
        PromptClassifier c = PromptClassifier.builder(model).template(Template.parse("{text} It was [MASK]."))
                .verbalizer(v).build();
        // s = 1: fant +1, ##astic 0 -> mean 0.5; bad -1: P(pos) = 1 / (1 + e^-1.5)
        assertEquals(1 / (1 + Math.exp(-1.5)), c.classify("good").probability("positive"), 1e-6);
        PromptClassifier first = PromptClassifier.builder(model).template(Template.parse("{text} It was [MASK]."))
                .verbalizer(v.withPolicy(MultiTokenPolicy.FIRST)).build();
        // FIRST: fant +1 vs bad -1 -> 1 / (1 + e^-2)
        assertEquals(1 / (1 + Math.exp(-2)), first.classify("good").probability("positive"), 1e-6);
    }

    @Test
    void sumMapperAndMultiFieldTemplates() {
        PromptClassifier c = PromptClassifier.builder(model)
                .template(Template.parse("{premise} ? [MASK] , {hypothesis}"))
                .verbalizer(Verbalizer.builder().add("no", "bad").add("yes", "good", "great").build())
                .mapper(LabelMapper.sum())
                .build();
        // s = 2 (good, fun): yes = 2 e^2, no = e^-2 -> P(yes) = 2e^2 / (2e^2 + e^-2)
        Classification r = c.classify(Map.of("premise", "good", "hypothesis", "fun"));
        assertEquals(2 * Math.exp(2) / (2 * Math.exp(2) + Math.exp(-2)), r.probability("yes"), 1e-6);
        assertEquals(r, c.classifyAllFields(List.of(Map.of("premise", "good", "hypothesis", "fun"))).get(0));
    }

    @Test
    void classifyAllBatchesAndMatchesOneByOne() {
        PromptClassifier c = PromptClassifier.builder(model).template(Template.parse("{text} It was [MASK]."))
                .verbalizer(Verbalizer.builder().add("negative", "bad").add("positive", "good").build())
                .batchSize(2).build();
        List<String> texts = List.of("good", "bad", "fun fun", "sad", "the movie");
        FakeMaskedLanguageModel counting = new FakeMaskedLanguageModel();
        PromptClassifier c2 = PromptClassifier.builder(counting).template(Template.parse("{text} It was [MASK]."))
                .verbalizer(Verbalizer.builder().add("negative", "bad").add("positive", "good").build())
                .batchSize(2).build();
        List<Classification> all = c2.classifyAll(texts);
        assertEquals(List.of(2, 2, 1), counting.batchSizes(), "5 inputs in batches of 2");
        List<Classification> single = new ArrayList<>();
        for (String t : texts) {
            single.add(c.classify(t));
        }
        assertEquals(single, all);
    }

    @Test
    void encodedPromptsTakeTheSamePathAsText() {
        FakeMaskedLanguageModel counting = new FakeMaskedLanguageModel();
        PromptClassifier c = PromptClassifier.builder(counting).template(Template.parse("{text} [T] [MASK] ."))
                .verbalizer(Verbalizer.builder().add("negative", "bad").add("positive", "good").build())
                .batchSize(2).build();
        List<String> texts = List.of("good", "bad", "fun fun", "sad", "the movie");
        List<EncodedPrompt> prompts = new ArrayList<>();
        for (String t : texts) {
            prompts.add(c.encoder().encode(t));
        }
        List<Classification> byText = c.classifyAll(texts);
        assertEquals(byText, c.classifyPrompts(prompts));
        assertEquals(List.of(2, 2, 1, 2, 2, 1), counting.batchSizes(), "both in batches of 2");
        // a searched trigger written into the encoded prompt: "the movie" [great] -> s = 1, P(pos) = 1 / (1 + e^-2)
        EncodedPrompt triggered = prompts.get(4).withIds(prompts.get(4).triggerPositions(), new int[] {id("great")});
        assertEquals(0.5, byText.get(4).probability("positive"), 1e-9);
        assertEquals(1 / (1 + Math.exp(-2)), c.classifyPrompts(List.of(triggered)).get(0).probability("positive"),
                1e-6);
        assertEquals(List.of(), c.classifyPrompts(List.of()));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> c.classifyPrompts(null)).getMessage()
                .contains("empty list"));
    }

    @Test
    void badInputIsRefusedClearly() {
        PromptClassifier c = sentiment();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> c.classify((String) null)).getMessage()
                .contains("null"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> c.classify("   ")).getMessage()
                .contains("blank"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> PromptClassifier.builder(model).verbalizer(Verbalizer.builder().add("a", "good")
                        .add("b", "bad").build()).build()).getMessage().contains("template"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> PromptClassifier.builder(model).template(Template.parse("{text} [MASK]"))
                        .verbalizer(Verbalizer.builder().add("a", "good").add("b", "splendiferous").build()).build())
                .getMessage().contains("'splendiferous'"));
    }

    @Test
    void badInputInABatchIsNamedByItsIndexBeforeTheModelRuns() {
        FakeMaskedLanguageModel counting = new FakeMaskedLanguageModel();
        PromptClassifier c = PromptClassifier.builder(counting).template(Template.parse("{text} It was [MASK]."))
                .verbalizer(Verbalizer.builder().add("negative", "bad").add("positive", "good").build()).build();
        String m = assertThrows(IllegalArgumentException.class,
                () -> c.classifyAll(java.util.Arrays.asList("good", "bad", " "))).getMessage();
        assertTrue(m.contains("input 2") && m.contains("blank"), m);
        assertEquals(0, counting.maskLogitCalls());
        assertEquals(List.of(), c.classifyAll(List.of()));
    }

    @Test
    void defaultBatchSizeIs256() {
        FakeMaskedLanguageModel counting = new FakeMaskedLanguageModel();
        PromptClassifier c = PromptClassifier.builder(counting).template(Template.parse("{text} It was [MASK]."))
                .verbalizer(Verbalizer.builder().add("negative", "bad").add("positive", "good").build()).build();
        c.classifyAll(java.util.Collections.nCopies(600, "fun"));
        assertEquals(List.of(256, 256, 88), counting.batchSizes());
    }

    @Test
    void onlyTheLabelWordPiecesAreScored() {
        Verbalizer v = Verbalizer.builder().add("negative", "bad").add("positive", "fantastic", "fantastics")
                .policy(MultiTokenPolicy.MAX).build();
        PromptClassifier c = PromptClassifier.builder(model).template(Template.parse("{text} [MASK]"))
                .verbalizer(v).build();
        // distinct pieces in order of appearance: bad, fant, ##astic, ##s
        assertArrayEquals(new int[] {id("bad"), id("fant"), id("##astic"), id("##s")}, c.scoredTokenIds());
        // MAX: s = 1 -> fant +1 beats ##astic, ##s at 0; both positive words score 1 - log Z, bad -1 - log Z
        Classification r = c.classify("fun");
        double ln = Math.log(5 * Math.E + 4 / Math.E + 29);
        assertEquals(1 - ln, r.wordScores().get("fantastics"), 1e-5);
        // mean mapper: P(pos) = e / (e + e^-1)
        assertEquals(1 / (1 + Math.exp(-2)), r.probability("positive"), 1e-6);
    }

    @Test
    void boundTriggersChangeTheScores() {
        Template t = Template.parse("{text} [T] [MASK] .");
        Verbalizer v = Verbalizer.builder().add("negative", "bad").add("positive", "good").build();
        // "the movie": s = 0 with the trigger unbound ([MASK] carries no sentiment): a tie
        PromptClassifier plain = PromptClassifier.builder(model).template(t).verbalizer(v).build();
        assertEquals(0.5, plain.classify("the movie").probability("positive"), 1e-9);
        // trigger "great": s = 1 -> P(pos) = e / (e + e^-1) = 1 / (1 + e^-2)
        PromptClassifier triggered = PromptClassifier.builder(model).template(t.withTriggerIds(id("great")))
                .verbalizer(v).build();
        assertEquals(1 / (1 + Math.exp(-2)), triggered.classify("the movie").probability("positive"), 1e-6);
    }

    @Test
    void truncationSettingsReachTheTemplate() {
        Verbalizer v = Verbalizer.builder().add("negative", "bad").add("positive", "good").build();
        // limit 6: [CLS] x it was [MASK] [SEP]; cutting the head keeps "bad", the tail keeps "good"
        PromptClassifier head = PromptClassifier.builder(model).template(Template.parse("{text} it was [MASK]"))
                .verbalizer(v).truncation(Truncation.of(6, TruncationSide.HEAD)).build();
        assertEquals("negative", head.classify("good bad").label());
        PromptClassifier tail = PromptClassifier.builder(model).template(Template.parse("{text} it was [MASK]"))
                .verbalizer(v).maxLength(6).build();
        assertEquals("positive", tail.classify("good bad").label());
        assertEquals(6, tail.encoder().maxLength());
        String m = assertThrows(IllegalArgumentException.class, () -> PromptClassifier.builder(model)
                .template(Template.parse("{text} it was [MASK]")).verbalizer(v).maxLength(4).build()).getMessage();
        assertTrue(m.contains("needs 5 tokens") && m.contains("limit is 4"), m);
    }

    @Test
    void labelWordScoresFeedCalibration() {
        PromptClassifier c = sentiment();
        List<LabelWordScores> scores = c.labelWordScores(List.of(c.encoder().encode("good")));
        double ln = Math.log(5 * Math.E + 4 / Math.E + 29);
        // classes negative [bad, terrible], positive [great, good]
        assertEquals(List.of("negative", "positive"), scores.get(0).labels());
        assertEquals(1 - ln, scores.get(0).logProb(1, 1), 1e-5);
        assertEquals(-1 - ln, scores.get(0).logProb(0, 0), 1e-5);
    }

    @Test
    void classificationIsAnImmutableValue() {
        Classification c = sentiment().classify("good");
        assertThrows(UnsupportedOperationException.class, () -> c.probabilities().put("x", 1.0));
        assertThrows(UnsupportedOperationException.class, () -> c.wordScores().clear());
        assertEquals(List.of("bad", "terrible", "great", "good"), List.copyOf(c.wordScores().keySet()));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> c.probability("neutral")).getMessage()
                .contains("'neutral'"));
        assertEquals(1.0, c.probabilities().values().stream().mapToDouble(Double::doubleValue).sum(), 1e-12);
    }

    @Test
    void closedModelRefusesWork() {
        FakeMaskedLanguageModel m = new FakeMaskedLanguageModel();
        PromptClassifier c = PromptClassifier.builder(m).template(Template.parse("{text} It was [MASK]."))
                .verbalizer(Verbalizer.builder().add("negative", "bad").add("positive", "good").build()).build();
        m.close();
        assertThrows(IllegalStateException.class, () -> c.classify("good"));
    }
}
