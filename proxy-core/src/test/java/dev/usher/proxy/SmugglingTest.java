package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests whose framing two parsers could read differently are refused with 400 and the connection is closed
 * ({@code Transfer-Encoding} other than {@code chunked} gets 501: {@link RequestHygieneTest}).
 */
final class SmugglingTest {

    private static ProxyFixture fixture;

    @BeforeAll
    static void start() {
        fixture = new ProxyFixture(1, ProxySettings.defaults());
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    static Stream<Arguments> shapes() {
        String h = "POST /count HTTP/1.1\r\nHost: app.test\r\n";
        return Stream.of(
                Arguments.of(
                        "content-length with transfer-encoding",
                        h + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /x HTTP/1.1\r\n\r\n"),
                Arguments.of(
                        "transfer-encoding with content-length",
                        h + "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n"),
                Arguments.of(
                        "two different content-lengths", h + "Content-Length: 4\r\nContent-Length: 5\r\n\r\nhello"),
                Arguments.of(
                        "repeated equal content-length", h + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello"),
                Arguments.of("content-length list", h + "Content-Length: 5, 5\r\n\r\nhello"),
                Arguments.of("non-numeric content-length", h + "Content-Length: 4a\r\n\r\nhell"),
                Arguments.of("negative content-length", h + "Content-Length: -1\r\n\r\n"),
                Arguments.of("signed content-length", h + "Content-Length: +5\r\n\r\nhello"),
                Arguments.of("space before colon", h + "Content-Length : 5\r\n\r\nhello"),
                Arguments.of(
                        "transfer-encoding in HTTP/1.0",
                        "POST /count HTTP/1.0\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("invalid chunk size", h + "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("header without colon", "GET / HTTP/1.1\r\nHost: app.test\r\nBroken header\r\n\r\n"),
                Arguments.of("bare LF line endings", "GET / HTTP/1.1\nHost: app.test\n\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void ambiguousFraming_isRefusedWith400_andConnectionClosed(String name, String request) throws Exception {
        int before = fixture.origins.get(0).requests.get();
        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            raw.send(request);

            String answer = raw.readUntilClose();
            assertThat(answer).as(name).startsWith("HTTP/1.1 400").doesNotContain("<<timeout>>");
            assertThat(answer).as(name).containsOnlyOnce("HTTP/1.1");
        }
        if (!name.equals("invalid chunk size")) {
            assertThat(fixture.origins.get(0).requests.get()).as(name).isEqualTo(before);
        }
    }
}
