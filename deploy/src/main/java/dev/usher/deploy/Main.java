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

    /**
     * Netty's buffer allocator takes a heap of 512 MiB or less for a small machine: no buffers local to an event loop,
     * every allocation and release through magazines shared with locks.
     */
    static final String ALLOCATOR_LOW_MEMORY = "io.netty.allocator.lowMemory";

    public static void main(String[] args) {
        // Off unless asked for (-Dio.netty.leakDetection.level=simple): Netty's default samples one buffer in 128 and
        // wraps it, which costs every TLS read and write more than the sample is worth in a pod (benchmarks/README.md);
        // every test run keeps it at paranoid, where a leak fails the build. Before any buffer class is loaded.
        setUnlessGiven(LEAK_DETECTION, "disabled");
        // Where netty-tcnative does not load, TLS is the JDK's, whose TLS 1.2 server accepts a client's renegotiation:
        // a full handshake's CPU for each, on demand. BoringSSL, nginx and HAProxy refuse them. Read by the JDK at its
        // first server handshake, so set before any.
        setUnlessGiven(REJECT_RENEGOTIATION, "true");
        // The pod's heap (96 MiB) would make Netty's allocator share its buffers between threads behind locks, though
        // each event loop allocates and frees its own: a tenth of the event loop's user time per request
        // (benchmarks/README.md). The buffers are direct memory, which the Deployment caps, not the heap.
        setUnlessGiven(ALLOCATOR_LOW_MEMORY, "false");
        System.exit(commandLine().execute(args));
    }

    /** Sets a system property before anything reads it, unless the command line gave it (that value wins). */
    static void setUnlessGiven(String name, String value) {
        if (System.getProperty(name) == null) {
            System.setProperty(name, value);
        }
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
