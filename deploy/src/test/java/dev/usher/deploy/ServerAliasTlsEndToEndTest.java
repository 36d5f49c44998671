package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.proxy.echo.EchoServer;
import dev.usher.tls.CertificateGenerator;
import dev.usher.tls.JdkTlsClient;
import dev.usher.tls.PemCertificates.KeyFormat;
import dev.usher.tls.TlsCertificate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code server-alias} over real TLS handshakes: an alias the host's certificate names gets that certificate by SNI
 * and is routed as the host; one it does not name gets the default certificate (as ingress-nginx) and is still routed.
 */
final class ServerAliasTlsEndToEndTest {

    private static final String DEFAULT_CN = "CN=Usher Ingress Controller Default Certificate";
    private static final TlsCertificate SHOP = CertificateGenerator.forHosts("shop.example.com", "www.shop.example.com")
            .generate("shop");

    @TempDir
    Path folder;

    private EchoServer alpaca;
    private Controller controller;

    @BeforeEach
    void start() throws IOException {
        alpaca = EchoServer.builder()
                .name("alpaca")
                .bindAddress("127.0.0.1")
                .build()
                .start();
        new TlsManifests(folder).services(Map.of("alpaca", alpaca.port())).secret("shop-tls", SHOP, KeyFormat.PKCS8);
        Files.writeString(folder.resolve("ingress.yaml"), """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: shop
                  annotations:
                    nginx.ingress.kubernetes.io/server-alias: "www.shop.example.com,shop.example.net"
                spec:
                  tls:
                  - {hosts: [shop.example.com], secretName: shop-tls}
                  rules:
                  - host: shop.example.com
                    http:
                      paths:
                      - {path: /, pathType: Prefix, backend: {service: {name: alpaca, port: {number: 8080}}}}
                """, StandardCharsets.UTF_8);
        controller = TlsManifests.startUsher(folder);
    }

    @AfterEach
    void stop() {
        if (controller != null) {
            controller.close();
        }
        alpaca.close();
    }

    @Test
    void anAliasTheCertificateNames_getsIt_andOneItDoesNot_getsTheDefault() throws Exception {
        try (JdkTlsClient www = JdkTlsClient.connect(controller.httpsPort(), "www.shop.example.com")) {
            assertThat(www.peerLeaf()).isEqualTo(SHOP.leaf());
            RawHttp.Response response = KeepAliveClient.get(www.out(), www.in(), "www.shop.example.com", "/");
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).contains("\"name\":\"alpaca\"");
        }
        try (JdkTlsClient net = JdkTlsClient.connect(controller.httpsPort(), "shop.example.net")) {
            assertThat(net.peerLeaf().getSubjectX500Principal().getName()).isEqualTo(DEFAULT_CN);
            assertThat(KeepAliveClient.get(net.out(), net.in(), "shop.example.net", "/")
                            .status())
                    .isEqualTo(200);
        }
    }
}
