package io.github.prompt4j.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.random.MersenneTwister;
import org.junit.jupiter.api.Test;

class BootstrapIntervalTest {

    /** {@code correct + wrong} gold labels "y"; predictions "y" for the first {@code correct}, then "n". */
    private static List<String> gold(int n) {
        return new ArrayList<>(java.util.Collections.nCopies(n, "y"));
    }

    private static List<String> predicted(int correct, int wrong) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < correct + wrong; i++) {
            out.add(i < correct ? "y" : "n");
        }
        return out;
    }

    @Test
    void intervalContainsThePointEstimate() {
        BootstrapInterval ci = BootstrapInterval.accuracy(gold(200), predicted(150, 50), 2000, 0.95, 7);
        assertEquals(0.75, ci.estimate(), 1e-12);
        assertTrue(ci.contains(ci.estimate()), ci.toString());
        assertTrue(ci.lower() < 0.75 && 0.75 < ci.upper(), ci.toString());
    }

    @Test
    void widthMatchesTheNormalApproximation() {
        BootstrapInterval ci = BootstrapInterval.accuracy(gold(1000), predicted(800, 200), 2000, 0.95, 42);
        // 1.96 * sqrt(0.8 * 0.2 / 1000) = 0.0248
        assertEquals(0.0248, ci.halfWidth(), 0.004);
        assertEquals(2 * ci.halfWidth(), ci.width(), 1e-12);
    }

    @Test
    void sameSeedGivesTheSameIntervalAndAnotherSeedAnother() {
        BootstrapInterval a = BootstrapInterval.accuracy(gold(300), predicted(200, 100), 1000, 0.9, 42);
        assertEquals(a, BootstrapInterval.accuracy(gold(300), predicted(200, 100), 1000, 0.9, 42));
        assertEquals(a, BootstrapInterval.accuracy(gold(300), predicted(200, 100), 1000, 0.9,
                new org.apache.commons.math3.random.Well19937c(42)), "the long seed means a Well19937c");
        BootstrapInterval mt1 = BootstrapInterval.accuracy(gold(300), predicted(200, 100), 1000, 0.9,
                new MersenneTwister(1));
        assertEquals(mt1, BootstrapInterval.accuracy(gold(300), predicted(200, 100), 1000, 0.9,
                new MersenneTwister(1)));
        assertNotEquals(a, BootstrapInterval.accuracy(gold(300), predicted(200, 100), 1000, 0.9, 43));
    }

    @Test
    void intervalNarrowsWithMoreData() {
        // same accuracy 0.8; width shrinks like 1/sqrt(n): 20x the data, about 4.5x narrower
        BootstrapInterval small = BootstrapInterval.accuracy(gold(50), predicted(40, 10), 2000, 0.95, 3);
        BootstrapInterval large = BootstrapInterval.accuracy(gold(1000), predicted(800, 200), 2000, 0.95, 3);
        assertTrue(small.width() > 3 * large.width(), small + " vs " + large);
    }

    @Test
    void higherConfidenceGivesAWiderInterval() {
        BootstrapInterval c80 = BootstrapInterval.accuracy(gold(400), predicted(300, 100), 2000, 0.80, 5);
        BootstrapInterval c99 = BootstrapInterval.accuracy(gold(400), predicted(300, 100), 2000, 0.99, 5);
        assertTrue(c99.width() > c80.width(), c80 + " vs " + c99);
    }

    @Test
    void perfectPredictionsGiveADegenerateInterval() {
        BootstrapInterval ci = BootstrapInterval.accuracy(gold(30), predicted(30, 0), 500, 0.95, 1);
        assertEquals(1.0, ci.lower());
        assertEquals(1.0, ci.upper());
    }

    @Test
    void badArgumentsAreRefused() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> BootstrapInterval.accuracy(gold(10), predicted(5, 5), 10, 0.95, 1)).getMessage()
                .contains("100 resamples"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> BootstrapInterval.accuracy(gold(10), predicted(5, 5), 1000, 1.0, 1)).getMessage()
                .contains("confidence"));
        assertThrows(IllegalArgumentException.class,
                () -> BootstrapInterval.ofOutcomes(new boolean[0], 1000, 0.95, new MersenneTwister(1)));
    }
}
