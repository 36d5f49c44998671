package dev.usher.deploy.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.usher.k8s.SnapshotPublisher;
import dev.usher.routing.RoutingTable;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Anyone who reaches the admin port (every pod of the cluster, by default) must not be able to stall the probes: the
 * kubelet's liveness probe ({@code /healthz}, 1 s timeout) restarts a replica whose admin port does not answer.
 */
final class AdminSlowClientTest {

    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private SnapshotPublisher publisher;
    private AdminMetrics metrics;
    private AdminServer admin;
    private final List<Socket> idle = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        publisher = new SnapshotPublisher(new RoutingTable(), null);
        metrics = AdminMetrics.create();
        admin = AdminServer.start("127.0.0.1", 0, publisher, metrics, () -> true);
    }

    @AfterEach
    void stop() throws Exception {
        for (Socket socket : idle) {
            socket.close();
        }
        admin.close();
        metrics.close();
    }

    private int healthz() throws Exception {
        return client.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + "/healthz"))
                                .timeout(Duration.ofSeconds(1))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }

    @Test
    void connectionsThatNeverFinishTheirRequest_doNotStallTheProbes() throws Exception {
        for (int i = 0; i < 20; i++) {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", admin.port()));
            OutputStream out = socket.getOutputStream();
            out.write(i % 2 == 0 ? "GET /healthz HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII) : new byte[0]);
            out.flush();
            idle.add(socket);
        }

        assertThat(healthz()).isEqualTo(200);
    }

    @Test
    void halfSentRequests_holdNoBufferOnceTheServerHasClosed() throws Exception {
        // Each connection's decoder holds the unfinished head; closing the server must release it, not leave it to
        // the garbage collector (the event loop's own shutdown closed the sockets without telling the decoders).
        UnpooledByteBufAllocator counted = new UnpooledByteBufAllocator(true);
        ByteBufAllocatorMetric held = counted.metric();
        AdminServer server = AdminServer.builder()
                .publisher(publisher)
                .metrics(metrics)
                .allocator(counted)
                .start();
        try {
            for (int i = 0; i < 10; i++) {
                long before = held.usedDirectMemory() + held.usedHeapMemory();
                Socket socket = new Socket();
                idle.add(socket);
                socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
                socket.getOutputStream().write("GET /healthz HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII));
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> held.usedDirectMemory() + held.usedHeapMemory() > before);
            }
        } finally {
            server.close();
        }

        assertThat(held.usedDirectMemory() + held.usedHeapMemory()).isZero();
    }
}
