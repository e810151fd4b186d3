package io.github.prompt4j.core.verbalizer;

import static io.github.prompt4j.core.testing.FakeTokenizer.id;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.testing.FakeTokenizer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VerbalizerTest {

    private final FakeTokenizer tok = new FakeTokenizer();

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void resolvesWordsToPiecesInClassOrder() {
        Verbalizer v = Verbalizer.builder().add("negative", "bad", "Terrible").add("positive", "great").build();
        List<LabelWord> words = v.resolve(tok);
        assertEquals(List.of("negative", "positive"), v.labels());
        assertEquals(3, words.size());
        assertArrayEquals(new int[] {id("terrible")}, words.get(1).pieceIds(), "uncased tokenizer lower-cases");
        assertEquals("positive", words.get(2).label());
    }

    @Test
    void multiPieceWordIsRejectedWithItsPiecesByDefault() {
        Verbalizer v = Verbalizer.builder().add("negative", "bad").add("positive", "fantastic").build();
        String m = message(() -> v.resolve(tok));
        assertTrue(m.contains("'fantastic'") && m.contains("[fant, ##astic]") && m.contains("MultiTokenPolicy"), m);
        List<LabelWord> words = v.withPolicy(MultiTokenPolicy.MEAN).resolve(tok);
        assertArrayEquals(new int[] {id("fant"), id("##astic")}, words.get(1).pieceIds());
    }

    @Test
    void policiesCombinePieceLogProbabilities() {
        double[] lp = {-1.0, -3.0, -2.0};
        assertEquals(-1.0, MultiTokenPolicy.FIRST.combine(lp));
        assertEquals(-2.0, MultiTokenPolicy.MEAN.combine(lp), 1e-12);
        assertEquals(-1.0, MultiTokenPolicy.MAX.combine(new double[] {-3.0, -1.0}));
    }

    @Test
    void badVerbalizersAreRefusedWithTheOffendingThingNamed() {
        assertTrue(message(() -> Verbalizer.builder().add("positive")).contains("class 'positive' has no label words"));
        String dup = message(() -> Verbalizer.builder().add("negative", "bad").add("positive", "good", "Bad"));
        assertTrue(dup.contains("'Bad'") && dup.contains("'negative'") && dup.contains("'positive'"), dup);
        assertTrue(message(() -> Verbalizer.builder().add("only", "good").build()).contains("at least two classes"));
        Verbalizer absent = Verbalizer.builder().add("negative", "bad").add("positive", "marvellous").build();
        String m = message(() -> absent.resolve(tok));
        assertTrue(m.contains("'marvellous'") && m.contains("not in the model's vocabulary"), m);
        Verbalizer punct = Verbalizer.of(Map.of("a", List.of("good"), "b", List.of("😀")));
        assertTrue(message(() -> punct.resolve(tok)).contains("'😀'"));
    }
}
