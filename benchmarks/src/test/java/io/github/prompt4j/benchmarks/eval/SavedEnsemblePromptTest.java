package io.github.prompt4j.benchmarks.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.testing.FakeMaskedLanguageModel;
import io.github.prompt4j.core.testing.FakeTokenizer;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.select.PromptEnsemble;
import io.github.prompt4j.search.trigger.ScoredTriggers;
import io.github.prompt4j.search.trigger.SearchListener;
import io.github.prompt4j.search.trigger.TriggerSearch;
import io.github.prompt4j.search.trigger.TriggerSearchResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A saved ensemble prompt as the commands read it: zero-shot classifies with the mean of the members (the path
 * autoprompt's final evaluation takes), and calibrate refuses it. On the fake model, trigger states (good, the) and
 * (bad, bad) shift a text's sentiment {@code t} by +1 and -2; their ensemble says positive iff
 * {@code sigma(2(t + 1)) + sigma(2(t - 2)) > 1}, i.e. {@code t >= 1}, where the first alone says {@code t >= 0}.
 */
class SavedEnsemblePromptTest {

    @TempDir
    Path dir;

    private final FakeMaskedLanguageModel model = new FakeMaskedLanguageModel();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private TriggerSearchResult ensemble() {
        Verbalizer words = Verbalizer.builder().add("negative", "terrible").add("positive", "great").build();
        TriggerSearchResult found = TriggerSearch.builder(model).template(Template.parse("{text} [T] [T] [MASK] ."))
                .verbalizer(words).train(List.of(Example.of("text", "happy movie", "positive"),
                        Example.of("text", "sad movie", "negative")))
                .selection(List.of(Example.of("text", "it was okay", "negative")))
                .initialTriggers(List.of("good", "the")).iterations(0).listener(SearchListener.none()).build().run();
        int[] a = {FakeTokenizer.id("good"), FakeTokenizer.id("the")};
        int[] b = {FakeTokenizer.id("bad"), FakeTokenizer.id("bad")};
        return found.withEnsemble(List.of(new ScoredTriggers(a, 0, Map.of()), new ScoredTriggers(b, 3, Map.of())),
                model.tokenizer());
    }

    @Test
    void aSavedEnsembleClassifiesWithTheMeanOfItsMembers() throws IOException {
        Path file = dir.resolve("ensemble.json");
        Files.writeString(file, ensemble().toJson());
        TriggerSearchResult read = PromptFile.read(file, new CommandLine(new ZeroShotCommand()));
        List<Map<String, String>> inputs = List.of(Map.of("text", "film"), Map.of("text", "good"));
        List<Classification> saved = PromptFile.classify(read, model).apply(inputs);
        assertEquals("negative", saved.get(0).label(), "t = 0: sigma(2) + sigma(-4) < 1");
        assertEquals("positive", saved.get(1).label(), "t = 1: sigma(4) + sigma(-2) > 1");
        assertEquals("positive", read.memberClassifiers(model).get(0).classify("film").label(),
                "the best member alone would say positive at t = 0");
        List<Classification> direct = PromptEnsemble.of(ensemble().memberClassifiers(model)).classifyAllFields(inputs);
        for (int i = 0; i < inputs.size(); i++) {
            assertEquals(direct.get(i).probabilities(), saved.get(i).probabilities());
        }
    }

    @Test
    void calibrateRefusesAnEnsemble() throws IOException {
        Path file = dir.resolve("ensemble.json");
        Files.writeString(file, ensemble().toJson());
        int code = EvalCommandLine.run(new PrintWriter(out, true), new PrintWriter(err, true), "calibrate",
                "--prompt", file.toString(), "--train", "missing.tsv", "--out", dir.resolve("c.json").toString());
        assertEquals(2, code);
        assertTrue(err.toString().contains("is an ensemble of 2 trigger states"), err.toString());
    }
}
