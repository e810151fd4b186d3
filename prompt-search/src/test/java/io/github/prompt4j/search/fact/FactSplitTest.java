package io.github.prompt4j.search.fact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.search.data.Example;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FactSplitTest {

    private static final Set<String> VOCAB = Set.of("Paris", "Rome", "Berlin");

    private static Example fact(String subject, String object) {
        return Example.of("sub", subject, object);
    }

    @Test
    void searchAndSelectionAreDisjointFromTheReportedFactsAndFromEachOther() {
        List<Example> dev = List.of(fact("Dante", "Rome"), fact("Goethe", "Berlin"), fact("Hugo", "Besancon"));
        List<Example> train = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            train.add(fact("person" + i, i % 2 == 0 ? "Paris" : "Rome"));
        }
        train.add(fact("Dante", "Rome"));          // the same fact as a reported one
        train.add(fact("Goethe", "Paris"));        // a reported subject with another object
        train.add(fact("Zola", "Marseille"));      // an object outside the vocabulary
        FactSplit s = FactSplit.carve(train, dev, VOCAB::contains, 1000, 0.25, 3);

        assertEquals(List.of(fact("Dante", "Rome"), fact("Goethe", "Berlin")), s.reported());
        assertEquals(40, s.search().size() + s.selection().size());
        assertEquals(10, s.selection().size());
        Set<String> reportedSubjects = new HashSet<>(List.of("Dante", "Goethe"));
        Set<Example> seen = new HashSet<>();
        for (Example e : concat(s.search(), s.selection())) {
            assertFalse(reportedSubjects.contains(e.fields().get("sub")), e.toString());
            assertTrue(VOCAB.contains(e.label()), e.toString());
            assertTrue(seen.add(e), "fact in both search and selection: " + e);
        }
    }

    @Test
    void aFactListedTwiceInTheTrainingFileLandsOnOneSideOnly() {
        // T-REx training files repeat some facts (P103 lists "Moniruzzaman -> Bengali" twice); a copy on each side
        // would put a selection fact among the search facts, which TriggerSearch refuses
        List<Example> train = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            train.add(fact("s" + i, "Paris"));
            train.add(fact("s" + i, "Paris"));
        }
        for (long seed = 0; seed < 20; seed++) {
            FactSplit s = FactSplit.carve(train, List.of(fact("d", "Rome")), VOCAB::contains, 1000, 0.3, seed);
            assertEquals(30, s.search().size() + s.selection().size());
            Set<Example> search = new HashSet<>(s.search());
            assertTrue(s.selection().stream().noneMatch(search::contains), "seed " + seed);
        }
    }

    @Test
    void theSplitIsSeededAndTheLimitBoundsSearchPlusSelection() {
        List<Example> train = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            train.add(fact("s" + i, "Paris"));
        }
        List<Example> dev = List.of(fact("d", "Rome"));
        FactSplit a = FactSplit.carve(train, dev, VOCAB::contains, 20, 0.2, 7);
        assertEquals(a, FactSplit.carve(train, dev, VOCAB::contains, 20, 0.2, 7));
        assertEquals(16, a.search().size());
        assertEquals(4, a.selection().size());
    }

    private static List<Example> concat(List<Example> a, List<Example> b) {
        List<Example> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
