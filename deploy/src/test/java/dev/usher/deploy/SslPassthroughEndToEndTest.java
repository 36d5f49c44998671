package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.usher.k8s.translate.WatcherSettings;
import dev.usher.proxy.ProxySettings;
import dev.usher.proxy.echo.EchoServer;
import dev.usher.tls.DefaultCertificate;
import dev.usher.tls.JdkTlsClient;
import dev.usher.tls.TlsCertificate;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code usher run --enable-ssl-passthrough} on a manifests folder: an ingress-nginx {@code ssl-passthrough} Ingress's
 * host reaches an origin that terminates TLS itself (a JDK HTTPS server with its own certificate), while another host
 * on the same HTTPS port is terminated by Usher and routed to its echo origin.
 */
final class SslPassthroughEndToEndTest {

    private static final String N = "nginx.ingress.kubernetes.io/";

    @TempDir
    Path folder;

    private final TlsCertificate originCertificate = DefaultCertificate.generate();
    private HttpsServer origin;
    private EchoServer echo;
    private Controller controller;

    @AfterEach
    void stop() {
        if (controller != null) {
            controller.close();
        }
        if (origin != null) {
            origin.stop(0);
        }
        if (echo != null) {
            echo.close();
        }
    }

    private static String backend(String name, int port) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: %1$s, namespace: default}
                spec:
                  ports:
                  - {port: %2$d, targetPort: %2$d}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: %1$s-1
                  namespace: default
                  labels: {kubernetes.io/service-name: %1$s}
                addressType: IPv4
                ports:
                - {port: %2$d, protocol: TCP}
                endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
                """.formatted(name, port);
    }

    private static String ingress(String name, String host, String service, int port, String annotations) {
        return """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: %s
                  namespace: default
                  annotations: {%s}
                spec:
                  ingressClassName: usher
                  rules:
                  - host: %s
                    http:
                      paths:
                      - {path: /, pathType: Prefix, backend: {service: {name: %s, port: {number: %d}}}}
                """.formatted(name, annotations, host, service, port);
    }

    private void start(boolean passthrough) throws Exception {
        origin = httpsOrigin(originCertificate);
        echo = EchoServer.builder()
                .name("plain")
                .bindAddress("127.0.0.1")
                .build()
                .start();
        int originPort = origin.getAddress().getPort();
        Files.writeString(
                folder.resolve("all.yaml"),
                String.join(
                        "---\n",
                        """
                        apiVersion: networking.k8s.io/v1
                        kind: IngressClass
                        metadata: {name: usher}
                        spec: {controller: usher.dev/ingress-controller}
                        """,
                        backend("vault", originPort),
                        backend("plain", echo.port()),
                        ingress("vault", "vault.example.org", "vault", originPort, N + "ssl-passthrough: 'true'"),
                        ingress("plain", "plain.example.org", "plain", echo.port(), "")));
        controller = Controller.start(ControllerConfig.builder()
                .manifests(folder)
                .bindAddress("127.0.0.1")
                .httpPort(0)
                .httpsPort(0)
                .adminPort(0)
                .watcher(WatcherSettings.defaults())
                .proxy(ProxySettings.builder().enableSslPassthrough(passthrough).build())
                .drainTimeout(Duration.ofSeconds(1))
                .build());
    }

    @Test
    void thePassthroughHost_seesTheOriginsCertificate_andAnswer_andOtherHostsAreTerminated() throws Exception {
        start(true);
        int https = controller.httpsPort();

        try (JdkTlsClient client = JdkTlsClient.connect(https, "vault.example.org")) {
            assertThat(client.peerLeaf()).isEqualTo(originCertificate.leaf());
        }
        RawHttp.Response passed = RawHttp.getTls(https, "vault.example.org", "/v1/sys/health");
        assertThat(passed.status()).isEqualTo(200);
        assertThat(passed.body()).isEqualTo("origin /v1/sys/health");

        try (JdkTlsClient client = JdkTlsClient.connect(https, "plain.example.org")) {
            assertThat(client.peerLeaf()).isNotEqualTo(originCertificate.leaf());
        }
        RawHttp.Response terminated = RawHttp.getTls(https, "plain.example.org", "/x");
        assertThat(terminated.status()).isEqualTo(200);
        assertThat(terminated.body()).contains("\"service\"");
    }

    @Test
    void withoutTheFlag_theHostIsTerminatedByUsher() throws Exception {
        start(false);

        try (JdkTlsClient client = JdkTlsClient.connect(controller.httpsPort(), "vault.example.org")) {
            assertThat(client.peerLeaf()).isNotEqualTo(originCertificate.leaf());
        }
    }

    /** An HTTPS origin terminating TLS itself: answers {@code origin <path>} and closes. */
    private static HttpsServer httpsOrigin(TlsCertificate certificate) throws Exception {
        char[] password = "origin".toCharArray();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry(
                "origin", certificate.key(), password, certificate.chain().toArray(new Certificate[0]));
        KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        managers.init(keys, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(managers.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(context));
        server.createContext("/", exchange -> {
            byte[] body = ("origin " + exchange.getRequestURI()).getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            try (var out = exchange.getResponseBody()) {
                out.write(body);
            } catch (IOException e) {
                exchange.close();
            }
        });
        server.start();
        return server;
    }
}
