package io.github.prompt4j.search.fact;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.prompt4j.core.testing.FakeTokenizer;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.data.LamaRelation;
import io.github.prompt4j.search.testing.LinearBagModel;
import io.github.prompt4j.search.testing.Planted;
import java.util.List;
import org.junit.jupiter.api.Test;

class RankingMetricsTest {

    @Test
    void precisionAndMrrFromHandMadeRanks() {
        RankingMetrics m = RankingMetrics.fromRanks(new int[] {1, 3, 12, RankingMetrics.UNRANKED});
        assertEquals(4, m.count());
        assertEquals(0.25, m.precisionAt1(), 1e-12);
        assertEquals(0.5, m.precisionAt10(), 1e-12);
        assertEquals((1 + 1.0 / 3 + 1.0 / 12) / 4, m.meanReciprocalRank(), 1e-12);
        RankingMetrics ten = RankingMetrics.fromRanks(new int[] {10, 11});
        assertEquals(0.5, ten.precisionAt10(), 1e-12);
        assertEquals(0, ten.precisionAt1(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> RankingMetrics.fromRanks(new int[0]));
        assertThrows(IllegalArgumentException.class, () -> RankingMetrics.fromRanks(new int[] {0}));
    }

    @Test
    void rankCountsStrictlyLargerScores() {
        float[] scores = {0.5f, 2f, 0.5f, -1f, 3f};
        assertEquals(3, RankingMetrics.rank(scores, 0));
        assertEquals(3, RankingMetrics.rank(scores, 2));
        assertEquals(1, RankingMetrics.rank(scores, 4));
        assertEquals(5, RankingMetrics.rank(scores, 3));
    }

    @Test
    void factRetrievalRanksTheGoldAmongCandidatesOnly() {
        LinearBagModel model = Planted.model();
        // "the movie good [MASK] ." makes 'great' the top token of the whole vocabulary (dimension 0 = +1)
        int[] candidates = FactRetrieval.candidateIds(model.tokenizer(), List.of("terrible", "great", "movie"));
        assertArrayEquals(new int[] {FakeTokenizer.id("terrible"), FakeTokenizer.id("great"), FakeTokenizer.id(
                "movie")}, candidates);
        RankingMetrics good = FactRetrieval.evaluate(model, LamaRelation.autoPromptTemplate(1).withTriggerIds(
                FakeTokenizer.id("the")), List.of(Example.of("sub", "the movie good", "great"),
                        Example.of("sub", "the movie good", "terrible")), candidates, 8);
        assertEquals(0.5, good.precisionAt1(), 1e-12);
        assertEquals((1 + 1.0 / 3) / 2, good.meanReciprocalRank(), 1e-12);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FactRetrieval.candidateIds(model.tokenizer(), List.of("great", "Paris")));
        assertEquals(true, e.getMessage().contains("[Paris]"), e.getMessage());
    }
}
