package dev.usher.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hosts with ingress-nginx's {@code auth-tls-secret} ask for a client certificate in their handshake, naming the CAs;
 * the handshake goes on with or without one (the proxy judges it per request, as nginx does); other hosts never ask.
 * Real handshakes, both engines.
 */
final class ClientCertificateRequestTest {

    private static final TlsCertificate CA =
            CertificateGenerator.authority("Client CA").generate("ns/ca");
    private static final TlsCertificate OTHER_CA =
            CertificateGenerator.authority("Other CA").generate("ns/other-ca");
    private static final TlsCertificate CLIENT =
            CertificateGenerator.client("alice").issuedBy(CA).generate("client");
    private static final TlsCertificate STRANGER =
            CertificateGenerator.client("mallory").issuedBy(OTHER_CA).generate("stranger");
    private static final TlsCertificate SITE = CertificateGenerator.forHosts(
                    "mtls.example", "plain.example", "x.wild.example")
            .generate("ns/site");

    static Stream<SslProvider> providers() {
        return OpenSsl.isAvailable() ? Stream.of(SslProvider.JDK, SslProvider.OPENSSL) : Stream.of(SslProvider.JDK);
    }

    private static CertificateStore store(SslProvider provider) {
        CertificateStore store =
                CertificateStore.create(DefaultCertificate.generate(), Executors.newCachedThreadPool(), provider);
        store.publish(
                Map.of("mtls.example", SITE, "plain.example", SITE),
                store.defaultCertificate(),
                Map.of(
                        "mtls.example",
                        List.of(CA.leaf()),
                        "*.wild.example",
                        List.of(CA.leaf()),
                        "nocert.example",
                        List.of(CA.leaf())));
        return store;
    }

    @ParameterizedTest
    @MethodSource("providers")
    void authHost_asksForACertificate_andTheHandshakeTakesAnyOrNone(SslProvider provider) throws Exception {
        CertificateStore store = store(provider);
        try (SniServer server = SniServer.start(store)) {
            try (JdkTlsClient client = JdkTlsClient.connect(
                    server.port(), "mtls.example", JdkTlsClient.clientCertificateContext(CLIENT))) {
                assertThat(client.echo("hello")).isEqualTo("hello");
                assertThat(client.peerLeaf()).isEqualTo(SITE.leaf());
            }
            try (JdkTlsClient client = JdkTlsClient.connect(
                    server.port(), "mtls.example", JdkTlsClient.clientCertificateContext(STRANGER))) {
                assertThat(client.echo("hello")).isEqualTo("hello");
            }
            try (JdkTlsClient client = JdkTlsClient.connect(server.port(), "mtls.example")) {
                assertThat(client.echo("hello")).isEqualTo("hello");
            }

            assertThat(server.clientCertificates()).containsExactly("CN=alice", "CN=mallory", "none");
            assertThat(server.handshakeFailures()).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void otherHosts_neverAskForACertificate_andKeepTheirCertificate(SslProvider provider) throws Exception {
        CertificateStore store = store(provider);
        try (SniServer server = SniServer.start(store)) {
            try (JdkTlsClient client = JdkTlsClient.connect(
                    server.port(), "plain.example", JdkTlsClient.clientCertificateContext(CLIENT))) {
                assertThat(client.echo("hi")).isEqualTo("hi");
                assertThat(client.peerLeaf()).isEqualTo(SITE.leaf());
            }
            try (JdkTlsClient client =
                    JdkTlsClient.connect(server.port(), null, JdkTlsClient.clientCertificateContext(CLIENT))) {
                assertThat(client.echo("hi")).isEqualTo("hi");
            }

            assertThat(server.clientCertificates()).containsExactly("none", "none");
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void wildcardAndCertificatelessHosts_askToo_withTheCertificateTheyWouldServe(SslProvider provider)
            throws Exception {
        CertificateStore store = store(provider);
        try (SniServer server = SniServer.start(store)) {
            try (JdkTlsClient client = JdkTlsClient.connect(
                    server.port(), "x.wild.example", JdkTlsClient.clientCertificateContext(CLIENT))) {
                assertThat(client.echo("w")).isEqualTo("w");
                assertThat(client.peerLeaf())
                        .isEqualTo(store.defaultCertificate().leaf());
            }
            try (JdkTlsClient client = JdkTlsClient.connect(
                    server.port(), "nocert.example", JdkTlsClient.clientCertificateContext(CLIENT))) {
                assertThat(client.echo("n")).isEqualTo("n");
                assertThat(client.peerLeaf())
                        .isEqualTo(store.defaultCertificate().leaf());
            }

            assertThat(server.clientCertificates()).containsExactly("CN=alice", "CN=alice");
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void clientCertificateAuthorities_followThePublishedHosts(SslProvider provider) {
        CertificateStore store = store(provider);

        assertThat(store.clientCertificateAuthorities("MTLS.example.")).containsExactly(CA.leaf());
        assertThat(store.clientCertificateAuthorities("y.wild.example")).containsExactly(CA.leaf());
        assertThat(store.clientCertificateAuthorities("plain.example")).isEmpty();
        assertThat(store.clientCertificateAuthorities(null)).isEmpty();
        assertThat(store.certificates()).containsOnlyKeys("mtls.example", "plain.example");
        assertThat(store.certificateFor("mtls.example")).isSameAs(SITE);

        store.publish(
                Map.of("mtls.example", SITE), store.defaultCertificate(), Map.<String, List<X509Certificate>>of());
        assertThat(store.clientCertificateAuthorities("mtls.example")).isEmpty();
    }
}
