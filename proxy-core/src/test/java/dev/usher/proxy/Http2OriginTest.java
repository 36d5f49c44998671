package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.usher.routing.BackendProtocol;
import dev.usher.routing.BackendRef;
import dev.usher.routing.PortRef;
import dev.usher.routing.Upstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP/1.1 clients through the proxy to h2c origins (Netty's HTTP/2 server) on real sockets: requests become streams
 * on one multiplexed connection, trailers come back as chunked trailers, the origin's stream limit opens more
 * connections, a GOAWAY lets open streams finish and sends new ones to a new connection.
 */
final class Http2OriginTest {

    private static final BackendRef GRPC = new BackendRef("default", "grpc", PortRef.number(50051));
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private H2Origin origin;
    private ProxyServer proxy;

    private void start(int maxConcurrentStreams) {
        origin = new H2Origin(maxConcurrentStreams);
        proxy = new UpstreamRoutes()
                .endpoint(GRPC, origin.port())
                .route("h2c.test", GRPC, Upstream.of(BackendProtocol.H2C, null))
                .start();
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (origin != null) {
            origin.releaseHeld();
            origin.close();
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpPort() + path))
                .header("Host", "h2c.test")
                .timeout(Duration.ofSeconds(20));
    }

    private CompletableFuture<HttpResponse<String>> get(String path) {
        return CLIENT.sendAsync(request(path).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anHttp11RequestBecomesAStream_withTeTrailers_andItsBody() throws Exception {
        start(0);
        HttpResponse<String> response = CLIENT.send(
                request("/hello?x=1")
                        .POST(HttpRequest.BodyPublishers.ofString("payload"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("h2 /hello?x=1 te=trailers body=payload");
        assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    }

    @Test
    void aBodySpooledToDiskGoesUpInChunks() throws Exception {
        start(0);
        byte[] body = new byte[300 * 1024]; // past the in-memory part of request buffering: a file region
        HttpResponse<String> response = CLIENT.send(
                request("/count")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("count=" + body.length);
    }

    @Test
    void responseTrailersAreRelayedAsChunkedTrailers() throws Exception {
        start(0);
        try (RawHttp raw = new RawHttp(proxy.httpPort())) {
            raw.send("GET /trailers HTTP/1.1\r\nHost: h2c.test\r\nTE: trailers\r\nConnection: close\r\n\r\n");
            String response = raw.readUntilClose().toLowerCase(java.util.Locale.ROOT);
            assertThat(response)
                    .startsWith("http/1.1 200")
                    .contains("transfer-encoding: chunked")
                    .contains("message-1;")
                    .contains("message-2")
                    .contains("\r\n0\r\ngrpc-status: 0\r\ngrpc-message: all-good\r\n\r\n")
                    .doesNotContain("x-http2-");
        }
    }

    @Test
    void concurrentRequestsShareOneOriginConnection() throws Exception {
        start(0);
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            responses.add(get("/held/" + i));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> origin.held.size() == 40);
        origin.releaseHeld();
        for (CompletableFuture<HttpResponse<String>> response : responses) {
            assertThat(response.get().statusCode()).isEqualTo(200);
            assertThat(response.get().body()).isEqualTo("released");
        }
        assertThat(origin.connections.get()).isEqualTo(1);
        assertThat(origin.maxStreamsOnAConnection.get()).isEqualTo(40);
    }

    @Test
    void theOriginsStreamLimitIsRespected_byOpeningAnotherConnection() throws Exception {
        start(3);
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            responses.add(get("/held/" + i));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> origin.held.size() == 7);
        origin.releaseHeld();
        for (CompletableFuture<HttpResponse<String>> response : responses) {
            assertThat(response.get().statusCode()).isEqualTo(200);
        }
        assertThat(origin.maxStreamsOnAConnection.get()).isEqualTo(3);
        assertThat(origin.connections.get()).isEqualTo(3);
    }

    @Test
    void goAwayLetsOpenStreamsFinish_andNewOnesGoToANewConnection() throws Exception {
        start(0);
        CompletableFuture<HttpResponse<String>> inFlight = get("/held/before");
        await().atMost(Duration.ofSeconds(20)).until(() -> origin.held.size() == 1);
        origin.goAway();
        // the proxy learns of the GOAWAY asynchronously: until then a new stream on the old connection is refused
        // by the origin, so wait for the proof that it learned: a new connection after a new request succeeds
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            HttpResponse<String> after = get("/hello").get();
            assertThat(after.statusCode()).isEqualTo(200);
            assertThat(origin.connections.get()).isEqualTo(2);
        });
        origin.releaseHeld();
        assertThat(inFlight.get().statusCode()).isEqualTo(200);
        assertThat(inFlight.get().body()).isEqualTo("released");
    }

    @Test
    void aStreamRefusedWithRstStream_isSentAgain() throws Exception {
        start(0);
        origin.refuseWithReset.set(1);

        HttpResponse<String> response = get("/hello").get();

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("h2 /hello te=trailers body=");
        assertThat(origin.refused.get()).isEqualTo(1);
        assertThat(origin.requests.get()).isEqualTo(1);
    }

    @Test
    void aRefusedPostWithItsBody_isSentAgain_asNothingWasProcessed() throws Exception {
        start(0);
        origin.refuseWithReset.set(1);

        HttpResponse<String> response = CLIENT.send(
                request("/hello")
                        .POST(HttpRequest.BodyPublishers.ofString("once"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("h2 /hello te=trailers body=once");
        assertThat(origin.requests.get()).isEqualTo(1);
    }

    @Test
    void aStreamAboveAGoAwaysLastStreamId_isSentAgainOnANewConnection() throws Exception {
        start(0);
        origin.refuseWithGoAway.set(1);

        HttpResponse<String> response = get("/hello").get();

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(origin.refused.get()).isEqualTo(1);
        assertThat(origin.requests.get()).isEqualTo(1);
        assertThat(origin.connections.get()).isEqualTo(2);
    }

    @Test
    void aStreamRefusedTwice_isAnsweredWith502_oneRetryOnly() throws Exception {
        start(0);
        origin.refuseWithReset.set(2);

        HttpResponse<String> response = get("/hello").get();

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(origin.refused.get()).isEqualTo(2);
        assertThat(get("/hello").get().statusCode()).isEqualTo(200);
    }

    @Test
    void losingTheConnectionFailsOpenStreamsWith502() throws Exception {
        start(0);
        CompletableFuture<HttpResponse<String>> inFlight = get("/held/lost");
        await().atMost(Duration.ofSeconds(20)).until(() -> origin.held.size() == 1);
        origin.held.peek().channel().parent().close();
        assertThat(inFlight.get().statusCode()).isEqualTo(502);
        assertThat(get("/hello").get().statusCode()).isEqualTo(200);
    }
}
