package io.github.prompt4j.search.fact;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.prompt4j.core.testing.FakeTokenizer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WarmStartTest {

    private static final FakeTokenizer TOK = new FakeTokenizer();

    @Test
    void everyWordPieceBecomesASlotAndTheStartEncodesLikeTheManualTemplate() {
        String lama = "The movie [X] is fantastic and [Y] .";
        WarmStart t = WarmStart.of(lama, TOK, WarmStart.Slot.TRIGGER);
        assertEquals("[T] [T] {sub} [T] [T] [T] [T] [MASK] .", t.template().text());
        assertEquals(List.of("the", "movie", "is", "fant", "##astic", "and"), t.initialTokens());
        int[] ids = t.initialTokens().stream().mapToInt(FakeTokenizer::id).toArray();
        Map<String, String> values = Map.of("sub", "a good plot");
        assertArrayEquals(FactPrompt.parse("P1", lama).template().encode(values, TOK).ids(),
                t.template().withTriggerIds(ids).encode(values, TOK).ids());
        WarmStart soft = WarmStart.of(lama, TOK, WarmStart.Slot.SOFT);
        assertEquals("[P] [P] {sub} [P] [P] [P] [P] [MASK] .", soft.template().text());
    }
}
