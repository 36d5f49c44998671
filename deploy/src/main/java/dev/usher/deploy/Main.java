package dev.usher.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;

/**
 * The {@code usher} executable: parses the command line and hands over to {@code run}, {@code echo} or {@code demo}.
 */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line; tests parse and run through the same object the executable uses. */
    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new UsherCommand());
        commandLine.setUsageHelpAutoWidth(true);
        commandLine.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            // Expected failures (a port in use, an unreadable folder, a bad setting) get one line, not a trace.
            if (e instanceof IOException
                    || e instanceof UncheckedIOException
                    || e instanceof IllegalArgumentException
                    || e instanceof IllegalStateException) {
                cmd.getErr().println("usher " + cmd.getCommandName() + ": " + e.getMessage());
            } else {
                e.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        return commandLine;
    }
}
