package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.usher.routing.Endpoint;
import dev.usher.routing.RouteOptions;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Pipelined requests behind a request still in progress wait as bytes, not as decoded requests: a client that sends
 * 64 KiB of minimal requests behind one whose origin is slow, and stops reading, holds about that much memory, not
 * the 2.6 MiB of heap per connection that decoding them all at once took (a few dozen such connections exhausted the
 * Deployment's 96 MiB heap).
 */
final class PipelinedMemoryTest {

    private static final String MINIMAL = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    private static final String NO_ROUTE = "GET / HTTP/1.1\r\nHost: nope.test\r\n\r\n";

    @Test
    void pipelinedRequestsBehindASlowOne_holdLittleHeap() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
                OptionsFixture fixture =
                        new OptionsFixture(ProxySettings.defaults(), Map.of("app.test", RouteOptions.DEFAULT))) {
            List<Socket> accepted = new CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept()); // reads nothing, answers nothing
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            fixture.table.updateEndpoints(
                    OptionsFixture.APP, List.of(new Endpoint("127.0.0.1", silent.getLocalPort(), "silent")));
            StringBuilder batch = new StringBuilder("GET /slow HTTP/1.1\r\nHost: app.test\r\n\r\n");
            while (batch.length() + MINIMAL.length() < 64 * 1024) {
                batch.append(MINIMAL);
            }
            int connections = 20;
            List<Socket> clients = new ArrayList<>();
            try {
                long before = usedHeap();
                for (int i = 0; i < connections; i++) {
                    Socket client = new Socket("127.0.0.1", fixture.proxy.httpPort());
                    clients.add(client);
                    warmUp(client); // full socket reads: Usher's read size grows to its 64 KiB maximum
                    client.getOutputStream().write(batch.toString().getBytes(StandardCharsets.ISO_8859_1));
                    client.getOutputStream().flush();
                }
                // every slow request reached the origin: Usher read each batch (as far as one socket read goes)
                await().atMost(Duration.ofSeconds(20)).until(() -> accepted.size() == connections);
                long perConnection = (usedHeap() - before) / connections;

                assertThat(perConnection).as("heap held per connection, bytes").isLessThan(512 * 1024);
            } finally {
                for (Socket client : clients) {
                    client.close();
                }
                for (Socket s : accepted) {
                    s.close();
                }
            }
        }
    }

    @Test
    void manyPipelinedRequestsInOneWrite_allAnsweredInOrder_partialLastOneCompletedLater() throws Exception {
        try (ProxyFixture fixture = new ProxyFixture(1, ProxySettings.defaults());
                RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            StringBuilder batch = new StringBuilder();
            for (int i = 0; i < 300; i++) {
                batch.append("GET /echo?n=").append(i).append(" HTTP/1.1\r\nHost: app.test\r\n\r\n");
            }
            raw.send(batch + "GET /echo?n=last HTTP/1.1\r\nHo");

            for (int i = 0; i < 300; i++) {
                assertThat(raw.readResponse()).startsWith("HTTP/1.1 200").contains("uri=/echo?n=" + i + "\n");
            }
            raw.send("st: app.test\r\n\r\n");
            assertThat(raw.readResponse()).startsWith("HTTP/1.1 200").contains("uri=/echo?n=last");
        }
    }

    /** 128 KiB of pipelined requests Usher answers itself (404), read to the last answer. */
    private static void warmUp(Socket client) throws IOException {
        client.setSoTimeout(10_000);
        int count = 128 * 1024 / NO_ROUTE.length();
        client.getOutputStream().write(NO_ROUTE.repeat(count).getBytes(StandardCharsets.ISO_8859_1));
        client.getOutputStream().flush();
        InputStream in = client.getInputStream();
        byte[] buf = new byte[65536];
        int seen = 0;
        String carry = "";
        while (seen < count) {
            int n = in.read(buf);
            assertThat(n).isPositive();
            String text = carry + new String(buf, 0, n, StandardCharsets.ISO_8859_1);
            int at = 0;
            int last = 0;
            while ((at = text.indexOf("HTTP/1.1 404", at)) >= 0) {
                seen++;
                at += 12;
                last = at;
            }
            carry = text.substring(Math.max(last, text.length() - 11));
        }
    }

    /** The heap in use after full collections (System.gc() is a synchronous full collection here). */
    private static long usedHeap() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
