package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.tls.DefaultCertificate;
import dev.usher.tls.TlsCertificate;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.AsyncMapping;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HTTPS listener waits for a ClientHello only within TLS's own bounds, with and without TLS passthrough: a
 * handshake record announcing more than 2^14 bytes, or a ClientHello announcing more than 16 KiB, closes the connection
 * as soon as its header is read, not after the handshake timeout with up to 64 KiB buffered. The handshake timeout is
 * set far beyond the test's patience, so only the check can close these connections; a real ClientHello cut into
 * small records is still answered with a ServerHello.
 */
final class ClientHelloLimitsTest {

    private static final TlsCertificate CERTIFICATE = DefaultCertificate.generate();

    private static ProxyFixture start(boolean passthrough) throws Exception {
        SslContext context = SslContextBuilder.forServer(CERTIFICATE.key(), CERTIFICATE.chain())
                .build();
        AsyncMapping<String, SslContext> sni = (host, promise) -> promise.setSuccess(context);
        ProxySettings settings = ProxySettings.builder()
                .requestHeaderTimeout(Duration.ofMinutes(10)) // also the handshake timeout
                .clientIdleTimeout(Duration.ofMinutes(10))
                .enableSslPassthrough(passthrough)
                .build();
        return new ProxyFixture(1, settings, b -> b.https(0, sni));
    }

    @ParameterizedTest(name = "passthrough {0}")
    @ValueSource(booleans = {false, true})
    void aHandshakeRecordLongerThanTlsAllows_isRefusedAtItsHeader(boolean passthrough) throws Exception {
        try (ProxyFixture fixture = start(passthrough)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            bytes.write(new byte[] {0x16, 0x03, 0x01, (byte) 0xff, (byte) 0xff}); // a 65,535-byte record
            bytes.write(new byte[] {0x01, 0x00, 0x10, 0x00}); // holding a 4 KiB hello
            bytes.write(new byte[20_000]); // and sent in part: the rest never comes

            assertClosedAfter(fixture, bytes.toByteArray());
        }
    }

    @ParameterizedTest(name = "passthrough {0}")
    @ValueSource(booleans = {false, true})
    void aClientHelloLongerThan16KiB_isRefusedBeforeItsRecordArrives(boolean passthrough) throws Exception {
        try (ProxyFixture fixture = start(passthrough)) {
            byte[] bytes = {0x16, 0x03, 0x01, 0x40, 0x00, 0x01, 0x00, 0x40, 0x01, 0x03, 0x03}; // 16 KiB + 1 announced

            assertClosedAfter(fixture, bytes);
        }
    }

    @ParameterizedTest(name = "passthrough {0}")
    @ValueSource(booleans = {false, true})
    void aRealClientHelloInSmallRecords_isStillAnswered(boolean passthrough) throws Exception {
        try (ProxyFixture fixture = start(passthrough)) {
            byte[] hello = ClientHellos.naming("app.test");
            ByteArrayOutputStream records = new ByteArrayOutputStream();
            for (int at = 5; at < hello.length; at += 100) { // the one record's body, re-cut into 100-byte records
                int length = Math.min(100, hello.length - at);
                records.write(new byte[] {0x16, 0x03, 0x03, (byte) (length >> 8), (byte) length});
                records.write(hello, at, length);
            }
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), fixture.proxy.httpsPort())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(records.toByteArray());
                socket.getOutputStream().flush();

                assertThat(socket.getInputStream().read())
                        .as("a handshake record: the ServerHello")
                        .isEqualTo(0x16);
            }
        }
    }

    private static void assertClosedAfter(ProxyFixture fixture, byte[] bytes) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), fixture.proxy.httpsPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            try {
                while (in.read() >= 0) {
                    // whatever comes before the close
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("still open, waiting for the rest of the announced bytes", e);
            } catch (SocketException reset) {
                // a reset closes too
            }
        }
    }
}
