package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.usher.routing.BackendRef;
import dev.usher.routing.Endpoint;
import dev.usher.routing.HostRule;
import dev.usher.routing.IngressRuleSet;
import dev.usher.routing.PathRule;
import dev.usher.routing.PathType;
import dev.usher.routing.PortRef;
import dev.usher.routing.RouteOptions;
import dev.usher.routing.RoutingSnapshot;
import dev.usher.routing.RoutingTable;
import dev.usher.tls.DefaultCertificate;
import dev.usher.tls.TlsCertificate;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Back-pressure through a TLS passthrough splice, both ways: an origin that floods a client that reads nothing, and a
 * client that floods an origin that reads nothing, are each stopped by full buffers, while Usher holds about a write
 * buffer's high water mark and one read per direction.
 */
final class PassthroughBackpressureTest {

    private static final BackendRef FLOOD = new BackendRef("default", "flood", PortRef.number(9000));
    private static final long TOTAL = 256L * 1024 * 1024;
    private static final long BOUND = 512 * 1024; // 64 KiB high water mark + one read, per direction, with slack

    private final RoutingTable table = new RoutingTable();
    /**
     * Both connections' allocator, counting the direct memory of its live buffers exactly (the pooled default counts
     * the chunks it reserved, which grow with contention: see {@link MemoryBoundsTest}).
     */
    private final UnpooledByteBufAllocator counted = new UnpooledByteBufAllocator(true);

    private ServerSocket origin;
    private ProxyServer proxy;

    @AfterEach
    void stop() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    private void start() throws Exception {
        origin = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
        table.updateEndpoints(FLOOD, List.of(new Endpoint("127.0.0.1", origin.getLocalPort(), "flood")));
        table.publish(RoutingSnapshot.builder()
                .add(new IngressRuleSet(
                        "default",
                        "flood",
                        Instant.parse("2024-01-01T00:00:00Z"),
                        List.of(new HostRule("flood.test", List.of(new PathRule("/", PathType.PREFIX, FLOOD)))),
                        null,
                        RouteOptions.builder().sslPassthrough(true).build()))
                .build(table::backend));
        TlsCertificate usher = DefaultCertificate.generate();
        SslContext context =
                SslContextBuilder.forServer(usher.key(), usher.chain()).build();
        proxy = ProxyServer.builder()
                .routingTable(table)
                .bindAddress("127.0.0.1")
                .httpPort(0)
                .https(0, (host, promise) -> promise.setSuccess(context))
                .eventLoops(1)
                .settings(ProxySettings.builder().enableSslPassthrough(true).build())
                .allocator(counted)
                .build();
        proxy.start();
    }

    /** Writes {@code TOTAL} bytes to {@code out} from a daemon thread, counting what the kernel took. */
    private static AtomicLong flood(OutputStream out) {
        AtomicLong written = new AtomicLong();
        Thread writer = new Thread(() -> {
            byte[] chunk = new byte[64 * 1024];
            try {
                while (written.get() < TOTAL) {
                    out.write(chunk);
                    written.addAndGet(chunk.length);
                }
            } catch (IOException closed) {
                // the test is over
            }
        });
        writer.setDaemon(true);
        writer.start();
        return written;
    }

    /** Waits until {@code counter} stops moving, then returns it. */
    private static long stalled(AtomicLong counter) {
        long[] last = {-1};
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    long now = counter.get();
                    boolean still = now == last[0];
                    last[0] = now;
                    return still;
                });
        return counter.get();
    }

    @Test
    void aFloodingSide_isStoppedByTheSideThatDoesNotRead_bothWays() throws Exception {
        start();
        long baseline = counted.metric().usedDirectMemory();
        try (Socket client = new Socket()) {
            client.setReceiveBufferSize(4096);
            client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.httpsPort()));
            client.getOutputStream().write(ClientHellos.naming("flood.test"));
            client.getOutputStream().flush();
            try (Socket accepted = origin.accept()) {
                accepted.setReceiveBufferSize(4096);
                // origin -> client: the client reads nothing
                long toClient = stalled(flood(accepted.getOutputStream()));
                // client -> origin: the origin reads nothing
                long toOrigin = stalled(flood(client.getOutputStream()));

                long held = counted.metric().usedDirectMemory() - baseline;
                System.out.printf(
                        "passthrough back-pressure: origin wrote %d, client wrote %d, Usher holds %d bytes%n",
                        toClient, toOrigin, held);
                assertThat(toClient).isLessThan(TOTAL);
                assertThat(toOrigin).isLessThan(TOTAL);
                assertThat(held).isLessThan(BOUND);
            }
        }
    }
}
