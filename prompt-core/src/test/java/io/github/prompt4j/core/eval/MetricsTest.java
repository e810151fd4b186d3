package io.github.prompt4j.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsTest {

    // gold a a b b c, predicted a b b b a
    private final List<String> gold = List.of("a", "a", "b", "b", "c");
    private final List<String> pred = List.of("a", "b", "b", "b", "a");

    @Test
    void accuracyCountsExactMatches() {
        // 3 of 5 correct
        assertEquals(0.6, Metrics.accuracy(gold, pred), 1e-12);
    }

    @Test
    void macroF1AveragesPerClassF1() {
        // a: TP 1, FP 1, FN 1 -> 2/4 = 0.5; b: TP 2, FP 1, FN 0 -> 4/5 = 0.8; c: TP 0 -> 0; mean 1.3/3
        assertEquals(1.3 / 3, Metrics.macroF1(gold, pred), 1e-12);
    }

    @Test
    void confusionMatrixCountsGoldRowsAgainstPredictedColumns() {
        ConfusionMatrix m = ConfusionMatrix.of(List.of("a", "b", "c"), gold, pred);
        // rows gold, columns predicted: a -> [1 1 0], b -> [0 2 0], c -> [1 0 0]
        assertEquals(new ConfusionMatrix(List.of("a", "b", "c"), new int[][] {{1, 1, 0}, {0, 2, 0}, {1, 0, 0}}), m);
        assertEquals(1, m.count("c", "a"));
        assertEquals(5, m.total());
        assertEquals(0.6, m.accuracy(), 1e-12);
        assertEquals(m, ConfusionMatrix.of(gold, pred), "labels in order of first appearance");
    }

    @Test
    void perClassPrecisionRecallAndF1() {
        ConfusionMatrix m = ConfusionMatrix.of(gold, pred);
        // b: predicted 3 times, 2 right -> precision 2/3; 2 gold, both found -> recall 1; F1 = 0.8
        assertEquals(2.0 / 3, m.precision("b"), 1e-12);
        assertEquals(1.0, m.recall("b"), 1e-12);
        assertEquals(0.8, m.f1("b"), 1e-12);
        // c: never predicted -> precision 0 by convention; recall 0
        assertEquals(0.0, m.precision("c"));
        assertEquals(0.0, m.recall("c"));
        assertEquals(1.3 / 3, m.macroF1(), 1e-12);
    }

    @Test
    void aClassWithNeitherGoldNorPredictionsCountsAsZeroInMacroF1() {
        // a perfect on a, b; d never occurs: (1 + 1 + 0) / 3
        ConfusionMatrix m = ConfusionMatrix.of(List.of("a", "b", "d"), List.of("a", "b"), List.of("a", "b"));
        assertEquals(2.0 / 3, m.macroF1(), 1e-12);
    }

    @Test
    void unknownLabelsAndMismatchedListsAreRefused() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ConfusionMatrix.of(List.of("a", "b"), gold, pred)).getMessage().contains("'c'"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ConfusionMatrix.of(gold, pred).count("z", "a")).getMessage().contains("'z'"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Metrics.accuracy(List.of("a"), List.of("a", "b"))).getMessage().contains("1 gold labels"));
        assertThrows(IllegalArgumentException.class, () -> Metrics.accuracy(List.of(), List.of()));
    }
}
