package dev.usher.proxy;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Which I/O transport the proxy's event loops use ({@code --transport}). {@link #AUTO} is epoll where the platform
 * has it, else NIO. io_uring is taken only when asked for by name: it used a quarter less CPU per request than epoll
 * under keep-alive load, but its tail was worse at 10,000 idle connections (benchmarks/README.md), and it is often
 * switched off (the {@code kernel.io_uring_disabled} sysctl, container runtimes' default seccomp profiles, gVisor).
 */
public enum Transport {
    /** Epoll where available, else NIO. */
    AUTO,
    /** Linux io_uring (Netty's {@code io.netty.channel.uring}); refused at start when the kernel does not allow it. */
    IO_URING,
    /** Linux epoll; refused at start where it is not available. */
    EPOLL,
    /** Java NIO: everywhere, slowest. */
    NIO;

    /** The name on the command line: {@code auto}, {@code io_uring}, {@code epoll} or {@code nio}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@link #cliName()} (any case; {@code io-uring} too). */
    public static Transport parse(String value) {
        String name = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (Transport transport : values()) {
            if (transport.name().equals(name)) {
                return transport;
            }
        }
        throw new IllegalArgumentException("unknown transport '" + value + "': expected one of "
                + Arrays.stream(values()).map(Transport::cliName).collect(Collectors.joining(", ")));
    }
}
