package io.github.prompt4j.core.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TemplateParseTest {

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void parsesFieldsMasksTriggersAndSoftSlots() {
        Template nli = Template.parse("{premise} ? [MASK] , {hypothesis}");
        assertEquals(List.of("premise", "hypothesis"), nli.fields());
        assertEquals(1, nli.maskCount());
        assertEquals(0, nli.triggerCount());
        Template auto = Template.parse("{sentence} [T] [T] [T] [MASK] .");
        assertEquals(3, auto.triggerCount());
        assertEquals(List.of("sentence"), auto.fields());
        Template soft = Template.parse("[P] [P] {text} [P] [MASK] [MASK]");
        assertEquals(3, soft.softCount());
        assertEquals(2, soft.maskCount());
        assertTrue(auto.triggerIds().isEmpty());
        assertTrue(auto.triggerInitId().isEmpty());
    }

    @Test
    void aRepeatedFieldIsListedOnce() {
        assertEquals(List.of("a", "b"), Template.parse("{a} {b} {a} [MASK]").fields());
    }

    @Test
    void templateWithoutMaskIsRefused() {
        String m = message(() -> Template.parse("{text} It was great."));
        assertTrue(m.contains("no [MASK]") && m.contains("{text} It was great."), m);
    }

    @Test
    void unclosedBraceIsRefusedWithItsPosition() {
        String m = message(() -> Template.parse("{text It was [MASK]."));
        assertTrue(m.contains("not closed") && m.contains("position 0"), m);
        assertTrue(message(() -> Template.parse("{a {b} [MASK]")).contains("not closed"));
    }

    @Test
    void emptyOrInvalidFieldNameIsRefused() {
        assertTrue(message(() -> Template.parse("{} It was [MASK].")).contains("empty field name"));
        assertTrue(message(() -> Template.parse("{ } It was [MASK].")).contains("empty field name"));
        assertTrue(message(() -> Template.parse("{1x} [MASK]")).contains("'1x'"));
        assertTrue(message(() -> Template.parse("{a-b} [MASK]")).contains("'a-b'"));
    }

    @Test
    void strayClosingBraceIsRefused() {
        String m = message(() -> Template.parse("text} [MASK]"));
        assertTrue(m.contains("no matching '{'") && m.contains("position 4"), m);
    }

    @Test
    void blankOrNullTemplateIsRefused() {
        assertTrue(message(() -> Template.parse("  ")).contains("blank"));
        assertTrue(message(() -> Template.parse(null)).contains("blank"));
    }

    @Test
    void specialTokensAreLeftToTheTokenizer() {
        String m = message(() -> Template.parse("[CLS] {text} [MASK] [SEP]"));
        assertTrue(m.contains("[CLS]") && m.contains("tokenizer adds"), m);
    }

    @Test
    void misspelledSlotIsRefusedWithTheValidOnes() {
        String m = message(() -> Template.parse("{text} It was [MAKS]."));
        assertTrue(m.contains("[MAKS]") && m.contains("[MASK]") && m.contains("[T]"), m);
    }

    @Test
    void doubledBracesAreLiteralAndOtherBracketsStayText() {
        Template t = Template.parse("{{ {text} }} [maybe] [MASK]");
        assertEquals(List.of("text"), t.fields());
        assertEquals(1, t.maskCount());
    }

    @Test
    void bindingTriggersChecksTheirCount() {
        Template t = Template.parse("{text} [T] [T] [MASK]");
        String m = message(() -> t.withTriggerIds(5));
        assertTrue(m.contains("2 trigger slots") && m.contains("1 trigger ids"), m);
        assertTrue(message(() -> t.withTriggerIds(5, -1)).contains("-1"));
        Template bound = t.withTriggerIds(5, 6);
        assertEquals(List.of(5, 6), java.util.Arrays.stream(bound.triggerIds().orElseThrow()).boxed().toList());
        assertEquals(t, Template.parse("{text} [T] [T] [MASK]"), "templates are values");
        assertTrue(!bound.equals(t));
    }
}
