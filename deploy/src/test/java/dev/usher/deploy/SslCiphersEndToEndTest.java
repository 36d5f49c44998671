package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usher.tls.CertificateGenerator;
import dev.usher.tls.JdkTlsClient;
import dev.usher.tls.TlsCertificate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ingress-nginx's {@code ssl-ciphers} through the launcher (manifests, translator, publisher, certificate store) on
 * real TLS 1.2 handshakes: the Ingress's host negotiates from its list in the server's order and refuses a cipher
 * outside it, while another host of the same certificate keeps the default list.
 */
final class SslCiphersEndToEndTest {

    private static final String AES256 = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
    private static final String AES128 = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    private static final String CHACHA = "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256";
    private static final TlsCertificate SITE = CertificateGenerator.forHosts("strict.example.com", "plain.example.com")
            .generate("site");

    @TempDir
    Path folder;

    private TlsManifests.AlpacaBehindUsher usher;

    @BeforeEach
    void start() throws IOException {
        usher = TlsManifests.AlpacaBehindUsher.start(folder, "site-tls", SITE, """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: strict
                  annotations:
                    nginx.ingress.kubernetes.io/ssl-ciphers: "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256"
                spec:
                  tls:
                  - {hosts: [strict.example.com], secretName: site-tls}
                  rules:
                  - host: strict.example.com
                    http:
                      paths:
                      - {path: /, pathType: Prefix, backend: {service: {name: alpaca, port: {number: 8080}}}}
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: plain
                spec:
                  tls:
                  - {hosts: [plain.example.com], secretName: site-tls}
                  rules:
                  - host: plain.example.com
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

    /** A TLS 1.2 handshake to {@code sni} offering {@code offered} in that order, then a GET: cipher and status line. */
    private String exchange(String sni, String... offered) throws Exception {
        try (SSLSocket socket = (SSLSocket)
                JdkTlsClient.trustAllContext().getSocketFactory().createSocket("127.0.0.1", usher.httpsPort())) {
            socket.setSoTimeout(10_000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(sni)));
            parameters.setProtocols(new String[] {"TLSv1.2"});
            parameters.setCipherSuites(offered);
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            socket.getOutputStream()
                    .write(("GET / HTTP/1.1\r\nHost: " + sni + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String head = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            return socket.getSession().getCipherSuite() + " " + head;
        }
    }

    @Test
    void theIngressesHost_negotiatesFromItsList_anotherHostKeepsTheDefault() throws Exception {
        assertThat(exchange("strict.example.com", AES128, AES256)).isEqualTo(AES256 + " HTTP/1.1 200");
        assertThatThrownBy(() -> exchange("strict.example.com", CHACHA)).isInstanceOf(IOException.class);
        assertThat(exchange("plain.example.com", CHACHA)).isEqualTo(CHACHA + " HTTP/1.1 200");
    }
}
