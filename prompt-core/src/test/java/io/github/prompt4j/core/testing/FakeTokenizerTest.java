package io.github.prompt4j.core.testing;

import static io.github.prompt4j.core.testing.FakeTokenizer.id;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.model.TokenEncoding;
import org.junit.jupiter.api.Test;

class FakeTokenizerTest {

    private final FakeTokenizer tok = new FakeTokenizer();

    @Test
    void splitsWordsIntoContinuationsWithSpansInTheOriginalText() {
        TokenEncoding e = tok.encode("Fantastic movies!");
        assertArrayEquals(new int[] {id("fant"), id("##astic"), id("movie"), id("##s"), id("!")}, e.ids());
        assertArrayEquals(new int[] {0, 4, 10, 15, 16}, e.starts());
        assertArrayEquals(new int[] {4, 9, 15, 16, 17}, e.ends());
    }

    @Test
    void lowerCasesAndStripsAccentsUnlessCased() {
        // "o" + combining acute: the piece spans both chars
        TokenEncoding e = tok.encode("O\u0301kay");
        assertArrayEquals(new int[] {id("okay")}, e.ids());
        assertArrayEquals(new int[] {5}, e.ends());
        FakeTokenizer cased = new FakeTokenizer(false, 512);
        assertArrayEquals(new int[] {1}, cased.encode("Okay").ids(), "cased: Okay is unknown");
        assertTrue(tok.lowerCases());
        assertTrue(!cased.lowerCases());
    }

    @Test
    void unknownWordsPunctuationAndMasks() {
        assertArrayEquals(new int[] {1, id(","), 4, id("?")}, tok.encode("zebra,[MASK]?").ids());
        assertArrayEquals(new int[0], tok.encode("").ids());
        assertArrayEquals(new int[0], tok.encode(" \t\u0000 ").ids());
        assertThrows(IllegalArgumentException.class, () -> tok.encode(null));
    }

    @Test
    void decodesSkippingSpecialsAndJoiningContinuations() {
        assertEquals("fantastic movies !", tok.decode(new int[] {2, id("fant"), id("##astic"), id("movie"), id("##s"),
            id("!"), 3}));
    }

    @Test
    void framesWithClsAndSep() {
        assertArrayEquals(new int[] {2, 9, 3}, tok.frame(new int[] {9}));
        assertEquals(2, tok.frameLength());
        assertEquals(1, tok.frameOffset());
        assertEquals(38, tok.vocabularySize());
        assertEquals("[MASK]", tok.idToToken(tok.specialTokens().mask()));
        assertThrows(IllegalArgumentException.class, () -> tok.idToToken(38));
    }

    @Test
    void spaceSensitiveModeMarksWordsAfterWhiteSpace() {
        FakeTokenizer bpe = FakeTokenizer.spaceSensitive(64);
        assertTrue(bpe.spaceSensitive());
        int spaceGood = bpe.tokenToId("Ġgood").orElseThrow();
        assertArrayEquals(new int[] {id("good"), spaceGood, id(".")}, bpe.encode("good good.").ids());
        assertEquals("good good .", bpe.decode(bpe.encode("good good.").ids()));
        assertEquals(id("good"), bpe.tokenToId("good").orElseThrow(), "standard ids are kept");
    }
}
