package dev.usher.proxy;

import static dev.usher.proxy.OptionsFixture.ingress;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.usher.routing.BackendRef;
import dev.usher.routing.Endpoint;
import dev.usher.routing.PathRule;
import dev.usher.routing.PathType;
import dev.usher.routing.PortRef;
import dev.usher.routing.ResponseRate;
import dev.usher.routing.RouteOptions;
import dev.usher.routing.RoutingSnapshot;
import dev.usher.routing.RoutingTable;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ingress-nginx's {@code limit-rate} / {@code limit-rate-after} on real sockets, timed by the proxy's injected clock
 * held still by the test: a 256 KiB response paced at 16 KiB/s after 64 KiB reaches the client in exactly the bytes the
 * moved clock allows (64 KiB with the clock still, 16 KiB more per second moved), intact, over HTTP/1.1 and HTTP/2,
 * and its origin connection is reused afterwards. No wall-clock duration is asserted: each step awaits a byte count.
 */
final class ResponseRateTest {

    private static final int KIB = 1024;
    private static final int SIZE = 256 * KIB;

    private final AtomicLong clock = new AtomicLong(1_000_000_000_000L);
    private OptionsFixture fixture;
    private TestOrigin origin;
    private ProxyServer proxy;

    @BeforeEach
    void start() {
        fixture = new OptionsFixture(
                // shorter than the pauses below: a paced download must not be taken for a client that stopped reading
                ProxySettings.builder()
                        .clientIdleTimeout(Duration.ofMillis(500))
                        .build(),
                List.of(
                        ingress(
                                "slow",
                                "slow.test",
                                RouteOptions.builder()
                                        .responseRate(new ResponseRate(16 * KIB, 64 * KIB))
                                        .build()),
                        ingress("fast", "fast.test", RouteOptions.DEFAULT)),
                clock::get,
                builder -> {});
        origin = fixture.origin;
        proxy = fixture.proxy;
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private void advance(Duration by) {
        clock.addAndGet(by.toNanos());
    }

    @Test
    void http11_theFirstLimitRateAfterBytesGoAtOnce_thenTheClockPacesTheRest_andTheOriginConnectionIsReused()
            throws Exception {
        try (Socket socket = new Socket("127.0.0.1", proxy.httpPort())) {
            socket.setSoTimeout(20_000);
            Download first = Download.start(socket, "slow.test", SIZE);
            await().atMost(Duration.ofSeconds(20)).until(() -> first.received.get() == 64 * KIB);
            // Held there while the clock stands still, longer than the client idle timeout: Usher's pause, not the
            // client's, so the connection stays open.
            await().during(Duration.ofMillis(1200))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> first.received.get() == 64 * KIB && first.failure == null);

            advance(Duration.ofSeconds(1));
            await().atMost(Duration.ofSeconds(20)).until(() -> first.received.get() == 80 * KIB);
            advance(Duration.ofMillis(500));
            await().atMost(Duration.ofSeconds(20)).until(() -> first.received.get() == 88 * KIB);

            advance(Duration.ofSeconds(20)); // covers the rest: 168 KiB at 16 KiB/s
            first.finish();
            assertThat(first.failure).isNull();
            first.assertPattern();

            // the next response on the same connection starts with its own limit-rate-after credit
            Download second = Download.start(socket, "slow.test", 10 * KIB);
            second.finish();
            assertThat(second.failure).isNull();
            second.assertPattern();
        }
        assertThat(origin.requests.get()).isEqualTo(2);
        assertThat(origin.connections.get())
                .as("the origin connection was reused")
                .isEqualTo(1);
    }

    @Test
    void aRouteWithoutTheOption_isNotPaced() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", proxy.httpPort())) {
            socket.setSoTimeout(20_000);
            Download fast = Download.start(socket, "fast.test", SIZE);
            fast.finish(); // the clock never moves
            assertThat(fast.failure).isNull();
            fast.assertPattern();
        }
    }

    @Test
    void clientClosingMidThrottle_releasesTheHeldBytes_andTheOriginConnection() throws Exception {
        Download first;
        try (Socket socket = new Socket("127.0.0.1", proxy.httpPort())) {
            socket.setSoTimeout(20_000);
            first = Download.start(socket, "slow.test", SIZE);
            await().atMost(Duration.ofSeconds(20)).until(() -> first.received.get() == 64 * KIB);
        }
        // Usher is not reading the client during the response: the next paced writes find it gone
        advance(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(20)).until(() -> origin.closedConnections.get() == 1);
        advance(Duration.ofSeconds(30)); // a pacing task left behind would find nothing to send
        try (Socket socket = new Socket("127.0.0.1", proxy.httpPort())) {
            socket.setSoTimeout(20_000);
            Download next = Download.start(socket, "slow.test", 1000);
            next.finish();
            assertThat(next.failure).isNull();
            next.assertPattern();
        }
    }

    @Test
    void theOriginClosingAfterAPacedBody_stillDeliversAllOfIt() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", proxy.httpPort())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /pattern?bytes=262144&close HTTP/1.1\r\nHost: slow.test\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String head = Download.head(in);
            assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("transfer-encoding: chunked");
            // the origin wrote it all and closed: the end is read and held while the clock stands still
            await().atMost(Duration.ofSeconds(20)).until(() -> origin.closedConnections.get() == 1);
            advance(Duration.ofSeconds(20));
            byte[] body = Download.chunked(in);
            assertThat(body).hasSize(SIZE);
            for (int i = 0; i < SIZE; i++) {
                if (body[i] != TestOrigin.patternByte(i)) {
                    throw new AssertionError("byte " + i + " differs");
                }
            }
        }
    }

    @Test
    void aPacedClientThatStopsReading_isStillTimedOut() throws Exception {
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4 * KIB);
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", proxy.httpPort()), 5_000);
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(
                    "GET /big?bytes=268435456 HTTP/1.1\r\nHost: slow.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(Download.head(socket.getInputStream())).startsWith("HTTP/1.1 200"); // pacing started
            advance(Duration.ofDays(1)); // credit for all of it: only the client's reading holds it back now
            // it reads nothing: Usher's buffers fill, and after the client idle timeout the exchange is ended
            await().atMost(Duration.ofSeconds(30)).until(() -> origin.closedConnections.get() == 1);
            assertThat(origin.streamedBytes.get()).isLessThan(268435456L);
        }
    }

    @Test
    void http2_theSamePaceOnAStream() throws Exception {
        try (RawH2 h2 = RawH2.connect(proxy.httpPort())) {
            Http2Headers request = RawH2.request("GET", "slow.test", "/pattern?bytes=" + SIZE);
            h2.headers(1, request, true);
            AtomicInteger received = new AtomicInteger();
            byte[] body = new byte[SIZE];
            AtomicInteger status = new AtomicInteger();
            Thread reader = new Thread(() -> {
                try {
                    for (RawH2.Frame f; (f = h2.read()) != null; ) {
                        if (f.stream() != 1) {
                            continue;
                        }
                        if (f.type() == RawH2.HEADERS) {
                            status.set(Integer.parseInt(h2.decode(f).status().toString()));
                        } else if (f.type() == RawH2.DATA) {
                            int n = f.payload().length;
                            System.arraycopy(f.payload(), 0, body, received.get(), n);
                            if (n > 0) {
                                h2.windowUpdate(0, n);
                                if (!f.endStream()) {
                                    h2.windowUpdate(1, n);
                                }
                            }
                            received.addAndGet(n);
                        }
                        if (f.endStream()) {
                            return;
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            reader.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> received.get() == 64 * KIB);
            advance(Duration.ofSeconds(2));
            await().atMost(Duration.ofSeconds(20)).until(() -> received.get() == 96 * KIB);
            advance(Duration.ofSeconds(20));
            reader.join(TimeUnit.SECONDS.toMillis(20));
            assertThat(reader.isAlive()).isFalse();
            assertThat(status.get()).isEqualTo(200);
            assertThat(received.get()).isEqualTo(SIZE);
            for (int i = 0; i < SIZE; i++) {
                if (body[i] != TestOrigin.patternByte(i)) {
                    throw new AssertionError("byte " + i + " differs");
                }
            }
        }
    }

    @Test
    void http2_aStreamResetMidThrottle_freesTheOriginConnection_andTheConnectionServesOn() throws Exception {
        try (RawH2 h2 = RawH2.connect(proxy.httpPort())) {
            h2.headers(1, RawH2.request("GET", "slow.test", "/pattern?bytes=" + SIZE), true);
            int received = 0;
            while (received < 64 * KIB) { // the stream's initial window is 65,535: give the bytes back as they come
                RawH2.Frame f = h2.read();
                assertThat(f).isNotNull();
                if (f.type() == RawH2.HEADERS) {
                    h2.decode(f);
                } else if (f.type() == RawH2.DATA && f.stream() == 1 && f.payload().length > 0) {
                    received += f.payload().length;
                    h2.windowUpdate(0, f.payload().length);
                    h2.windowUpdate(1, f.payload().length);
                }
            }
            assertThat(received).isEqualTo(64 * KIB);
            h2.rst(1, 0x8); // CANCEL, while the rest is held for its pace
            await().atMost(Duration.ofSeconds(20)).until(() -> origin.closedConnections.get() == 1);
            h2.headers(3, RawH2.request("GET", "fast.test", "/pattern?bytes=1000"), true);
            RawH2.Reply reply = h2.replies(List.of(3)).get(3);
            assertThat(reply.status()).isEqualTo("200");
            assertThat(reply.body.size()).isEqualTo(1000);
        }
    }

    @Test
    void anH2cOrigin_isPacedThroughItsStream_andItsConnectionServesTheNextRequest() throws Exception {
        BackendRef grpc = new BackendRef("default", "grpc", PortRef.number(50051));
        try (H2Origin h2 = new H2Origin(0)) {
            RoutingTable table = new RoutingTable();
            table.updateEndpoints(grpc, List.of(new Endpoint("127.0.0.1", h2.port(), "grpc-0")));
            table.publish(RoutingSnapshot.builder()
                    .add(ingress(
                            "h2c",
                            "h2c.test",
                            new PathRule("/", PathType.PREFIX, grpc),
                            RouteOptions.builder()
                                    .upstreams(java.util.Map.of(
                                            grpc,
                                            dev.usher.routing.Upstream.of(dev.usher.routing.BackendProtocol.H2C, null)))
                                    .responseRate(new ResponseRate(16 * KIB, 64 * KIB))
                                    .build()))
                    .build(table::backend));
            ProxyServer viaH2 = ProxyServer.builder()
                    .routingTable(table)
                    .bindAddress("127.0.0.1")
                    .httpPort(0)
                    .eventLoops(1)
                    .nanoClock(clock::get)
                    .build();
            viaH2.start();
            try (Socket socket = new Socket("127.0.0.1", viaH2.httpPort())) {
                socket.setSoTimeout(20_000);
                OutputStream out = socket.getOutputStream();
                out.write(("GET /pattern?bytes=" + SIZE + " HTTP/1.1\r\nHost: h2c.test\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = socket.getInputStream();
                assertThat(Download.head(in)).startsWith("HTTP/1.1 200");
                AtomicInteger received = new AtomicInteger();
                java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
                AtomicLong failure = new AtomicLong();
                Thread reader = new Thread(() -> {
                    try {
                        for (byte[] chunk; (chunk = Download.chunk(in)) != null; ) {
                            body.write(chunk);
                            received.addAndGet(chunk.length);
                        }
                    } catch (IOException e) {
                        failure.incrementAndGet();
                    }
                });
                reader.start();
                await().atMost(Duration.ofSeconds(20)).until(() -> received.get() == 64 * KIB);
                advance(Duration.ofSeconds(1));
                await().atMost(Duration.ofSeconds(20)).until(() -> received.get() == 80 * KIB);
                advance(Duration.ofSeconds(20));
                reader.join(TimeUnit.SECONDS.toMillis(20));
                assertThat(reader.isAlive()).isFalse();
                assertThat(failure.get()).isZero();
                byte[] bytes = body.toByteArray();
                assertThat(bytes).hasSize(SIZE);
                for (int i = 0; i < SIZE; i++) {
                    if (bytes[i] != TestOrigin.patternByte(i)) {
                        throw new AssertionError("byte " + i + " differs");
                    }
                }

                out.write("GET /pattern?bytes=1000 HTTP/1.1\r\nHost: h2c.test\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(Download.head(in)).startsWith("HTTP/1.1 200");
                assertThat(Download.chunked(in)).hasSize(1000);
            } finally {
                viaH2.close();
            }
            assertThat(h2.requests.get()).isEqualTo(2);
            assertThat(h2.connections.get())
                    .as("one origin connection, its streams ended cleanly")
                    .isEqualTo(1);
        }
    }

    /** One GET on a raw HTTP/1.1 socket, read on its own thread: the body's bytes counted as they arrive. */
    private static final class Download extends Thread {
        final AtomicInteger received = new AtomicInteger();
        final byte[] body;
        volatile Exception failure;
        private final InputStream in;

        private Download(InputStream in, int size) {
            this.in = in;
            this.body = new byte[size];
        }

        static Download start(Socket socket, String host, int size) throws IOException {
            OutputStream out = socket.getOutputStream();
            out.write(("GET /pattern?bytes=" + size + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Download d = new Download(socket.getInputStream(), size);
            d.start();
            return d;
        }

        @Override
        public void run() {
            try {
                String head = head();
                if (!head.startsWith("HTTP/1.1 200")
                        || !head.toLowerCase(Locale.ROOT).contains("content-length: " + body.length + "\r\n")) {
                    throw new IOException("unexpected head: " + head);
                }
                while (received.get() < body.length) {
                    int n = in.read(body, received.get(), body.length - received.get());
                    if (n < 0) {
                        throw new IOException("closed after " + received.get() + " bytes");
                    }
                    received.addAndGet(n);
                }
            } catch (Exception e) {
                failure = e;
            }
        }

        private String head() throws IOException {
            return head(in);
        }

        static String head(InputStream in) throws IOException {
            StringBuilder sb = new StringBuilder();
            while (!sb.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("closed in the head: " + sb);
                }
                sb.append((char) b);
            }
            return sb.toString();
        }

        /** The next chunk of a chunked body, or null after the last one (and its empty trailer line). */
        static byte[] chunk(InputStream in) throws IOException {
            int n = Integer.parseInt(line(in).split(";")[0].trim(), 16);
            if (n == 0) {
                line(in);
                return null;
            }
            byte[] bytes = in.readNBytes(n);
            line(in);
            return bytes;
        }

        /** A chunked body read to its end. */
        static byte[] chunked(InputStream in) throws IOException {
            java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
            while (true) {
                String size = line(in);
                int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                if (n == 0) {
                    line(in); // no trailers: the empty line
                    return body.toByteArray();
                }
                body.write(in.readNBytes(n));
                line(in);
            }
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder sb = new StringBuilder();
            for (int b; (b = in.read()) != '\n'; ) {
                if (b < 0) {
                    throw new IOException("closed in a line: " + sb);
                }
                if (b != '\r') {
                    sb.append((char) b);
                }
            }
            return sb.toString();
        }

        void finish() throws InterruptedException {
            join(TimeUnit.SECONDS.toMillis(30));
            assertThat(isAlive()).as("download finished").isFalse();
        }

        void assertPattern() {
            assertThat(received.get()).isEqualTo(body.length);
            for (int i = 0; i < body.length; i++) {
                if (body[i] != TestOrigin.patternByte(i)) {
                    throw new AssertionError("byte " + i + " differs");
                }
            }
        }
    }
}
