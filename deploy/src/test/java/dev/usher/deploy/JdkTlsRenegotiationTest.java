package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where netty-tcnative does not load, Usher's TLS is the JDK's, whose TLS 1.2 server accepts a client's renegotiation
 * (a full handshake's CPU on demand) unless {@code jdk.tls.rejectClientInitiatedRenegotiation} is set before its
 * first server handshake: {@link Main} sets it. The JDK reads it once per JVM, so this runs the real executable in a
 * JVM of its own with OpenSSL turned off, and renegotiates as a TLS 1.2 client would.
 */
final class JdkTlsRenegotiationTest {

    @Test
    void theJdkProvider_refusesAClientsRenegotiation(@TempDir Path dir) throws Exception {
        int https = freePort();
        Path log = dir.resolve("usher.log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dio.netty.handler.ssl.noOpenSsl=true", // as where tcnative has no native library
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "run",
                "--manifests",
                Files.createDirectories(dir.resolve("manifests")).toString(),
                "--bind",
                "127.0.0.1",
                "--http-port",
                "0",
                "--https-port",
                Integer.toString(https),
                "--admin-port",
                "0",
                "--shutdown-delay",
                "0"));
        Process usher = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> listening(https) || !usher.isAlive());
            assertThat(usher.isAlive()).as(Files.readString(log)).isTrue();
            // the provider this test is about; the log line is written once the listeners are up
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> Files.readString(log).contains("(TLS by "));
            assertThat(Files.readString(log)).contains("(TLS by JDK)");

            try (SSLSocket socket = tls12(https)) {
                socket.startHandshake(); // the first handshake is fine
                assertThatThrownBy(() -> {
                            socket.startHandshake(); // TLS 1.2: a second one renegotiates
                            socket.getOutputStream()
                                    .write("GET / HTTP/1.1\r\nHost: a.test\r\n\r\n"
                                            .getBytes(StandardCharsets.US_ASCII));
                            socket.getOutputStream().flush();
                            InputStream in = socket.getInputStream();
                            if (in.read() < 0) {
                                throw new IOException("closed");
                            }
                        })
                        .isInstanceOf(IOException.class);
            }
        } finally {
            usher.destroy();
            if (!usher.waitFor(30, TimeUnit.SECONDS)) {
                usher.destroyForcibly();
            }
        }
    }

    private static SSLSocket tls12(int port) throws Exception {
        SSLContext context = SSLContext.getInstance("TLSv1.2");
        context.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
        socket.setEnabledProtocols(new String[] {"TLSv1.2"});
        socket.setSoTimeout(20_000);
        return socket;
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The server's certificate is Usher's generated default one: this test is about renegotiation, not trust. */
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
