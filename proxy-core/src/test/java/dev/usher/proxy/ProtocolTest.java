package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** HTTP/1.x client-side behaviour, spoken over raw sockets so that every byte is visible. */
final class ProtocolTest {

    private static ProxyFixture fixture;

    @BeforeAll
    static void start() {
        fixture = new ProxyFixture(1, ProxySettings.defaults());
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    private RawHttp raw() throws Exception {
        return new RawHttp(fixture.proxy.httpPort());
    }

    @Test
    void pipelinedRequests_answeredInRequestOrder_evenWhenTheFirstIsSlowest() throws Exception {
        try (RawHttp raw = raw()) {
            raw.send("GET /slow?ms=300 HTTP/1.1\r\nHost: app.test\r\n\r\n"
                    + "GET /echo?n=2 HTTP/1.1\r\nHost: app.test\r\n\r\n"
                    + "GET /status/201 HTTP/1.1\r\nHost: app.test\r\n\r\n");

            assertThat(raw.readResponse()).startsWith("HTTP/1.1 200").endsWith("slow origin-0");
            assertThat(raw.readResponse()).startsWith("HTTP/1.1 200").contains("uri=/echo?n=2");
            assertThat(raw.readResponse()).startsWith("HTTP/1.1 201");
        }
    }

    @Test
    void pipelinedRequestsWithBodies_eachBodyReachesItsOwnRequest() throws Exception {
        try (RawHttp raw = raw()) {
            raw.send("POST /count HTTP/1.1\r\nHost: app.test\r\nContent-Length: 5\r\n\r\nhello"
                    + "POST /count HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "3\r\nabc\r\n0\r\n\r\n"
                    + "GET /echo?last HTTP/1.1\r\nHost: app.test\r\n\r\n");

            assertThat(raw.readResponse()).startsWith("HTTP/1.1 200").endsWith("\r\n\r\n5");
            assertThat(raw.readResponse()).startsWith("HTTP/1.1 200").endsWith("\r\n\r\n3");
            assertThat(raw.readResponse()).startsWith("HTTP/1.1 200").contains("uri=/echo?last");
        }
    }

    @Test
    void head_announcesLengthWithoutBody_andConnectionStaysUsable() throws Exception {
        try (RawHttp raw = raw()) {
            raw.send("HEAD /big?bytes=1000 HTTP/1.1\r\nHost: app.test\r\n\r\n");
            String head = raw.readHeadResponse();
            assertThat(head)
                    .startsWith("HTTP/1.1 200")
                    .contains("content-length: 1000")
                    .endsWith("\r\n\r\n");

            raw.send("GET /echo HTTP/1.1\r\nHost: app.test\r\n\r\n");
            assertThat(raw.readResponse()).startsWith("HTTP/1.1 200").contains("method=GET");
        }
    }

    @Test
    void expect100Continue_interimResponseRelayed_thenBodyForwarded() throws Exception {
        try (RawHttp raw = raw()) {
            raw.send("POST /count HTTP/1.1\r\nHost: app.test\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            assertThat(raw.readResponse()).startsWith("HTTP/1.1 100 Continue");

            raw.send("hello");
            assertThat(raw.readResponse()).startsWith("HTTP/1.1 200").endsWith("\r\n\r\n5");
        }
    }

    @Test
    void chunkedUpload_isStreamedToOrigin() throws Exception {
        try (RawHttp raw = raw()) {
            raw.send("POST /count HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");

            assertThat(raw.readResponse()).startsWith("HTTP/1.1 200").endsWith("\r\n\r\n11");
        }
    }

    @Test
    void noContentAndNotModified_haveNoBody() throws Exception {
        try (RawHttp raw = raw()) {
            raw.send("GET /status/204 HTTP/1.1\r\nHost: app.test\r\n\r\n"
                    + "GET /status/304 HTTP/1.1\r\nHost: app.test\r\n\r\n"
                    + "GET /echo HTTP/1.1\r\nHost: app.test\r\n\r\n");

            assertThat(raw.readResponse()).startsWith("HTTP/1.1 204").endsWith("\r\n\r\n");
            assertThat(raw.readResponse()).startsWith("HTTP/1.1 304").endsWith("\r\n\r\n");
            assertThat(raw.readResponse()).startsWith("HTTP/1.1 200").contains("uri=/echo");
        }
    }

    @Test
    void connectionClose_fromClient_isHonouredAfterTheResponse() throws Exception {
        try (RawHttp raw = raw()) {
            raw.send("GET /echo HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n");

            String all = raw.readUntilClose();
            assertThat(all)
                    .startsWith("HTTP/1.1 200")
                    .contains("connection: close")
                    .doesNotContain("<<timeout>>");
        }
    }

    @Test
    void http10_withoutKeepAlive_getsBodyThenClose_andUnknownLengthIsDelimitedByClose() throws Exception {
        try (RawHttp raw = raw()) {
            raw.send("GET /chunked HTTP/1.0\r\nHost: app.test\r\n\r\n");

            String all = raw.readUntilClose();
            assertThat(all).startsWith("HTTP/1.1 200").doesNotContain("chunked").endsWith("part1-part2");
        }
    }

    @Test
    void http10_keepAlive_isKept() throws Exception {
        try (RawHttp raw = raw()) {
            raw.send("GET /echo HTTP/1.0\r\nHost: app.test\r\nConnection: keep-alive\r\n\r\n");
            assertThat(raw.readResponse()).contains("connection: keep-alive").contains("version=HTTP/1.1");
            raw.send("GET /echo HTTP/1.0\r\nHost: app.test\r\nConnection: keep-alive\r\n\r\n");
            assertThat(raw.readResponse()).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void http10_withoutHost_isForwardedWithTheEndpointAsHost() throws Exception {
        try (RawHttp raw = raw()) {
            raw.send("GET /any-host HTTP/1.0\r\n\r\n");

            assertThat(raw.readUntilClose())
                    .startsWith("HTTP/1.1 200")
                    .contains(
                            "version=HTTP/1.1",
                            "host: 127.0.0.1:" + fixture.origins.get(0).port());
        }
    }

    @Test
    void absoluteFormTarget_authorityWinsOverHost() throws Exception {
        try (RawHttp raw = raw()) {
            raw.send("GET http://app.test/abs?x=1 HTTP/1.1\r\nHost: other.test\r\n\r\n");

            assertThat(raw.readResponse()).startsWith("HTTP/1.1 200").contains("uri=/abs?x=1", "host: app.test");
        }
    }

    @Test
    void missingHost_onHttp11_is400() throws Exception {
        try (RawHttp raw = raw()) {
            raw.send("GET / HTTP/1.1\r\n\r\n");

            assertThat(raw.readUntilClose()).startsWith("HTTP/1.1 400");
        }
    }

    @Test
    void localErrorResponse_keepsConnectionUsable() throws Exception {
        try (RawHttp raw = raw()) {
            raw.send("GET / HTTP/1.1\r\nHost: nobody.test\r\n\r\n");
            assertThat(raw.readResponse()).startsWith("HTTP/1.1 404");
            raw.send("GET /echo HTTP/1.1\r\nHost: app.test\r\n\r\n");
            assertThat(raw.readResponse()).startsWith("HTTP/1.1 200");
        }
    }
}
