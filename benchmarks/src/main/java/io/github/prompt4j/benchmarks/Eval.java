package io.github.prompt4j.benchmarks;

import io.github.prompt4j.benchmarks.eval.EvalCommandLine;
import java.io.PrintWriter;

/**
 * The evaluation program in {@code benchmarks.jar}:
 * {@code java -cp benchmarks/target/benchmarks.jar io.github.prompt4j.benchmarks.Eval zero-shot --model ...}.
 * Run it with {@code --help} for the subcommands and their options.
 */
public final class Eval {

    private Eval() {
    }

    /** Runs the command line and exits with its code (0 success, 1 failure, 2 usage error). */
    public static void main(String[] args) {
        // Short logger names keep log lines readable beside the progress bar; a user's -D setting wins.
        if (System.getProperty("org.slf4j.simpleLogger.showShortLogName") == null) {
            System.setProperty("org.slf4j.simpleLogger.showShortLogName", "true");
        }
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(EvalCommandLine.run(out, err, args));
    }
}
