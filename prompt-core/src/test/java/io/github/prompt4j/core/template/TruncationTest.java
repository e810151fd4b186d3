package io.github.prompt4j.core.template;

import static io.github.prompt4j.core.testing.FakeTokenizer.id;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.testing.FakeTokenizer;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TruncationTest {

    private static final int CLS = 2;
    private static final int SEP = 3;
    private static final int MASK = 4;

    private final FakeTokenizer tok = new FakeTokenizer();
    private final Template nli = Template.parse("{premise} ? [MASK] , {hypothesis}");

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void truncationCutsTheLongestFieldFirstFromItsEndByDefault() {
        // fixed: [CLS] ? [MASK] , [SEP] = 5 tokens; limit 12 leaves 7 for the fields.
        // premise 6 tokens, hypothesis 3: cut premise 6 -> 5 -> 4 (always the longest).
        EncodedPrompt p = nli.encoder(tok.withMaxSequenceLength(12)).encode(Map.of("premise",
                "the movie was good and fun", "hypothesis", "it was great"));
        assertArrayEquals(new int[] {CLS, id("the"), id("movie"), id("was"), id("good"), id("?"), MASK, id(","),
            id("it"), id("was"), id("great"), SEP}, p.ids());
        assertArrayEquals(new int[] {6}, p.maskPositions());
    }

    @Test
    void bothFieldsShrinkTowardsEqualLength() {
        // limit 10 leaves 5: premise 6 and hypothesis 3 -> 6,5,4,3 (premise) then a tie 3 vs 3 cuts the earlier
        // field (premise 2) -> premise 2, hypothesis 3
        EncodedPrompt p = nli.encoder(tok, Truncation.of(10, TruncationSide.TAIL)).encode(Map.of("premise",
                "the movie was good and fun", "hypothesis", "it was great"));
        assertArrayEquals(new int[] {CLS, id("the"), id("movie"), id("?"), MASK, id(","), id("it"), id("was"),
            id("great"), SEP}, p.ids());
        assertEquals(4, p.truncatedTokens());
        assertTrue(p.truncated());
    }

    @Test
    void headSideCutsFromTheStartOfTheField() {
        // fixed: [CLS] it was [MASK] [SEP] = 5; limit 8 leaves 3 tokens for the field: its last three
        TemplateEncoder e = Template.parse("{text} it was [MASK]").encoder(tok, Truncation.of(8, TruncationSide.HEAD));
        EncodedPrompt p = e.encode("the movie was good and fun");
        assertArrayEquals(new int[] {CLS, id("good"), id("and"), id("fun"), id("it"), id("was"), MASK, SEP}, p.ids());
        assertArrayEquals(new int[] {6}, p.maskPositions());
        assertEquals(TruncationSide.HEAD, e.truncationSide());
    }

    @Test
    void tailSideKeepsTheStartOfTheField() {
        TemplateEncoder e = Template.parse("{text} it was [MASK]").encoder(tok, Truncation.of(8, TruncationSide.TAIL));
        assertArrayEquals(new int[] {CLS, id("the"), id("movie"), id("was"), id("it"), id("was"), MASK, SEP},
                e.encode("the movie was good and fun").ids());
    }

    @Test
    void truncationNeverDropsTemplateWordsTriggersOrMasks() {
        // fixed: [CLS] [T] [T] it was very [MASK] . [SEP] = 9; limit 10 leaves one field token
        Template t = Template.parse("{text} [T] [T] it was very [MASK] .").withTriggerIds(id("not"), id("a"));
        EncodedPrompt p = t.encoder(tok.withMaxSequenceLength(10)).encode("good movie ".repeat(2000));
        assertArrayEquals(new int[] {CLS, id("good"), id("not"), id("a"), id("it"), id("was"), id("very"), MASK,
            id("."), SEP}, p.ids());
        assertArrayEquals(new int[] {7}, p.maskPositions());
        assertArrayEquals(new int[] {2, 3}, p.triggerPositions());
    }

    @Test
    void aFieldMayBeCutToNothingWhenTheFixedPartFillsTheLimit() {
        // fixed: [CLS] it was [MASK] [SEP] = 5 = the limit
        EncodedPrompt p = Template.parse("{text} it was [MASK]").encoder(tok.withMaxSequenceLength(5))
                .encode("good fun");
        assertArrayEquals(new int[] {CLS, id("it"), id("was"), MASK, SEP}, p.ids());
    }

    @Test
    void tooLongFixedPartSaysItsLengthAndTheLimit() {
        // [CLS] it was very very [MASK] . [SEP] = 8 tokens without the field
        Template t = Template.parse("{text} it was very very [MASK] .");
        String m = message(() -> t.encoder(tok.withMaxSequenceLength(6)));
        assertTrue(m.contains("needs 8 tokens") && m.contains("limit is 6"), m);
        String viaOption = message(() -> t.encoder(tok, Truncation.of(7, TruncationSide.TAIL)));
        assertTrue(viaOption.contains("needs 8 tokens") && viaOption.contains("limit is 7"), viaOption);
    }

    @Test
    void limitAboveTheModelsIsRefused() {
        String m = message(() -> nli.encoder(tok, Truncation.of(1000, TruncationSide.TAIL)));
        assertTrue(m.contains("1000") && m.contains("512"), m);
        assertThrows(IllegalArgumentException.class, () -> Truncation.of(0, TruncationSide.TAIL));
    }

    @Test
    void defaultsUseTheModelLimitAndCutTheTail() {
        Truncation d = Truncation.defaults();
        assertTrue(d.maxLength().isEmpty());
        assertEquals(TruncationSide.TAIL, d.side());
        assertEquals(512, nli.encoder(tok).maxLength());
        assertEquals(Truncation.of(64, TruncationSide.HEAD), d.withMaxLength(64).withSide(TruncationSide.HEAD));
    }
}
