package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.usher.tls.DefaultCertificate;
import dev.usher.tls.TlsCertificate;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.AsyncMapping;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;

/**
 * A client that resets its connection in the middle of the TLS handshake (after its ClientHello, before its
 * Finished; or with its ClientHello cut short), or sends a ClientHello too long to take, costs Usher a closed
 * connection and nothing else: no log line per connection, which any client could
 * otherwise write into the proxy's log at will (Netty's protocol negotiation handler logs such a reset as a WARN with
 * its stack trace). nginx logs a client's handshake failures at {@code info}.
 */
final class HandshakeResetTest {

    private static final int CONNECTIONS = 20;
    private static final byte[] OVERSIZED_HELLO = {
        0x16, 0x03, 0x01, 0x00, 0x04, 0x01, (byte) 0xff, (byte) 0xff, (byte) 0xff
    };
    private static final byte[] JUST_TOO_LONG_HELLO = {0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x00, 0x40, 0x01};

    @Test
    void resetsDuringTheHandshake_areClosedWithoutAWarningEach() throws Exception {
        TlsCertificate cert = DefaultCertificate.generate();
        SslContext context =
                SslContextBuilder.forServer(cert.key(), cert.chain()).build();
        AsyncMapping<String, SslContext> sni = (host, promise) -> promise.setSuccess(context);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        int port;
        try (ProxyFixture fixture = new ProxyFixture(1, ProxySettings.defaults(), b -> b.https(0, sni))) {
            port = fixture.proxy.httpsPort();
            byte[] hello = clientHello(port);
            System.setErr(new PrintStream(new Tee(original, captured), true, StandardCharsets.UTF_8));
            for (int i = 0; i < CONNECTIONS; i++) {
                try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    socket.setSoTimeout(10_000); // a server that never answers fails the test rather than hangs it
                    if (i % 4 == 0) {
                        socket.getOutputStream().write(hello);
                        socket.getOutputStream().flush();
                        assertThat(socket.getInputStream().read()).isEqualTo(0x16); // the ServerHello: mid-handshake
                        socket.setSoLinger(true, 0); // close() resets
                    } else if (i % 4 == 1) {
                        socket.getOutputStream().write(hello, 0, 10); // a ClientHello cut short: SNI not known yet
                        socket.getOutputStream().flush();
                        socket.setSoLinger(true, 0);
                    } else {
                        // a ClientHello announcing 16 MiB, or 16 KiB + 1: refused by the SNI handler, closed by Usher
                        socket.getOutputStream().write(i % 4 == 2 ? OVERSIZED_HELLO : JUST_TOO_LONG_HELLO);
                        socket.getOutputStream().flush();
                        assertThat(socket.getInputStream().read()).isEqualTo(-1);
                    }
                }
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> fixture.registry
                                    .get("usher.connections.active")
                                    .gauge()
                                    .value()
                            == 0);
        } finally {
            System.setErr(original);
        }

        // Only this listener's connections count: a line left by an earlier test's event loop is not this test's.
        String local = "L:/127.0.0.1:" + port;
        assertThat(captured.toString(StandardCharsets.UTF_8).lines())
                .filteredOn(line -> line.contains(local))
                .isEmpty();
    }

    /** The first flight of a JDK client offering h2 and http/1.1 for {@code secure.test}: one TLS record. */
    private static byte[] clientHello(int port) throws Exception {
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, new TrustManager[] {new TrustAll()}, null);
        SSLEngine engine = tls.createSSLEngine("secure.test", port);
        engine.setUseClientMode(true);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName("secure.test")));
        parameters.setApplicationProtocols(new String[] {"h2", "http/1.1"});
        engine.setSSLParameters(parameters);
        engine.beginHandshake();
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] hello = new byte[out.remaining()];
        out.get(hello);
        return hello;
    }

    /** Writes to both streams: the test reads one, the build's output keeps the other. */
    private static final class Tee extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        Tee(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws java.io.IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            first.write(b, off, len);
            second.write(b, off, len);
        }
    }

    /** The test's client never gets as far as checking the certificate. */
    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
