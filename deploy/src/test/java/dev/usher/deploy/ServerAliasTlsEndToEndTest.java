package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.tls.CertificateGenerator;
import dev.usher.tls.JdkTlsClient;
import dev.usher.tls.TlsCertificate;
import java.io.IOException;
import java.nio.file.Path;
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

    private TlsManifests.AlpacaBehindUsher usher;

    @BeforeEach
    void start() throws IOException {
        usher = TlsManifests.AlpacaBehindUsher.start(folder, "shop-tls", SHOP, """
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
                """);
    }

    @AfterEach
    void stop() {
        if (usher != null) {
            usher.close();
        }
    }

    @Test
    void anAliasTheCertificateNames_getsIt_andOneItDoesNot_getsTheDefault() throws Exception {
        try (JdkTlsClient www = JdkTlsClient.connect(usher.httpsPort(), "www.shop.example.com")) {
            assertThat(www.peerLeaf()).isEqualTo(SHOP.leaf());
            RawHttp.Response response = KeepAliveClient.get(www.out(), www.in(), "www.shop.example.com", "/");
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).contains("\"name\":\"alpaca\"");
        }
        try (JdkTlsClient net = JdkTlsClient.connect(usher.httpsPort(), "shop.example.net")) {
            assertThat(net.peerLeaf().getSubjectX500Principal().getName()).isEqualTo(DEFAULT_CN);
            assertThat(KeepAliveClient.get(net.out(), net.in(), "shop.example.net", "/")
                            .status())
                    .isEqualTo(200);
        }
    }
}
