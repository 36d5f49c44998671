package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.usher.tls.CertificateGenerator;
import dev.usher.tls.CertificateStore;
import dev.usher.tls.TlsCertificate;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every transport proxies the same: a 1 MB request body and a 5 MiB response body, byte for byte,
 * and a WebSocket tunnel; HTTP/2 over TLS (ALPN) with concurrent streams, and h2c with a 1 MB upload. The rest of the suite runs on {@link Transport#AUTO} (epoll here); this test covers
 * io_uring and NIO too.
 */
final class TransportTest {

    private ProxyFixture fixture;

    @AfterEach
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void eachTransport_proxiesBodiesBothWays_andWebSockets(Transport transport) throws Exception {
        assumeTrue(transport != Transport.IO_URING || IoUring.isAvailable(), "io_uring not available here");
        assumeTrue(transport != Transport.EPOLL || Epoll.isAvailable(), "epoll not available here");
        fixture = new ProxyFixture(1, ProxySettings.defaults(), b -> b.transport(transport));
        assertThat(fixture.proxy.transportName()).isEqualTo(expectedName(transport));

        byte[] upload = new byte[1_000_000]; // under the default 1 MiB body limit
        new Random(42).nextBytes(upload);
        CRC32 crc = new CRC32();
        crc.update(upload);
        HttpResponse<String> posted = fixture.client.send(
                HttpRequest.newBuilder(fixture.uri("/crc"))
                        .header("Host", "app.test")
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(upload))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).isEqualTo(200);
        assertThat(posted.body()).isEqualTo(upload.length + " " + Long.toHexString(crc.getValue()));

        int size = 5 * 1024 * 1024 + 3;
        HttpResponse<InputStream> download = fixture.client.send(
                HttpRequest.newBuilder(fixture.uri("/pattern?bytes=" + size))
                        .header("Host", "app.test")
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(download.statusCode()).isEqualTo(200);
        long read = 0;
        long firstWrong = -1;
        try (InputStream in = download.body()) {
            byte[] chunk = new byte[64 * 1024];
            for (int n; (n = in.read(chunk)) > 0; ) {
                for (int i = 0; i < n && firstWrong < 0; i++) {
                    if (chunk[i] != TestOrigin.patternByte((int) (read + i))) {
                        firstWrong = read + i;
                    }
                }
                read += n;
            }
        }
        assertThat(read).isEqualTo(size);
        assertThat(firstWrong).as("first byte that differs from the origin's").isEqualTo(-1);

        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        WebSocket ws = fixture.webSocket("/ws", received);
        ws.sendText("over " + transport.cliName(), true).get(10, TimeUnit.SECONDS);
        assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("echo:over " + transport.cliName());
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void eachTransport_servesH2OverTls_andH2cInClearText(Transport transport, @TempDir Path dir) throws Exception {
        assumeTrue(transport != Transport.IO_URING || IoUring.isAvailable(), "io_uring not available here");
        assumeTrue(transport != Transport.EPOLL || Epoll.isAvailable(), "epoll not available here");
        TlsCertificate cert = CertificateGenerator.forHosts("app.test").generate("test");
        fixture = new ProxyFixture(
                1, ProxySettings.defaults(), b -> b.transport(transport).https(0, CertificateStore.create(cert)));
        HttpClient h2 = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_2)
                .sslContext(TrustThisCertificate.sslContext(cert.leaf()))
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        String https = "https://127.0.0.1:" + fixture.proxy.httpsPort();

        byte[] body = new byte[300_000];
        new Random(7).nextBytes(body);
        HttpResponse<String> posted = h2.send(
                HttpRequest.newBuilder(URI.create(https + "/any-host/echo"))
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(posted.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(posted.statusCode()).isEqualTo(200);
        assertThat(posted.body()).contains("method=POST", "body=300000\n", "x-forwarded-proto: https");
        List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            replies.add(h2.sendAsync(
                    HttpRequest.newBuilder(URI.create(https + "/any-host/echo?n=" + i))
                            .timeout(Duration.ofSeconds(30))
                            .build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> reply = replies.get(i).get(30, TimeUnit.SECONDS);
            assertThat(reply.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(reply.body()).contains("uri=/any-host/echo?n=" + i + "\n");
        }

        // h2c with prior knowledge (the JDK client only offers the Upgrade dance, which Usher refuses): curl
        byte[] upload = new byte[1_000_000];
        new Random(11).nextBytes(upload);
        Path file = Files.write(dir.resolve("upload.bin"), upload);
        CRC32 crc = new CRC32();
        crc.update(upload);
        Process curl = new ProcessBuilder(
                        "curl",
                        "-sS",
                        "--http2-prior-knowledge",
                        "-H",
                        "Host: app.test",
                        "--data-binary",
                        "@" + file,
                        "-w",
                        " %{http_version}",
                        "http://127.0.0.1:" + fixture.proxy.httpPort() + "/crc")
                .redirectErrorStream(true)
                .start();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(curl.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(out).isEqualTo(upload.length + " " + Long.toHexString(crc.getValue()) + " 2");
    }

    private static String expectedName(Transport transport) {
        return switch (transport) {
            case AUTO -> Epoll.isAvailable() ? "epoll" : "nio";
            case IO_URING -> "io_uring";
            case EPOLL -> "epoll";
            case NIO -> "nio";
        };
    }

    @Test
    void names_parseAsTheFlagSpellsThem_andAnUnknownOneListsTheChoices() {
        assertThat(Transport.parse("io_uring")).isEqualTo(Transport.IO_URING);
        assertThat(Transport.parse("IO-URING")).isEqualTo(Transport.IO_URING);
        assertThat(Transport.parse(" epoll ")).isEqualTo(Transport.EPOLL);
        assertThat(Transport.parse("auto")).isEqualTo(Transport.AUTO);
        assertThat(Transport.parse("nio")).isEqualTo(Transport.NIO);
        assertThatThrownBy(() -> Transport.parse("kqueue"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown transport 'kqueue': expected one of auto, io_uring, epoll, nio");
    }
}
