package io.github.prompt4j.core.template;

import static io.github.prompt4j.core.testing.FakeTokenizer.id;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.testing.FakeTokenizer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplateEncodingTest {

    private static final int CLS = 2;
    private static final int SEP = 3;
    private static final int MASK = 4;
    private static final int UNK = 1;

    private final FakeTokenizer tok = new FakeTokenizer();

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void encodesWithSpecialTokensAndMaskPositions() {
        EncodedPrompt p = Template.parse("{text} It was [MASK].").encode(Map.of("text", "a good movie"), tok);
        // [CLS] a good movie it was [MASK] . [SEP]
        assertArrayEquals(new int[] {CLS, id("a"), id("good"), id("movie"), id("it"), id("was"), MASK, id("."), SEP},
                p.ids());
        assertArrayEquals(new int[] {6}, p.maskPositions());
        assertArrayEquals(new int[0], p.triggerPositions());
        assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, p.attentionMask());
        assertArrayEquals(new int[9], p.tokenTypes());
    }

    @Test
    void multiFieldTemplateFillsEachField() {
        EncodedPrompt p = Template.parse("{premise} ? [MASK] , {hypothesis}")
                .encode(Map.of("premise", "it was fun", "hypothesis", "good"), tok);
        // [CLS] it was fun ? [MASK] , good [SEP]
        assertArrayEquals(new int[] {CLS, id("it"), id("was"), id("fun"), id("?"), MASK, id(","), id("good"), SEP},
                p.ids());
        assertArrayEquals(new int[] {5}, p.maskPositions());
    }

    @Test
    void everyMaskIsReported() {
        EncodedPrompt p = Template.parse("[MASK] {text} [MASK]").encode("fun", tok);
        // [CLS] [MASK] fun [MASK] [SEP]
        assertArrayEquals(new int[] {1, 3}, p.maskPositions());
    }

    @Test
    void unboundTriggersRenderAsTheMaskIdButAreNotMaskPositions() {
        Template t = Template.parse("{text} [T] [T] [MASK] .");
        EncodedPrompt p = t.encode("fun", tok);
        // [CLS] fun [T] [T] [MASK] . [SEP]
        assertArrayEquals(new int[] {CLS, id("fun"), MASK, MASK, MASK, id("."), SEP}, p.ids());
        assertArrayEquals(new int[] {4}, p.maskPositions());
        assertArrayEquals(new int[] {2, 3}, p.triggerPositions());
    }

    @Test
    void boundTriggersRenderTheirIds() {
        Template t = Template.parse("{text} [T] [T] [MASK] .").withTriggerIds(id("very"), id("##ly"));
        EncodedPrompt p = t.encode("fun", tok);
        assertArrayEquals(new int[] {CLS, id("fun"), id("very"), id("##ly"), MASK, id("."), SEP}, p.ids());
        assertArrayEquals(new int[] {2, 3}, p.triggerPositions());
    }

    @Test
    void triggerInitIdReplacesTheMaskForUnboundTriggers() {
        Template t = Template.parse("{text} [T] [MASK]").withTriggerInitId(id("the"));
        assertArrayEquals(new int[] {CLS, id("fun"), id("the"), MASK, SEP}, t.encode("fun", tok).ids());
    }

    @Test
    void triggerIdsOutsideTheVocabularyAreRefused() {
        Template t = Template.parse("{text} [T] [MASK]").withTriggerIds(38);
        assertTrue(message(() -> t.encoder(tok)).contains("trigger id 38 is outside the vocabulary of 38"));
    }

    @Test
    void softSlotsAreUnkPlaceholdersReportedSeparately() {
        EncodedPrompt p = Template.parse("[P] {text} [P] [MASK]").encoder(tok).encode(Map.of("text", "fun"));
        // [CLS] [P] fun [P] [MASK] [SEP]
        assertArrayEquals(new int[] {CLS, UNK, id("fun"), UNK, MASK, SEP}, p.ids());
        assertArrayEquals(new int[] {1, 3}, p.softPositions());
        assertEquals(2, p.softCount());
        assertArrayEquals(new int[] {4}, p.maskPositions());
        assertArrayEquals(new int[0], p.triggerPositions());
        assertEquals(0, p.truncatedTokens());
        assertFalse(p.truncated());
    }

    @Test
    void unknownFieldIsNamed() {
        Template t = Template.parse("{premise} ? [MASK] , {hypothesis}");
        String m = message(() -> t.encode(Map.of("premise", "a", "hypothesis", "b", "x", "c"), tok));
        assertTrue(m.contains("unknown field 'x'") && m.contains("[premise, hypothesis]"), m);
    }

    @Test
    void missingFieldIsNamed() {
        Template t = Template.parse("{premise} ? [MASK] , {hypothesis}");
        String m = message(() -> t.encode(Map.of("premise", "a"), tok));
        assertTrue(m.contains("missing field 'hypothesis'"), m);
    }

    @Test
    void nullOrBlankTextIsRefused() {
        TemplateEncoder single = Template.parse("{text} [MASK]").encoder(tok);
        assertTrue(message(() -> single.encode((String) null)).contains("field 'text' is null"));
        assertTrue(message(() -> single.encode(" \t\n")).contains("field 'text' is blank"));
        assertTrue(message(() -> single.encode((Map<String, String>) null)).contains("must not be null"));
        Template nli = Template.parse("{premise} ? [MASK] , {hypothesis}");
        assertTrue(message(() -> nli.encode(Map.of("premise", " ", "hypothesis", "b"), tok))
                .contains("field 'premise' is blank"));
    }

    @Test
    void singleTextNeedsASingleFieldTemplate() {
        String m = message(() -> Template.parse("{premise} ? [MASK] , {hypothesis}").encode("a", tok));
        assertTrue(m.contains("pass a map") && m.contains("[premise, hypothesis]"), m);
    }

    @Test
    void spaceSensitiveVocabulariesSeeLeadingSpacesAsInTheSentence() {
        FakeTokenizer bpe = FakeTokenizer.spaceSensitive(64);
        EncodedPrompt p = Template.parse("{text} It was [MASK].").encode("  a good movie ", bpe);
        // "a good movie" + " It was" + [MASK] + "." : the field starts the text, "It was" follows a space, "." not
        int[] expected = {CLS, id("a"), ids(bpe, "Ġgood"), ids(bpe, "Ġmovie"), ids(bpe, "Ġit"), ids(bpe, "Ġwas"),
            MASK, id("."), SEP};
        assertArrayEquals(expected, p.ids());
        EncodedPrompt nli = Template.parse("{premise} ? [MASK] , {hypothesis}")
                .encode(Map.of("premise", "fun", "hypothesis", "good"), bpe);
        assertArrayEquals(new int[] {CLS, id("fun"), ids(bpe, "Ġ?"), MASK, ids(bpe, "Ġ,"), ids(bpe, "Ġgood"), SEP},
                nli.ids());
    }

    private static int ids(FakeTokenizer t, String token) {
        return t.tokenToId(token).orElseThrow();
    }

    @Test
    void emojiCjkAccentsAndControlCharactersEncode() {
        TemplateEncoder e = Template.parse("{text} It was [MASK].").encoder(tok);
        // emoji are symbols: one [UNK] each; a zero-width joiner is a format character and is dropped
        assertArrayEquals(new int[] {CLS, id("i"), UNK, id("it"), UNK, UNK, id("it"), id("was"), MASK, id("."), SEP},
                e.encode("I love it 😀🎉").ids());
        // [CLS] + 2 emoji + it was [MASK] . [SEP]
        assertEquals(1 + 2 + 5, e.encode("👨\u200d👩").length(), "two emoji, joiner dropped");
        // every CJK ideograph is a word of its own
        assertEquals(1 + 6 + 5, e.encode("这部电影很好").length());
        // combining accents are stripped by the uncased tokenizer: "Fun\u0301" is "fun"
        assertArrayEquals(new int[] {CLS, id("fun"), id("okay"), id("it"), id("was"), MASK, id("."), SEP},
                e.encode("Fu\u0301n ÓKAY").ids());
        // control characters vanish, even inside a word
        assertArrayEquals(new int[] {CLS, id("bad"), id("movie"), id("it"), id("was"), MASK, id("."), SEP},
                e.encode("ba\u0000d\u0007\u001b movie\u0085").ids());
        // a lone surrogate is dropped rather than breaking the encoder
        assertEquals(1 + 1 + 5, e.encode("\uD83D fun").length());
    }

    @Test
    void tenThousandCharacterInputsAreTruncatedNotBroken() {
        FakeTokenizer tok64 = new FakeTokenizer(true, 64);
        TemplateEncoder e = Template.parse("{text} It was [MASK].").encoder(tok64);
        for (String s : List.of("x".repeat(10_000), "good ".repeat(2_000), "好".repeat(10_000),
                "😀".repeat(5_000), "fun, ".repeat(2_000))) {
            EncodedPrompt p = e.encode(s);
            assertTrue(p.length() <= 64);
            int[] ids = p.ids();
            int n = ids.length;
            // ... it was [MASK] . [SEP] always survive
            assertArrayEquals(new int[] {id("it"), id("was"), MASK, id("."), SEP},
                    java.util.Arrays.copyOfRange(ids, n - 5, n), s.substring(0, 10));
            assertArrayEquals(new int[] {n - 3}, p.maskPositions());
        }
        // 10,000 x's are one word longer than 100 characters: a single [UNK]
        assertEquals(1 + 1 + 5, e.encode("x".repeat(10_000)).length());
        assertEquals(64, e.encode("good ".repeat(2_000)).length());
    }
}
