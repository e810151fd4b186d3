package io.github.prompt4j.benchmarks.eval;

import io.github.prompt4j.core.template.Template;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What the commands that train on {@code --train} less a selection split share ({@code prefix}, {@code soft}): the
 * command spec, the model and data options, {@code --template}, {@code --learned-verbalizer} and {@code --save} (picocli reads the annotated fields of this
 * superclass).
 */
abstract class SplitTrainingCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    SplitOptions splitOptions;

    @Option(names = "--template", required = true, paramLabel = "TEXT", converter = Converters.TemplateText.class,
            description = "template with one [MASK]: discrete for prefix, with [P] soft-prompt slots for soft")
    Template template;

    @Option(names = "--learned-verbalizer", defaultValue = "false",
            description = "train a learned verbalizer (a linear head on the mask's transformed state, initialised from "
                    + "the label words' output embeddings) together with the prompt, on the head's class "
                    + "cross-entropy; the saved prompt then classifies with the head (prefix: not with --loss or "
                    + "--checkpoint)")
    boolean learnedVerbalizer;

    @Option(names = "--save", paramLabel = "FILE", description = "write the trained prompt here (JSON; usable with "
            + "zero-shot --prompt)")
    Optional<Path> save = Optional.empty();
}
