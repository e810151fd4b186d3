package io.github.prompt4j.search.protocol;

import io.github.prompt4j.search.data.Example;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * The examples a result is reported on (a dev or test file), kept out of every search: no search, scorer or
 * selection accepts a {@code HeldOut}, and its examples are handed out once, to the final evaluation.
 *
 * <pre>{@code
 * HeldOut dev = HeldOut.of("dev.tsv", devExamples);       // read the file, keep it sealed
 * TriggerSearchResult r = TriggerSearch.builder(model)...train(split.search()).selection(split.selection())...run();
 * double accuracy = dev.evaluateOnce(examples -> accuracyOf(r.classifier(model), examples));
 * }</pre>
 *
 * <p>Thread-safe; {@link #evaluateOnce} succeeds once per instance.
 */
public final class HeldOut {

    private final String source;
    private final List<Example> examples;
    private final AtomicBoolean used = new AtomicBoolean();

    private HeldOut(String source, List<Example> examples) {
        this.source = source;
        this.examples = examples;
    }

    /**
     * Seals reported examples.
     *
     * @param source where they come from (a file name), for reports and messages
     * @throws IllegalArgumentException if there are no examples
     */
    public static HeldOut of(String source, List<Example> examples) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("held-out set '" + source + "' has no examples");
        }
        return new HeldOut(source, List.copyOf(examples));
    }

    /** Where the examples come from. */
    public String source() {
        return source;
    }

    /** How many examples are held out; reading the count reveals nothing a search could select on. */
    public int size() {
        return examples.size();
    }

    /** Whether the final evaluation has run. */
    public boolean evaluated() {
        return used.get();
    }

    /**
     * Runs the final evaluation: hands the examples to {@code evaluation} and returns what it returns.
     *
     * @throws IllegalStateException on a second call: a reported set is scored once, after every choice is made
     */
    public <R> R evaluateOnce(Function<List<Example>, R> evaluation) {
        if (!used.compareAndSet(false, true)) {
            throw new IllegalStateException("held-out set '" + source + "' was already evaluated; a reported set is "
                    + "scored once, after every choice is made on the selection split");
        }
        return evaluation.apply(examples);
    }
}
