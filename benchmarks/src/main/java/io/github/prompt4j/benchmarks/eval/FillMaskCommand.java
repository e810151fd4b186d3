package io.github.prompt4j.benchmarks.eval;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code eval fill-mask}: the model's most probable tokens at each {@code [MASK]} of a sentence. */
@Command(name = "fill-mask", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Prints the top-k tokens with their probabilities at each [MASK] of a sentence.",
            "Example: fill-mask --model bert-base-cased --text \"The capital of France is [MASK].\" --top 10"})
final class FillMaskCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--text", required = true, paramLabel = "TEXT",
            description = "a sentence with one or more [MASK]; repeat the option for several sentences")
    List<String> texts = new ArrayList<>();

    @Option(names = "--top", defaultValue = "10", paramLabel = "K", converter = Converters.PositiveInt.class,
            description = "tokens to show per mask (default: ${DEFAULT-VALUE})")
    int top;

    @Override
    public Integer call() {
        for (String t : texts) {
            if (!t.contains(FillMask.MASK)) {
                throw new ParameterException(spec.commandLine(), "--text '" + t + "' has no " + FillMask.MASK
                        + "; write e.g. \"The capital of France is [MASK].\"");
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        try (OnnxMaskedLanguageModel model = modelOptions.open()) {
            List<EncodedPrompt> prompts = new ArrayList<>();
            for (String t : texts) {
                prompts.add(FillMask.encode(model.tokenizer(), t));
            }
            MaskLogits logits = model.maskLogits(prompts);
            for (int p = 0; p < texts.size(); p++) {
                List<List<TokenProbability>> best = FillMask.top(logits, p, model.tokenizer(), top);
                out.println(texts.get(p));
                for (int m = 0; m < best.size(); m++) {
                    if (best.size() > 1) {
                        out.printf(Locale.ROOT, "  [MASK] %d of %d%n", m + 1, best.size());
                    }
                    int rank = 1;
                    for (TokenProbability tp : best.get(m)) {
                        out.printf(Locale.ROOT, "  %3d  %-20s %.4f%n", rank++, tp.token(), tp.probability());
                    }
                }
                out.println();
            }
            out.flush();
        }
        return 0;
    }
}
