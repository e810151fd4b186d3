package io.github.prompt4j.benchmarks.eval;

import picocli.CommandLine.Option;

/**
 * The {@code --train-min-words} option of the commands that draw examples from a training file ({@code autoprompt},
 * {@code prefix}, {@code soft}, {@code verbalizer}, {@code generate}); a picocli mixin, applied by
 * {@link SearchSupport#atLeastWords}.
 */
final class MinWordsOption {

    @Option(names = "--train-min-words", defaultValue = "1", paramLabel = "N",
            converter = Converters.PositiveInt.class,
            description = "draw the training and selection examples from those of at least N words only (SST-2's "
                    + "training set is mostly short phrases, its dev set whole sentences; default: ${DEFAULT-VALUE}, "
                    + "all)")
    int value;
}
