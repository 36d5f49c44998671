package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request buffering (nginx's {@code proxy_request_buffering}): a body is read whole, in memory up to 16 KiB and in a
 * temporary file beyond, before an origin connection is taken; {@code stream.test} turns it off.
 */
final class RequestBufferingTest {

    private static final int MIB = 1024 * 1024;

    @TempDir
    Path tempDir;

    private ProxyFixture fixture;

    private ProxyFixture start(ProxySettings.Builder settings) {
        fixture = new ProxyFixture(1, settings.clientBodyTempDir(tempDir).build());
        return fixture;
    }

    @AfterEach
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void slowUploads_holdNoOriginConnection_andAnInnocentGetSucceeds() throws Exception {
        // 2 loops x 50 origin connections: before buffering, 200 stalled uploads took them all and the GET got 503.
        start(ProxySettings.builder().maxConnectionsPerEndpoint(50));
        TestOrigin origin = fixture.origins.get(0);
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                Socket s = new Socket("127.0.0.1", fixture.proxy.httpPort());
                s.getOutputStream()
                        .write("POST /count HTTP/1.1\r\nHost: app.test\r\nContent-Length: 1000000\r\n\r\nx"
                                .getBytes(StandardCharsets.ISO_8859_1));
                slow.add(s);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> gauge("usher.connections.active") >= 200);

            HttpResponse<String> res = fixture.get("app.test", "/echo");

            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(origin.connections.get()).isEqualTo(1);
            assertThat(origin.seen).extracting(r -> r.method().name()).containsOnly("GET");
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
    }

    @Test
    void stalledBody_getsBodyTimeout408_withoutReachingTheOrigin() throws Exception {
        start(ProxySettings.builder().clientBodyTimeout(Duration.ofMillis(300)));
        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            raw.send("POST /count HTTP/1.1\r\nHost: app.test\r\nContent-Length: 10\r\n\r\nabc");

            assertThat(raw.readUntilClose()).startsWith("HTTP/1.1 408");
        }
        assertThat(fixture.origins.get(0).connections.get()).isZero();
    }

    @Test
    void bodyOfExactlyTheLimit_passes_oneByteMore_is413WithoutReachingTheOrigin() throws Exception {
        start(ProxySettings.builder());

        assertThat(post("app.test", "/count", new byte[MIB]).body()).isEqualTo(Integer.toString(MIB));
        int before = fixture.origins.get(0).requests.get();
        HttpResponse<String> over = post("app.test", "/count", new byte[MIB + 1]);

        assertThat(over.statusCode()).isEqualTo(413);
        assertThat(fixture.origins.get(0).requests.get()).isEqualTo(before);
    }

    @Test
    void chunkedBodyCrossingTheLimit_is413_andLeavesNoFile() throws Exception {
        start(ProxySettings.builder().maxRequestBodyBytes(64 * 1024));
        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            StringBuilder body = new StringBuilder();
            for (int i = 0; i < 5; i++) {
                body.append("4000\r\n").append("y".repeat(0x4000)).append("\r\n"); // 5 x 16 KiB = 80 KiB
            }
            raw.send("POST /count HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\n\r\n" + body);

            assertThat(raw.readUntilClose()).startsWith("HTTP/1.1 413");
        }
        assertThat(fixture.origins.get(0).requests.get()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> files() == 0);
    }

    @Test
    void zeroLimit_isUnlimited() throws Exception {
        start(ProxySettings.builder().maxRequestBodyBytes(0));

        assertThat(post("app.test", "/count", new byte[3 * MIB]).body()).isEqualTo(Integer.toString(3 * MIB));
    }

    @Test
    void bodyLargerThanTheMemoryBuffer_reachesTheOriginByteIdentical_withALength_andNoFileIsLeft() throws Exception {
        start(ProxySettings.builder());
        byte[] data = new byte[MIB - 7];
        new Random(42).nextBytes(data);
        CRC32 crc = new CRC32();
        crc.update(data);
        StringBuilder chunked = new StringBuilder();
        for (int off = 0; off < data.length; off += 10_000) {
            int n = Math.min(10_000, data.length - off);
            chunked.append(Integer.toHexString(n))
                    .append("\r\n")
                    .append(new String(data, off, n, StandardCharsets.ISO_8859_1))
                    .append("\r\n");
        }
        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            raw.send("POST /crc HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked
                    + "0\r\n\r\n");

            assertThat(raw.readResponse())
                    .startsWith("HTTP/1.1 200")
                    .endsWith("\r\n\r\n" + data.length + " " + Long.toHexString(crc.getValue()));
        }
        io.netty.handler.codec.http.HttpRequest seen =
                fixture.origins.get(0).seen.peek();
        assertThat(seen.headers().get("Content-Length")).isEqualTo(Integer.toString(data.length));
        assertThat(seen.headers().contains("Transfer-Encoding")).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> files() == 0);
    }

    @Test
    void clientGoneMidBody_deletesItsFile() throws Exception {
        start(ProxySettings.builder());
        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            raw.send("POST /count HTTP/1.1\r\nHost: app.test\r\nContent-Length: 100000\r\n\r\n" + "z".repeat(50_000));
            await().atMost(Duration.ofSeconds(10)).until(() -> files() == 1);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> files() == 0);
        assertThat(fixture.origins.get(0).connections.get()).isZero();
    }

    @Test
    void bodiesPastTheDiskBudget_get503_andTheSpaceComesBackWhenAFileIsDeleted() throws Exception {
        start(ProxySettings.builder().clientBodyTempMaxBytes(64 * 1024));
        try (RawHttp holder = new RawHttp(fixture.proxy.httpPort())) {
            holder.send(
                    "POST /count HTTP/1.1\r\nHost: app.test\r\nContent-Length: 100000\r\n\r\n" + "h".repeat(50_000));
            // Space is reserved before it is written: once the file holds 50,000 bytes, they count.
            await().atMost(Duration.ofSeconds(10)).until(() -> fileBytes() == 50_000);

            // Its first spill (over 16 KiB) would pass 64 KiB.
            assertThat(post("app.test", "/count", new byte[40_000]).statusCode())
                    .isEqualTo(503);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> files() == 0);
        assertThat(post("app.test", "/count", new byte[40_000]).body()).isEqualTo("40000");
    }

    @Test
    void originFailure_afterBuffering_deletesTheFile() throws Exception {
        start(ProxySettings.builder());
        HttpResponse<String> res = post("app.test", "/reset", new byte[100_000]);

        assertThat(res.statusCode()).isEqualTo(502);
        await().atMost(Duration.ofSeconds(10)).until(() -> files() == 0);
    }

    @Test
    void expect100Continue_isAnsweredByUsher_andTheOriginGetsNoExpectation() throws Exception {
        start(ProxySettings.builder());
        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            raw.send("POST /echo HTTP/1.1\r\nHost: app.test\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            assertThat(raw.readResponse()).startsWith("HTTP/1.1 100 Continue");

            raw.send("hello");
            assertThat(raw.readResponse())
                    .startsWith("HTTP/1.1 200")
                    .contains("body=5")
                    .doesNotContain("expect");
        }
    }

    @Test
    void bufferingOff_streams_theOriginGetsTheHeadBeforeTheBodyEnds() throws Exception {
        start(ProxySettings.builder());
        TestOrigin origin = fixture.origins.get(0);
        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            raw.send("POST /count HTTP/1.1\r\nHost: stream.test\r\nContent-Length: 10\r\n\r\nabc");
            await().atMost(Duration.ofSeconds(10)).until(() -> origin.requests.get() == 1);

            raw.send("defghij");
            assertThat(raw.readResponse()).startsWith("HTTP/1.1 200").endsWith("\r\n\r\n10");
        }
    }

    @Test
    void requestTrailers_neverReachTheOrigin_streamedOrBuffered() throws Exception {
        start(ProxySettings.builder());
        TestOrigin origin = fixture.origins.get(0);
        for (String host : List.of("stream.test", "app.test")) {
            try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
                raw.send("POST /count HTTP/1.1\r\nHost: " + host + "\r\nTransfer-Encoding: chunked\r\n"
                        + "Trailer: X-Forwarded-For\r\n\r\n3\r\nabc\r\n0\r\nX-Forwarded-For: 6.6.6.6\r\n"
                        + "X-Checksum: 1\r\n\r\n");

                assertThat(raw.readResponse())
                        .as(host)
                        .startsWith("HTTP/1.1 200")
                        .endsWith("\r\n\r\n3");
            }
        }
        assertThat(origin.trailers).hasSize(2).allMatch(HttpHeaders::isEmpty);
    }

    @Test
    void stalePooledConnection_isRetried_forAnIdempotentRequestWithABufferedBody() throws Exception {
        start(ProxySettings.builder());
        TestOrigin origin = fixture.origins.get(0);
        try (RawHttp raw = new RawHttp(fixture.proxy.httpPort())) {
            raw.send("PUT /flaky HTTP/1.1\r\nHost: app.test\r\nContent-Length: 3\r\n\r\nabc");
            assertThat(raw.readResponse()).startsWith("HTTP/1.1 200");

            // The pooled connection is closed by the origin on its second request: the buffered body is replayed.
            raw.send("PUT /flaky HTTP/1.1\r\nHost: app.test\r\nContent-Length: 4\r\n\r\ndefg");
            assertThat(raw.readResponse()).startsWith("HTTP/1.1 200").contains("body=4");
        }
        assertThat(origin.connections.get()).isEqualTo(2);
    }

    private HttpResponse<String> post(String host, String path, byte[] body) throws IOException, InterruptedException {
        return fixture.client.send(
                HttpRequest.newBuilder(fixture.uri(path))
                        .header("Host", host)
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private long files() throws IOException {
        try (Stream<Path> list = Files.list(tempDir)) {
            return list.count();
        }
    }

    private long fileBytes() throws IOException {
        try (Stream<Path> list = Files.list(tempDir)) {
            long total = 0;
            for (Path p : (Iterable<Path>) list::iterator) {
                total += Files.size(p);
            }
            return total;
        }
    }

    private double gauge(String name) {
        return fixture.registry.get(name).gauge().value();
    }
}
