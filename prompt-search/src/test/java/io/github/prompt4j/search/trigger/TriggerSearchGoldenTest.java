package io.github.prompt4j.search.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.testing.Planted;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The search after the refactoring of issue 14 (builder only configures; encoding, running and the objective in
 * their own types; selection split instead of dev) must walk exactly the trajectories the search walked before it:
 * the golden file {@value #GOLDEN} was written by {@link #main} from the code before the refactoring (commit noted in
 * the file), with the same seeds, steps and data. The former {@code dev(...)} set is the selection split now.
 */
class TriggerSearchGoldenTest {

    static final String GOLDEN = "/golden/trigger-search-trajectories.txt";
    private static final Template ONE = Template.parse("{sentence} [T] [MASK] .");
    private static final Template THREE = Template.parse("{sentence} [T] [T] [T] [MASK] .");

    /**
     * A configured search over the planted problem: 20 training examples and a selection split of the next ten (the
     * planted examples repeat with period 30, so these are disjoint by value, as the search now requires).
     */
    private static TriggerSearch.Builder planted(Template template, SearchListener listener) {
        return TriggerSearchCompat.withSelection(TriggerSearch.builder(Planted.model()).template(template)
                .verbalizer(Planted.verbalizer()).train(Planted.examples(20, 0)), Planted.examples(10, 20))
                .listener(listener);
    }

    private static TriggerSearch.Builder facts(SearchListener listener) {
        List<Example> facts = new ArrayList<>();
        for (Example e : Planted.examples(20, 0)) {
            facts.add(Example.of("sub", e.fields().get("sentence"), e.label().equals("positive") ? "great"
                    : "terrible"));
        }
        return TriggerSearchCompat.withSelection(TriggerSearch.builder(Planted.model())
                .template(Template.parse("{sub} [T] [T] [MASK] .")).factRetrieval().train(facts.subList(8, 20)),
                facts.subList(0, 8))
                .listener(listener);
    }

    /** Named configurations, each a different path through the search. */
    static Map<String, java.util.function.Function<SearchListener, TriggerSearch.Builder>> configurations() {
        Map<String, java.util.function.Function<SearchListener, TriggerSearch.Builder>> c = new LinkedHashMap<>();
        c.put("one-slot-exhaustive", l -> planted(ONE, l).candidates(5).iterations(2).seed(3));
        c.put("three-slots-random", l -> planted(THREE, l).candidates(4).iterations(8).seed(11));
        c.put("halving-accumulated", l -> planted(THREE, l).candidates(8).evaluationBatchSize(16)
                .candidateEvaluation(CandidateEvaluation.SUCCESSIVE_HALVING).racingStartSize(4).gradientBatchSize(4)
                .accumulationSteps(3).iterations(6).seed(2));
        c.put("beam-round-robin", l -> planted(THREE, l).beamWidth(3).positionChoice(PositionChoice.ROUND_ROBIN)
                .candidates(4).iterations(6).seed(5));
        c.put("cross-entropy-confirmed", l -> planted(THREE, l).loss(SearchLoss.CLASS_CROSS_ENTROPY)
                .confirmationBatchSize(8).candidates(4).iterations(8).seed(7));
        c.put("init-words-small-forward-batches", l -> planted(THREE, l)
                .initialTriggers(List.of("the", "movie", "was")).forwardBatchSize(3).evaluationBatchSize(10)
                .candidates(6).iterations(6).seed(19));
        c.put("fact-retrieval", l -> facts(l).candidates(4).iterations(5).seed(1));
        return c;
    }

    /** A canonical text of one run: every step as the listener saw it and the result, wall time left out. */
    static String describe(java.util.function.Function<SearchListener, TriggerSearch.Builder> config) {
        List<String> lines = new ArrayList<>();
        SearchListener listener = new SearchListener() {
            @Override
            public void onStep(SearchStep s) {
                lines.add("step " + s.iteration() + "/" + s.iterations() + " pos=" + s.position() + " triggers="
                        + Arrays.toString(s.triggerIds()) + " loss=" + s.trainLoss() + " accepted=" + s.accepted()
                        + " metric=" + s.selectionMetric() + " best=" + s.bestSelectionMetric() + " fwd="
                        + s.passes().forwardPasses() + " grad=" + s.passes().gradientPasses());
            }

            @Override
            public void onCheckpoint(TriggerSearchState state) {
                lines.add("state " + state.iteration() + " beam=" + state.beam().stream().map(Arrays::toString)
                        .toList() + " best=" + Arrays.toString(state.bestTriggers()) + "@" + state.bestIteration());
            }
        };
        TriggerSearchResult r = config.apply(listener).build().run();
        Map<String, Double> metrics = new LinkedHashMap<>();
        r.metrics().forEach((k, v) -> metrics.put(TriggerSearchCompat.neutral(k), v));
        lines.add("result triggers=" + Arrays.toString(r.triggerIds()) + " tokens=" + r.triggerTokens() + " filled="
                + r.filledTemplate() + " words=" + r.labelWords() + " metrics=" + new java.util.TreeMap<>(metrics)
                + " fwd=" + r.passes().forwardPasses() + " grad=" + r.passes().gradientPasses() + " iterations="
                + r.iterations() + " bestIteration=" + r.bestIteration());
        return String.join("\n", lines);
    }

    static String describeAll() {
        StringBuilder sb = new StringBuilder();
        configurations().forEach((name, config) -> sb.append("## ").append(name).append('\n')
                .append(describe(config)).append('\n'));
        return sb.toString();
    }

    @Test
    void refactoredSearchWalksTheTrajectoriesOfTheSearchBeforeIt() throws IOException {
        String golden;
        try (InputStream in = TriggerSearchGoldenTest.class.getResourceAsStream(GOLDEN)) {
            golden = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String expected = golden.substring(golden.indexOf("## "));
        String actual = describeAll();
        String[] e = expected.split("\n");
        String[] a = actual.split("\n");
        for (int i = 0; i < Math.min(e.length, a.length); i++) {
            assertEquals(e[i], a[i], "line " + (i + 1) + " of the trajectories");
        }
        assertEquals(e.length, a.length, "number of lines");
        // the file really holds searches that moved: at least one accepted step per configuration
        assertEquals(configurations().size(), expected.split("## ").length - 1);
    }

    /** Writes the golden file from the current code: {@code main(outputFile, commit)}. */
    public static void main(String[] args) throws IOException {
        Files.writeString(Path.of(args[0]), "# trajectories of TriggerSearch before the issue-14 refactoring, "
                + "written by TriggerSearchGoldenTest.main at commit " + args[1] + "\n" + describeAll());
    }
}
