package io.github.prompt4j.onnx.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.GradientRequest;
import io.github.prompt4j.onnx.export.checkpoint.HuggingFaceBertCheckpoint;
import io.github.prompt4j.onnx.export.model.ModelExporter;
import io.github.prompt4j.onnx.export.testing.TinyBert;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opening, using and closing a model many times returns its native memory: resident memory after 50 cycles stays
 * within a small margin of what it was after 10 (a leak of the sessions, tensors, mapping or tokenizer would grow it
 * by megabytes per cycle).
 */
class OpenCloseMemoryIT {

    @Test
    void fiftyOpenCloseCyclesDoNotGrowNativeMemory(@TempDir Path dir) throws IOException {
        TinyBert tiny = TinyBert.random(TinyBert.DEFAULT_CONFIG, 3);
        Path export = dir.resolve("export");
        try (HuggingFaceBertCheckpoint c = HuggingFaceBertCheckpoint.fromDirectory(tiny.writeHuggingFace(
                dir.resolve("hf")))) {
            ModelExporter.export(c, "tiny", export);
        }
        long afterWarmUp = 0;
        for (int cycle = 1; cycle <= 50; cycle++) {
            try (OnnxMaskedLanguageModel m = OnnxMaskedLanguageModel.builder().directory(export)
                    .device(Device.CPU).build()) {
                int[] ids = m.tokenizer().frame(m.tokenizer().encode("the movie was [MASK] .").ids());
                EncodedPrompt p = EncodedPrompt.of(ids, new int[] {4}, new int[0]);
                m.maskLogits(List.of(p));
                m.labelLossGradients(List.of(GradientRequest.of(p, new int[] {tiny.tokenId("good")},
                        new int[] {1})));
            }
            if (cycle == 10) {
                System.gc();
                afterWarmUp = residentKib();
            }
        }
        System.gc();
        long growthMib = (residentKib() - afterWarmUp) / 1024;
        System.out.println("resident memory growth over cycles 10..50: " + growthMib + " MiB");
        assertTrue(growthMib < 40, "resident memory grew by " + growthMib + " MiB over 40 open/close cycles");
    }

    private static long residentKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status; this test needs Linux");
    }
}
