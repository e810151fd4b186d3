package io.github.prompt4j.core.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.mapping.LabelWordScores;
import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.testing.FakeMaskedLanguageModel;
import io.github.prompt4j.core.testing.FakeTokenizer;
import io.github.prompt4j.core.verbalizer.MultiTokenPolicy;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Multi-mask label words on the fake model. Its rule makes every number hand-computable: at any mask of a prompt
 * with sentiment {@code s} (positive minus negative tokens, masks count 0), a positive word has logit {@code +s}, a
 * negative one {@code -s}, any other token 0, and the normaliser is {@code Z(s) = log(5e^s + 4e^-s + 29)}. Filling a
 * mask with a signed piece changes {@code s}, which is what tells LEFT_TO_RIGHT from PARALLEL.
 */
class MultiMaskClassifierTest {

    private static final Template TEMPLATE = Template.parse("{text} It was [MASK].");

    private static double z(double s) {
        return Math.log(5 * Math.exp(s) + 4 * Math.exp(-s) + 29);
    }

    private static Verbalizer twoPieceWords(MultiTokenPolicy policy) {
        // bads = bad ##s, goods = good ##s
        return Verbalizer.builder().add("negative", "bads").add("positive", "goods").policy(policy).build();
    }

    private static PromptClassifier classifier(FakeMaskedLanguageModel model, Verbalizer v, MultiMaskDecoding d) {
        return PromptClassifier.builder(model).template(TEMPLATE).verbalizer(v).multiMaskDecoding(d).build();
    }

    @Test
    void parallelScoresEachPieceAtItsOwnMaskInOnePass() {
        FakeMaskedLanguageModel model = new FakeMaskedLanguageModel();
        PromptClassifier c = classifier(model, twoPieceWords(MultiTokenPolicy.MULTI_MASK), MultiMaskDecoding.PARALLEL);
        Classification r = c.classify("a good movie");
        // s = 1 at both masks: goods = (1 - Z1) + (0 - Z1), bads = (-1 - Z1) + (0 - Z1)
        assertEquals(1 - 2 * z(1), r.wordScores().get("goods"), 1e-5);
        assertEquals(-1 - 2 * z(1), r.wordScores().get("bads"), 1e-5);
        assertEquals(1 / (1 + Math.exp(-2)), r.probability("positive"), 1e-6);
        assertEquals(List.of(1), model.batchSizes(), "one widened prompt, one pass");
    }

    @Test
    void leftToRightIsTheExactChainRule() {
        FakeMaskedLanguageModel model = new FakeMaskedLanguageModel();
        PromptClassifier c = classifier(model, twoPieceWords(MultiTokenPolicy.MULTI_MASK),
                MultiMaskDecoding.LEFT_TO_RIGHT);
        Classification r = c.classify("a good movie");
        // goods: p(good | s = 1), then "good" fills mask 1 so s = 2: p(##s | s = 2)
        double goods = (1 - z(1)) + (0 - z(2));
        // bads: p(bad | s = 1), then "bad" fills mask 1 so s = 0: p(##s | s = 0) = 1/38
        double bads = (-1 - z(1)) + (0 - Math.log(38));
        assertEquals(goods, r.wordScores().get("goods"), 1e-5);
        assertEquals(bads, r.wordScores().get("bads"), 1e-5);
        assertEquals(Math.exp(goods) / (Math.exp(goods) + Math.exp(bads)), r.probability("positive"), 1e-6);
        // round 1: one prompt (nothing filled); round 2: one prompt per distinct first piece (bad, good)
        assertEquals(List.of(1, 2), model.batchSizes());
    }

    @Test
    void leftToRightSharesPromptsBetweenWordsWithACommonPrefix() {
        FakeMaskedLanguageModel model = new FakeMaskedLanguageModel();
        // goods = good ##s and goodly = good ##ly share the prefix "good"
        Verbalizer v = Verbalizer.builder().add("negative", "bads").add("positive", "goods", "goodly")
                .policy(MultiTokenPolicy.MULTI_MASK).build();
        PromptClassifier c = classifier(model, v, MultiMaskDecoding.LEFT_TO_RIGHT);
        List<Classification> rs = c.classifyAll(List.of("a good movie", "the plot"));
        assertEquals(List.of(2, 4), model.batchSizes(), "2 inputs x {nothing}, then 2 inputs x {bad, good}");
        // "the plot": s = 0, then "good" fills mask 1 (s = 1): goodly = (0 - log 38) + (0 - Z1)
        assertEquals(-Math.log(38) - z(1), rs.get(1).wordScores().get("goodly"), 1e-5);
        assertEquals(-Math.log(38) - z(1), rs.get(1).wordScores().get("goods"), 1e-5);
        // bads: (0 - log 38) + (0 - Z(-1))
        assertEquals(-Math.log(38) - z(-1), rs.get(1).wordScores().get("bads"), 1e-5);
    }

    @Test
    void wordsOfDifferentLengthsAreGroupedAndCompareByTotalLogProb() {
        FakeMaskedLanguageModel model = new FakeMaskedLanguageModel();
        // bad = 1 piece, awfully = awful ##ly, fantastics = fant ##astic ##s
        Verbalizer v = Verbalizer.builder().add("negative", "bad", "awfully").add("positive", "fantastics")
                .policy(MultiTokenPolicy.MULTI_MASK).build();
        Classification par = classifier(model, v, MultiMaskDecoding.PARALLEL).classify("fun");
        assertEquals(List.of(1, 1, 1), model.batchSizes(), "one pass per word length 1, 2, 3");
        // s = 1 throughout
        double bad = -1 - z(1);
        double awfully = -1 - 2 * z(1);
        double fantastics = 1 - 3 * z(1);
        assertEquals(bad, par.wordScores().get("bad"), 1e-5);
        assertEquals(awfully, par.wordScores().get("awfully"), 1e-5);
        assertEquals(fantastics, par.wordScores().get("fantastics"), 1e-5);
        // mean mapper: P(pos) = e^f / (e^f + (e^bad + e^awfully) / 2)
        double neg = (Math.exp(bad) + Math.exp(awfully)) / 2;
        assertEquals(Math.exp(fantastics) / (Math.exp(fantastics) + neg), par.probability("positive"), 1e-6);

        Classification l2r = classifier(new FakeMaskedLanguageModel(), v, MultiMaskDecoding.LEFT_TO_RIGHT)
                .classify("fun");
        assertEquals(bad, l2r.wordScores().get("bad"), 1e-5);
        // awful fills mask 1: s = 0 for ##ly
        assertEquals(-1 - z(1) - Math.log(38), l2r.wordScores().get("awfully"), 1e-5);
        // fant fills mask 1: s = 2 for ##astic and, with ##astic (sign 0) in mask 2, for ##s
        assertEquals(1 - z(1) - 2 * z(2), l2r.wordScores().get("fantastics"), 1e-5);
    }

    @Test
    void lengthNormalisedPolicyDividesByThePieceCount() {
        Verbalizer v = Verbalizer.builder().add("negative", "bad", "awfully").add("positive", "fantastics")
                .policy(MultiTokenPolicy.MULTI_MASK_MEAN).build();
        Classification r = classifier(new FakeMaskedLanguageModel(), v, MultiMaskDecoding.LEFT_TO_RIGHT)
                .classify("fun");
        assertEquals(-1 - z(1), r.wordScores().get("bad"), 1e-5);
        assertEquals((-1 - z(1) - Math.log(38)) / 2, r.wordScores().get("awfully"), 1e-5);
        assertEquals((1 - z(1) - 2 * z(2)) / 3, r.wordScores().get("fantastics"), 1e-5);
    }

    @Test
    void singlePieceWordsScoreAsOnTheExistingPath() {
        Verbalizer v = Verbalizer.builder().add("negative", "bad", "terrible").add("positive", "great", "good").build();
        FakeMaskedLanguageModel model = new FakeMaskedLanguageModel();
        PromptClassifier plain = PromptClassifier.builder(model).template(TEMPLATE).verbalizer(v).build();
        List<String> texts = List.of("a good movie", "bad and terrible", "the plot", "great fun , not sad");
        List<Classification> expected = plain.classifyAll(texts);
        for (MultiMaskDecoding d : MultiMaskDecoding.values()) {
            for (MultiTokenPolicy p : List.of(MultiTokenPolicy.MULTI_MASK, MultiTokenPolicy.MULTI_MASK_MEAN)) {
                PromptClassifier multi = classifier(model, v.withPolicy(p), d);
                assertEquals(plain.encoder().maxLength(), multi.encoder().maxLength(), "no room to reserve");
                List<Classification> got = multi.classifyAll(texts);
                for (int i = 0; i < texts.size(); i++) {
                    assertEquals(expected.get(i).wordScores(), got.get(i).wordScores(), d + " " + p + " " + i);
                    assertEquals(expected.get(i).probabilities(), got.get(i).probabilities(), d + " " + p + " " + i);
                }
            }
        }
    }

    @Test
    void labelWordScoresWidenTheMaskToo() {
        PromptClassifier c = classifier(new FakeMaskedLanguageModel(), twoPieceWords(MultiTokenPolicy.MULTI_MASK),
                MultiMaskDecoding.PARALLEL);
        List<LabelWordScores> s = c.labelWordScores(List.of(c.encoder().encode("a good movie")));
        assertEquals(1 - 2 * z(1), s.get(0).logProb(1, 0), 1e-5);
        assertEquals(-1 - 2 * z(1), s.get(0).logProb(0, 0), 1e-5);
    }

    @Test
    void inputsAreEncodedWithRoomForTheLongestWord() {
        // [CLS] it was [MASK] . [SEP] = 6 tokens; fantastics needs 2 more masks
        FakeMaskedLanguageModel model = new FakeMaskedLanguageModel(new FakeTokenizer(true, 9));
        Verbalizer v = Verbalizer.builder().add("negative", "bad").add("positive", "fantastics")
                .policy(MultiTokenPolicy.MULTI_MASK).build();
        PromptClassifier c = classifier(model, v, MultiMaskDecoding.LEFT_TO_RIGHT);
        assertEquals(7, c.encoder().maxLength());
        // "good good good" is cut to one "good" (s = 1), widened to 9 tokens
        Classification r = c.classify("good good good");
        assertEquals(1 - z(1) - 2 * z(2), r.wordScores().get("fantastics"), 1e-5);
        // a prompt encoded without that room cannot be widened
        EncodedPrompt tooLong = TEMPLATE.encoder(model.tokenizer()).encode("good good good");
        assertEquals(9, tooLong.length());
        String msg = assertThrows(IllegalArgumentException.class, () -> c.classifyPrompts(List.of(tooLong)))
                .getMessage();
        assertTrue(msg.contains("limit of 9") && msg.contains("encoder()"), msg);
    }

    @Test
    void aWordLongerThanTheRoomIsRefusedAtBuild() {
        FakeMaskedLanguageModel model = new FakeMaskedLanguageModel(new FakeTokenizer(true, 7));
        Verbalizer v = Verbalizer.builder().add("negative", "bad").add("positive", "fantastics")
                .policy(MultiTokenPolicy.MULTI_MASK).build();
        String msg = assertThrows(IllegalArgumentException.class,
                () -> classifier(model, v, MultiMaskDecoding.PARALLEL)).getMessage();
        assertTrue(msg.contains("'fantastics'") && msg.contains("3 word pieces") && msg.contains("room for 2"),
                msg);
    }

    @Test
    void aTemplateWithTwoMasksIsRefused() {
        String msg = assertThrows(IllegalArgumentException.class, () -> PromptClassifier
                .builder(new FakeMaskedLanguageModel()).template(Template.parse("{text} [MASK] [MASK] ."))
                .verbalizer(twoPieceWords(MultiTokenPolicy.MULTI_MASK)).build()).getMessage();
        assertTrue(msg.contains("2 [MASK] slots") && msg.contains("exactly one [MASK]"), msg);
    }

    @Test
    void decodingWithoutAMultiMaskPolicyIsRefused() {
        String msg = assertThrows(IllegalArgumentException.class, () -> classifier(new FakeMaskedLanguageModel(),
                twoPieceWords(MultiTokenPolicy.MEAN), MultiMaskDecoding.LEFT_TO_RIGHT)).getMessage();
        assertTrue(msg.contains("MultiTokenPolicy.MEAN") && msg.contains("MULTI_MASK"), msg);
    }

    @Test
    void oneMaskRowCannotScoreMultiMaskWords() {
        FakeMaskedLanguageModel model = new FakeMaskedLanguageModel();
        PromptClassifier c = classifier(model, twoPieceWords(MultiTokenPolicy.MULTI_MASK), MultiMaskDecoding.PARALLEL);
        var logits = model.maskLogits(List.of(c.encoder().encode("good")), c.scoredTokenIds());
        assertThrows(IllegalStateException.class, () -> c.wordScores(logits, 0));
    }

    @Test
    void multiFieldInputsAndTriggersSurviveWidening() {
        FakeMaskedLanguageModel model = new FakeMaskedLanguageModel();
        // the bound trigger "good" sits after the mask and still counts (s = 1 + 1 from the trigger)
        Template t = Template.parse("{premise} ? [MASK] [T] , {hypothesis}")
                .withTriggerIds(FakeTokenizer.id("good"));
        PromptClassifier c = PromptClassifier.builder(model).template(t)
                .verbalizer(twoPieceWords(MultiTokenPolicy.MULTI_MASK)).build();
        Classification r = c.classify(Map.of("premise", "a fun movie", "hypothesis", "the plot"));
        // s = 2 at both masks: (2 - Z2) + (0 - Z2)
        assertEquals(2 - 2 * z(2), r.wordScores().get("goods"), 1e-5);
    }

    @Test
    void multiMaskPoliciesSumOrAverageThePieces() {
        assertEquals(-6.0, MultiTokenPolicy.MULTI_MASK.combine(new double[] {-1.0, -3.0, -2.0}), 1e-12);
        assertEquals(-2.0, MultiTokenPolicy.MULTI_MASK_MEAN.combine(new double[] {-1.0, -3.0, -2.0}), 1e-12);
        assertTrue(MultiTokenPolicy.MULTI_MASK.multiMask() && MultiTokenPolicy.MULTI_MASK_MEAN.multiMask());
        assertTrue(!MultiTokenPolicy.MEAN.multiMask() && !MultiTokenPolicy.REJECT.multiMask());
    }
}
