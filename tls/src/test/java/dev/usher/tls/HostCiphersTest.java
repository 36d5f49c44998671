package dev.usher.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ingress-nginx's {@code ssl-ciphers} per host on real TLS 1.2 handshakes, both engines: the host's list is what is
 * negotiated (in the server's order), a cipher outside it fails the handshake while other hosts keep the default list,
 * and TLS 1.3 is untouched.
 */
final class HostCiphersTest {

    private static final String AES256 = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
    private static final String AES128 = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    private static final String CHACHA = "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256";
    private static final TlsCertificate SITE = CertificateGenerator.forHosts("strict.example", "plain.example")
            .generate("ns/site"); // EC P-256: the ECDSA suites

    static Stream<SslProvider> providers() {
        return OpenSsl.isAvailable() ? Stream.of(SslProvider.JDK, SslProvider.OPENSSL) : Stream.of(SslProvider.JDK);
    }

    private static CertificateStore store(SslProvider provider) {
        CertificateStore store =
                CertificateStore.create(DefaultCertificate.generate(), Executors.newCachedThreadPool(), provider);
        store.publish(
                Map.of("strict.example", SITE, "plain.example", SITE),
                store.defaultCertificate(),
                Map.of(),
                Map.of("strict.example", List.of(AES256, AES128), "*.wild.example", List.of(AES128)));
        return store;
    }

    /** The cipher suite a TLS 1.2 handshake offering {@code offered} (in that order) to {@code sni} negotiates. */
    private static String negotiated(int port, String sni, String protocol, String... offered) throws Exception {
        try (SSLSocket socket =
                (SSLSocket) JdkTlsClient.trustAllContext().getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(sni)));
            parameters.setProtocols(new String[] {protocol});
            if (offered.length > 0) {
                parameters.setCipherSuites(offered);
            }
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return socket.getSession().getCipherSuite();
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void theHostsListIsNegotiated_inTheServersOrder(SslProvider provider) throws Exception {
        try (SniServer server = SniServer.start(store(provider))) {
            assertThat(negotiated(server.port(), "strict.example", "TLSv1.2", AES128, AES256))
                    .as("the server's preference, as nginx's ssl_prefer_server_ciphers on")
                    .isEqualTo(AES256);
            assertThat(negotiated(server.port(), "strict.example", "TLSv1.2", AES128))
                    .isEqualTo(AES128);
            assertThat(negotiated(server.port(), "x.wild.example", "TLSv1.2", CHACHA, AES128))
                    .as("a wildcard host's list")
                    .isEqualTo(AES128);
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void aCipherOutsideTheHostsList_failsItsHandshake_otherHostsKeepTheDefault(SslProvider provider) throws Exception {
        try (SniServer server = SniServer.start(store(provider))) {
            assertThatThrownBy(() -> negotiated(server.port(), "strict.example", "TLSv1.2", CHACHA))
                    .isInstanceOf(IOException.class);
            assertThat(negotiated(server.port(), "plain.example", "TLSv1.2", CHACHA))
                    .isEqualTo(CHACHA);
            assertThat(negotiated(server.port(), "unknown.example", "TLSv1.2", CHACHA))
                    .isEqualTo(CHACHA);
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void tls13IsUntouched(SslProvider provider) throws Exception {
        try (SniServer server = SniServer.start(store(provider))) {
            assertThat(negotiated(server.port(), "strict.example", "TLSv1.3")).startsWith("TLS_A");
        }
    }
}
