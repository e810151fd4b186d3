package io.github.prompt4j.benchmarks.eval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The data and training-loop options of the commands that train on {@code --train} less a selection split and report
 * {@code --eval} once ({@code prefix}, {@code soft}); a picocli mixin, its data read by {@link SplitData#read}.
 */
final class SplitOptions {

    @Option(names = "--train", required = true, paramLabel = "FILE",
            description = "labelled training data; the selection split is carved from it")
    Path train;

    @Option(names = "--label", required = true, paramLabel = "CLASS=WORDS", converter = Converters.Label.class,
            description = "class and its single-piece label words, e.g. 0=terrible (repeat per class)")
    List<LabelOption> labels = new ArrayList<>();

    @Option(names = "--limit", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "use a seeded random subset of N training examples (selection split included)")
    Optional<Integer> limit = Optional.empty();

    @Mixin
    MinWordsOption minWords;

    @Option(names = "--select", defaultValue = "400", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "selection split: N of the training examples (default: ${DEFAULT-VALUE})")
    int select;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "SEED",
            description = "seed of the subset, the split, the initial parameters and the shuffles (default: "
                    + "${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--epochs", defaultValue = "8", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "most epochs (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--tune-batch", defaultValue = "16", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "examples per update (default: ${DEFAULT-VALUE})")
    int tuneBatch;

    @Option(names = "--patience", defaultValue = "3", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "epochs without a better selection accuracy before stopping (default: ${DEFAULT-VALUE})")
    int patience;

    @Option(names = "--max-length", defaultValue = "128", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "longest prompt in tokens (default: ${DEFAULT-VALUE})")
    int maxLength;

    @Option(names = "--max-minutes", paramLabel = "M", converter = Converters.PositiveInt.class,
            description = "training budget: no epoch starts that would likely end past it")
    Optional<Integer> maxMinutes = Optional.empty();

    @Option(names = "--eval", paramLabel = "FILE", description = "labelled data scored once, at the end")
    Optional<Path> eval = Optional.empty();

    @Option(names = "--json", paramLabel = "FILE", description = "write the JSON report here")
    Optional<Path> json = Optional.empty();

    @Option(names = "--progress", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "show a progress bar on standard error (default: on)")
    boolean progress;
}
