package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.usher.proxy.echo.EchoServer;
import dev.usher.tls.CertificateGenerator;
import dev.usher.tls.JdkTlsClient;
import dev.usher.tls.PemCertificates;
import dev.usher.tls.TlsCertificate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ingress-nginx's {@code auth-tls-*} through the launcher: {@code usher run --manifests} with an HTTPS listener, a CA
 * Secret, real handshakes with and without a client certificate, a missing Secret failing closed, and a CA rotated in
 * the folder applying without a restart.
 */
final class ClientCertificateEndToEndTest {

    private static final String INGRESS = """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: %s
              annotations:
                nginx.ingress.kubernetes.io/auth-tls-secret: default/%s
                nginx.ingress.kubernetes.io/auth-tls-pass-certificate-to-upstream: "true"
            spec:
              ingressClassName: usher
              rules:
              - host: %s
                http:
                  paths:
                  - {path: /, pathType: Prefix, backend: {service: {name: alpaca, port: {number: 8080}}}}
            ---
            """;

    private static final TlsCertificate CA =
            CertificateGenerator.authority("Team CA").generate("ca");
    private static final TlsCertificate NEXT_CA =
            CertificateGenerator.authority("Next CA").generate("next");
    private static final TlsCertificate ALICE =
            CertificateGenerator.client("alice").issuedBy(CA).generate("alice");
    private static final TlsCertificate BOB =
            CertificateGenerator.client("bob").issuedBy(NEXT_CA).generate("bob");

    @TempDir
    Path manifests;

    private final List<EchoServer> origins = new ArrayList<>();
    private Controller controller;

    @BeforeEach
    void start() throws IOException {
        ExampleOrigins.serve(manifests, origins);
        Files.writeString(
                manifests.resolve("mtls.yaml"),
                INGRESS.formatted("mtls", "team-ca", "mtls.example.com")
                        + INGRESS.formatted("lost", "no-such-secret", "lost.example.com"));
        writeCa(CA);
        controller = Controller.start(ControllerConfig.builder()
                .manifests(manifests)
                .bindAddress("127.0.0.1")
                .httpPort(0)
                .httpsPort(0)
                .adminPort(0)
                .drainTimeout(Duration.ofSeconds(2))
                .build());
    }

    @AfterEach
    void stop() {
        if (controller != null) {
            controller.close();
        }
        origins.forEach(EchoServer::close);
    }

    @Test
    void clientCertificate_isRequired_passedOn_andAMissingSecretFailsClosed() throws Exception {
        assertThat(get("mtls.example.com", null)).startsWith("HTTP/1.1 400 ");
        assertThat(get("mtls.example.com", BOB)).startsWith("HTTP/1.1 400 ");
        assertThat(get("mtls.example.com", ALICE))
                .startsWith("HTTP/1.1 200 ")
                .contains("ssl-client-subject-dn", "CN=alice", "-----BEGIN%20CERTIFICATE-----%0A");
        assertThat(get("lost.example.com", ALICE)).startsWith("HTTP/1.1 503 ");
    }

    @Test
    void aRotatedCa_appliesWithoutARestart() throws Exception {
        assertThat(get("mtls.example.com", ALICE)).startsWith("HTTP/1.1 200 ");

        writeCa(NEXT_CA);

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(get("mtls.example.com", BOB)).startsWith("HTTP/1.1 200 "));
        assertThat(get("mtls.example.com", ALICE)).startsWith("HTTP/1.1 400 ");
    }

    private void writeCa(TlsCertificate ca) throws IOException {
        String pem = new String(PemCertificates.certificatesPem(ca.chain()), StandardCharsets.US_ASCII);
        Path file = manifests.resolve("ca-secret.yaml");
        Path temp = manifests.resolve("ca-secret.tmp");
        Files.writeString(
                temp,
                "apiVersion: v1\nkind: Secret\nmetadata: {name: team-ca, namespace: default}\ntype: Opaque\n"
                        + "data: {ca.crt: "
                        + Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII))
                        + "}\n");
        Files.move(
                temp,
                file,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private String get(String host, @Nullable TlsCertificate client) throws Exception {
        SSLContext context =
                client == null ? JdkTlsClient.trustAllContext() : JdkTlsClient.clientCertificateContext(client);
        try (JdkTlsClient tls = JdkTlsClient.connect(controller.httpsPort(), host, context)) {
            return tls.sendAndReadToEnd("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
        }
    }
}
