package dev.usher.tls;

import static dev.usher.tls.CertificateGenerator.KeyType.EC_P256;
import static dev.usher.tls.CertificateGenerator.KeyType.RSA_2048;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Real handshakes from the JDK client against {@code SniHandler(store)}, with each server TLS engine. */
final class TlsHandshakeTest {

    private static final TlsCertificate DEFAULT = DefaultCertificate.generate();
    private static final TlsCertificate A =
            CertificateGenerator.forHosts("a.example.com").keyType(RSA_2048).generate("ns/a");
    private static final TlsCertificate B =
            CertificateGenerator.forHosts("b.example.com").keyType(EC_P256).generate("ns/b");
    private static final TlsCertificate WILD =
            CertificateGenerator.forHosts("*.w.example.com").generate("ns/w");

    private final ExecutorService builders = Executors.newSingleThreadExecutor();
    private SniServer server;

    static Stream<SslProvider> providers() {
        return OpenSsl.isAvailable() ? Stream.of(SslProvider.OPENSSL, SslProvider.JDK) : Stream.of(SslProvider.JDK);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null) {
            server.close();
        }
        builders.shutdownNow();
        assertThat(builders.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    private CertificateStore serve(SslProvider provider, Map<String, TlsCertificate> byHost) throws Exception {
        CertificateStore store = CertificateStore.create(DEFAULT, builders, provider);
        store.publish(byHost);
        server = SniServer.start(store);
        return store;
    }

    private X509Certificate presentedTo(String sni) throws Exception {
        try (JdkTlsClient client = JdkTlsClient.connect(server.port(), sni)) {
            assertThat(client.echo("hello")).isEqualTo("hello");
            return client.peerLeaf();
        }
    }

    static Stream<Arguments> sniCases() {
        return providers()
                .flatMap(provider -> Stream.of(
                        Arguments.of(provider, "a.example.com", A),
                        Arguments.of(provider, "B.Example.COM", B),
                        Arguments.of(provider, "x.w.example.com", WILD),
                        Arguments.of(provider, "y.x.w.example.com", DEFAULT),
                        Arguments.of(provider, "w.example.com", DEFAULT),
                        Arguments.of(provider, "unknown.example.org", DEFAULT),
                        Arguments.of(provider, null, DEFAULT)));
    }

    @ParameterizedTest(name = "{0}: SNI {1}")
    @MethodSource("sniCases")
    void handshake_sniHostName_presentsTheCertificateOfThatHostElseTheDefault(
            SslProvider provider, String sni, TlsCertificate expected) throws Exception {
        serve(provider, Map.of("a.example.com", A, "b.example.com", B, "*.w.example.com", WILD));

        assertThat(presentedTo(sni)).isEqualTo(expected.leaf());
    }

    static Stream<Arguments> keyEncodings() {
        return providers()
                .flatMap(provider -> Stream.of(
                        Arguments.of(provider, RSA_2048, PemCertificates.KeyFormat.TRADITIONAL, "RSA PRIVATE KEY"),
                        Arguments.of(provider, RSA_2048, PemCertificates.KeyFormat.PKCS8, "PRIVATE KEY"),
                        Arguments.of(provider, EC_P256, PemCertificates.KeyFormat.TRADITIONAL, "EC PRIVATE KEY"),
                        Arguments.of(provider, EC_P256, PemCertificates.KeyFormat.PKCS8, "PRIVATE KEY")));
    }

    @ParameterizedTest(name = "{0}: {1} as {3}")
    @MethodSource("keyEncodings")
    void handshake_certificateParsedFromEachKeyEncoding_isServed(
            SslProvider provider, CertificateGenerator.KeyType type, PemCertificates.KeyFormat format, String pemType)
            throws Exception {
        TlsCertificate generated =
                CertificateGenerator.forHosts("pem.example.com").keyType(type).generate("gen");
        byte[] keyPem = PemCertificates.privateKeyPem(generated.key(), format);
        assertThat(new String(keyPem, java.nio.charset.StandardCharsets.US_ASCII))
                .startsWith("-----BEGIN " + pemType + "-----");
        TlsCertificate parsed =
                PemCertificates.parse("ns/pem", PemCertificates.certificatesPem(generated.chain()), keyPem);
        serve(provider, Map.of("pem.example.com", parsed));

        assertThat(presentedTo("pem.example.com")).isEqualTo(generated.leaf());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void handshake_chainOfThree_isServedLeafFirst(SslProvider provider) throws Exception {
        TlsCertificate root =
                CertificateGenerator.authority("Test Root").keyType(RSA_2048).generate("root");
        TlsCertificate intermediate = CertificateGenerator.authority("Test Intermediate")
                .issuedBy(root)
                .generate("intermediate");
        TlsCertificate leaf = CertificateGenerator.forHosts("chain.example.com")
                .issuedBy(intermediate)
                .generate("leaf");
        TlsCertificate parsed = PemCertificates.parse(
                "ns/chain",
                PemCertificates.certificatesPem(leaf.chain()),
                PemCertificates.privateKeyPem(leaf.key(), PemCertificates.KeyFormat.PKCS8));
        serve(provider, Map.of("chain.example.com", parsed));

        try (JdkTlsClient client = JdkTlsClient.connect(server.port(), "chain.example.com")) {
            assertThat(client.peerChain()).containsExactly(leaf.leaf(), intermediate.leaf(), root.leaf());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void publish_rotatedCertificate_newHandshakeSeesItWhileOpenConnectionKeepsWorking(SslProvider provider)
            throws Exception {
        CertificateStore store = serve(provider, Map.of("a.example.com", A));
        TlsCertificate rotated =
                CertificateGenerator.forHosts("a.example.com").keyType(RSA_2048).generate("ns/a");

        try (JdkTlsClient open = JdkTlsClient.connect(server.port(), "a.example.com")) {
            assertThat(open.peerLeaf()).isEqualTo(A.leaf());
            assertThat(open.echo("before")).isEqualTo("before");

            store.publish(Map.of("a.example.com", rotated));

            assertThat(presentedTo("a.example.com")).isEqualTo(rotated.leaf());
            assertThat(open.echo("after the rotation")).isEqualTo("after the rotation");
            assertThat(open.peerLeaf()).isEqualTo(A.leaf());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void handshake_clientOfferingH2AndHttp11_negotiatesH2OverTls13(SslProvider provider) throws Exception {
        serve(provider, Map.of("a.example.com", A));

        try (JdkTlsClient client = JdkTlsClient.connect(server.port(), "a.example.com", "h2", "http/1.1")) {
            assertThat(client.applicationProtocol()).isEqualTo("h2");
            assertThat(client.protocol()).isEqualTo("TLSv1.3");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void handshake_clientOfferingOnlyHttp11_negotiatesHttp11(SslProvider provider) throws Exception {
        serve(provider, Map.of("a.example.com", A));

        try (JdkTlsClient client = JdkTlsClient.connect(server.port(), "a.example.com", "http/1.1")) {
            assertThat(client.applicationProtocol()).isEqualTo("http/1.1");
            assertThat(client.echo("ping")).isEqualTo("ping");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void handshake_tls12Client_isAccepted(SslProvider provider) throws Exception {
        serve(provider, Map.of("a.example.com", A));

        try (NettyTlsClient client = NettyTlsClient.connect(server.port(), "a.example.com", "TLSv1.2")) {
            assertThat(client.handshake()).isNull();
            assertThat(client.protocol()).isEqualTo("TLSv1.2");
            assertThat(client.cipherSuite()).matches("TLS_ECDHE_(RSA|ECDSA)_WITH_(AES_\\d+_GCM_SHA\\d+|CHACHA20.*)");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providers")
    void handshake_tls11Client_isRefusedByTheServer(SslProvider provider) throws Exception {
        assumeTrue(OpenSsl.isAvailable(), "the JDK client will not even offer TLS 1.1; BoringSSL's will");
        serve(provider, Map.of("a.example.com", A));

        try (NettyTlsClient client = NettyTlsClient.connect(server.port(), "a.example.com", "TLSv1.1")) {
            assertThat(client.handshake())
                    .isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("PROTOCOL_VERSION");
        }
        await("the server, not the client, refused the hello")
                .atMost(Duration.ofSeconds(20))
                .until(() -> !server.handshakeFailures().isEmpty());
    }
}
