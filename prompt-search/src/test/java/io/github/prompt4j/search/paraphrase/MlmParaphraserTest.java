package io.github.prompt4j.search.paraphrase;

import static io.github.prompt4j.core.testing.FakeTokenizer.id;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.testing.FakeMaskedLanguageModel;
import io.github.prompt4j.core.testing.FakeTokenizer;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.select.Criterion;
import io.github.prompt4j.search.select.PromptCandidate;
import io.github.prompt4j.search.select.PromptScore;
import io.github.prompt4j.search.select.PromptScorer;
import io.github.prompt4j.search.select.PromptSelection;
import io.github.prompt4j.search.testing.LinearBagModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Paraphrase proposals on models whose mask predictions are known: a {@link LinearBagModel} with zero embeddings
 * predicts its bias at every mask, so the replacement ranking is the bias ranking.
 */
class MlmParaphraserTest {

    private static final Template TEMPLATE = Template.parse("{text} It was [MASK].");

    /**
     * Bias ranking: [MASK] (special), ##astic (continuation), "!" (punctuation), "it", "film", "story", "?", then every
     * other token at 0.
     */
    private static LinearBagModel biasModel() {
        int v = FakeTokenizer.VOCABULARY.size();
        float[] bias = new float[v];
        bias[id("[MASK]")] = 10;
        bias[id("##astic")] = 9;
        bias[id("!")] = 8;
        bias[id("it")] = 7;
        bias[id("film")] = 6;
        bias[id("story")] = 5;
        bias[id("?")] = 4;
        return new LinearBagModel(new float[v][1], new float[v][1], bias);
    }

    private static List<String> texts(List<Paraphrase> ps) {
        return ps.stream().map(p -> p.template().text()).toList();
    }

    @Test
    void eachLiteralWordIsReplacedByTheBestAllowedTokens() {
        List<Paraphrase> ps = MlmParaphraser.builder(biasModel()).topK(2).build().propose(TEMPLATE);
        // "It": [MASK], ##astic, "!" filtered, "it" is the word itself; capitalised like the original
        // "was": "it" and "film"; ".": only punctuation replaces punctuation
        assertEquals(List.of("{text} Film was [MASK].", "{text} Story was [MASK].", "{text} It it [MASK].",
                "{text} It film [MASK].", "{text} It was [MASK]!", "{text} It was [MASK]?"), texts(ps));
        Paraphrase first = ps.get(0);
        assertEquals("It", first.original());
        assertEquals("Film", first.replacement());
        assertEquals(0, first.wordIndex());
        assertEquals(1, first.round());
        assertEquals(TEMPLATE, first.source());
        // log p(film) = 6 - log(e^10 + e^9 + e^8 + e^7 + e^6 + e^5 + e^4 + 31)
        double logZ = Math.log(Math.exp(10) + Math.exp(9) + Math.exp(8) + Math.exp(7) + Math.exp(6) + Math.exp(5)
                + Math.exp(4) + 31);
        assertEquals(6 - logZ, first.logProb(), 1e-5);
        assertEquals(2, ps.get(4).wordIndex());
        assertEquals(".", ps.get(4).original());
    }

    @Test
    void aSecondRoundParaphrasesEveryVariantWithoutRepeats() {
        List<Paraphrase> ps = MlmParaphraser.builder(biasModel()).topK(1).rounds(2).build().propose(TEMPLATE);
        assertEquals(List.of(
                "{text} Film was [MASK].", "{text} It it [MASK].", "{text} It was [MASK]!",
                // from "Film was [MASK].": "It" would give back the original, "Film" is the word itself
                "{text} Story was [MASK].", "{text} Film it [MASK].", "{text} Film was [MASK]!",
                // from "It it [MASK].": "Film it" was proposed already
                "{text} Story it [MASK].", "{text} It film [MASK].", "{text} It it [MASK]!",
                // from "It was [MASK]!"
                "{text} Story was [MASK]!", "{text} It film [MASK]!", "{text} It was [MASK]?"), texts(ps));
        assertEquals(List.of(1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2), ps.stream().map(Paraphrase::round).toList());
        assertEquals(Template.parse("{text} It it [MASK]."), ps.get(6).source());
    }

    @Test
    void slotsFieldsAndBoundTriggersAreKept() {
        Template t = Template.parse("[MASK] , {premise} [T] was {hypothesis} .").withTriggerIds(id("the"));
        List<Paraphrase> ps = MlmParaphraser.builder(biasModel()).topK(1).build().propose(t);
        assertEquals(List.of("[MASK] ! {premise} [T] was {hypothesis} .",
                "[MASK] , {premise} [T] it {hypothesis} .", "[MASK] , {premise} [T] was {hypothesis} !"), texts(ps));
        for (Paraphrase p : ps) {
            assertArrayEquals(new int[] {id("the")}, p.template().triggerIds().orElseThrow());
        }
    }

    @Test
    void fillInputsSteerThePredictionsAndTheScorerRanksTheVariants() {
        // On the sentiment fake model a positive fill ("good fun", s = 2) makes the positive words the best
        // replacements of a word, in id order: great, good, ...; punctuation has logit 0 and "." itself is skipped.
        FakeMaskedLanguageModel model = new FakeMaskedLanguageModel();
        List<Paraphrase> ps = MlmParaphraser.builder(model).topK(1).fill(List.of(Map.of("sentence", "good fun")))
                .build().propose(TEMPLATE);
        assertEquals(List.of("{text} Great was [MASK].", "{text} It great [MASK].", "{text} It was [MASK],"),
                texts(ps));
        List<Template> templates = new ArrayList<>(List.of(TEMPLATE));
        ps.forEach(p -> templates.add(p.template()));
        Verbalizer v = Verbalizer.builder().add("negative", "terrible").add("positive", "great").build();
        List<Example> dev = List.of(Example.of("sentence", "good fun", "positive"),
                Example.of("sentence", "bad film", "negative"), Example.of("sentence", "the film", "negative"));
        PromptSelection s = PromptScorer.builder(model).build().rank(PromptCandidate.grid(templates, List.of(v)),
                dev, Criterion.ACCURACY);
        // "great" in the template shifts every sentiment by +1 and misclassifies "the film"; the comma is neutral,
        // ties the original exactly and ranks after it (stable order)
        assertEquals(TEMPLATE, s.best().candidate().template());
        PromptScore comma = s.ranked().get(1);
        assertEquals("{text} It was [MASK],", comma.candidate().template().text());
        assertEquals(s.best().logLikelihood(), comma.logLikelihood(), 0.0);
        assertEquals(2.0 / 3, s.ranked().get(2).accuracy(), 1e-12);
    }

    @Test
    void templateWordsSkipSlotsFieldsAndBraces() {
        String text = "{{ {text} }} It's [MASK] [T] [P].";
        List<String> words = TemplateWords.of(text).stream().map(w -> w.text(text)).toList();
        assertEquals(List.of("It", "'", "s", "."), words);
        assertEquals(1, TemplateWords.of(text).get(3).masksBefore());
        assertTrue(MlmParaphraser.punctuationOnly("?!"));
        assertTrue(!MlmParaphraser.punctuationOnly("it's"));
    }

    @Test
    void badSettingsFailClearly() {
        LinearBagModel m = biasModel();
        assertThrows(IllegalArgumentException.class, () -> MlmParaphraser.builder(m).topK(0));
        assertThrows(IllegalArgumentException.class, () -> MlmParaphraser.builder(m).rounds(0));
        assertThrows(IllegalArgumentException.class, () -> MlmParaphraser.builder(m).fill(List.of()));
        Template pair = Template.parse("{premise} ? [MASK] , {hypothesis}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MlmParaphraser.builder(m)
                .fill(List.of(Map.of("premise", "fun"))).build().propose(pair));
        assertTrue(e.getMessage().contains("fill input 0"), e.getMessage());
    }
}
