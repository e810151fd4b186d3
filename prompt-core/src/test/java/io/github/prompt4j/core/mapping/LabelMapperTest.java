package io.github.prompt4j.core.mapping;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each mapper's arithmetic on hand-computed numbers. */
class LabelMapperTest {

    // negative: p(bad) = 0.1, p(awful) = 0.3; positive: p(good) = 0.2
    private final LabelWordScores scores = new LabelWordScores(List.of("negative", "positive"),
            List.of(List.of("bad", "awful"), List.of("good")),
            new double[][] {{Math.log(0.1), Math.log(0.3)}, {Math.log(0.2)}});

    @Test
    void meanRenormalisesTheMeanWordProbability() {
        // s_neg = 0.2, s_pos = 0.2 -> 0.5 / 0.5
        assertArrayEquals(new double[] {0.5, 0.5}, LabelMapper.mean().map(scores), 1e-12);
    }

    @Test
    void sumRenormalisesTheTotalProbability() {
        // s_neg = 0.4, s_pos = 0.2 -> 2/3, 1/3
        assertArrayEquals(new double[] {2.0 / 3, 1.0 / 3}, LabelMapper.sum().map(scores), 1e-12);
    }

    @Test
    void maxTakesTheBestWord() {
        // s_neg = 0.3, s_pos = 0.2 -> 0.6, 0.4
        assertArrayEquals(new double[] {0.6, 0.4}, LabelMapper.max().map(scores), 1e-12);
    }

    @Test
    void weightedSumsWeightedProbabilities() {
        // s_neg = 2*0.1 + 0*0.3 = 0.2, s_pos = 3*0.2 = 0.6 -> 0.25, 0.75
        LabelMapper m = LabelMapper.weighted(Map.of("bad", 2.0, "awful", 0.0, "good", 3.0));
        assertArrayEquals(new double[] {0.25, 0.75}, m.map(scores), 1e-12);
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> LabelMapper.weighted(Map.of("bad", 1.0)).map(scores)).getMessage().contains("'awful'"));
        assertThrows(IllegalArgumentException.class, () -> LabelMapper.weighted(Map.of("bad", -1.0)));
    }

    @Test
    void weightedDividesEachClassByItsDivisor() {
        // s_neg = (0.1 + 0.3) / 0.8 = 0.5, s_pos = 0.2 / 0.2 = 1 -> 1/3, 2/3
        LabelMapper m = LabelMapper.weighted(Map.of("bad", 1.0, "awful", 1.0, "good", 1.0),
                Map.of("negative", 0.8, "positive", 0.2));
        assertArrayEquals(new double[] {1.0 / 3, 2.0 / 3}, m.map(scores), 1e-12);
        // a class without a divisor divides by 1: s_neg = 0.4, s_pos = 0.2 / 0.5 = 0.4 -> 0.5, 0.5
        LabelMapper partial = LabelMapper.weighted(Map.of("bad", 1.0, "awful", 1.0, "good", 1.0),
                Map.of("positive", 0.5));
        assertArrayEquals(new double[] {0.5, 0.5}, partial.map(scores), 1e-12);
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> LabelMapper.weighted(Map.of("bad", 1.0), Map.of("negative", 0.0))).getMessage()
                .contains("'negative'"));
    }

    @Test
    void weightedWithUnitOrInverseCountWeightsReproducesSumAndMean() {
        LabelMapper unit = LabelMapper.weighted(Map.of("bad", 1.0, "awful", 1.0, "good", 1.0));
        assertArrayEquals(LabelMapper.sum().map(scores), unit.map(scores), 1e-12);
        LabelMapper inverse = LabelMapper.weighted(Map.of("bad", 0.5, "awful", 0.5, "good", 1.0));
        assertArrayEquals(LabelMapper.mean().map(scores), inverse.map(scores), 1e-12);
    }

    @Test
    void everyClassAtZeroGivesTheUniformDistribution() {
        LabelMapper zero = LabelMapper.weighted(Map.of("bad", 0.0, "awful", 0.0, "good", 0.0));
        assertArrayEquals(new double[] {0.5, 0.5}, zero.map(scores), 1e-12);
    }

    @Test
    void scoresAreValidated() {
        String nan = assertThrows(IllegalArgumentException.class, () -> new LabelWordScores(List.of("a", "b"),
                List.of(List.of("x"), List.of("y")), new double[][] {{Double.NaN}, {-1}})).getMessage();
        assertTrue(nan.contains("'x'") && nan.contains("NaN"), nan);
        assertThrows(IllegalArgumentException.class, () -> new LabelWordScores(List.of("a", "a"),
                List.of(List.of("x"), List.of("y")), new double[][] {{-1}, {-1}}));
        assertThrows(IllegalArgumentException.class, () -> new LabelWordScores(List.of("a", "b"),
                List.of(List.of("x"), List.of()), new double[][] {{-1}, {}}));
    }

    @Test
    void calibrationDividesByThePriorAndRenormalises() {
        // sum gives (2/3, 1/3); prior (0.8, 0.2): (2/3)/0.8 = 0.8333, (1/3)/0.2 = 1.6667 -> 1/3, 2/3
        LabelMapper m = LabelMapper.calibrated(LabelMapper.sum(), Map.of("negative", 0.8, "positive", 0.2));
        assertArrayEquals(new double[] {1.0 / 3, 2.0 / 3}, m.map(scores), 1e-12);
    }

    @Test
    void tinyProbabilitiesDoNotUnderflow() {
        LabelWordScores tiny = new LabelWordScores(List.of("a", "b"), List.of(List.of("x"), List.of("y")),
                new double[][] {{-1000.0}, {-1000.0 - Math.log(3)}});
        // p(x) = 3 p(y) although both underflow a double: 0.75 / 0.25
        double[] p = LabelMapper.mean().map(tiny);
        assertEquals(0.75, p[0], 1e-12);
        assertEquals(0.25, p[1], 1e-12);
    }
}
