package io.github.prompt4j.examples;

import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.onnx.runtime.PretrainedModels;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
import io.github.prompt4j.search.data.Datasets;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.protocol.HeldOut;
import io.github.prompt4j.search.protocol.SelectionSplit;
import io.github.prompt4j.search.trigger.CandidateEvaluation;
import io.github.prompt4j.search.trigger.TriggerSearch;
import io.github.prompt4j.search.trigger.TriggerSearchResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * AutoPrompt (Shin et al. 2020) on a small slice of SST-2 with bert-base-cased: searches three trigger tokens for
 * {@code "{sentence} [T] [T] [T] [MASK] ."} with the label words terrible / fantastic, chooses on a selection split of
 * the training sentences, prints the triggers and the dev accuracy (scored once, at the end), saves the prompt as JSON
 * and loads it back into a classifier.
 *
 * <p>Reads {@code ../shared/data/sst2/glue/} when it exists (set {@code -Dprompt4j.shared=DIR} to point elsewhere),
 * else searches on a dozen built-in sentences. Takes a few minutes on a laptop CPU.
 */
public final class AutoPromptSentiment {

    private AutoPromptSentiment() {
    }

    public static void main(String[] args) throws IOException {
        Path glue = Path.of(System.getProperty("prompt4j.shared", "../shared"), "data", "sst2", "glue");
        // every choice is made on a selection split of the training data; the dev file is scored once, at the end
        SelectionSplit split;
        Optional<HeldOut> dev = Optional.empty();
        if (Files.isRegularFile(glue.resolve("train.tsv")) && Files.isRegularFile(glue.resolve("dev.tsv"))) {
            split = SelectionSplit.carve(slice(Datasets.sst2Glue(glue.resolve("train.tsv")), 356), 100, 1);
            dev = Optional.of(HeldOut.of("SST-2 dev", slice(Datasets.sst2Glue(glue.resolve("dev.tsv")), 200)));
            System.out.println("Searching on 256 SST-2 training sentences, selecting on 100 others, reporting 200 "
                    + "dev sentences.");
        } else {
            split = SelectionSplit.carve(builtIn(), 4, 1);
            System.out.println("No SST-2 data at " + glue + "; searching on built-in sentences.");
        }
        List<Example> train = split.search();
        Verbalizer words = Verbalizer.builder().add(Datasets.NEGATIVE, "terrible").add(Datasets.POSITIVE, "fantastic")
                .build();
        System.out.println("Opening bert-base-cased (the first run converts and caches it in ~/.cache/prompt4j)...");
        try (OnnxMaskedLanguageModel model = OnnxMaskedLanguageModel.open(PretrainedModels.BERT_BASE_CASED)) {
            TriggerSearchResult result = TriggerSearch.builder(model)
                    .template(Template.parse("{sentence} [T] [T] [T] [MASK] ."))
                    .verbalizer(words).train(train).selection(split.selection()).iterations(10).candidates(10)
                    .gradientBatchSize(Math.min(32, train.size())).evaluationBatchSize(Math.min(32, train.size()))
                    .candidateEvaluation(CandidateEvaluation.SUCCESSIVE_HALVING).seed(1).build().run();
            System.out.printf("triggers %s -> %s%n", result.triggerTokens(), result.filledTemplate());
            System.out.printf("selection accuracy %.3f after %d forward and %d gradient passes%n",
                    result.metrics().get("selection_accuracy"), result.passes().forwardPasses(),
                    result.passes().gradientPasses());
            PromptClassifier found = result.classifier(model);
            if (dev.isPresent()) {
                double accuracy = dev.get().evaluateOnce(examples -> examples.stream()
                        .filter(e -> found.classify(e.fields()).label().equals(e.label())).count()
                        / (double) examples.size());
                System.out.printf("dev accuracy (scored once, at the end) %.3f%n", accuracy);
            }

            Path saved = Path.of("sst2-autoprompt-prompt.json");
            Files.writeString(saved, result.toJson());
            System.out.println("saved the prompt to " + saved.toAbsolutePath());

            // A saved prompt needs no search: load it and classify with the model it was searched on.
            PromptClassifier classifier = TriggerSearchResult.fromJson(Files.readString(saved)).classifier(model);
            for (String s : List.of("A gorgeous, witty, seductive movie.", "The plot is a dull mess.")) {
                Classification c = classifier.classify(s);
                System.out.printf("%-40s %s %s%n", s, c.label(), c.probabilities());
            }
        }
    }

    private static List<Example> slice(List<Example> all, int n) {
        List<Example> copy = new ArrayList<>(all);
        Collections.shuffle(copy, new Random(1));
        return copy.subList(0, Math.min(n, copy.size()));
    }

    private static List<Example> builtIn() {
        List<Example> out = new ArrayList<>();
        for (String s : List.of("a masterpiece of tension and wit", "warm, funny and beautifully acted",
                "one of the best films of the year", "a delight from start to finish",
                "smart, moving and surprising", "the cast is terrific")) {
            out.add(Example.of(Datasets.SENTENCE, s, Datasets.POSITIVE));
        }
        for (String s : List.of("a tedious, empty exercise", "the jokes fall flat every time",
                "badly written and worse acted", "i wanted my two hours back", "a muddled, boring mess",
                "the story never comes alive")) {
            out.add(Example.of(Datasets.SENTENCE, s, Datasets.NEGATIVE));
        }
        return out;
    }
}
