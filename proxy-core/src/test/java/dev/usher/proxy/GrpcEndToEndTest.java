package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.usher.routing.BackendProtocol;
import dev.usher.routing.BackendRef;
import dev.usher.routing.PortRef;
import dev.usher.routing.Upstream;
import dev.usher.tls.CertificateGenerator;
import dev.usher.tls.CertificateStore;
import dev.usher.tls.TlsCertificate;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * grpc-java clients (h2c with prior knowledge to the HTTP port, h2 over TLS to the HTTPS port) through Usher to a
 * grpc-java origin (h2c): the four call kinds, trailers and error statuses end to end, and Usher's own failures as
 * gRPC statuses (trailers-only responses) on HTTP/2 and HTTP/1.1, {@code grpc-timeout} included.
 */
final class GrpcEndToEndTest {

    private static final BackendRef ECHO = new BackendRef("default", "echo", PortRef.number(50051));
    private static final BackendRef GONE = new BackendRef("default", "gone", PortRef.number(50051));
    private static final BackendRef EMPTY = new BackendRef("default", "empty", PortRef.number(50051));
    private static final Upstream H2C = Upstream.of(BackendProtocol.H2C, null);

    private static final GrpcTestService service = new GrpcTestService();
    private static Server origin;
    private static ProxyServer proxy;
    private static ManagedChannel plain;
    private static ManagedChannel tls;

    @BeforeAll
    static void start() throws IOException {
        origin = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(service.definition())
                .build()
                .start();
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort(); // nothing listens there once it is closed: a refused connect
        }
        TlsCertificate cert = CertificateGenerator.forHosts("grpc.test").generate("grpc");
        CertificateStore store = CertificateStore.create(cert);
        proxy = new UpstreamRoutes()
                .endpoint(ECHO, origin.getPort())
                .endpoint(GONE, closed)
                .route("grpc.test", ECHO, H2C)
                .route("gone.test", GONE, H2C)
                .route("empty.test", EMPTY, H2C)
                .start(ProxySettings.defaults(), builder -> builder.https(0, store));
        plain = NettyChannelBuilder.forAddress("127.0.0.1", proxy.httpPort())
                .overrideAuthority("grpc.test")
                .usePlaintext()
                .build();
        tls = NettyChannelBuilder.forAddress("127.0.0.1", proxy.httpsPort())
                .overrideAuthority("grpc.test")
                .sslContext(
                        GrpcSslContexts.forClient().trustManager(cert.leaf()).build())
                .build();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        plain.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        tls.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        proxy.close();
        origin.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static ManagedChannel channel(boolean overTls) {
        return overTls ? tls : plain;
    }

    @ParameterizedTest(name = "tls={0}")
    @ValueSource(booleans = {false, true})
    void unary_replyAndTrailers(boolean overTls) throws Exception {
        GrpcCall call = GrpcCall.unary(channel(overTls), GrpcTestService.SAY, "usher");
        assertThat(call.status().getCode()).isEqualTo(Status.Code.OK);
        assertThat(call.messages).containsExactly("hello usher");
        assertThat(call.trailers.get().get(GrpcTestService.COUNT)).isEqualTo("1");
    }

    @ParameterizedTest(name = "tls={0}")
    @ValueSource(booleans = {false, true})
    void serverStreaming_messagesInOrder(boolean overTls) throws Exception {
        GrpcCall call = GrpcCall.unary(channel(overTls), GrpcTestService.COUNT_TO, "500");
        assertThat(call.status().getCode()).isEqualTo(Status.Code.OK);
        assertThat(call.messages).hasSize(500).startsWith("1", "2", "3").endsWith("499", "500");
        for (int i = 0; i < 500; i++) {
            assertThat(call.messages.get(i)).isEqualTo(Integer.toString(i + 1));
        }
    }

    @ParameterizedTest(name = "tls={0}")
    @ValueSource(booleans = {false, true})
    void clientStreaming_allMessagesArriveInOrder(boolean overTls) throws Exception {
        GrpcCall call = new GrpcCall(channel(overTls), GrpcTestService.JOIN);
        for (int i = 0; i < 200; i++) {
            call.send("m" + i);
        }
        call.halfClose();
        assertThat(call.status().getCode()).isEqualTo(Status.Code.OK);
        assertThat(call.messages).hasSize(1);
        assertThat(call.messages.get(0).split(","))
                .hasSize(200)
                .startsWith("m0", "m1")
                .endsWith("m199");
        assertThat(call.trailers.get().get(GrpcTestService.COUNT)).isEqualTo("200");
    }

    /** Each message is answered before the next is sent: the exchange streams both ways, nothing waits for the end. */
    @ParameterizedTest(name = "tls={0}")
    @ValueSource(booleans = {false, true})
    void bidi_eachMessageEchoedBeforeTheNextIsSent(boolean overTls) throws Exception {
        GrpcCall call = new GrpcCall(channel(overTls), GrpcTestService.CHAT);
        for (int i = 1; i <= 20; i++) {
            call.send("ping " + i);
            int expected = i;
            await().atMost(10, TimeUnit.SECONDS).until(() -> call.messages.size() == expected);
            assertThat(call.messages.get(i - 1)).isEqualTo("echo ping " + i);
        }
        call.halfClose();
        assertThat(call.status().getCode()).isEqualTo(Status.Code.OK);
        assertThat(call.trailers.get().get(GrpcTestService.COUNT)).isEqualTo("20");
    }

    @ParameterizedTest(name = "tls={0}")
    @ValueSource(booleans = {false, true})
    void anOriginErrorArrivesUnchanged(boolean overTls) throws Exception {
        GrpcCall call = GrpcCall.unary(channel(overTls), GrpcTestService.FAIL, "x");
        Status status = call.status();
        assertThat(status.getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(status.getDescription()).isEqualTo(GrpcTestService.FAILURE);
        assertThat(call.trailers.get().get(GrpcTestService.COUNT)).isEqualTo("0");
        assertThat(GrpcCall.unary(
                                channel(overTls),
                                GrpcTestService.method("Nope", io.grpc.MethodDescriptor.MethodType.UNARY),
                                "x")
                        .status()
                        .getCode())
                .isEqualTo(Status.Code.UNIMPLEMENTED);
    }

    private static ManagedChannel plainTo(String authority) {
        return NettyChannelBuilder.forAddress("127.0.0.1", proxy.httpPort())
                .overrideAuthority(authority)
                .usePlaintext()
                .build();
    }

    private static Status statusVia(String authority, String message) throws Exception {
        ManagedChannel channel = plainTo(authority);
        try {
            return GrpcCall.unary(channel, GrpcTestService.SAY, message).status();
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void noRoute_unimplemented() throws Exception {
        Status status = statusVia("nope.test", "x");
        assertThat(status.getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
        assertThat(status.getDescription()).contains("404 Not Found: no route");
    }

    @Test
    void noReadyEndpoint_unavailable() throws Exception {
        Status status = statusVia("empty.test", "x");
        assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(status.getDescription()).contains("503").contains("no ready endpoint");
    }

    @Test
    void connectFailure_unavailable() throws Exception {
        Status status = statusVia("gone.test", "x");
        assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(status.getDescription()).startsWith("502 Bad Gateway");
    }

    @Test
    void bodyOverTheLimit_resourceExhausted() throws Exception {
        Status status = GrpcCall.unary(plain, GrpcTestService.SAY, "x".repeat(1024 * 1024 + 1))
                .status();
        assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(status.getDescription()).startsWith("413");
    }

    /** The client's deadline travels as grpc-timeout; the call ends DEADLINE_EXCEEDED and the origin's is cancelled. */
    @Test
    void clientDeadline_deadlineExceededAndTheOriginCallCancelled() throws Exception {
        int cancelledBefore = service.cancelled.get();
        GrpcCall call = new GrpcCall(
                        plain, GrpcTestService.HOLD, CallOptions.DEFAULT.withDeadlineAfter(300, TimeUnit.MILLISECONDS))
                .send("x")
                .halfClose();
        assertThat(call.status().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        await().atMost(10, TimeUnit.SECONDS).until(() -> service.cancelled.get() > cancelledBefore);
    }

    /** A unary gRPC call written over HTTP/1.1 (no client-side timer): only Usher's grpc-timeout can end it. */
    private static String http1Call(String host, String method, String extraHeaders) throws IOException {
        byte[] payload = "x".getBytes(StandardCharsets.UTF_8);
        String body = new String(new byte[] {0, 0, 0, 0, (byte) payload.length}, StandardCharsets.ISO_8859_1)
                + new String(payload, StandardCharsets.ISO_8859_1);
        try (RawHttp raw = new RawHttp(proxy.httpPort())) {
            raw.send("POST /" + GrpcTestService.SERVICE + "/" + method + " HTTP/1.1\r\nHost: " + host
                    + "\r\nContent-Type: application/grpc+proto\r\nTE: trailers\r\n" + extraHeaders
                    + "Connection: close\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            return raw.readUntilClose().toLowerCase(Locale.ROOT);
        }
    }

    @Test
    void grpcTimeout_usherAnswersDeadlineExceededAsTrailersOnly() throws IOException {
        int heldBefore = service.held.get();
        String response = http1Call("grpc.test", "Hold", "grpc-timeout: 200m\r\n");
        assertThat(service.held.get()).isGreaterThan(heldBefore); // the origin had the call
        assertThat(response)
                .startsWith("http/1.1 200")
                .contains("\r\ngrpc-status: 4\r\n")
                .contains("\r\ngrpc-message: 504 gateway timeout: grpc-timeout passed\r\n")
                .contains("\r\ncontent-length: 0\r\n")
                .contains("content-type: application/grpc");
    }

    @Test
    void http1_noRouteIsATrailersOnly200_andAPlainRequestStillGets404() throws IOException {
        assertThat(http1Call("nope.test", "Say", ""))
                .startsWith("http/1.1 200")
                .contains("\r\ngrpc-status: 12\r\n")
                .contains("grpc-message: 404 not found: no route");
        try (RawHttp raw = new RawHttp(proxy.httpPort())) {
            raw.send("GET / HTTP/1.1\r\nHost: nope.test\r\nConnection: close\r\n\r\n");
            assertThat(raw.readUntilClose()).startsWith("HTTP/1.1 404").doesNotContain("grpc-status");
        }
    }

    @Test
    void grpcTimeoutValues() {
        io.netty.handler.codec.http.HttpHeaders headers =
                new io.netty.handler.codec.http.DefaultHttpHeaders().set("content-type", "application/grpc");
        for (List<Object> row : List.<List<Object>>of(
                List.of("1S", 1_000_000_000L),
                List.of("500m", 500_000_000L),
                List.of("100u", 100_000L),
                List.of("7n", 7L),
                List.of("2M", 120_000_000_000L),
                List.of("1H", 3_600_000_000_000L),
                List.of("99999999n", 99_999_999L),
                List.of("123456789S", -1L),
                List.of("S", -1L),
                List.of("1s", -1L),
                List.of("-1S", -1L),
                List.of("1 S", -1L))) {
            headers.set("grpc-timeout", row.get(0));
            assertThat(Grpc.timeoutNanos(headers)).as((String) row.get(0)).isEqualTo(row.get(1));
        }
        headers.set("content-type", "application/grpc-web").set("grpc-timeout", "1S");
        assertThat(Grpc.timeoutNanos(headers)).isEqualTo(-1L); // not a gRPC call Usher answers for
        assertThat(Grpc.percentEncode("a%b\nü")).isEqualTo("a%25b%0A%C3%BC");
    }
}
