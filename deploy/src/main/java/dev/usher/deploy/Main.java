package dev.usher.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;

/**
 * The {@code usher} executable: parses the command line and hands over to {@code run}, {@code echo} or {@code demo}.
 */
public final class Main {

    private Main() {}

    /** Netty's buffer-leak detector; tests run it at {@code paranoid}, an operator may turn it on with the flag. */
    static final String LEAK_DETECTION = "io.netty.leakDetection.level";

    /** The JDK's switch that refuses a TLS client's renegotiation. */
    static final String REJECT_RENEGOTIATION = "jdk.tls.rejectClientInitiatedRenegotiation";

    public static void main(String[] args) {
        // Off unless asked for (-Dio.netty.leakDetection.level=simple): Netty's default samples one buffer in 128 and
        // wraps it, which costs every TLS read and write more than the sample is worth in a pod (benchmarks/README.md);
        // every test run keeps it at paranoid, where a leak fails the build. Before any buffer class is loaded.
        if (System.getProperty(LEAK_DETECTION) == null) {
            System.setProperty(LEAK_DETECTION, "disabled");
        }
        // Where netty-tcnative does not load, TLS is the JDK's, whose TLS 1.2 server accepts a client's renegotiation:
        // a full handshake's CPU for each, on demand. BoringSSL, nginx and HAProxy refuse them. Read by the JDK at its
        // first server handshake, so set before any.
        if (System.getProperty(REJECT_RENEGOTIATION) == null) {
            System.setProperty(REJECT_RENEGOTIATION, "true");
        }
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
