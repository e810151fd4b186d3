package io.github.prompt4j.search.mine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.prompt4j.core.testing.FakeMaskedLanguageModel;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.data.LamaRelation;
import io.github.prompt4j.search.fact.FactRetrieval;
import io.github.prompt4j.search.mine.MinedTemplate.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Ranking mined templates by precision@1 on training facts with the fake sentiment model: at the mask of a prompt with
 * sentiment {@code s} (positive minus negative words), "good" has logit {@code +s} and "bad" {@code -s}, so the
 * object ranked first is "good" for {@code s > 0}, "bad" for {@code s < 0}, and a tie ({@code s = 0}) counts for the
 * gold.
 */
class MinedTemplateScoringTest {

    private final FakeMaskedLanguageModel model = new FakeMaskedLanguageModel();

    private static final List<Example> FACTS = List.of(Example.of(LamaRelation.SUBJECT, "fun", "good"),
            Example.of(LamaRelation.SUBJECT, "great", "good"), Example.of(LamaRelation.SUBJECT, "awful", "bad"));

    @Test
    void templatesAreRankedByPrecisionAtOneThenSupport() {
        // sad, bad: s = subject - 2 -> fun/great: s = -1 (bad first, good rank 2); awful: s = -3 (bad first)
        MinedTemplate negative = new MinedTemplate("[X] is sad and bad [Y] .", Kind.MIDDLE, 5, List.of("a"));
        // s = subject: all three right
        MinedTemplate plain = new MinedTemplate("[X] is [Y] .", Kind.MIDDLE, 2, List.of("b"));
        // happy: s = subject + 1 -> fun/great s = 2, awful s = 0 (a tie, counted for the gold): all three right
        MinedTemplate happy = new MinedTemplate("[Y] , [X] felt happy .", Kind.SURROUNDINGS, 1, List.of("c"));
        int[] candidates = FactRetrieval.candidateIds(model.tokenizer(), List.of("good", "bad"));

        List<ScoredTemplate> ranked = TemplateScoring.rank(model, List.of(negative, plain, happy), FACTS, candidates,
                2);
        assertEquals(List.of(plain, happy, negative), ranked.stream().map(ScoredTemplate::mined).toList());
        assertEquals(1.0, ranked.get(0).metrics().precisionAt1(), 1e-12);
        assertEquals(1.0, ranked.get(1).metrics().precisionAt1(), 1e-12);
        assertEquals(1.0 / 3, ranked.get(2).metrics().precisionAt1(), 1e-12);
        assertEquals((0.5 + 0.5 + 1) / 3, ranked.get(2).metrics().meanReciprocalRank(), 1e-12);
        assertEquals(3, ranked.get(2).metrics().count());
    }

    @Test
    void minedTemplatesGoStraightIntoScoring() {
        List<String> corpus = List.of("fun is good .", "great is good !", "awful : sad and sad bad");
        List<MinedTemplate> mined = PromptMiner.builder().contextWords(0).build().mine(corpus,
                RelationPair.fromFacts(FACTS));
        assertEquals(List.of("[X] is [Y] .", "[X] : sad and sad [Y] ."),
                mined.stream().map(MinedTemplate::template).toList());
        assertEquals(List.of(2, 1), mined.stream().map(MinedTemplate::support).toList());
        int[] candidates = FactRetrieval.candidateIds(model.tokenizer(), List.of("good", "bad"));
        List<ScoredTemplate> ranked = TemplateScoring.rank(model, mined, FACTS, candidates, 8);
        // ":" is [UNK] (sign 0); "sad and sad": s = subject - 2 as above
        assertEquals(1.0, ranked.get(0).metrics().precisionAt1(), 1e-12);
        assertEquals(1.0 / 3, ranked.get(1).metrics().precisionAt1(), 1e-12);
    }

    @Test
    void scoringNeedsFactsAndABatch() {
        MinedTemplate plain = new MinedTemplate("[X] is [Y] .", Kind.MIDDLE, 2, List.of("b"));
        int[] candidates = FactRetrieval.candidateIds(model.tokenizer(), List.of("good", "bad"));
        assertThrows(IllegalArgumentException.class,
                () -> TemplateScoring.rank(model, List.of(plain), List.of(), candidates, 2));
        assertThrows(IllegalArgumentException.class,
                () -> TemplateScoring.rank(model, List.of(plain), FACTS, candidates, 0));
    }
}
