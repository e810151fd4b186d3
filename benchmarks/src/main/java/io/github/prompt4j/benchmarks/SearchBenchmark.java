package io.github.prompt4j.benchmarks;

import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.Verbalizer;
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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The search building blocks on SST-2 with BERT-base, in seconds per operation: one AutoPrompt step (a gradient
 * batch of 32, k = 10 candidates scored on 32 sentences with successive halving, selection on 32 training sentences) and one
 * label-word search (hidden states of 256 training prompts, logistic regression, scoring the whole vocabulary).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgs = {"-Xmx6g"})
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class SearchBenchmark {

    @Param({"bert-base-cased"})
    public String model;

    /** Forward-pass precision, {@code FP32} or {@code INT8}; gradients are float32 in both. */
    @Param({"FP32", "INT8"})
    public String precision;

    @Param({"../shared/data/sst2/glue"})
    public String data;

    private OnnxMaskedLanguageModel mlm;
    private List<Example> train;
    private List<Example> selection;

    @Setup
    public void open() {
        mlm = BertFixture.open(model, 0, precision);
        List<Example> all = new ArrayList<>(Datasets.sst2Glue(Path.of(data, "train.tsv")));
        Collections.shuffle(all, new Random(1));
        // selection split from the training data, as every search selects (issue 14); dev is never searched on
        SelectionSplit split = SelectionSplit.carve(all.subList(0, 288), 32, 1);
        train = split.search().subList(0, 256);
        selection = split.selection();
    }

    @TearDown
    public void close() {
        mlm.close();
    }

    @Benchmark
    public TriggerSearchResult triggerSearchStep() {
        return TriggerSearch.builder(mlm)
                .template(Template.parse("{sentence} [T] [T] [T] [T] [T] [MASK] ."))
                .verbalizer(Verbalizer.builder().add(Datasets.NEGATIVE, "terrible")
                        .add(Datasets.POSITIVE, "fantastic").build())
                .train(train).selection(selection).iterations(1).candidates(10).gradientBatchSize(32).evaluationBatchSize(32)
                .candidateEvaluation(CandidateEvaluation.SUCCESSIVE_HALVING).seed(1)
                .listener(SearchListener.none()).build().run();
    }

    @Benchmark
    public LabelWordSearchResult labelWordSearch() {
        return LabelWordSearch.builder(mlm).template(Template.parse("{sentence} this movie was [MASK] ."))
                .train(train).build().run();
    }
}
