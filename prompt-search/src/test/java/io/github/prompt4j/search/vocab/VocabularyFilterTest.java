package io.github.prompt4j.search.vocab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.testing.FakeTokenizer;
import io.github.prompt4j.search.internal.TopK;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VocabularyFilterTest {

    private static final FakeTokenizer TOK = new FakeTokenizer();

    @Test
    void eachFilterDropsItsTokens() {
        boolean[] d = VocabularyFilter.defaults().allowed(TOK, Set.of(FakeTokenizer.id("great")));
        for (String special : List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")) {
            assertFalse(d[FakeTokenizer.id(special)], special);
        }
        assertFalse(d[FakeTokenizer.id("great")]);
        assertTrue(d[FakeTokenizer.id("##ly")]);
        assertTrue(d[FakeTokenizer.id(".")]);
        boolean[] strict = VocabularyFilter.defaults().withExcludeContinuations(true).withExcludeNonAlphabetic(true)
                .withDenied(List.of("movie", "notInVocabulary")).allowed(TOK, Set.of());
        assertFalse(strict[FakeTokenizer.id("##ly")]);
        assertFalse(strict[FakeTokenizer.id(".")]);
        assertFalse(strict[FakeTokenizer.id("'")]);
        assertFalse(strict[FakeTokenizer.id("movie")]);
        assertTrue(strict[FakeTokenizer.id("film")]);
        assertTrue(strict[FakeTokenizer.id("great")]);
        FakeTokenizer cased = new FakeTokenizer(false, 512);
        boolean[] none = new VocabularyFilter(false, false, false, false, true, List.of()).allowed(cased, Set.of());
        assertTrue(none[FakeTokenizer.id("[MASK]")], "brackets are not capitalised letters");
        assertEquals(FakeTokenizer.VOCABULARY.size(), count(none));
    }

    @Test
    void topKMatchesAFullSortWithTiesToTheSmallerId() {
        double[] s = {0.1, 5, 3, 5, -2, 3, Double.NaN, 4};
        boolean[] all = new boolean[s.length];
        java.util.Arrays.fill(all, true);
        assertArrayEquals(new int[] {1, 3, 7, 2, 5}, TopK.largest(s, all, 5));
        all[3] = false;
        assertArrayEquals(new int[] {1, 7}, TopK.largest(s, all, 2));
        assertArrayEquals(new int[] {1, 7, 2, 5, 0, 4}, TopK.largest(s, all, 100));
    }

    private static int count(boolean[] b) {
        int n = 0;
        for (boolean x : b) {
            n += x ? 1 : 0;
        }
        return n;
    }
}
