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
import dev.usher.tls.JdkTlsClient;
import dev.usher.tls.TlsCertificate;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.AsyncMapping;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code --enable-ssl-passthrough} on real sockets: a passthrough host's client handshakes with the origin itself (its
 * certificate, its answer), other server names on the same port are terminated and routed as before, malformed
 * ClientHellos are closed, bytes and half-closes cross intact both ways; without the flag the host is terminated.
 */
final class SslPassthroughTest {

    private static final BackendRef TLS_APP = ref("tls-app", 443);
    private static final BackendRef ECHO = ref("echo", 443);
    private static final BackendRef RAW = ref("raw", 9000);
    private static final BackendRef NOWHERE = ref("nowhere", 443);
    private static final BackendRef PLAIN = ref("app", 80);

    private final TlsCertificate usherCertificate = DefaultCertificate.generate();
    private final TlsCertificate originCertificate = DefaultCertificate.generate();
    private final List<AutoCloseable> open = new ArrayList<>();
    private final RoutingTable table = new RoutingTable();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private TlsOrigin tlsOrigin;
    private TlsEchoOrigin echo;
    private RawTcpOrigin raw;
    private ProxyServer proxy;

    private static BackendRef ref(String service, int port) {
        return new BackendRef("default", service, PortRef.number(port));
    }

    private static PathRule slash(BackendRef backend) {
        return new PathRule("/", PathType.PREFIX, backend);
    }

    private static IngressRuleSet ingress(String name, boolean passthrough, HostRule... rules) {
        return new IngressRuleSet(
                "default",
                name,
                Instant.parse("2024-01-01T00:00:00Z"),
                List.of(rules),
                null,
                RouteOptions.builder().sslPassthrough(passthrough).build());
    }

    private static RoutingSnapshot snapshot(RoutingTable table, boolean passthrough) {
        return RoutingSnapshot.builder()
                .add(ingress(
                        "pass",
                        passthrough,
                        new HostRule(
                                "pass.test", List.of(slash(TLS_APP), new PathRule("/other", PathType.PREFIX, PLAIN))),
                        new HostRule("echo.test", List.of(slash(ECHO))),
                        new HostRule("raw.test", List.of(slash(RAW))),
                        new HostRule("dead.test", List.of(slash(NOWHERE)))))
                .add(ingress("app", false, new HostRule("app.test", List.of(slash(PLAIN)))))
                .build(table::backend);
    }

    /** Origins up, a proxy with an HTTPS listener serving Usher's certificate for every name, passthrough on or off. */
    private void start(boolean enableSslPassthrough) throws Exception {
        start(ProxySettings.builder().enableSslPassthrough(enableSslPassthrough).build());
    }

    private void start(ProxySettings settings) throws Exception {
        tlsOrigin = track(new TlsOrigin(originCertificate));
        echo = track(new TlsEchoOrigin(originCertificate));
        raw = track(new RawTcpOrigin());
        TestOrigin plain = track(new TestOrigin("plain"));
        table.updateEndpoints(TLS_APP, List.of(new Endpoint("127.0.0.1", tlsOrigin.port(), "tls")));
        table.updateEndpoints(ECHO, List.of(new Endpoint("127.0.0.1", echo.port(), "echo")));
        table.updateEndpoints(RAW, List.of(new Endpoint("127.0.0.1", raw.port(), "raw")));
        table.updateEndpoints(PLAIN, List.of(new Endpoint("127.0.0.1", plain.port(), "plain")));
        table.publish(snapshot(table, true));
        SslContext usher = SslContextBuilder.forServer(usherCertificate.key(), usherCertificate.chain())
                .build();
        AsyncMapping<String, SslContext> sni = (host, promise) -> promise.setSuccess(usher);
        proxy = ProxyServer.builder()
                .routingTable(table)
                .bindAddress("127.0.0.1")
                .httpPort(0)
                .https(0, sni)
                .eventLoops(2)
                .settings(settings)
                .meterRegistry(registry)
                .build();
        proxy.start();
    }

    private <T extends AutoCloseable> T track(T closeable) {
        open.add(closeable);
        return closeable;
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        for (AutoCloseable closeable : open) {
            closeable.close();
        }
    }

    /** One request and its response, read by its Content-Length (origins here keep the connection open). */
    private static String get(JdkTlsClient client, String host, String path) throws IOException {
        client.out()
                .write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        client.out().flush();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = client.in().read();
            if (b < 0) {
                throw new IOException("closed after " + head);
            }
            head.append((char) b);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(
                        line.substring("content-length:".length()).strip());
            }
        }
        return head + new String(client.in().readNBytes(length), StandardCharsets.ISO_8859_1);
    }

    @Test
    void aPassthroughHost_handshakesWithTheOrigin_andGetsTheOriginsAnswer_pathsIgnored() throws Exception {
        start(true);
        try (StderrCapture log = new StderrCapture()) {
            try (JdkTlsClient client = JdkTlsClient.connect(proxy.httpsPort(), "pass.test")) {
                assertThat(client.peerLeaf()).isEqualTo(originCertificate.leaf());

                assertThat(get(client, "pass.test", "/other"))
                        .startsWith("HTTP/1.1 200")
                        .endsWith("tls /other");
                assertThat(tlsOrigin.serverNames).containsExactly("pass.test");
            }
            // the client's close reaches the origin; with both closed, one access-log line
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> log.text().contains("\"- - TLS-PASSTHROUGH\" 200 ")
                            && log.text()
                                    .contains("host=pass.test route=default/pass service=default/tls-app:443"
                                            + " upstream=127.0.0.1:" + tlsOrigin.port()));
        }
        awaitNoClientConnections();
    }

    @Test
    void otherServerNames_onTheSamePort_getUshersCertificate_andNormalRouting() throws Exception {
        start(true);
        try (JdkTlsClient client = JdkTlsClient.connect(proxy.httpsPort(), "app.test")) {
            assertThat(client.peerLeaf()).isEqualTo(usherCertificate.leaf());
            assertThat(get(client, "app.test", "/x")).startsWith("HTTP/1.1 200").contains("uri=/x");
        }
        try (JdkTlsClient client = JdkTlsClient.connect(proxy.httpsPort(), "unknown.test")) {
            assertThat(client.peerLeaf()).isEqualTo(usherCertificate.leaf());
            assertThat(get(client, "unknown.test", "/")).startsWith("HTTP/1.1 404");
        }
        try (JdkTlsClient client = JdkTlsClient.connect(proxy.httpsPort(), null)) {
            assertThat(client.peerLeaf()).isEqualTo(usherCertificate.leaf());
            assertThat(get(client, "app.test", "/")).startsWith("HTTP/1.1 200");
        }
        assertThat(tlsOrigin.connections).hasValue(0);
    }

    @Test
    void eightMebibytesEachWay_arriveIntact() throws Exception {
        start(true);
        byte[] sent = new byte[8 * 1024 * 1024];
        new Random(12).nextBytes(sent);
        try (JdkTlsClient client = JdkTlsClient.connect(proxy.httpsPort(), "echo.test")) {
            assertThat(client.peerLeaf()).isEqualTo(originCertificate.leaf());
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (int at = 0; at < sent.length; at += 64 * 1024) {
                        client.out().write(sent, at, Math.min(64 * 1024, sent.length - at));
                    }
                    client.out().flush();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            byte[] back = client.in().readNBytes(sent.length);
            writer.get(30, TimeUnit.SECONDS);

            assertThat(back.length).isEqualTo(sent.length);
            assertThat(Arrays.equals(back, sent))
                    .as("the echoed bytes are the bytes sent")
                    .isTrue();
        }
        assertThat(echo.connections).hasValue(1);
    }

    @Test
    void theClientHelloGoesFirst_andAHalfCloseCrosses_thenTheOriginsCloseEndsTheClient() throws Exception {
        start(true);
        byte[] hello = ClientHellos.naming("raw.test");
        byte[] payload = "after the hello".getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.httpsPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(hello, 0, 7); // the hello in pieces: buffered until whole
            socket.getOutputStream().flush();
            socket.getOutputStream().write(hello, 7, hello.length - 7);
            socket.getOutputStream().write(payload);
            socket.getOutputStream().flush();
            socket.shutdownOutput();

            byte[] received = raw.received.get(10, TimeUnit.SECONDS);
            byte[] expected = Arrays.copyOf(hello, hello.length + payload.length);
            System.arraycopy(payload, 0, expected, hello.length, payload.length);
            assertThat(received).isEqualTo(expected);
            // the origin answers after the client's FIN, then closes: the answer and the close both arrive
            assertThat(new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                    .isEqualTo("got " + expected.length + " bytes");
        }
        awaitNoClientConnections();
    }

    @Test
    void malformedOrOversizedClientHellos_andPlainText_areClosed_andReachNoOrigin() throws Exception {
        start(true);
        List<byte[]> hostile = List.of(
                new byte[] {0x16, 0x03, 0x01, 0x00, 0x00}, // zero-length handshake record
                new byte[] {0x16, 0x03, 0x01, 0x00, 0x04, 0x01, (byte) 0xff, (byte) 0xff, (byte) 0xff}, // 16 MiB hello
                new byte[] {0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00, 0x40, 0x01}, // 16 KiB + 1 hello
                "GET / HTTP/1.1\r\nHost: pass.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
                new byte[] {0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28}); // an alert instead of a hello
        for (byte[] bytes : hostile) {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.httpsPort())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(bytes);
                socket.getOutputStream().flush();
                assertClosed(socket.getInputStream());
            }
        }
        awaitNoClientConnections();
        assertThat(tlsOrigin.connections).hasValue(0);
        assertThat(echo.connections).hasValue(0);
    }

    @Test
    void aPassthroughHostWithoutEndpoints_closesTheConnection() throws Exception {
        start(true);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.httpsPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(ClientHellos.naming("dead.test"));
            socket.getOutputStream().flush();
            assertClosed(socket.getInputStream());
        }
        awaitNoClientConnections();
    }

    @Test
    void anIdleSplice_isClosed_afterTheTunnelIdleTimeout() throws Exception {
        start(ProxySettings.builder()
                .enableSslPassthrough(true)
                .tunnelIdleTimeout(Duration.ofMillis(300))
                .build());
        try (JdkTlsClient client = JdkTlsClient.connect(proxy.httpsPort(), "echo.test")) {
            assertThat(client.echo("still open")).isEqualTo("still open");
            try {
                assertThat(client.in().read()).as("end of stream").isEqualTo(-1); // nothing moves: both sides closed
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the idle splice was not closed", e);
            } catch (IOException closedWithoutCloseNotify) {
                // the origin's TLS ended without close_notify: closed all the same
            }
        }
        awaitNoClientConnections();
    }

    @Test
    void withoutTheFlag_aPassthroughHostIsTerminated_andRoutedNormally() throws Exception {
        start(false);
        try (JdkTlsClient client = JdkTlsClient.connect(proxy.httpsPort(), "pass.test")) {
            assertThat(client.peerLeaf()).isEqualTo(usherCertificate.leaf());
            assertThat(get(client, "pass.test", "/other/x"))
                    .startsWith("HTTP/1.1 200")
                    .contains("uri=/other/x");
        }
        assertThat(tlsOrigin.connections).hasValue(0);
    }

    @Test
    void aNewSnapshot_appliesToTheNextConnection() throws Exception {
        start(true);
        try (JdkTlsClient client = JdkTlsClient.connect(proxy.httpsPort(), "pass.test")) {
            assertThat(client.peerLeaf()).isEqualTo(originCertificate.leaf());
        }
        table.publish(snapshot(table, false));
        try (JdkTlsClient client = JdkTlsClient.connect(proxy.httpsPort(), "pass.test")) {
            assertThat(client.peerLeaf()).isEqualTo(usherCertificate.leaf());
        }
    }

    private static void assertClosed(InputStream in) throws IOException {
        try {
            while (in.read() >= 0) {
                // a TLS alert or whatever Usher says before closing
            }
        } catch (SocketException reset) {
            // a reset closes too
        }
    }

    private void awaitNoClientConnections() {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> registry.get("usher.connections.active").gauge().value() == 0);
    }
}
