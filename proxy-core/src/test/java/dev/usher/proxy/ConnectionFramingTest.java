package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.codec.http.HttpRequest;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code Connection} can never strip a message's framing or its Host, and an origin connection is reused only after a
 * response read cleanly to its end: no smuggled request reaches the origin, no stray response reaches a client.
 */
final class ConnectionFramingTest {

    private static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: app.test\r\nX: y\r\n\r\n";

    private static ProxyFixture fixture;

    @BeforeAll
    static void start() {
        fixture = new ProxyFixture(1, ProxySettings.defaults());
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private static TestOrigin origin() {
        return fixture.origins.get(0);
    }

    static Stream<Arguments> connectionNamesFraming() {
        String post = "POST /count HTTP/1.1\r\nHost: app.test\r\n";
        return Stream.of(
                Arguments.of(
                        "Content-Length",
                        post + "Connection: Content-Length\r\nContent-Length: " + SMUGGLED.length() + "\r\n\r\n"
                                + SMUGGLED),
                Arguments.of(
                        "content-length among other tokens",
                        post + "Connection: keep-alive, content-length\r\n" + "Content-Length: " + SMUGGLED.length()
                                + "\r\n\r\n" + SMUGGLED),
                Arguments.of(
                        "Transfer-Encoding",
                        post + "Connection: Transfer-Encoding\r\n"
                                + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(SMUGGLED.length()) + "\r\n"
                                + SMUGGLED + "\r\n0\r\n\r\n"),
                Arguments.of("Host", "GET /echo HTTP/1.1\r\nHost: app.test\r\nConnection: Host\r\n\r\n"),
                Arguments.of(
                        "HOST in a second Connection field",
                        "GET /echo HTTP/1.1\r\nHost: app.test\r\n"
                                + "Connection: keep-alive\r\nConnection: HOST\r\n\r\n"));
    }

    @ParameterizedTest(name = "Connection names {0}")
    @MethodSource("connectionNamesFraming")
    void request_whoseConnectionNamesAFramingOrRoutingField_isRefusedWith400_andNothingReachesTheOrigin(
            String name, String request) throws Exception {
        int before = origin().requests.get();
        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            raw.send(request);

            String answer = raw.readUntilClose();
            assertThat(answer)
                    .startsWith("HTTP/1.1 400")
                    .containsOnlyOnce("HTTP/1.1")
                    .doesNotContain("<<timeout>>");
        }
        assertThat(origin().requests.get()).isEqualTo(before);
        assertThat(origin().seen).extracting(HttpRequest::uri).doesNotContain("/smuggled");
    }

    @Test
    void originResponse_whoseConnectionNamesContentLength_is502_andTheClientConnectionStaysFramed() throws Exception {
        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            raw.send("GET /conn-cl HTTP/1.1\r\nHost: app.test\r\n\r\n");
            assertThat(raw.readResponse()).startsWith("HTTP/1.1 502").contains("content-length:");

            raw.send("GET /echo HTTP/1.1\r\nHost: app.test\r\n\r\n");
            assertThat(raw.readResponse()).startsWith("HTTP/1.1 200").contains("uri=/echo");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/extra", "/extra-partial"})
    void bytesAfterAResponse_inTheSameWrite_neverAnswerTheNextRequest(String path) throws Exception {
        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            raw.send("GET " + path + " HTTP/1.1\r\nHost: app.test\r\n\r\n");
            assertThat(raw.readResponse()).startsWith("HTTP/1.1 200").endsWith("first");

            raw.send("GET /echo HTTP/1.1\r\nHost: app.test\r\n\r\n");
            assertThat(raw.readResponse())
                    .startsWith("HTTP/1.1 200")
                    .contains("uri=/echo")
                    .doesNotContainIgnoringCase("x-smuggled")
                    .doesNotContain("smuggled");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/extra", "/extra-partial"})
    void bytesAfterAResponse_neverAnswerAPipelinedRequestReadInTheSameTurn(String path) throws Exception {
        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            raw.send("GET " + path + " HTTP/1.1\r\nHost: app.test\r\n\r\nGET /echo HTTP/1.1\r\nHost: app.test\r\n\r\n");

            assertThat(raw.readResponse()).startsWith("HTTP/1.1 200").endsWith("first");
            assertThat(raw.readResponse())
                    .startsWith("HTTP/1.1 200")
                    .contains("uri=/echo")
                    .doesNotContainIgnoringCase("x-smuggled")
                    .doesNotContain("smuggled");
        }
    }

    @Test
    void responseHead_reachesTheClient_beforeABodyThatComesLater() throws Exception {
        // Usher holds a head until the body's first part or the end of the origin read that brought it (a whole small
        // response then leaves as one buffer): a head whose body comes later must not wait for it.
        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            raw.send("GET /head-first HTTP/1.1\r\nHost: app.test\r\n\r\n");
            assertThat(raw.readHeadResponse()) // the origin sends no body until released: a held head times out here
                    .startsWith("HTTP/1.1 200 ")
                    .containsIgnoringCase("content-length: 4\r\n");
            origin().releaseHeld();
            assertThat(raw.readBytes(4)).isEqualTo("body");
        }
    }

    @Test
    void bytesOnAnIdlePooledConnection_closeIt_andNeverAnswerTheNextRequest() throws Exception {
        int closedBefore = origin().closedConnections.get();
        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            raw.send("GET /extra-late HTTP/1.1\r\nHost: app.test\r\n\r\n");
            assertThat(raw.readResponse()).startsWith("HTTP/1.1 200").endsWith("first");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> origin().closedConnections.get() > closedBefore);

            raw.send("GET /echo HTTP/1.1\r\nHost: app.test\r\n\r\n");
            assertThat(raw.readResponse())
                    .startsWith("HTTP/1.1 200")
                    .contains("uri=/echo")
                    .doesNotContainIgnoringCase("x-smuggled");
        }
    }
}
