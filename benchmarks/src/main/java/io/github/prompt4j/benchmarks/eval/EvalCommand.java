package io.github.prompt4j.benchmarks.eval;

import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The top-level {@code eval} command; each evaluation is a subcommand class listed here (a new one, such as a search,
 * is a {@code Callable<Integer>} with {@link ModelOptions} as a mixin, added to {@code subcommands}).
 */
@Command(name = "eval", mixinStandardHelpOptions = true, versionProvider = EvalCommand.Version.class,
        description = "Evaluation runs of prompt4j with reproducible JSON and Markdown reports.",
        subcommands = {ZeroShotCommand.class, FillMaskCommand.class, LabelSearchCommand.class, AutoPromptCommand.class,
            LamaCommand.class, FewShotCommand.class, VerbalizerCommand.class, GenerateCommand.class,
            CalibrateCommand.class, PrefixCommand.class, SoftCommand.class, EnsembleCommand.class,
            HelpCommand.class})
final class EvalCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "say which evaluation to run: "
                + String.join(", ", spec.subcommands().keySet()));
    }

    /** The version from the jar manifest, when there is one. */
    static final class Version implements picocli.CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = EvalCommand.class.getPackage().getImplementationVersion();
            return new String[] {"prompt4j eval " + (v != null ? v : "(development build)")};
        }
    }
}
