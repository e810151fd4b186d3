package io.github.prompt4j.core.verbalizer;

import static io.github.prompt4j.core.testing.FakeTokenizer.id;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.testing.FakeTokenizer;
import java.util.LinkedHashMap;
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
        assertEquals(2, v.classCount());
        assertEquals(3, words.size());
        assertArrayEquals(new int[] {id("terrible")}, words.get(1).pieceIds(), "uncased tokenizer lower-cases");
        assertEquals(List.of("terrible"), words.get(1).pieces());
        assertEquals("Terrible", words.get(1).word());
        assertEquals("positive", words.get(2).label());
        assertTrue(words.get(2).singlePiece());
    }

    @Test
    void mapFactoryKeepsTheMapsOrder() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("positive", List.of("good"));
        m.put("negative", List.of("bad"));
        assertEquals(List.of("positive", "negative"), Verbalizer.of(m).labels());
        assertEquals(MultiTokenPolicy.MAX, Verbalizer.of(m, MultiTokenPolicy.MAX).policy());
    }

    @Test
    void multiPieceWordIsRejectedWithItsPiecesByDefault() {
        Verbalizer v = Verbalizer.builder().add("negative", "bad").add("positive", "fantastic").build();
        assertEquals(MultiTokenPolicy.REJECT, v.policy());
        String m = message(() -> v.resolve(tok));
        assertTrue(m.contains("'fantastic'") && m.contains("2 word pieces") && m.contains("[fant, ##astic]")
                && m.contains("MultiTokenPolicy"), m);
    }

    @Test
    void multiPieceWordIsKeptUnderOtherPolicies() {
        Verbalizer v = Verbalizer.builder().add("negative", "bad").add("positive", "fantastics")
                .policy(MultiTokenPolicy.MEAN).build();
        List<LabelWord> words = v.resolve(tok);
        assertArrayEquals(new int[] {id("fant"), id("##astic"), id("##s")}, words.get(1).pieceIds());
        assertEquals(3, v.withPolicy(MultiTokenPolicy.FIRST).resolve(tok).get(1).pieceIds().length);
    }

    @Test
    void firstPolicyTakesTheFirstPiece() {
        // pieces' log-probabilities -1, -3, -2: FIRST = -1
        assertEquals(-1.0, MultiTokenPolicy.FIRST.combine(new double[] {-1.0, -3.0, -2.0}));
    }

    @Test
    void meanPolicyAveragesLogProbabilities() {
        // (-1 - 3 - 2) / 3 = -2: the log of the geometric mean of e^-1, e^-3, e^-2
        assertEquals(-2.0, MultiTokenPolicy.MEAN.combine(new double[] {-1.0, -3.0, -2.0}), 1e-12);
    }

    @Test
    void maxPolicyTakesTheBestPiece() {
        assertEquals(-1.0, MultiTokenPolicy.MAX.combine(new double[] {-3.0, -1.0, -2.0}));
    }

    @Test
    void rejectPolicyScoresSinglePiecesAndRefusesSeveral() {
        assertEquals(-0.5, MultiTokenPolicy.REJECT.combine(new double[] {-0.5}));
        assertTrue(message(() -> MultiTokenPolicy.REJECT.combine(new double[] {-1, -2})).contains("2 pieces"));
        assertThrows(IllegalArgumentException.class, () -> MultiTokenPolicy.MEAN.combine(new double[0]));
    }

    @Test
    void classWithNoWordsIsRefused() {
        String m = message(() -> Verbalizer.builder().add("positive"));
        assertTrue(m.contains("class 'positive' has no label words"), m);
        Map<String, List<String>> map = new LinkedHashMap<>();
        map.put("positive", List.of("good"));
        map.put("neutral", List.of());
        assertTrue(message(() -> Verbalizer.of(map)).contains("class 'neutral' has no label words"));
    }

    @Test
    void sameWordUnderTwoClassesNamesBoth() {
        String m = message(() -> Verbalizer.builder().add("negative", "bad").add("positive", "good", "bad"));
        assertTrue(m.contains("'bad'") && m.contains("'negative'") && m.contains("'positive'"), m);
    }

    @Test
    void sameWordTwiceInAClassIsRefused() {
        String m = message(() -> Verbalizer.builder().add("positive", "good", " good "));
        assertTrue(m.contains("'good'") && m.contains("twice"), m);
    }

    @Test
    void wordsTheTokenizerMergesAreRefusedWithBothClasses() {
        // the uncased tokenizer turns "Good" into "good"
        Verbalizer v = Verbalizer.builder().add("negative", "Good").add("positive", "good").build();
        String m = message(() -> v.resolve(tok));
        assertTrue(m.contains("'Good'") && m.contains("'negative'") && m.contains("'good'") && m.contains("'positive'")
                && m.contains("[good]"), m);
    }

    @Test
    void wordAbsentFromTheVocabularyIsNamed() {
        Verbalizer absent = Verbalizer.builder().add("negative", "bad").add("positive", "marvellous").build();
        String m = message(() -> absent.resolve(tok));
        assertTrue(m.contains("'marvellous'") && m.contains("not in the model's vocabulary") && m.contains("[UNK]"), m);
        Verbalizer emoji = Verbalizer.builder().add("negative", "bad").add("positive", "😀").build();
        assertTrue(message(() -> emoji.resolve(tok)).contains("'😀'"));
    }

    @Test
    void specialTokenAsWordIsRefused() {
        Verbalizer v = Verbalizer.builder().add("negative", "bad").add("positive", "[MASK]").build();
        String m = message(() -> v.resolve(tok));
        assertTrue(m.contains("'[MASK]'") && m.contains("special token"), m);
    }

    @Test
    void blankWordsLabelsAndSingleClassesAreRefused() {
        assertTrue(message(() -> Verbalizer.builder().add("positive", " ")).contains("blank label word"));
        assertTrue(message(() -> Verbalizer.builder().add(" ", "good")).contains("label must not be blank"));
        assertTrue(message(() -> Verbalizer.builder().add("only", "good").build()).contains("at least two classes"));
        assertTrue(message(() -> Verbalizer.builder().add("a", "good").add("a", "fun")).contains("added twice"));
    }

    @Test
    void spaceSensitiveVocabulariesEncodeTheWordAfterASpace() {
        FakeTokenizer bpe = FakeTokenizer.spaceSensitive(64);
        List<LabelWord> words = Verbalizer.builder().add("negative", "bad").add("positive", "good").build()
                .resolve(bpe);
        assertEquals(List.of("Ġgood"), words.get(1).pieces());
        assertArrayEquals(new int[] {bpe.tokenToId("Ġgood").orElseThrow()}, words.get(1).pieceIds());
    }
}
