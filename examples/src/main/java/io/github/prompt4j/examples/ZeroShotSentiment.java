package io.github.prompt4j.examples;

import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.onnx.runtime.PretrainedModels;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
import java.util.List;
import java.util.Map;

/**
 * Zero-shot sentiment with BERT-base uncased from its Maven artifact: a cloze template, a verbalizer, and the
 * model's probabilities at the mask. No training, no Python.
 */
public final class ZeroShotSentiment {

    private ZeroShotSentiment() {
    }

    public static void main(String[] args) {
        System.out.println("Opening bert-base-uncased (the first run converts the Maven checkpoint to ONNX and caches"
                + " it in ~/.cache/prompt4j; later runs start in seconds)...");
        try (OnnxMaskedLanguageModel model = OnnxMaskedLanguageModel.open(PretrainedModels.BERT_BASE_UNCASED)) {
            PromptClassifier classifier = PromptClassifier.builder(model)
                    .template(Template.parse("{text} I felt very [MASK]."))
                    .verbalizer(Verbalizer.builder()
                            .add("negative", "bad", "sad", "tired")
                            .add("positive", "good", "happy", "great")
                            .build())
                    .build();
            List<String> sentences = List.of(
                    "I am exhausted.",
                    "What a wonderful day at the beach with my friends!",
                    "The train was late again and I missed the meeting.",
                    "My sister just got the job she always wanted.",
                    "The food was cold and the waiter ignored us.");
            System.out.printf("%nTemplate: {text} I felt very [MASK].   (running on %s)%n%n", model.provider());
            List<Classification> results = classifier.classifyAll(sentences);
            for (int i = 0; i < sentences.size(); i++) {
                Classification c = results.get(i);
                StringBuilder probs = new StringBuilder();
                for (Map.Entry<String, Double> e : c.probabilities().entrySet()) {
                    probs.append(String.format("%s %.2f  ", e.getKey(), e.getValue()));
                }
                System.out.printf("%-55s -> %-8s (%s)%n", sentences.get(i), c.label(), probs.toString().trim());
            }
            System.out.printf("%nLabel-word log-probabilities at the mask for \"%s\":%n  %s%n", sentences.get(0),
                    results.get(0).wordScores());
        }
    }
}
