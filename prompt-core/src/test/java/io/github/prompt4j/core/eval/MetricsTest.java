package io.github.prompt4j.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsTest {

    private final List<String> gold = List.of("a", "a", "b", "b", "c");
    private final List<String> pred = List.of("a", "b", "b", "b", "a");

    @Test
    void accuracyAndMacroF1OnAHandCountedExample() {
        assertEquals(0.6, Metrics.accuracy(gold, pred), 1e-12);
        // F1: a = 2*1/(2+1+1) = 0.5, b = 2*2/(4+1+0) = 0.8, c = 0 -> mean 0.4333
        assertEquals((0.5 + 0.8 + 0.0) / 3, Metrics.macroF1(gold, pred), 1e-12);
    }

    @Test
    void confusionMatrixCounts() {
        ConfusionMatrix m = ConfusionMatrix.of(List.of("a", "b", "c"), gold, pred);
        assertEquals(1, m.count("a", "a"));
        assertEquals(1, m.count("a", "b"));
        assertEquals(2, m.count("b", "b"));
        assertEquals(1, m.count("c", "a"));
        assertEquals(0, m.count("c", "c"));
        assertEquals(5, m.total());
        assertEquals(0.6, m.accuracy(), 1e-12);
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ConfusionMatrix.of(List.of("a", "b"), gold, pred)).getMessage().contains("'c'"));
    }

    @Test
    void mismatchedListsAreRefused() {
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Metrics.accuracy(List.of("a"), List.of("a", "b"))).getMessage().contains("1 gold labels"));
        assertThrows(IllegalArgumentException.class, () -> Metrics.accuracy(List.of(), List.of()));
    }

    private static List<String> repeat(int correct, int wrong) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < correct + wrong; i++) {
            out.add(i < correct ? "y" : "n");
        }
        return out;
    }

    @Test
    void bootstrapIntervalAgreesWithTheNormalApproximationAndIsDeterministic() {
        List<String> g = repeat(1000, 0);
        List<String> p = repeat(800, 200);
        BootstrapInterval ci = BootstrapInterval.accuracy(g, p, 2000, 0.95, 42);
        assertEquals(0.8, ci.estimate(), 1e-12);
        assertTrue(ci.lower() < 0.8 && 0.8 < ci.upper());
        // normal approximation: 1.96 * sqrt(0.8 * 0.2 / 1000) = 0.0248
        assertEquals(0.0248, ci.halfWidth(), 0.004);
        assertEquals(ci, BootstrapInterval.accuracy(g, p, 2000, 0.95, 42));
        BootstrapInterval small = BootstrapInterval.accuracy(repeat(50, 0), repeat(40, 10), 2000, 0.95, 42);
        assertTrue(small.halfWidth() > 3 * ci.halfWidth(), "50 inputs give a much wider interval than 1000");
        assertThrows(IllegalArgumentException.class, () -> BootstrapInterval.accuracy(g, p, 10, 0.95, 1));
    }
}
