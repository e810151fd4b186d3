package io.github.prompt4j.search.mine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.data.LamaRelation;
import io.github.prompt4j.search.mine.MinedTemplate.Kind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LPAQA-style middle-word mining on a small hand-written "place of birth" corpus, every count checked by hand. */
class MinePromptsTest {

    private static final List<String> CORPUS = List.of(
            "Dante was born in Florence.",                                  // 0: Dante-Florence
            "Mozart was born in Salzburg in 1756.",                         // 1: Mozart-Salzburg
            "In 1879, Einstein was born in Ulm.",                           // 2: Einstein-Ulm
            "Salzburg is the birthplace of Mozart.",                        // 3: object first
            "Florence is the birthplace of Dante, the poet.",               // 4: object first
            "Dante was born in Florence and died in Ravenna.",              // 5: Dante again
            "Curie grew up in Warsaw.",                                     // 6
            "Curies lived far from Warsaw.",                                // 7: "Curie" is not a whole word here
            "Einstein, who later moved to Switzerland and then to the United States, was born in Ulm.", // 8: too long
            "Dante [ citation ] Florence",                                  // 9: brackets are skipped
            "",                                                             // 10: blank
            "MOZART grew up in SALZBURG.");                                 // 11: only case-insensitive

    private static final List<RelationPair> PAIRS = List.of(new RelationPair("Dante", "Florence"),
            new RelationPair("Mozart", "Salzburg"), new RelationPair("Einstein", "Ulm"),
            new RelationPair("Curie", "Warsaw"), new RelationPair("Dante", "Florence"));

    private static String text(MinedTemplate t) {
        return t.template() + " | " + t.kind() + " | " + t.support();
    }

    @Test
    void middleAndSurroundingTemplatesRankBySupport() {
        List<MinedTemplate> mined = PromptMiner.builder().build().mine(CORPUS, PAIRS);
        assertEquals(List.of(
                "[X] was born in [Y] . | MIDDLE | 3",              // Dante (0, 5), Mozart (1), Einstein (2)
                "[Y] is the birthplace of [X] . | MIDDLE | 2",     // Mozart (3), Dante (4)
                "[X] grew up in [Y] . | MIDDLE | 1",               // Curie (6); sentence 11 only ignoring case
                "[X] was born in [Y] in | SURROUNDINGS | 1",       // 1
                ", [X] was born in [Y] . | SURROUNDINGS | 1",      // 2
                "[Y] is the birthplace of [X] , | SURROUNDINGS | 1", // 4
                "[X] was born in [Y] and | SURROUNDINGS | 1"),     // 5
                mined.stream().map(MinePromptsTest::text).toList());
        // at most three example sentences, in corpus order, each once
        assertEquals(List.of(CORPUS.get(0), CORPUS.get(1), CORPUS.get(2)), mined.get(0).examples());
        assertEquals(List.of(CORPUS.get(3), CORPUS.get(4)), mined.get(1).examples());
    }

    @Test
    void optionsLimitTheMiddleTheContextAndTheCase() {
        List<MinedTemplate> middleOnly = PromptMiner.builder().contextWords(0).maxMiddleWords(3).build()
                .mine(CORPUS, PAIRS);
        // "is the birthplace of" has 4 words
        assertEquals(List.of("[X] was born in [Y] . | MIDDLE | 3", "[X] grew up in [Y] . | MIDDLE | 1"),
                middleOnly.stream().map(MinePromptsTest::text).toList());

        List<MinedTemplate> anyCase = PromptMiner.builder().contextWords(0).caseMatching(CaseMatching.INSENSITIVE)
                .maxExamples(1).build().mine(CORPUS, PAIRS);
        assertEquals(List.of("[X] was born in [Y] . | MIDDLE | 3", "[Y] is the birthplace of [X] . | MIDDLE | 2",
                "[X] grew up in [Y] . | MIDDLE | 2"), anyCase.stream().map(MinePromptsTest::text).toList());
        assertEquals(List.of(CORPUS.get(6)), anyCase.get(2).examples());

        List<MinedTemplate> wide = PromptMiner.builder().contextWords(2).build().mine(CORPUS, PAIRS);
        assertTrue(wide.stream().anyMatch(t -> t.template().equals("1879 , [X] was born in [Y] .")),
                wide.toString());
    }

    @Test
    void wordsAreLetterRunsAndSinglePunctuationOrIdeographs() {
        assertEquals(List.of("Dante", ",", "the", "poet", "."), PromptMiner.words("Dante, the poet."));
        assertEquals(List.of("北", "京", "是", "中", "国", "的", "首", "都", "。"), PromptMiner.words("北京是中国的首都。"));
        assertEquals(List.of("naïve", "café", "in", "1756"), PromptMiner.words(" naïve  café in 1756"));
        List<MinedTemplate> zh = PromptMiner.builder().contextWords(0).build()
                .mine(List.of("北京是中国的首都。"), List.of(new RelationPair("北京", "中国")));
        assertEquals(List.of("[X] 是 [Y] . | MIDDLE | 1"), zh.stream().map(MinePromptsTest::text).toList());
    }

    @Test
    void minedTemplatesBecomePromptTemplatesAndPairsComeFromFacts() {
        MinedTemplate t = new MinedTemplate("[Y] is the birthplace of [X] .", Kind.MIDDLE, 2, List.of("s"));
        assertEquals("[MASK] is the birthplace of {sub} .", t.toTemplate().text());
        assertEquals(List.of(LamaRelation.SUBJECT), t.toTemplate().fields());
        assertEquals(List.of(new RelationPair("Dante", "Florence")),
                RelationPair.fromFacts(List.of(Example.of(LamaRelation.SUBJECT, "Dante", "Florence"))));
        assertThrows(IllegalArgumentException.class,
                () -> RelationPair.fromFacts(List.of(Example.of("text", "Dante", "Florence"))));
        assertThrows(IllegalArgumentException.class, () -> new MinedTemplate("[X] was", Kind.MIDDLE, 1,
                List.of("s")));
        assertThrows(IllegalArgumentException.class, () -> new MinedTemplate("[X] in [Y] .", Kind.MIDDLE, 0,
                List.of("s")));
    }

    @Test
    void aCorpusFileIsReadLineByLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("corpus.txt");
        Files.write(file, List.of("Dante was born in Florence.", "", "Curie grew up in Warsaw."),
                StandardCharsets.UTF_8);
        List<MinedTemplate> mined = PromptMiner.builder().build().mine(file, PAIRS);
        assertEquals(List.of("[X] was born in [Y] . | MIDDLE | 1", "[X] grew up in [Y] . | MIDDLE | 1"),
                mined.stream().map(MinePromptsTest::text).toList());
        String msg = assertThrows(UncheckedIOException.class,
                () -> PromptMiner.builder().build().mine(dir.resolve("missing.txt"), PAIRS)).getMessage();
        assertTrue(msg.contains("missing.txt"), msg);
        assertEquals(List.of(), PromptMiner.builder().build().mine(List.of("nothing here"), PAIRS));
    }
}
