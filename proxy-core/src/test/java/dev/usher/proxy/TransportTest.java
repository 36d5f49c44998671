package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every transport proxies the same: a 1 MB request body and a 5 MiB response body, byte for byte,
 * and a WebSocket tunnel. The rest of the suite runs on {@link Transport#AUTO} (epoll here); this test covers
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
