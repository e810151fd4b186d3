package io.github.prompt4j.benchmarks;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.GradientRequest;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
import java.util.Arrays;
import java.util.List;

/**
 * The gradient pass's time over the fused forward pass's, measured interleaved in one JVM so that slow drifts of a
 * shared machine hit both alike (separate JMH runs here scatter by +-40%): after 3 warm-up rounds, {@code rounds}
 * rounds of one forward batch (label-word logits) then one gradient batch (5 positions per prompt), both on the same
 * padded {@code batch x length} prompts, exactly as {@link GradientBenchmark} runs them. Prints best and median times and the ratio of the medians. Run alone:
 * {@code java -cp benchmarks.jar io.github.prompt4j.benchmarks.GradientRatio [model [rounds [batch [length]]]]}
 * (defaults: bert-base-uncased, 10, 32, 64).
 */
public final class GradientRatio {

    private GradientRatio() {
    }

    public static void main(String[] args) {
        String name = args.length > 0 ? args[0] : "bert-base-uncased";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        int length = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        try (OnnxMaskedLanguageModel model = BertFixture.open(name, 0)) {
            List<EncodedPrompt> prompts = BertFixture.prompts(model.tokenizer(), batch, length);
            int[] words = BertFixture.gradientLabelWords(model.tokenizer());
            List<GradientRequest> requests = BertFixture.gradientRequests(prompts, words);
            for (int w = 0; w < 3; w++) {
                model.maskLogits(prompts, words);
                model.labelLossGradients(requests);
            }
            double[] forward = new double[rounds];
            double[] gradient = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                model.maskLogits(prompts, words);
                forward[r] = (System.nanoTime() - t0) / 1e6;
                t0 = System.nanoTime();
                model.labelLossGradients(requests);
                gradient[r] = (System.nanoTime() - t0) / 1e6;
            }
            Arrays.sort(forward);
            Arrays.sort(gradient);
            System.out.printf("%s %d x %d, %d rounds: forward best %.0f ms, median %.0f ms; gradient best %.0f ms, "
                    + "median %.0f ms; gradient / forward (medians) %.2f%n", name, batch, length, rounds, forward[0],
                    forward[rounds / 2], gradient[0], gradient[rounds / 2], gradient[rounds / 2] / forward[rounds / 2]);
        }
    }
}
