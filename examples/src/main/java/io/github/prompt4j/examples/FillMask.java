package io.github.prompt4j.examples;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.onnx.runtime.PretrainedModels;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Fact retrieval as fill-in-the-blank (the LAMA probe): BERT-base cased's five most probable tokens at the mask of
 * a manual prompt, with their probabilities.
 */
public final class FillMask {

    private FillMask() {
    }

    public static void main(String[] args) {
        System.out.println("Opening bert-base-cased (the first run converts the Maven checkpoint to ONNX and caches it"
                + " in ~/.cache/prompt4j)...");
        try (OnnxMaskedLanguageModel model = OnnxMaskedLanguageModel.open(PretrainedModels.BERT_BASE_CASED)) {
            for (String sentence : List.of("Dante was born in [MASK] .", "The capital of France is [MASK].")) {
                // A template without input fields: the sentence itself, with its [MASK].
                EncodedPrompt prompt = Template.parse(sentence).encode(Map.of(), model.tokenizer());
                MaskLogits logits = model.maskLogits(List.of(prompt));
                int[] top5 = IntStream.range(0, model.tokenizer().vocabularySize()).boxed()
                        .sorted(Comparator.comparingDouble(id -> -logits.logit(0, 0, id)))
                        .limit(5).mapToInt(Integer::intValue).toArray();
                System.out.printf("%n%s%n", sentence);
                for (int id : top5) {
                    System.out.printf("  %-12s %.3f%n", model.tokenizer().idToToken(id),
                            Math.exp(logits.logProb(0, 0, id)));
                }
            }
        }
    }
}
