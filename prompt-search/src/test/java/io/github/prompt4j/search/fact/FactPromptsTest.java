package io.github.prompt4j.search.fact;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.template.SoftPrompt;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.testing.FakeTokenizer;
import io.github.prompt4j.search.data.Example;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FactPromptsTest {

    private static final FakeTokenizer TOK = new FakeTokenizer();
    private static final int CLS = FakeTokenizer.id("[CLS]");
    private static final int SEP = FakeTokenizer.id("[SEP]");
    private static final int MASK = FakeTokenizer.id("[MASK]");

    @TempDir
    Path dir;

    private static int[] encode(FactPrompt p, String subject) {
        EncodedPrompt e = p.template().encoder(TOK).encode(p.values(Example.of("sub", subject, "great")));
        return e.ids();
    }

    @Test
    void aGluedPieceJoinsTheSubjectAsTheAuthorsTokenizerReadsTheSubstitutedText() {
        // "[X]astic" with subject "fant" is the text "fantastic is [MASK] .": fant ##astic, one word
        FactPrompt p = FactPrompts.line("{\"relation\": \"P1\", \"template\": \"[X]astic is [Y] .\"}");
        assertEquals("astic", p.subjectSuffix());
        assertArrayEquals(new int[] {CLS, FakeTokenizer.id("fant"), FakeTokenizer.id("##astic"),
            FakeTokenizer.id("is"), MASK, FakeTokenizer.id("."), SEP}, encode(p, "fant"));
        // the same text without glue puts "astic" in a word of its own, which this vocabulary does not know
        FactPrompt spaced = FactPrompts.line("{\"relation\": \"P1\", \"template\": \"[X] astic is [Y] .\"}");
        assertEquals(FakeTokenizer.id("[UNK]"), encode(spaced, "fant")[2]);
    }

    @Test
    void textGluedToTheObjectIsSplitFromTheMask() {
        FactPrompt p = FactPrompt.parse("P2", "[X] was [Y]!");
        assertArrayEquals(new int[] {CLS, FakeTokenizer.id("plot"), FakeTokenizer.id("was"), MASK,
            FakeTokenizer.id("!"), SEP}, encode(p, "plot"));
    }

    @Test
    void bundledSetsHoldOneExactPromptPerTrexRelationForTheSameRelations() throws IOException {
        Set<String> relations = new TreeSet<>();
        try (Stream<Path> folders = Files.list(Path.of(System.getProperty("prompt4j.shared", "../shared"), "data",
                "lama", "trex"))) {
            folders.filter(Files::isDirectory).forEach(f -> relations.add(f.getFileName().toString()));
        }
        assertEquals(41, relations.size(), "LAMA T-REx has 41 relations");
        Map<String, FactPrompt> triggers = FactPrompts.bundled("autoprompt-bert-base-cased");
        assertEquals(relations, new TreeSet<>(triggers.keySet()), "the shipped set covers every T-REx relation");
        for (FactPrompt p : triggers.values()) {
            // exact ids for every trigger slot, so the prompt never depends on re-tokenising its display text
            assertEquals(p.template().triggerCount(), p.template().triggerIds().orElseThrow().length, p.relation());
            assertTrue(p.text().contains("[X]") && p.text().contains("[Y]"), p.text());
        }
        Map<String, FactPrompt> vectors = FactPrompts.bundled("optiprompt-bert-base-cased");
        assertEquals(triggers.keySet(), vectors.keySet());
        for (FactPrompt p : vectors.values()) {
            SoftPrompt soft = p.softPrompt().orElseThrow();
            assertEquals(p.template().softCount(), soft.size(), p.relation());
            assertEquals(768, soft.dim(), p.relation() + ": bert-base-cased's hidden size");
        }
    }

    @Test
    void anUnknownBundledSetNamesTheOnesThereAre() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FactPrompts.bundled("autoprompt-bert-large"));
        assertTrue(e.getMessage().contains("autoprompt-bert-base-cased"), e.getMessage());
    }

    @Test
    void readsAFileInOrderAndNamesTheLineOfABadPrompt() throws Exception {
        Path f = dir.resolve("p.jsonl");
        Files.writeString(f, "{\"relation\": \"P19\", \"template\": \"[X] was born in [Y] .\"}\n\n"
                + "{\"relation\": \"P20\", \"template\": \"[X] died in [Y] .\", \"label\": \"x\"}\n");
        Map<String, FactPrompt> m = FactPrompts.read(f);
        assertEquals(List.of("P19", "P20"), List.copyOf(m.keySet()));
        assertEquals("{sub} was born in [MASK] .", m.get("P19").template().text());
        Files.writeString(f, "{\"relation\": \"P19\", \"template\": \"[X] was born in [Y] .\"}\n"
                + "{\"relation\": \"P20\", \"template\": \"[X] died in .\"}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FactPrompts.read(f));
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("[Y]"), e.getMessage());
    }

    @Test
    void searchedPromptsRoundTripExactly() throws Exception {
        Template bound = Template.parse("{sub} [T] [T] [MASK] .").withTriggerIds(FakeTokenizer.id("fant"),
                FakeTokenizer.id("##astic"));
        FactPrompt discrete = FactPrompt.triggers("P1", bound, TOK);
        assertEquals("[X] fantastic [Y] .", discrete.text());
        FactPrompt soft = FactPrompt.soft("P2", Template.parse("{sub} [P] [MASK] ."),
                SoftPrompt.of(new float[] {0.1f, -2.5e-7f, Float.MIN_VALUE, 3f}));
        Path f = dir.resolve("found.jsonl");
        FactPrompts.write(f, List.of(discrete, soft), "fake");
        Map<String, FactPrompt> back = FactPrompts.read(f);
        assertArrayEquals(bound.triggerIds().orElseThrow(), back.get("P1").template().triggerIds().orElseThrow());
        assertArrayEquals(encode(discrete, "plot"), encode(back.get("P1"), "plot"));
        assertArrayEquals(soft.softPrompt().orElseThrow().vector(0), back.get("P2").softPrompt().orElseThrow()
                .vector(0));
        assertEquals(soft.template().text(), back.get("P2").template().text());
    }
}
