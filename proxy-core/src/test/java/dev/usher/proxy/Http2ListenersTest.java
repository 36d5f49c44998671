package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.tls.CertificateGenerator;
import dev.usher.tls.CertificateStore;
import dev.usher.tls.TlsCertificate;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real clients on both listeners: the JDK {@code HttpClient} negotiating h2 by ALPN (and HTTP/1.1 on the same port),
 * curl {@code --http2} over TLS and {@code --http2-prior-knowledge} in clear text.
 */
final class Http2ListenersTest {

    private TlsCertificate cert;
    private ProxyFixture fixture;

    @BeforeEach
    void start() {
        cert = CertificateGenerator.forHosts("app.test").generate("test");
        CertificateStore store = CertificateStore.create(cert);
        fixture = new ProxyFixture(1, ProxySettings.defaults(), b -> b.https(0, store));
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    private HttpClient client(HttpClient.Version version) throws Exception {
        return HttpClient.newBuilder()
                .version(version)
                .sslContext(TrustThisCertificate.sslContext(cert.leaf()))
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    private URI https(String path) {
        return URI.create("https://127.0.0.1:" + fixture.proxy.httpsPort() + path);
    }

    @Test
    void jdkClient_negotiatesH2_andManyConcurrentRequestsShareOneConnection() throws Exception {
        HttpClient client = client(HttpClient.Version.HTTP_2);
        // One request first: the JDK client opens a connection per request while it has none negotiated yet.
        assertThat(client.send(
                                HttpRequest.newBuilder(https("/any-host/echo")).build(),
                                HttpResponse.BodyHandlers.ofString())
                        .version())
                .isEqualTo(HttpClient.Version.HTTP_2);
        List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            replies.add(client.sendAsync(
                    HttpRequest.newBuilder(https("/any-host/echo?n=" + i))
                            .timeout(Duration.ofSeconds(20))
                            .build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < 40; i++) {
            HttpResponse<String> r = replies.get(i).get(30, TimeUnit.SECONDS);
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body())
                    .contains("uri=/any-host/echo?n=" + i + "\n", "version=HTTP/1.1", "x-forwarded-proto: https");
        }
        assertThat(fixture.registry.get("usher.connections.active").gauge().value())
                .isLessThanOrEqualTo(1.0);
    }

    @Test
    void jdkClient_postBodyOverH2_reachesTheOriginWhole() throws Exception {
        byte[] body = new byte[200_000];
        java.util.Arrays.fill(body, (byte) 'x');
        HttpResponse<String> r = client(HttpClient.Version.HTTP_2)
                .send(
                        HttpRequest.newBuilder(https("/any-host/count"))
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                .timeout(Duration.ofSeconds(20))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());

        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("method=POST", "body=200000\n");
    }

    @Test
    void jdkClient_http11OnTheSamePort_stillWorks() throws Exception {
        HttpResponse<String> r = client(HttpClient.Version.HTTP_1_1)
                .send(
                        HttpRequest.newBuilder(https("/any-host/echo"))
                                .timeout(Duration.ofSeconds(20))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());

        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(r.statusCode()).isEqualTo(200);
    }

    @Test
    void curl_http2OverTls() throws Exception {
        int port = fixture.proxy.httpsPort();
        String out = curl(
                "--http2", "-k", "--resolve", "app.test:" + port + ":127.0.0.1", "https://app.test:" + port + "/echo");

        assertThat(out).startsWith("HTTP/2 200").contains("uri=/echo", "host: app.test", "x-forwarded-proto: https");
    }

    @Test
    void curl_http2PriorKnowledgeInClearText_andHttp11OnTheSamePort() throws Exception {
        String h2c = curl(
                "--http2-prior-knowledge",
                "-H",
                "Host: app.test",
                "http://127.0.0.1:" + fixture.proxy.httpPort() + "/echo");
        String h1 = curl("--http1.1", "-H", "Host: app.test", "http://127.0.0.1:" + fixture.proxy.httpPort() + "/echo");

        assertThat(h2c).startsWith("HTTP/2 200").contains("version=HTTP/1.1", "host: app.test");
        assertThat(h1).startsWith("HTTP/1.1 200").contains("host: app.test");
    }

    @Test
    void upgradeH2c_isNotOffered_theRequestIsServedAsHttp11() throws Exception {
        try (Socket s = new Socket("127.0.0.1", fixture.proxy.httpPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream()
                    .write(("GET /echo HTTP/1.1\r\nHost: app.test\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                                    + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
            String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);

            assertThat(reply)
                    .startsWith("HTTP/1.1 200")
                    .doesNotContain("HTTP/1.1 101") // not "101" alone: the echoed port or request ID may hold it
                    .doesNotContainIgnoringCase("upgrade: h2c");
        }
    }

    /** Runs curl with {@code args} (silent, headers shown, 20 s at most) and returns what it printed. */
    static String curl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "-i", "-m", "20"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
