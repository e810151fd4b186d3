package io.github.prompt4j.core.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.mapping.LabelMapper;
import io.github.prompt4j.core.template.Template;
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
        int before = model.maskLogitCalls();
        List<Classification> all = c.classifyAll(texts);
        assertEquals(3, model.maskLogitCalls() - before, "5 inputs in batches of 2");
        List<Classification> single = new ArrayList<>();
        for (String t : texts) {
            single.add(c.classify(t));
        }
        assertEquals(single, all);
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
    void closedModelRefusesWork() {
        FakeMaskedLanguageModel m = new FakeMaskedLanguageModel();
        PromptClassifier c = PromptClassifier.builder(m).template(Template.parse("{text} It was [MASK]."))
                .verbalizer(Verbalizer.builder().add("negative", "bad").add("positive", "good").build()).build();
        m.close();
        assertThrows(IllegalStateException.class, () -> c.classify("good"));
    }
}
