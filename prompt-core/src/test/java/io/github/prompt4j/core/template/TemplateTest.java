package io.github.prompt4j.core.template;

import static io.github.prompt4j.core.testing.FakeTokenizer.id;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.testing.FakeTokenizer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplateTest {

    private final FakeTokenizer tok = new FakeTokenizer();

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void parsesFieldsMasksAndTriggers() {
        Template t = Template.parse("{premise} ? [MASK] , {hypothesis}");
        assertEquals(List.of("premise", "hypothesis"), t.fields());
        assertEquals(1, t.maskCount());
        assertEquals(0, t.triggerCount());
        Template s = Template.parse("{sentence} [T] [T] [T] [MASK] .");
        assertEquals(3, s.triggerCount());
        assertEquals(List.of("sentence"), s.fields());
    }

    @Test
    void encodesWithSpecialTokensAndMaskPositions() {
        EncodedPrompt p = Template.parse("{text} It was [MASK].").encode(Map.of("text", "a good movie"), tok);
        // [CLS] a good movie it was [MASK] . [SEP]
        assertArrayEquals(new int[] {2, id("a"), id("good"), id("movie"), id("it"), id("was"), 4, id("."), 3}, p.ids());
        assertArrayEquals(new int[] {6}, p.maskPositions());
        assertArrayEquals(new int[0], p.triggerPositions());
        assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, p.attentionMask());
    }

    @Test
    void triggersRenderAsMaskUntilBoundAndAreNotMaskPositions() {
        Template t = Template.parse("{text} [T] [T] [MASK] .");
        EncodedPrompt unbound = t.encode(Map.of("text", "fun"), tok);
        // [CLS] fun [T] [T] [MASK] . [SEP]
        assertArrayEquals(new int[] {2, id("fun"), 4, 4, 4, id("."), 3}, unbound.ids());
        assertArrayEquals(new int[] {4}, unbound.maskPositions());
        assertArrayEquals(new int[] {2, 3}, unbound.triggerPositions());
        EncodedPrompt bound = t.withTriggerIds(id("very"), id("##ly")).encode(Map.of("text", "fun"), tok);
        assertArrayEquals(new int[] {2, id("fun"), id("very"), id("##ly"), 4, id("."), 3}, bound.ids());
        assertTrue(message(() -> t.withTriggerIds(5)).contains("2 trigger slots"));
    }

    @Test
    void parseErrorsNameTheProblem() {
        assertTrue(message(() -> Template.parse("{text} It was great.")).contains("no [MASK]"));
        assertTrue(message(() -> Template.parse("{text It was [MASK].")).contains("not closed"));
        assertTrue(message(() -> Template.parse("{} It was [MASK].")).contains("empty field name"));
        assertTrue(message(() -> Template.parse("{1x} [MASK]")).contains("'1x'"));
        assertTrue(message(() -> Template.parse("text} [MASK]")).contains("no matching '{'"));
        assertTrue(message(() -> Template.parse("  ")).contains("blank"));
    }

    @Test
    void unknownMissingNullAndBlankFieldsAreNamed() {
        Template t = Template.parse("{premise} ? [MASK] , {hypothesis}");
        assertTrue(message(() -> t.encode(Map.of("premise", "a"), tok)).contains("missing field 'hypothesis'"));
        assertTrue(message(() -> t.encode(Map.of("premise", "a", "hypothesis", "b", "x", "c"), tok))
                .contains("unknown field 'x'"));
        assertTrue(message(() -> t.encode(Map.of("premise", " ", "hypothesis", "b"), tok))
                .contains("field 'premise' is blank"));
        TemplateEncoder single = Template.parse("{text} [MASK]").encoder(tok);
        assertTrue(message(() -> single.encode((String) null)).contains("field 'text' is null"));
        assertTrue(message(() -> t.encoder(tok).encode("a")).contains("pass a map"));
    }

    @Test
    void truncationCutsTheLongestFieldFirstAndKeepsTheHeadByDefault() {
        FakeTokenizer shortTok = new FakeTokenizer(true, 12);
        Template t = Template.parse("{premise} ? [MASK] , {hypothesis}");
        // fixed: [CLS] ? [MASK] , [SEP] = 5 tokens; limit 12 leaves 7 for the fields.
        // premise 6 tokens, hypothesis 3: cut 2 from premise -> 4 vs 3 (longest first).
        EncodedPrompt p = t.encoder(shortTok).encode(Map.of("premise", "the movie was good and fun",
                "hypothesis", "it was great"));
        assertEquals(12, p.length());
        assertArrayEquals(new int[] {2, id("the"), id("movie"), id("was"), id("good"), id("?"), 4, id(","),
            id("it"), id("was"), id("great"), 3}, p.ids());
        assertArrayEquals(new int[] {6}, p.maskPositions());
    }

    @Test
    void keepTailCutsFromTheStart() {
        FakeTokenizer shortTok = new FakeTokenizer(true, 8);
        // fixed: [CLS] it was [MASK] [SEP] = 5; 3 tokens left for the field.
        TemplateEncoder e = Template.parse("{text} it was [MASK]").encoder(shortTok, 8, Truncation.KEEP_TAIL);
        EncodedPrompt p = e.encode("the movie was good and fun");
        assertArrayEquals(new int[] {2, id("good"), id("and"), id("fun"), id("it"), id("was"), 4, 3}, p.ids());
        assertArrayEquals(new int[] {6}, p.maskPositions());
    }

    @Test
    void truncationNeverDropsTheMaskOrTriggers() {
        FakeTokenizer shortTok = new FakeTokenizer(true, 10);
        Template t = Template.parse("{text} [T] [T] [MASK] .");
        StringBuilder longText = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            longText.append("good movie ");
        }
        EncodedPrompt p = t.encoder(shortTok).encode(longText.toString());
        assertEquals(10, p.length());
        assertEquals(1, p.maskCount());
        assertEquals(4, p.ids()[p.maskPositions()[0]]);
        assertArrayEquals(new int[] {p.maskPositions()[0] - 2, p.maskPositions()[0] - 1}, p.triggerPositions());
    }

    @Test
    void tooLongFixedPartSaysItsLengthAndTheLimit() {
        FakeTokenizer shortTok = new FakeTokenizer(true, 6);
        String m = message(() -> Template.parse("{text} it was very very [MASK] .").encoder(shortTok));
        // [CLS] it was very very [MASK] . [SEP] = 8
        assertTrue(m.contains("needs 8 tokens") && m.contains("limit is 6"), m);
    }

    @Test
    void unusualTextEncodesWithoutErrors() {
        TemplateEncoder e = Template.parse("{text} It was [MASK].").encoder(new FakeTokenizer(true, 64));
        for (String s : List.of("I love it 😀🎉", "这部电影很好", "Cafe\u0301 cre\u0300me", "bad\u0000\u0007\u001b movie",
                "x".repeat(10_000), "good ".repeat(10_000))) {
            EncodedPrompt p = e.encode(s);
            assertTrue(p.length() <= 64);
            assertEquals(4, p.ids()[p.maskPositions()[0]]);
        }
    }
}
