package io.github.prompt4j.benchmarks;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.GradientRequest;
import io.github.prompt4j.core.model.Tokenizer;
import io.github.prompt4j.onnx.export.model.ModelCache;
import io.github.prompt4j.onnx.export.model.ModelDirectory;
import io.github.prompt4j.onnx.runtime.PretrainedModels;
import io.github.prompt4j.onnx.runtime.Device;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
import io.github.prompt4j.onnx.runtime.Precision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Peak resident memory of a process that opens a model and runs both graphs once, next to the weights file's size.
 * Run alone in its own JVM, once per setting: {@code java -cp benchmarks.jar
 * io.github.prompt4j.benchmarks.MemoryReport [model [FP32|INT8 [prepack true|false]]]} (defaults: bert-base-uncased,
 * FP32, the builder's prepacking default).
 */
public final class MemoryReport {

    private MemoryReport() {
    }

    public static void main(String[] args) throws IOException {
        PretrainedModels which = PretrainedModels.byName(args.length > 0 ? args[0] : "bert-base-uncased");
        ModelDirectory dir = ModelCache.defaultCache().get(which);
        long weights = Files.size(dir.weightsFile());
        System.out.printf("weights file: %.1f MB%n", weights / 1e6);
        System.out.printf("before open: %s%n", status());
        Precision precision = Precision.valueOf(args.length > 1 ? args[1] : "FP32");
        OnnxMaskedLanguageModel.Builder builder = OnnxMaskedLanguageModel.builder().directory(dir.path())
                .device(Device.CPU).precision(precision);
        if (args.length > 2) {
            builder.prepackWeights(Boolean.parseBoolean(args[2]));
        }
        try (OnnxMaskedLanguageModel model = builder.build()) {
            System.out.printf("%s, %s, prepacked forward weights: %s%n", which.id(), precision,
                    model.options().prepackWeights());
            Tokenizer tok = model.tokenizer();
            int[] ids = tok.frame(tok.encode("the capital of france is [MASK] .").ids());
            int mask = 0;
            while (ids[mask] != tok.specialTokens().mask()) {
                mask++;
            }
            EncodedPrompt prompt = EncodedPrompt.of(ids, new int[] {mask}, new int[0]);
            model.maskLogits(List.of(prompt));
            System.out.printf("forward loaded and run: %s%n", status());
            model.labelLossGradients(List.of(GradientRequest.of(prompt,
                    new int[] {tok.tokenToId("paris").orElseThrow()}, new int[] {1})));
            System.out.printf("gradient loaded and run: %s%n", status());
            long hwm = kib("VmHWM") * 1024;
            System.out.printf("peak RSS / weights file = %.2f%n", (double) hwm / weights);
        }
    }

    private static String status() throws IOException {
        return String.format("RSS %.0f MB, peak %.0f MB", kib("VmRSS") / 1024.0, kib("VmHWM") / 1024.0);
    }

    private static long kib(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
