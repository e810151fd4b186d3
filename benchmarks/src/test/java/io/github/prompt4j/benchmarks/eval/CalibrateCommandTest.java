package io.github.prompt4j.benchmarks.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.search.protocol.DataUse;
import io.github.prompt4j.search.trigger.TriggerSearchResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eval calibrate} refuses, before any model is opened, what would make its choice dishonest or meaningless;
 * and the shipped AutoPrompt prompts carry the calibration that the stage chose on their selection splits.
 */
class CalibrateCommandTest {

    private static final Path CHN = Path.of("../examples/src/main/resources/prompts/"
            + "chnsenticorp-autoprompt-prompt.json");
    private static final Path SST2 = Path.of("../examples/src/main/resources/prompts/sst2-autoprompt-prompt.json");

    @TempDir
    Path dir;

    private static String[] run(String... args) {
        StringWriter err = new StringWriter();
        int code = EvalCommandLine.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true), args);
        return new String[] {Integer.toString(code), err.toString()};
    }

    @Test
    void anotherTrainingFileThanTheProtocolNamesIsRefused() throws IOException {
        Path train = dir.resolve("train.tsv");
        Files.writeString(train, "text\tlabel\n很好\t1\n很差\t0\n");
        String[] r = run("calibrate", "--prompt", CHN.toString(), "--train", train.toString(), "--out",
                dir.resolve("out.json").toString());
        assertEquals("2", r[0], r[1]);
        assertTrue(r[1].contains("SHA-256") && r[1].contains("give that file"), r[1]);
        assertFalse(Files.exists(dir.resolve("out.json")), "nothing written");
    }

    @Test
    void aPromptWithoutARecordedSelectionSplitIsRefused() throws IOException {
        TriggerSearchResult shipped = TriggerSearchResult.fromJson(Files.readString(SST2));
        Path old = dir.resolve("old.json");
        Files.writeString(old, shipped.withProtocol(io.github.prompt4j.search.protocol.Protocol.unrecorded())
                .toJson());
        Path train = dir.resolve("train.tsv");
        Files.writeString(train, "sentence\tlabel\ngood\t1\nbad\t0\n");
        String[] r = run("calibrate", "--prompt", old.toString(), "--train", train.toString(), "--out",
                dir.resolve("out.json").toString());
        assertEquals("2", r[0], r[1]);
        assertTrue(r[1].contains("records no selection split"), r[1]);
    }

    @Test
    void theShippedPromptsRecordTheirCalibrationChoice() throws IOException {
        TriggerSearchResult chn = TriggerSearchResult.fromJson(Files.readString(CHN));
        // chosen on the selection split: the training-sample prior (59.0% there, against 57.0% uncalibrated)
        assertEquals(2, chn.calibrationPrior().size());
        assertTrue(chn.metrics().get(CalibrateCommand.CALIBRATION_ACCURACY) > chn.metrics().get(
                "label_stage_selection_accuracy") - 0.05);
        assertTrue(chn.protocol().data().stream().anyMatch(u -> u.role() == DataUse.Role.CALIBRATION));
        DataUse selection = chn.protocol().data().stream().filter(u -> u.role() == DataUse.Role.SELECTION)
                .findFirst().orElseThrow();
        DataUse sample = chn.protocol().data().stream().filter(u -> u.role() == DataUse.Role.CALIBRATION)
                .findFirst().orElseThrow();
        for (int row : sample.indices()) {
            assertTrue(java.util.Arrays.binarySearch(selection.indices(), row) < 0,
                    "calibration sample row " + row + " is a selection row");
        }
        TriggerSearchResult sst2 = TriggerSearchResult.fromJson(Files.readString(SST2));
        assertEquals(Map.of(), sst2.calibrationPrior(), "no calibration won on the SST-2 selection split");
        assertTrue(sst2.metrics().containsKey(CalibrateCommand.CALIBRATION_ACCURACY));
    }
}
