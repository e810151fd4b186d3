package io.github.prompt4j.search.fact;

/**
 * Ranking metrics of fact retrieval over a set of queries: precision at 1 and at 10 (the gold object is among the
 * top 1 / top 10 candidates) and the mean reciprocal rank (Petroni et al. 2019, LAMA).
 *
 * <p>Immutable and thread-safe.
 *
 * @param count number of queries
 * @param precisionAt1 fraction of queries whose gold is ranked first, in [0, 1]
 * @param precisionAt10 fraction of queries whose gold is within the first 10, in [0, 1]
 * @param meanReciprocalRank mean of 1 / rank, in [0, 1]; a gold that is not ranked at all contributes 0
 */
public record RankingMetrics(int count, double precisionAt1, double precisionAt10, double meanReciprocalRank) {

    /** The rank of a gold that is not among the candidates. */
    public static final int UNRANKED = Integer.MAX_VALUE;

    public RankingMetrics {
        if (count < 1) {
            throw new IllegalArgumentException("ranking metrics need at least one query, got " + count);
        }
    }

    /**
     * Metrics from 1-based ranks, one per query ({@link #UNRANKED} for a gold outside the candidates).
     *
     * @throws IllegalArgumentException for no ranks or a rank below 1
     */
    public static RankingMetrics fromRanks(int[] ranks) {
        if (ranks.length == 0) {
            throw new IllegalArgumentException("need at least one rank");
        }
        int at1 = 0;
        int at10 = 0;
        double rr = 0;
        for (int i = 0; i < ranks.length; i++) {
            int r = ranks[i];
            if (r < 1) {
                throw new IllegalArgumentException("rank " + r + " of query " + i + " is below 1; ranks are 1-based");
            }
            at1 += r == 1 ? 1 : 0;
            at10 += r <= 10 ? 1 : 0;
            rr += r == UNRANKED ? 0 : 1.0 / r;
        }
        return new RankingMetrics(ranks.length, (double) at1 / ranks.length, (double) at10 / ranks.length,
                rr / ranks.length);
    }

    /**
     * The 1-based rank of the gold column: one plus the number of columns with a strictly larger score (ties are
     * resolved in the gold's favour, as LAMA's evaluation does with its sorted arg-max).
     */
    public static int rank(float[] scores, int goldColumn) {
        float gold = scores[goldColumn];
        int above = 0;
        for (float s : scores) {
            if (s > gold) {
                above++;
            }
        }
        return above + 1;
    }
}
