package dev.usher.benchmarks.load;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code usher-bench}: the load harness's command line; {@code main} only parses and dispatches. */
@Command(
        name = "usher-bench",
        mixinStandardHelpOptions = true,
        version = "usher-bench 0.1.0",
        description = "Load-test Usher (or any HTTP/1.1 target) and compare it with nginx and HAProxy.",
        subcommands = {
            LoadCommand.class,
            ChurnCommand.class,
            CompareCommand.class,
            ManifestsCommand.class,
            H2loadReportCommand.class
        })
public final class LoadMain implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadMain()).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
