package io.github.prompt4j.benchmarks.eval;

import io.github.prompt4j.core.model.ModelLoadException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;

/**
 * Builds and runs the {@code eval} command line (picocli): subcommands {@code zero-shot}, {@code fill-mask},
 * {@code label-search}, {@code autoprompt}, {@code lama}, {@code few-shot}, {@code verbalizer}, {@code generate},
 * {@code calibrate}, {@code prefix}, {@code soft} and {@code ensemble}.
 *
 * <p>Exit codes: 0 success, 2 a usage error (bad or missing option, data that does not fit the options; the message
 * says what to write instead), 1 a failure while running (a missing file or model; the message names it). Usage
 * errors and expected failures print one message and a hint, not the whole usage or a stack trace. Each call builds
 * a fresh command line, so calls are independent; not thread-safe.
 */
public final class EvalCommandLine {

    private EvalCommandLine() {
    }

    /**
     * Runs the command with arguments, printing reports to {@code out} and messages to {@code err}.
     *
     * @return the exit code
     */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return create(out, err).execute(args);
    }

    /** The configured command line (for tests: parse without running). */
    static CommandLine create(PrintWriter out, PrintWriter err) {
        CommandLine cmd = new CommandLine(new EvalCommand());
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setParameterExceptionHandler((e, args) -> {
            CommandLine failed = e.getCommandLine();
            PrintWriter printer = failed.getErr();
            printer.println(failed.getColorScheme().errorText(e.getMessage()));
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, printer)) {
                printer.println("Try '" + failed.getCommandSpec().qualifiedName() + " --help' for the options.");
            }
            printer.flush();
            return failed.getCommandSpec().exitCodeOnInvalidInput();
        });
        cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ModelLoadException || e instanceof UncheckedIOException
                    || e instanceof IllegalArgumentException) {
                commandLine.getErr().println(commandLine.getColorScheme().errorText("error: " + e.getMessage()));
                commandLine.getErr().flush();
                return 1;
            }
            throw e;
        });
        return cmd;
    }
}
