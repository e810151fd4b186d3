package io.github.prompt4j.benchmarks.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.search.label.LearnedVerbalizerResult;
import io.github.prompt4j.search.soft.PrefixTuningResult;
import io.github.prompt4j.search.trigger.TriggerSearchResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code zero-shot --prompt} with the shipped learned-verbalizer prompts. */
class ZeroShotLearnedPromptTest {

    private static final Path PROMPTS = Path.of("../examples/src/main/resources/prompts");
    private static final Path SST2 = PROMPTS.resolve("sst2-learned-verbalizer-prompt.json");
    private static final Path CHN = PROMPTS.resolve("chnsenticorp-learned-verbalizer-prompt.json");

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private ZeroShotCommand parse(String... args) {
        CommandLine cmd = EvalCommandLine.create(new PrintWriter(out), new PrintWriter(err));
        return (ZeroShotCommand) cmd.parseArgs(args).subcommand().commandSpec().userObject();
    }

    @Test
    void aLearnedPromptBringsItsTemplateAndClasses() {
        ZeroShotCommand c = parse("zero-shot", "--model", "bert-base-cased", "--eval", "dev.tsv", "--prompt",
                SST2.toString());
        assertTrue(c.learnedPrompt().isPresent());
        assertEquals("{sentence} this movie was [MASK] .", c.settings().template());
        assertEquals("learned_head", c.settings().scoring());
        assertEquals(List.of("0", "1"), c.verbalizer().labels());
        assertEquals(List.of("sentence"), c.template().fields());
    }

    @Test
    void shippedPromptsLoadWithTheirModelAndWeights() throws IOException {
        LearnedVerbalizerResult sst2 = LearnedVerbalizerResult.fromJson(Files.readString(SST2));
        assertEquals("bert-base-cased", sst2.modelName());
        assertEquals(768, sst2.verbalizer().dim());
        LearnedVerbalizerResult chn = LearnedVerbalizerResult.fromJson(Files.readString(CHN));
        assertEquals("bert-base-multilingual-cased", chn.modelName());
        assertEquals("{text}感觉很[MASK]。", chn.template());
        assertEquals(LearnedVerbalizerResult.fromJson(chn.toJson()), chn, "round trip is exact");
    }

    @Test
    void shippedPrefixWithLearnedVerbalizerLoadsWithItsHeadAndRoundTrips() throws IOException {
        PrefixTuningResult joint = PrefixTuningResult.fromJson(
                Files.readString(PROMPTS.resolve("sst2-prefix-verbalizer-prompt.json")));
        assertEquals("bert-base-cased", joint.modelName());
        assertEquals("{sentence} this movie was [MASK] .", joint.template());
        // 12 layers of 16 key and value positions in BERT-base's 768-wide projected space
        assertEquals(List.of(12, 16, 768), List.of(joint.prefix().layers(), joint.prefix().length(),
                joint.prefix().hidden()));
        assertEquals(List.of("0", "1"), joint.learnedVerbalizer().orElseThrow().labels());
        assertEquals(768, joint.learnedVerbalizer().orElseThrow().dim());
        assertEquals(3, joint.bestEpoch(), "the epoch the selection split kept");
        assertEquals(joint, PrefixTuningResult.fromJson(joint.toJson()), "round trip is exact");
    }

    @Test
    void shippedPrefixOnTheGeneratedTemplateLoadsAndRoundTrips() throws IOException {
        Path file = PROMPTS.resolve("sst2-prefix-generated-prompt.json");
        PrefixTuningResult prefix = PrefixTuningResult.fromJson(Files.readString(file));
        assertEquals("bert-base-cased", prefix.modelName());
        assertEquals("{sentence} is really [MASK] .", prefix.template(), "the template generate selected");
        assertEquals(List.of(12, 16, 768), List.of(prefix.prefix().layers(), prefix.prefix().length(),
                prefix.prefix().hidden()));
        assertTrue(prefix.learnedVerbalizer().isEmpty(), "terrible / fantastic score the classes");
        assertEquals(5, prefix.bestEpoch(), "the epoch the selection split kept of six");
        assertTrue(prefix.maxLength().isEmpty(), "written before the cut was recorded: classified at the model's "
                + "limit, as when it was measured");
        assertEquals(prefix, PrefixTuningResult.fromJson(prefix.toJson()), "round trip is exact");
        ZeroShotCommand c = parse("zero-shot", "--eval", "dev.tsv", "--prompt", file.toString());
        assertTrue(c.prefixPrompt().isPresent());
    }

    @Test
    void shippedChineseWarmHeadPrefixKeepsItsCutAndLoads() throws IOException {
        Path file = PROMPTS.resolve("chnsenticorp-prefix-verbalizer-prompt.json");
        PrefixTuningResult prefix = PrefixTuningResult.fromJson(Files.readString(file));
        assertEquals("bert-base-multilingual-cased", prefix.modelName());
        assertEquals("{text}感觉很[MASK]。", prefix.template());
        assertEquals(List.of(12, 16, 768), List.of(prefix.prefix().layers(), prefix.prefix().length(),
                prefix.prefix().hidden()));
        assertEquals(List.of("0", "1"), prefix.learnedVerbalizer().orElseThrow().labels());
        assertEquals(OptionalInt.of(128), prefix.maxLength(), "reviews are cut as in training and selection");
        // stop 29: the prefix trained under the frozen warm head; the selection split kept its third epoch
        assertEquals(3, prefix.bestEpoch());
        assertEquals(0.8075, prefix.selectionAccuracy(), 1e-12);
        assertEquals(prefix, PrefixTuningResult.fromJson(prefix.toJson()), "round trip is exact");
        ZeroShotCommand c = parse("zero-shot", "--eval", "dev.tsv", "--prompt", file.toString());
        assertTrue(c.prefixPrompt().isPresent());
        assertEquals(List.of("text"), c.template().fields());
    }

    @Test
    void shippedEnsemblePromptHoldsTheThreeStatesTheSelectionSplitChose() throws IOException {
        Path file = PROMPTS.resolve("sst2-autoprompt-ensemble-prompt.json");
        TriggerSearchResult ensemble = TriggerSearchResult.fromJson(Files.readString(file));
        assertEquals(3, ensemble.ensembleTriggerIds().size(), "ensemble members");
        for (int[] member : ensemble.ensembleTriggerIds()) {
            assertEquals(3, member.length, "one id per [T] slot");
        }
        ZeroShotCommand c = parse("zero-shot", "--eval", "dev.tsv", "--prompt", file.toString());
        assertTrue(c.learnedPrompt().isEmpty(), "a trigger prompt, not a learned one");
    }

    @Test
    void shippedAutoPromptWithALearnedHeadLoadsWithItsHeadAndRoundTrips() throws IOException {
        Path file = PROMPTS.resolve("sst2-autoprompt-head-prompt.json");
        String json = Files.readString(file);
        TriggerSearchResult headed = TriggerSearchResult.fromJson(json);
        assertEquals("bert-base-cased", headed.modelName());
        assertEquals("{sentence} [T] [T] [T] [MASK] .", headed.template());
        assertEquals(List.of("0", "1"), headed.head().orElseThrow().labels());
        assertEquals(768, headed.head().orElseThrow().dim());
        assertTrue(headed.calibrationPrior().isEmpty() && !headed.isEnsemble(), "one uncalibrated trigger state");
        assertEquals(json.strip(), headed.toJson().strip(), "round trip is exact");
        assertEquals(TriggerSearchResult.FORMAT_WITH_HEAD, new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(json).get("format").asText());
        ZeroShotCommand c = parse("zero-shot", "--eval", "dev.tsv", "--prompt", file.toString());
        assertTrue(c.learnedPrompt().isEmpty(), "an AutoPrompt result, read as one");
        assertEquals(List.of("sentence"), c.template().fields());
        assertEquals("learned_head", c.settings().scoring(), "the report names the head, not a label mapper");
    }

    @Test
    void aTriggerPromptIsNotTakenForALearnedOne() throws IOException {
        Path autoprompt = PROMPTS.resolve("sst2-autoprompt-prompt.json");
        assertTrue(Files.exists(autoprompt));
        ZeroShotCommand c = parse("zero-shot", "--model", "bert-base-cased", "--eval", "dev.tsv", "--prompt",
                autoprompt.toString());
        assertTrue(c.learnedPrompt().isEmpty());
        assertEquals("sum", c.settings().scoring(), "label words through the sum mapper");
    }
}
