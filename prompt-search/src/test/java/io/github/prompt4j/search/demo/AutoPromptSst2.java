package io.github.prompt4j.search.demo;

import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.eval.Metrics;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.onnx.runtime.PretrainedModels;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
import io.github.prompt4j.search.data.Datasets;
import io.github.prompt4j.search.data.Example;
import io.github.prompt4j.search.label.LabelWordSearch;
import io.github.prompt4j.search.label.LabelWordSearchResult;
import io.github.prompt4j.search.protocol.SelectionSplit;
import io.github.prompt4j.search.trigger.CandidateEvaluation;
import io.github.prompt4j.search.trigger.SearchListener;
import io.github.prompt4j.search.trigger.TriggerSearch;
import io.github.prompt4j.search.trigger.TriggerSearchResult;
import io.github.prompt4j.search.trigger.TriggerSearchState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Runs the SST-2 comparison of issue 5 on bert-base-cased (not a test: a driver for a long run): the manual prompt,
 * label-word search alone, and AutoPrompt triggers with the manual or searched label words; prints dev accuracy,
 * pass counts and times, and writes the AutoPrompt result JSON plus a checkpoint after every step (rerunning with an
 * existing checkpoint resumes).
 *
 * <p>Arguments (all optional): {@code iterations trainSubset selectionSize seed outDir}, default
 * {@code 50 4000 200 1 target/autoprompt}. Run from the repository root, e.g.
 * {@code mvn -q -pl prompt-search -am test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.github.prompt4j.search.demo.AutoPromptSst2 -Dexec.args="50 4000 200 1"}, or with
 * {@code java -cp} over the test class path.
 */
public final class AutoPromptSst2 {

    private AutoPromptSst2() {
    }

    public static void main(String[] args) throws IOException {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int trainSubset = args.length > 1 ? Integer.parseInt(args[1]) : 4000;
        int selectionSize = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        long seed = args.length > 3 ? Long.parseLong(args[3]) : 1;
        Path out = Path.of(args.length > 4 ? args[4] : "target/autoprompt");
        Files.createDirectories(out);
        Path data = Path.of(System.getProperty("prompt4j.shared", "../shared"), "data", "sst2", "glue");
        List<Example> train = new ArrayList<>(Datasets.sst2Glue(data.resolve("train.tsv")));
        Collections.shuffle(train, new Random(seed));
        // the selection split comes from the training data (issue 14); dev is only reported, once per prompt
        SelectionSplit split = SelectionSplit.carve(train.subList(0, Math.min(trainSubset + selectionSize,
                train.size())), selectionSize, seed + 1);
        train = split.search();
        List<Example> select = split.selection();
        List<Example> dev = Datasets.sst2Glue(data.resolve("dev.tsv"));
        Verbalizer manualWords = Verbalizer.builder().add(Datasets.NEGATIVE, "terrible")
                .add(Datasets.POSITIVE, "fantastic").build();
        try (OnnxMaskedLanguageModel model = OnnxMaskedLanguageModel.open(PretrainedModels.BERT_BASE_CASED)) {
            long t0 = System.nanoTime();
            double manual = accuracy(PromptClassifier.builder(model)
                    .template(Template.parse("{sentence} this movie was [MASK] .")).verbalizer(manualWords).build(),
                    dev);
            System.out.printf("manual prompt: dev accuracy %.4f (%.0f s)%n", manual, secs(t0));

            Template triggers = Template.parse("{sentence} [T] [T] [T] [T] [T] [MASK] .");
            long t1 = System.nanoTime();
            LabelWordSearchResult labels = LabelWordSearch.builder(model)
                    .template(Template.parse("{sentence} this movie was [MASK] .")).train(train.subList(0,
                            Math.min(1000, train.size()))).wordsPerClass(3).build().run();
            Files.writeString(out.resolve("sst2-label-words.json"), labels.toJson());
            double labelOnly = accuracy(PromptClassifier.builder(model)
                    .template(Template.parse("{sentence} this movie was [MASK] .")).verbalizer(labels.verbalizer())
                    .mapper(io.github.prompt4j.core.mapping.LabelMapper.sum()).build(), dev);
            System.out.printf("label-word search: %s dev accuracy %.4f (%.0f s)%n", labels.words(), labelOnly,
                    secs(t1));

            Path checkpoint = out.resolve("sst2-trigger-state.json");
            TriggerSearch search = TriggerSearch.builder(model).template(triggers).verbalizer(manualWords)
                    .train(train).selection(select).iterations(iterations).candidates(10).evaluationBatchSize(32)
                    .gradientBatchSize(32).candidateEvaluation(CandidateEvaluation.SUCCESSIVE_HALVING)
                    .seed(seed).listener(new SearchListener() {
                        private final SearchListener log = SearchListener.logging();

                        @Override
                        public void onStep(io.github.prompt4j.search.trigger.SearchStep step) {
                            log.onStep(step);
                        }

                        @Override
                        public void onCheckpoint(TriggerSearchState state) {
                            try {
                                Files.writeString(checkpoint, state.toJson());
                            } catch (IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        }
                    }).build();
            long t2 = System.nanoTime();
            TriggerSearchResult r = Files.exists(checkpoint)
                    ? search.resume(TriggerSearchState.fromJson(Files.readString(checkpoint))) : search.run();
            Files.writeString(out.resolve("sst2-autoprompt-prompt.json"), r.toJson());
            double auto = accuracy(r.classifier(model), dev);
            System.out.printf("AutoPrompt: %s triggers %s, dev accuracy %.4f, %d forward + %d gradient passes, "
                    + "%.0f s%n", r.filledTemplate(), r.triggerTokens(), auto, r.passes().forwardPasses(),
                    r.passes().gradientPasses(), secs(t2));
        }
    }

    private static double accuracy(PromptClassifier c, List<Example> examples) {
        List<String> texts = examples.stream().map(e -> e.fields().get(Datasets.SENTENCE)).toList();
        List<String> predicted = c.classifyAll(texts).stream().map(k -> k.label()).toList();
        return Metrics.accuracy(examples.stream().map(Example::label).toList(), predicted);
    }

    private static double secs(long start) {
        return (System.nanoTime() - start) / 1e9;
    }
}
