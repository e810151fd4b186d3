package io.github.prompt4j.benchmarks;

import io.github.prompt4j.core.classify.Classification;
import io.github.prompt4j.core.classify.PromptClassifier;
import io.github.prompt4j.core.template.Template;
import io.github.prompt4j.core.verbalizer.Verbalizer;
import io.github.prompt4j.onnx.export.model.ModelCache;
import io.github.prompt4j.onnx.runtime.PretrainedModels;
import io.github.prompt4j.onnx.runtime.Device;
import io.github.prompt4j.onnx.runtime.OnnxMaskedLanguageModel;
import io.github.prompt4j.search.data.Datasets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAccumulator;

/**
 * A soak run: {@code --threads} threads classify SST-2 sentences with one shared model while another thread keeps
 * opening, using and closing a second model, for {@code --minutes}. Reports calls, errors (must be 0), agreement of
 * every prediction with a single-threaded pass made first (must be identical), and resident memory at start, middle
 * and end, in all and anonymous only: each open maps the second model's weights file again, and a closed model's
 * mapping is released only when the garbage collector collects its buffers, so total RSS (which counts the same file
 * pages once per mapping) rises between collections while anonymous RSS shows native or heap leaks. Exits 1 when
 * there was an error or a disagreement. Not a test: run it by hand, alone on the machine:
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.github.prompt4j.benchmarks.SoakRun --minutes 10 --threads 8 \
 *     --model bert-base-uncased --second bert-base-cased --data ../shared/data/sst2/glue/dev.tsv --sentences 64
 * </pre>
 */
public final class SoakRun {

    private static final Template TEMPLATE = Template.parse("{sentence} It was [MASK] .");

    private SoakRun() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new java.util.HashMap<>(Map.of("--minutes", "10", "--threads", "8",
                "--model", "bert-base-uncased", "--second", "bert-base-cased",
                "--data", "../shared/data/sst2/glue/dev.tsv", "--sentences", "64"));
        for (int i = 0; i < args.length; i += 2) {
            if (!opt.containsKey(args[i]) || i + 1 >= args.length) {
                System.err.println("usage: SoakRun [--minutes M] [--threads N] [--model NAME] [--second NAME] "
                        + "[--data SST2_TSV] [--sentences N]; unknown or valueless option " + args[i]);
                System.exit(2);
            }
            opt.put(args[i], args[i + 1]);
        }
        Duration length = Duration.ofSeconds(Math.round(Double.parseDouble(opt.get("--minutes")) * 60));
        int threads = Integer.parseInt(opt.get("--threads"));
        List<String> sentences = Datasets.sst2Glue(Path.of(opt.get("--data"))).stream()
                .limit(Integer.parseInt(opt.get("--sentences"))).map(e -> e.fields().get(Datasets.SENTENCE))
                .toList();
        Verbalizer words = Verbalizer.builder().add("negative", "terrible", "bad").add("positive", "great", "good")
                .build();
        ModelCache cache = ModelCache.defaultCache();
        PretrainedModels first = PretrainedModels.byName(opt.get("--model"));
        PretrainedModels second = PretrainedModels.byName(opt.get("--second"));
        cache.get(second);   // convert before the clock starts

        try (OnnxMaskedLanguageModel model = OnnxMaskedLanguageModel.builder().pretrained(first).cache(cache)
                .device(Device.CPU).build()) {
            PromptClassifier classifier = PromptClassifier.builder(model).template(TEMPLATE).verbalizer(words)
                    .build();
            List<Classification> reference = new ArrayList<>();
            for (String s : sentences) {
                reference.add(classifier.classify(s));
            }
            Classification secondReference;
            try (OnnxMaskedLanguageModel other = openSecond(second, cache)) {
                secondReference = classifierOf(other, words).classify(sentences.get(0));
            }
            System.out.printf("soak: %s shared by %d threads, %s opened and closed in a loop, %d sentences, %s%n",
                    first.id(), threads, second.id(), sentences.size(), length);
            long startRss = rssKib("VmRSS");
            long startAnon = rssKib("RssAnon");
            System.out.printf("rss at start: %d MiB (anonymous %d MiB)%n", startRss >> 10, startAnon >> 10);

            AtomicLong calls = new AtomicLong();
            AtomicLong disagreements = new AtomicLong();
            AtomicLong opens = new AtomicLong();
            DoubleAccumulator maxProbabilityDiff = new DoubleAccumulator(Math::max, 0);
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            long deadline = System.nanoTime() + length.toNanos();
            CountDownLatch done = new CountDownLatch(threads + 1);
            for (int t = 0; t < threads; t++) {
                int offset = t * sentences.size() / threads;
                Thread worker = new Thread(() -> {
                    try {
                        for (int i = offset; System.nanoTime() < deadline; i++) {
                            int k = i % sentences.size();
                            Classification c = classifier.classify(sentences.get(k));
                            calls.incrementAndGet();
                            Classification r = reference.get(k);
                            if (!c.label().equals(r.label())) {
                                disagreements.incrementAndGet();
                            }
                            for (String label : r.probabilities().keySet()) {
                                maxProbabilityDiff.accumulate(Math.abs(c.probability(label) - r.probability(label)));
                            }
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    } finally {
                        done.countDown();
                    }
                }, "soak-classify-" + t);
                worker.start();
            }
            Thread opener = new Thread(() -> {
                try {
                    while (System.nanoTime() < deadline) {
                        try (OnnxMaskedLanguageModel other = openSecond(second, cache)) {
                            Classification c = classifierOf(other, words).classify(sentences.get(0));
                            opens.incrementAndGet();
                            if (!c.label().equals(secondReference.label())) {
                                disagreements.incrementAndGet();
                            }
                        }
                    }
                } catch (Throwable e) {
                    errors.add(e);
                } finally {
                    done.countDown();
                }
            }, "soak-open-close");
            opener.start();

            long middleRss = -1;
            long middleAnon = -1;
            long peakRss = startRss;
            long peakAnon = startAnon;
            long middle = System.nanoTime() + length.toNanos() / 2;
            long nextReport = System.nanoTime() + 60_000_000_000L;
            while (!done.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
                long now = System.nanoTime();
                long rss = rssKib("VmRSS");
                long anon = rssKib("RssAnon");
                peakRss = Math.max(peakRss, rss);
                peakAnon = Math.max(peakAnon, anon);
                if (middleRss < 0 && now >= middle) {
                    middleRss = rss;
                    middleAnon = anon;
                }
                if (now >= nextReport) {
                    System.out.printf("  %d calls, %d opens, %d errors, rss %d MiB (anonymous %d MiB)%n", calls.get(),
                            opens.get(), errors.size(), rss >> 10, anon >> 10);
                    nextReport += 60_000_000_000L;
                }
            }
            long endRss = rssKib("VmRSS");
            long endAnon = rssKib("RssAnon");
            System.gc();
            Thread.sleep(2000);   // the closed models' mappings are released when their buffers are collected
            long afterGcRss = rssKib("VmRSS");
            System.out.printf("calls: %d classifications (%.1f/s), %d opens of %s%n", calls.get(),
                    calls.get() / (double) length.toSeconds(), opens.get(), second.id());
            System.out.printf("errors: %d%n", errors.size());
            errors.stream().limit(3).forEach(e -> e.printStackTrace(System.out));
            System.out.printf("disagreements with the single-threaded pass: %d (max |probability difference| %.3g)%n",
                    disagreements.get(), maxProbabilityDiff.get());
            System.out.printf("rss MiB: start %d, middle %d, end %d, peak %d; after a full GC %d%n", startRss >> 10,
                    middleRss >> 10, endRss >> 10, peakRss >> 10, afterGcRss >> 10);
            System.out.printf("anonymous rss MiB (heap and native allocations, no file mappings): start %d, middle %d, "
                    + "end %d, peak %d%n", startAnon >> 10, middleAnon >> 10, endAnon >> 10, peakAnon >> 10);
            if (!errors.isEmpty() || disagreements.get() != 0) {
                System.exit(1);
            }
        }
    }

    private static OnnxMaskedLanguageModel openSecond(PretrainedModels second, ModelCache cache) {
        return OnnxMaskedLanguageModel.builder().pretrained(second).cache(cache).device(Device.CPU).build();
    }

    private static PromptClassifier classifierOf(OnnxMaskedLanguageModel model, Verbalizer words) {
        return PromptClassifier.builder(model).template(TEMPLATE).verbalizer(words).build();
    }

    private static long rssKib(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return -1;
    }
}
