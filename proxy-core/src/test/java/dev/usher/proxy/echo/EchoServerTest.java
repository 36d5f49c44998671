package dev.usher.proxy.echo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class EchoServerTest {

    private EchoServer echo;
    private HttpClient client;

    @BeforeEach
    void start() {
        echo = EchoServer.builder()
                .name("alpaca")
                .namespace("zoo")
                .ingress("host-ingress")
                .service("alpaca-svc")
                .pod("alpaca-0")
                .build()
                .start();
        client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    @AfterEach
    void stop() {
        echo.close();
    }

    private HttpRequest.Builder request(String target) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + echo.port() + target))
                .timeout(Duration.ofSeconds(10));
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void get_anyPath_describesTargetMethodProtocolHostAndIdentity() throws Exception {
        HttpResponse<String> response = send(request("/some/path?x=1&y=%20z").build());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");
        assertThat(response.body())
                .startsWith("{\"name\":\"alpaca\",\"namespace\":\"zoo\",\"ingress\":\"host-ingress\","
                        + "\"service\":\"alpaca-svc\",\"pod\":\"alpaca-0\",")
                .contains("\"method\":\"GET\"")
                .contains("\"uri\":\"/some/path?x=1&y=%20z\"")
                .contains("\"protocol\":\"HTTP/1.1\"")
                .contains("\"host\":\"127.0.0.1:" + echo.port() + "\"")
                .contains("\"bodyLength\":0");
    }

    @Test
    void get_repeatedHeader_keepsEveryValueInOrder() throws Exception {
        HttpResponse<String> response = send(request("/")
                .header("X-Multi", "one")
                .header("X-Multi", "two \"q\"")
                .build());

        assertThat(response.body()).contains("\"x-multi\":[\"one\",\"two \\\"q\\\"\"]");
    }

    @Test
    void reply_neverCarriesServerHeader_andAlwaysContentLength() throws Exception {
        HttpResponse<String> response = send(request("/").build());

        assertThat(response.headers().firstValue("server")).isEmpty();
        assertThat(response.headers().firstValueAsLong("content-length"))
                .hasValue(response.body().getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void post_fixedLengthAndChunkedBodies_countsEveryByte() throws Exception {
        byte[] body = new byte[300_000];
        HttpResponse<String> fixed = send(request("/upload")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build());
        HttpResponse<String> chunked = send(request("/upload")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .build());

        assertThat(fixed.body()).contains("\"bodyLength\":300000", "\"method\":\"POST\"");
        assertThat(chunked.body()).contains("\"bodyLength\":300000", "\"transfer-encoding\":[\"chunked\"]");
    }

    @Test
    void health_answersOk() throws Exception {
        HttpResponse<String> response = send(request("/health").build());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("ok");
    }

    @ParameterizedTest
    @ValueSource(ints = {201, 302, 404, 418, 500, 503, 599})
    void statusPath_answersThatStatusWithTheDescription(int status) throws Exception {
        HttpResponse<String> response = send(request("/status/" + status).build());

        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.body()).contains("\"uri\":\"/status/" + status + "\"");
    }

    @Test
    void statusPath_204_hasNoBodyAndNoContentLength() throws Exception {
        HttpResponse<String> response = send(request("/status/204").build());

        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(response.body()).isEmpty();
        assertThat(response.headers().firstValue("content-length")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/status/100", "/status/abc", "/status/600", "/?delay=-1", "/?delay=x", "/?size=-5"})
    void malformedParameters_answer400WithTheReason(String target) throws Exception {
        HttpResponse<String> response = send(request(target).build());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isNotBlank();
    }

    @Test
    void delay_holdsTheReplyWithoutBlockingOtherConnections() throws Exception {
        // A delay no loaded machine reaches while the test runs: the slow reply is certainly still pending.
        CompletableFuture<HttpResponse<String>> slow = client.sendAsync(
                request("/slow?delay=600000").timeout(Duration.ofMinutes(15)).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpClient other =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        HttpResponse<String> fast = other.send(request("/fast").build(), HttpResponse.BodyHandlers.ofString());

        assertThat(fast.statusCode()).isEqualTo(200);
        assertThat(slow).isNotDone();
        assertThat(other.send(request("/short?delay=50").build(), HttpResponse.BodyHandlers.ofString())
                        .body())
                .contains("\"uri\":\"/short?delay=50\"");
        slow.cancel(true);
    }

    @Test
    void echoResponseHeader_setsEachRequestedHeader() throws Exception {
        HttpResponse<String> response = send(request("/")
                .header(EchoReply.RESPONSE_HEADER, "X-One: 1")
                .header(EchoReply.RESPONSE_HEADER, "Cache-Control: max-age=60, public")
                .build());

        assertThat(response.headers().firstValue("x-one")).hasValue("1");
        assertThat(response.headers().firstValue("cache-control")).hasValue("max-age=60, public");
    }

    @ParameterizedTest
    @ValueSource(ints = {1000, 65_000, 200_000, 3_000_000})
    void size_padsTheJsonBodyToTheRequestedLength(int size) throws Exception {
        HttpResponse<String> response = send(request("/?size=" + size).build());

        assertThat(response.body()).hasSize(size);
        assertThat(response.headers().firstValueAsLong("content-length")).hasValue(size);
        String json = response.body().strip();
        assertThat(json).startsWith("{").endsWith("}");
    }

    @Test
    void responseSizeSetting_padsEveryReply_andHeadSendsOnlyTheLength() throws Exception {
        try (EchoServer padded =
                EchoServer.builder().responseSize(10_000).build().start()) {
            URI uri = URI.create("http://127.0.0.1:" + padded.port() + "/");
            HttpResponse<String> get = send(HttpRequest.newBuilder(uri).build());
            HttpResponse<String> head = send(HttpRequest.newBuilder(uri)
                    .method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .build());

            assertThat(get.body()).hasSize(10_000);
            assertThat(head.body()).isEmpty();
            assertThat(head.headers().firstValueAsLong("content-length")).hasValue(10_000);
        }
    }

    @Test
    void keepAlive_manyRequests_useOneConnection() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(send(request("/" + i).build()).body()).contains("\"connection\":1");
        }
        assertThat(echo.connectionsAccepted()).isEqualTo(1);
    }

    @Test
    void pipelinedRequests_areAnsweredInOrder_evenWhenTheFirstIsDelayed() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", echo.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /first?delay=300 HTTP/1.1\r\nHost: a\r\n\r\n"
                            + "POST /second HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
                            + "GET /third HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();

            String all = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(all.indexOf("/first?delay=300")).isPositive().isLessThan(all.indexOf("/second"));
            assertThat(all.indexOf("/second")).isLessThan(all.indexOf("/third"));
            assertThat(all).contains("\"bodyLength\":3").doesNotContainIgnoringCase("server:");
        }
    }

    @Test
    void http10Request_withoutKeepAlive_isAnsweredAndClosed() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", echo.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /old HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

            String all = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(all).startsWith("HTTP/1.0 200 OK").contains("\"protocol\":\"HTTP/1.0\"", "\"host\":null");
        }
    }

    @Test
    void malformedRequestLine_answers400AndCloses() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", echo.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GARBAGE\r\nContent-Length: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();

            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);

            assertThat(all).startsWith("HTTP/1.1 400");
        }
    }

    @Test
    void webSocketOnWs_echoesTextFrames() throws Exception {
        CompletableFuture<String> received = new CompletableFuture<>();
        WebSocket.Listener listener = new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    received.complete(text.toString());
                }
                webSocket.request(1);
                return null;
            }
        };
        WebSocket socket = client.newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + echo.port() + "/ws"), listener)
                .get(10, TimeUnit.SECONDS);

        socket.sendText("hello, alpaca", true).get(10, TimeUnit.SECONDS);

        assertThat(received.get(10, TimeUnit.SECONDS)).isEqualTo("hello, alpaca");
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
    }

    @Test
    void start_portInUse_failsWithAClearError() {
        try (EchoServer second =
                EchoServer.builder().port(echo.port()).name("twin").build()) {
            assertThatThrownBy(second::start)
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("twin")
                    .hasMessageContaining(String.valueOf(echo.port()));
        }
    }

    @Test
    void halfSentRequests_holdNoBufferOnceTheServerHasClosed() throws Exception {
        // A connection's decoder holds an unfinished request head; closing the server must release it. On NIO (where
        // epoll does not load) the event loop's own shutdown closes the sockets without telling the decoders.
        UnpooledByteBufAllocator counted = new UnpooledByteBufAllocator(true);
        ByteBufAllocatorMetric held = counted.metric();
        EchoServer server =
                EchoServer.builder().allocator(counted).nio().build().start();
        java.util.List<Socket> sockets = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                long before = held.usedDirectMemory() + held.usedHeapMemory();
                Socket socket = new Socket("127.0.0.1", server.port());
                sockets.add(socket);
                socket.getOutputStream().write("GET / HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII));
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> held.usedDirectMemory() + held.usedHeapMemory() > before);
            }
        } finally {
            server.close();
            for (Socket socket : sockets) {
                socket.close();
            }
        }

        assertThat(held.usedDirectMemory() + held.usedHeapMemory()).isZero();
    }
}
