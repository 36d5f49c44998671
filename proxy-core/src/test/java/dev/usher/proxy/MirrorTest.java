package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.usher.routing.BackendRef;
import dev.usher.routing.Endpoint;
import dev.usher.routing.Mirror;
import dev.usher.routing.NginxTemplate;
import dev.usher.routing.RouteOptions;
import dev.usher.routing.RoutingSnapshot;
import dev.usher.routing.RoutingTable;
import dev.usher.tls.CertificateGenerator;
import dev.usher.tls.TlsCertificate;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ingress-nginx's {@code mirror-target} on real sockets: two JDK {@code HttpServer}s on loopback, the route's origin
 * and the mirror, both record what they receive (method, target, {@code Host}, fields, body). The client's response is
 * always the origin's; the mirror's answer, failure or silence changes nothing for it.
 */
final class MirrorTest {

    private static final BackendRef APP = OptionsFixture.APP;

    @TempDir
    Path spool;

    /** An HTTP server that records every request; {@code hold}: it never answers until closed. */
    static final class Recorder implements AutoCloseable {
        /** One request as received. */
        record Seen(String method, String uri, String host, Map<String, List<String>> fields, byte[] body) {
            @Nullable
            String field(String name) {
                for (Map.Entry<String, List<String>> e : fields.entrySet()) {
                    if (e.getKey().equalsIgnoreCase(name)) {
                        return String.join(",", e.getValue());
                    }
                }
                return null;
            }
        }

        final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
        private final HttpServer server;
        private final ExecutorService threads = Executors.newCachedThreadPool();
        private final CountDownLatch release = new CountDownLatch(1);
        private final String name;
        private final boolean hold;

        Recorder(String name, boolean hold) throws IOException {
            this(name, hold, null);
        }

        /** With {@code tls}: HTTPS with that context's certificate. */
        Recorder(String name, boolean hold, @Nullable SSLContext tls) throws IOException {
            this.name = name;
            this.hold = hold;
            if (tls == null) {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            } else {
                HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
                https.setHttpsConfigurator(new HttpsConfigurator(tls));
                server = https;
            }
            server.setExecutor(threads);
            server.createContext("/", this::handle);
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        private void handle(HttpExchange exchange) throws IOException {
            byte[] body = exchange.getRequestBody().readAllBytes();
            seen.add(new Seen(
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().toString(),
                    exchange.getRequestHeaders().getFirst("Host"),
                    Map.copyOf(exchange.getRequestHeaders()),
                    body));
            if (hold) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] answer = ("from " + name).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(hold ? 500 : 200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        }

        void answerHeld() {
            release.countDown();
        }

        @Override
        public void close() {
            release.countDown();
            server.stop(0);
            threads.shutdownNow();
        }
    }

    /** A proxy with {@code origin} behind one Ingress per host, path {@code /} Prefix. */
    private static final class Proxy implements AutoCloseable {
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        final ProxyServer server;
        final HttpClient client =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        Proxy(ProxySettings settings, Recorder origin, Map<String, RouteOptions> hosts) {
            this(settings, origin, hosts, b -> {});
        }

        Proxy(
                ProxySettings settings,
                Recorder origin,
                Map<String, RouteOptions> hosts,
                Consumer<ProxyServer.Builder> more) {
            RoutingTable table = new RoutingTable();
            table.updateEndpoints(APP, List.of(new Endpoint("127.0.0.1", origin.port(), "pod-0")));
            RoutingSnapshot.Builder snapshot = RoutingSnapshot.builder();
            hosts.forEach(
                    (host, options) -> snapshot.add(OptionsFixture.ingress(host.replace('.', '-'), host, options)));
            table.publish(snapshot.build(table::backend));
            ProxyServer.Builder builder = ProxyServer.builder()
                    .routingTable(table)
                    .bindAddress("127.0.0.1")
                    .httpPort(0)
                    .eventLoops(1)
                    .settings(settings)
                    .meterRegistry(registry);
            more.accept(builder);
            server = builder.build();
            server.start();
        }

        HttpResponse<String> send(String host, String method, String path, byte @Nullable [] body, String... fields)
                throws IOException, InterruptedException {
            HttpRequest.Builder request = HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + server.httpPort() + path))
                    .header("Host", host)
                    .timeout(Duration.ofSeconds(20))
                    .method(
                            method,
                            body == null
                                    ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofByteArray(body));
            for (int i = 0; i < fields.length; i += 2) {
                request.header(fields[i], fields[i + 1]);
            }
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }

        double mirrors(String result) {
            Counter counter =
                    registry.find("usher.mirror.requests").tag("result", result).counter();
            return counter == null ? 0 : counter.count();
        }

        @Override
        public void close() {
            server.close();
        }
    }

    private static Mirror mirror(String url, int port, @Nullable String hostHeader, boolean body) {
        return new Mirror(
                false,
                "127.0.0.1",
                port,
                NginxTemplate.parse(url),
                NginxTemplate.parse(hostHeader == null ? "127.0.0.1" : hostHeader),
                body);
    }

    /** The mirrors here listen on loopback: allowed, as for a manifests folder. */
    private ProxySettings settings() {
        return ProxySettings.builder()
                .clientBodyTempDir(spool)
                .localOriginNames(true)
                .build();
    }

    @Test
    void aLoopbackTarget_isRefusedInClusterMode_noCopyLeaves_andTheClientIsServed() throws Exception {
        try (Recorder origin = new Recorder("origin", false);
                Recorder shadow = new Recorder("mirror", false)) {
            RouteOptions options = RouteOptions.builder()
                    .mirror(mirror("/shadow$request_uri", shadow.port(), null, false))
                    .build();
            ProxySettings cluster =
                    settings().toBuilder().localOriginNames(false).build(); // as usher run without --manifests
            try (Proxy proxy = new Proxy(cluster, origin, Map.of("m.test", options))) {
                assertThat(proxy.send("m.test", "GET", "/a", null).statusCode()).isEqualTo(200);
                await().atMost(Duration.ofSeconds(20)).until(() -> proxy.mirrors("failed") == 1);
                assertThat(proxy.mirrors("answered")).isZero();
                assertThat(shadow.seen).isEmpty();
            }
        }
    }

    @Test
    void requests_areMirroredWithTheirMethodPathHostFieldsAndBody_theClientGetsTheOriginsAnswer() throws Exception {
        try (Recorder origin = new Recorder("origin", false);
                Recorder shadow = new Recorder("mirror", false)) {
            RouteOptions options = RouteOptions.builder()
                    .mirror(mirror("/shadow$request_uri", shadow.port(), null, true))
                    .build();
            try (Proxy proxy = new Proxy(settings(), origin, Map.of("m.test", options))) {
                HttpResponse<String> get =
                        proxy.send("m.test", "GET", "/a/b?x=1&y=%20z", null, "X-Forwarded-For", "6.6.6.6");
                assertThat(get.statusCode()).isEqualTo(200);
                assertThat(get.body()).isEqualTo("from origin");

                await().atMost(Duration.ofSeconds(20)).until(() -> shadow.seen.size() == 1);
                Recorder.Seen main = origin.seen.poll();
                Recorder.Seen copy = shadow.seen.poll();
                assertThat(main.method()).isEqualTo("GET");
                assertThat(main.uri()).isEqualTo("/a/b?x=1&y=%20z");
                assertThat(copy.method()).isEqualTo("GET");
                assertThat(copy.uri()).isEqualTo("/shadow/a/b?x=1&y=%20z"); // $request_uri as the client sent it
                assertThat(copy.host()).isEqualTo("127.0.0.1"); // the target's host name, as ingress-nginx
                assertThat(copy.field("X-Forwarded-For")).isEqualTo("127.0.0.1"); // never the client's claim
                assertThat(copy.field("X-Forwarded-Host")).isEqualTo("m.test");
                assertThat(copy.field("X-Request-ID"))
                        .isNotNull()
                        .isEqualTo(main.field("X-Request-ID")); // the same request in both logs
                assertThat(copy.body()).isEmpty();

                byte[] small = "hello mirror".getBytes(StandardCharsets.UTF_8);
                HttpResponse<String> post = proxy.send("m.test", "POST", "/upload", small);
                assertThat(post.statusCode()).isEqualTo(200);
                await().atMost(Duration.ofSeconds(20)).until(() -> shadow.seen.size() == 1);
                assertThat(origin.seen.poll().body()).isEqualTo(small);
                copy = shadow.seen.poll();
                assertThat(copy.method()).isEqualTo("POST");
                assertThat(copy.uri()).isEqualTo("/shadow/upload");
                assertThat(copy.body()).isEqualTo(small);
                assertThat(copy.field("Content-Length")).isEqualTo(Integer.toString(small.length));

                // past clientBodyBufferSize the body is spooled to disk: the mirror reads the file, which goes after
                byte[] large = new byte[300 * 1024];
                new Random(7).nextBytes(large);
                assertThat(proxy.send("m.test", "PUT", "/big", large).statusCode())
                        .isEqualTo(200);
                await().atMost(Duration.ofSeconds(20)).until(() -> shadow.seen.size() == 1);
                assertThat(origin.seen.poll().body()).isEqualTo(large);
                copy = shadow.seen.poll();
                assertThat(copy.method()).isEqualTo("PUT");
                assertThat(copy.body()).isEqualTo(large);
                await().atMost(Duration.ofSeconds(20)).until(() -> proxy.mirrors("answered") == 3);
                await().atMost(Duration.ofSeconds(20)).until(() -> spoolFiles() == 0);
            }
        }
    }

    @Test
    void mirrorHost_setsTheHost_andRequestBodyOff_orAStreamedBody_sendsTheHeadOnly() throws Exception {
        try (Recorder origin = new Recorder("origin", false);
                Recorder shadow = new Recorder("mirror", false)) {
            Map<String, RouteOptions> hosts = Map.of(
                    "off.test",
                    RouteOptions.builder()
                            .mirror(mirror("$request_uri", shadow.port(), "shadow.test", false))
                            .build(),
                    "stream.test",
                    RouteOptions.builder()
                            .requestBuffering(false)
                            .mirror(mirror("/s$request_uri", shadow.port(), "$host.shadow", true))
                            .build());
            try (Proxy proxy = new Proxy(settings(), origin, hosts)) {
                byte[] body = "the body".getBytes(StandardCharsets.UTF_8);
                assertThat(proxy.send("off.test", "POST", "/p?q", body).statusCode())
                        .isEqualTo(200);
                await().atMost(Duration.ofSeconds(20)).until(() -> shadow.seen.size() == 1);
                assertThat(origin.seen.poll().body()).isEqualTo(body);
                Recorder.Seen copy = shadow.seen.poll();
                assertThat(copy.method()).isEqualTo("POST");
                assertThat(copy.uri()).isEqualTo("/p?q");
                assertThat(copy.host()).isEqualTo("shadow.test");
                assertThat(copy.body()).isEmpty();
                assertThat(copy.field("Content-Length")).isEqualTo("0");

                assertThat(proxy.send("stream.test", "POST", "/up", body).statusCode())
                        .isEqualTo(200);
                await().atMost(Duration.ofSeconds(20)).until(() -> shadow.seen.size() == 1);
                assertThat(origin.seen.poll().body()).isEqualTo(body); // streamed to the origin
                copy = shadow.seen.poll();
                assertThat(copy.uri()).isEqualTo("/s/up");
                assertThat(copy.host()).isEqualTo("stream.test.shadow");
                assertThat(copy.body()).isEmpty(); // a streamed body is not mirrored
            }
        }
    }

    @Test
    void aMirrorThatNeverAnswers_delaysNoClient_holdsAtMostTheCap_andTimesOut() throws Exception {
        try (Recorder origin = new Recorder("origin", false);
                Recorder silent = new Recorder("silent", true)) {
            ProxySettings settings = settings().toBuilder()
                    .mirrorMaxInFlight(2)
                    .connectTimeout(Duration.ofSeconds(1))
                    .responseTimeout(Duration.ofSeconds(2))
                    .build();
            RouteOptions options = RouteOptions.builder()
                    .mirror(mirror("$request_uri", silent.port(), null, true))
                    .build();
            try (Proxy proxy = new Proxy(settings, origin, Map.of("m.test", options))) {
                for (int i = 0; i < 5; i++) { // each answered while the mirror holds every copy it got
                    HttpResponse<String> response = proxy.send("m.test", "POST", "/r" + i, new byte[] {(byte) i});
                    assertThat(response.statusCode()).isEqualTo(200);
                    assertThat(response.body()).isEqualTo("from origin");
                }
                assertThat(origin.seen).hasSize(5);
                await().atMost(Duration.ofSeconds(20)).until(() -> silent.seen.size() == 2);
                assertThat(proxy.mirrors("dropped")).isEqualTo(3);

                // the proxy's connect + response timeouts end the held copies; their slots are free again
                await().atMost(Duration.ofSeconds(20)).until(() -> proxy.mirrors("failed") == 2);
                assertThat(proxy.send("m.test", "GET", "/after", null).statusCode())
                        .isEqualTo(200);
                await().atMost(Duration.ofSeconds(20)).until(() -> silent.seen.size() == 3);
                assertThat(silent.seen.stream().map(Recorder.Seen::uri)).containsExactly("/r0", "/r1", "/after");
                assertThat(proxy.mirrors("answered")).isZero();
                await().atMost(Duration.ofSeconds(20)).until(() -> spoolFiles() == 0);
            }
        }
    }

    @Test
    void anHttpsMirror_getsASpooledBodyOverTls_withoutCertificateVerification_asNginx() throws Exception {
        TlsCertificate certificate = CertificateGenerator.forHosts("mirror.test")
                .issuedBy(CertificateGenerator.authority("Nobody's CA").generate("ca"))
                .generate("mirror");
        try (Recorder origin = new Recorder("origin", false);
                Recorder shadow = new Recorder("mirror", false, serverContext(certificate))) {
            RouteOptions options = RouteOptions.builder()
                    .mirror(new Mirror(
                            true,
                            "127.0.0.1",
                            shadow.port(),
                            NginxTemplate.parse("/tls$request_uri"),
                            NginxTemplate.parse("mirror.test"),
                            true))
                    .build();
            try (Proxy proxy = new Proxy(settings(), origin, Map.of("m.test", options))) {
                byte[] large = new byte[200 * 1024 + 17];
                new Random(11).nextBytes(large);
                assertThat(proxy.send("m.test", "POST", "/big?x", large).statusCode())
                        .isEqualTo(200);
                await().atMost(Duration.ofSeconds(20)).until(() -> shadow.seen.size() == 1);
                Recorder.Seen copy = shadow.seen.poll();
                assertThat(copy.uri()).isEqualTo("/tls/big?x");
                assertThat(copy.host()).isEqualTo("mirror.test");
                assertThat(copy.body()).isEqualTo(large);
                await().atMost(Duration.ofSeconds(20)).until(() -> proxy.mirrors("answered") == 1);
                await().atMost(Duration.ofSeconds(20)).until(() -> spoolFiles() == 0);
            }
        }
    }

    private static SSLContext serverContext(TlsCertificate certificate) throws Exception {
        char[] password = "test".toCharArray();
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry(
                "mirror", certificate.key(), password, certificate.chain().toArray(new X509Certificate[0]));
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    @Test
    void anUnreachableMirror_isCountedAsFailed_theClientIsServed() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort(); // nothing listens there once closed
        }
        try (Recorder origin = new Recorder("origin", false)) {
            RouteOptions options = RouteOptions.builder()
                    .mirror(mirror("$request_uri", closed, null, true))
                    .build();
            try (Proxy proxy = new Proxy(settings(), origin, Map.of("m.test", options))) {
                HttpResponse<String> response =
                        proxy.send("m.test", "PUT", "/x", "body".getBytes(StandardCharsets.UTF_8));
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.body()).isEqualTo("from origin");
                await().atMost(Duration.ofSeconds(20)).until(() -> proxy.mirrors("failed") == 1);
            }
        }
    }

    @Test
    void aMirrorAnswerHalfReadWhenTheProxyCloses_holdsNoBuffer() throws Exception {
        // A mirror's connection belongs to no client connection, so closing the clients does not close it. Closing
        // the proxy must still let its decoder release the half-read answer: on NIO the event loop's own shutdown
        // closes sockets without telling the decoders.
        UnpooledByteBufAllocator counted = new UnpooledByteBufAllocator(true);
        ByteBufAllocatorMetric held = counted.metric();
        CountDownLatch halfAnswered = new CountDownLatch(1);
        try (Recorder origin = new Recorder("origin", false);
                ServerSocket shadow = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread target = new Thread(() -> halfAnswer(shadow, halfAnswered), "half-answering-mirror");
            target.setDaemon(true);
            target.start();
            RouteOptions options = RouteOptions.builder()
                    .mirror(mirror("$request_uri", shadow.getLocalPort(), null, false))
                    .build();
            Proxy proxy = new Proxy(settings(), origin, Map.of("m.test", options), b -> b.transport(Transport.NIO)
                    .allocator(counted));
            try {
                assertThat(proxy.send("m.test", "GET", "/x", null).statusCode()).isEqualTo(200);
                assertThat(halfAnswered.await(20, TimeUnit.SECONDS)).isTrue();
                // the client's exchange is over and its buffers are back: what is held now is the mirror's answer
                await().atMost(Duration.ofSeconds(20)).until(() -> held.usedDirectMemory() + held.usedHeapMemory() > 0);
            } finally {
                proxy.close();
            }
            assertThat(proxy.mirrors("answered")).isZero();
        }

        assertThat(held.usedDirectMemory() + held.usedHeapMemory()).isZero();
    }

    /** Reads one request head, sends part of a response head, then waits for the proxy to close the connection. */
    private static void halfAnswer(ServerSocket shadow, CountDownLatch halfAnswered) {
        try (Socket socket = shadow.accept()) {
            InputStream in = socket.getInputStream();
            int matched = 0;
            byte[] end = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            while (matched < end.length) {
                int b = in.read();
                if (b == -1) {
                    return;
                }
                matched = b == end[matched] ? matched + 1 : (b == end[0] ? 1 : 0);
            }
            socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Le".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            halfAnswered.countDown();
            while (in.read() != -1) {
                // until the proxy closes the connection
            }
        } catch (IOException e) {
            // the test fails on its own assertions
        }
    }

    private long spoolFiles() throws IOException {
        try (Stream<Path> files = Files.list(spool)) {
            return files.count();
        }
    }
}
