package io.github.prompt4j.examples;

import io.github.prompt4j.core.model.EncodedPrompt;
import io.github.prompt4j.core.model.MaskLogits;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.onnx.runtime.PretrainedModels;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
import io.github.prompt4j.search.data.Datasets;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.data.LamaRelation;
import io.github.prompt4j.search.fact.FactRetrieval;
import io.github.prompt4j.search.trigger.TriggerSearch;
import io.github.prompt4j.search.trigger.TriggerSearchResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Fact retrieval with a manual and a searched prompt: "Dante was born in [MASK] ." (LAMA's template for relation
 * P19, place of birth) against AutoPrompt triggers {@code "{sub} [T] [T] [T] [MASK] ."} searched on birthplace facts,
 * with bert-base-cased; prints the top five answers of each.
 *
 * <p>Reads the T-REx P19 training facts from {@code ../shared/data/lama/} when present (set
 * {@code -Dprompt4j.shared=DIR} to point elsewhere), else uses a dozen built-in facts.
 */
public final class FactRetrievalTriggers {

    private FactRetrievalTriggers() {
    }

    public static void main(String[] args) {
        Path lama = Path.of(System.getProperty("prompt4j.shared", "../shared"), "data", "lama");
        Path trainFile = lama.resolve("trex/P19/train.jsonl");
        List<Example> facts = Files.isRegularFile(trainFile) ? Datasets.lamaFacts(trainFile) : builtIn();
        System.out.println("Opening bert-base-cased (the first run converts and caches it in ~/.cache/prompt4j)...");
        try (OnnxMaskedLanguageModel model = OnnxMaskedLanguageModel.open(PretrainedModels.BERT_BASE_CASED)) {
            // The search ranks single vocabulary tokens, so keep facts whose answer is one.
            List<Example> usable = new ArrayList<>(facts.stream()
                    .filter(f -> model.tokenizer().tokenToId(f.label()).isPresent()).limit(300).toList());
            int held = Math.max(1, usable.size() / 5);
            System.out.printf("searching triggers on %d birthplace facts, selecting on %d%n", usable.size() - held,
                    held);
            TriggerSearchResult searched = TriggerSearch.builder(model)
                    .template(LamaRelation.autoPromptTemplate(3))
                    .factRetrieval(FactRetrieval.wholeVocabulary(model.tokenizer()))
                    .train(usable.subList(held, usable.size())).selection(usable.subList(0, held))
                    .gradientBatchSize(Math.min(32, usable.size() - held)).evaluationBatchSize(Math.min(32,
                            usable.size() - held))
                    .iterations(10).candidates(10).seed(1).build().run();

            Map<String, String> dante = Map.of(LamaRelation.SUBJECT, "Dante");
            print(model, Template.parse("{sub} was born in [MASK] ."), dante, "manual");
            print(model, searched.boundTemplate(), dante, "searched " + searched.filledTemplate());
        }
    }

    private static void print(OnnxMaskedLanguageModel model, Template template, Map<String, String> values,
            String name) {
        EncodedPrompt prompt = template.encode(values, model.tokenizer());
        MaskLogits logits = model.maskLogits(List.of(prompt));
        int[] top5 = IntStream.range(0, model.tokenizer().vocabularySize()).boxed()
                .sorted(Comparator.comparingDouble(id -> -logits.logit(0, 0, id)))
                .limit(5).mapToInt(Integer::intValue).toArray();
        System.out.printf("%n%s:%n", name);
        for (int id : top5) {
            System.out.printf("  %-12s %.3f%n", model.tokenizer().idToToken(id), Math.exp(logits.logProb(0, 0, id)));
        }
    }

    private static List<Example> builtIn() {
        String[][] pairs = {{"Mozart", "Salzburg"}, {"Goethe", "Frankfurt"}, {"Picasso", "Málaga"},
            {"Einstein", "Ulm"}, {"Chopin", "Warsaw"}, {"Shakespeare", "Stratford"}, {"Beethoven", "Bonn"},
            {"Kafka", "Prague"}, {"Joyce", "Dublin"}, {"Galileo", "Pisa"}, {"Raphael", "Urbino"},
            {"Napoleon", "Corsica"}};
        List<Example> out = new ArrayList<>();
        for (String[] p : pairs) {
            out.add(Example.of(LamaRelation.SUBJECT, p[0], p[1]));
        }
        return out;
    }
}
