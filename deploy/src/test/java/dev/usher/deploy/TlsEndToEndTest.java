package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.usher.proxy.echo.EchoServer;
import dev.usher.tls.CertificateGenerator;
import dev.usher.tls.CertificateGenerator.KeyType;
import dev.usher.tls.JdkTlsClient;
import dev.usher.tls.PemCertificates;
import dev.usher.tls.PemCertificates.KeyFormat;
import dev.usher.tls.TlsCertificate;
import io.netty.handler.ssl.OpenSsl;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * TLS termination through the launcher: {@code kubernetes.io/tls} Secrets in a manifests folder, certificates chosen
 * by SNI, routes chosen by Host, the default certificate, rotation, the HTTP to HTTPS redirect and protocol limits.
 * Every check is a real handshake against the assembled {@link Controller}.
 */
final class TlsEndToEndTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String DEFAULT_CN = "CN=Usher Ingress Controller Default Certificate";

    // EC keys are cheap to make; RSA only where the key format is the point.
    private static final TlsCertificate A =
            CertificateGenerator.forHosts("a.example.com").generate("a");
    private static final TlsCertificate B =
            CertificateGenerator.forHosts("b.example.com").generate("b");
    private static final TlsCertificate W =
            CertificateGenerator.forHosts("*.w.example.com").generate("w");

    @TempDir
    Path folder;

    private final List<EchoServer> origins = new ArrayList<>();
    private TlsManifests manifests;
    private Controller controller;

    @BeforeEach
    void startOrigins() throws IOException {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (String name : List.of("alpaca", "bandicoot", "coyote")) {
            EchoServer origin = EchoServer.builder()
                    .name(name)
                    .bindAddress("127.0.0.1")
                    .build()
                    .start();
            origins.add(origin);
            ports.put(name, origin.port());
        }
        manifests = new TlsManifests(folder).services(ports);
    }

    @AfterEach
    void stop() {
        if (controller != null) {
            controller.close();
        }
        origins.forEach(EchoServer::close);
    }

    private void startUsher() throws IOException {
        controller = TlsManifests.startUsher(folder);
    }

    /** a.example.com, b.example.com and *.w.example.com, each with its own Secret and origin. */
    private void startUsherWithThreeSites() throws IOException {
        manifests
                .secret("a-tls", A, KeyFormat.PKCS8)
                .secret("b-tls", B, KeyFormat.PKCS8)
                .secret("w-tls", W, KeyFormat.PKCS8)
                .ingress(
                        "sites",
                        null,
                        Map.of("a.example.com", "a-tls", "b.example.com", "b-tls", "*.w.example.com", "w-tls"),
                        Map.of("a.example.com", "alpaca", "b.example.com", "bandicoot", "*.w.example.com", "coyote"));
        startUsher();
    }

    private X509Certificate leafFor(String sni) throws Exception {
        try (JdkTlsClient connection = JdkTlsClient.connect(controller.httpsPort(), sni)) {
            return connection.peerLeaf();
        }
    }

    private static JsonNode echo(RawHttp.Response response) {
        assertThat(response.status()).as(response.head()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static String forwardedProto(JsonNode echo) {
        return echo.get("headers").get("x-forwarded-proto").get(0).asString();
    }

    private static String header(RawHttp.Response response, String name) {
        String prefix = name.toLowerCase(Locale.ROOT) + ":";
        return response.head()
                .lines()
                .filter(line -> line.toLowerCase(Locale.ROOT).startsWith(prefix))
                .map(line -> line.substring(prefix.length()).trim())
                .findFirst()
                .orElse(null);
    }

    @Test
    void sni_choosesTheExactHostsCertificate_thenTheOneLabelWildcard() throws Exception {
        startUsherWithThreeSites();

        assertThat(leafFor("a.example.com")).isEqualTo(A.leaf());
        assertThat(leafFor("B.Example.COM")).isEqualTo(B.leaf());
        assertThat(leafFor("x.w.example.com")).isEqualTo(W.leaf());
    }

    @Test
    void unknownSni_noSni_andNamesTheWildcardDoesNotCover_getTheDefaultCertificate() throws Exception {
        startUsherWithThreeSites();

        for (String sni : new String[] {"nobody.example.com", null, "w.example.com", "y.x.w.example.com"}) {
            assertThat(leafFor(sni).getSubjectX500Principal().getName())
                    .as("SNI %s", sni)
                    .isEqualTo(DEFAULT_CN);
        }
    }

    @Test
    void hostHeader_notSni_picksTheRoute() throws Exception {
        startUsherWithThreeSites();

        try (JdkTlsClient connection = JdkTlsClient.connect(controller.httpsPort(), "a.example.com")) {
            assertThat(connection.peerLeaf()).isEqualTo(A.leaf());
            assertThat(echo(get(connection, "b.example.com", "/"))
                            .get("service")
                            .asString())
                    .isEqualTo("bandicoot");
            assertThat(echo(get(connection, "x.w.example.com", "/"))
                            .get("service")
                            .asString())
                    .isEqualTo("coyote");
            assertThat(echo(get(connection, "a.example.com", "/"))
                            .get("service")
                            .asString())
                    .isEqualTo("alpaca");
        }
        try (JdkTlsClient noSni = JdkTlsClient.connect(controller.httpsPort(), null)) {
            assertThat(echo(get(noSni, "a.example.com", "/")).get("service").asString())
                    .isEqualTo("alpaca");
        }
    }

    @Test
    void rsaKeysInPkcs1AndPkcs8_andEcKeysInSec1AndPkcs8_areAllServed() throws Exception {
        record Case(String host, KeyType type, KeyFormat format, String pemHeader, TlsCertificate certificate) {
            Case(String host, KeyType type, KeyFormat format, String pemHeader) {
                this(
                        host,
                        type,
                        format,
                        pemHeader,
                        CertificateGenerator.forHosts(host).keyType(type).generate(host));
            }
        }
        List<Case> cases = List.of(
                new Case("pkcs1.example.com", KeyType.RSA_2048, KeyFormat.TRADITIONAL, "BEGIN RSA PRIVATE KEY"),
                new Case("rsa-pkcs8.example.com", KeyType.RSA_2048, KeyFormat.PKCS8, "BEGIN PRIVATE KEY"),
                new Case("sec1.example.com", KeyType.EC_P256, KeyFormat.TRADITIONAL, "BEGIN EC PRIVATE KEY"),
                new Case("ec-pkcs8.example.com", KeyType.EC_P256, KeyFormat.PKCS8, "BEGIN PRIVATE KEY"));
        Map<String, String> secrets = new LinkedHashMap<>();
        Map<String, String> services = new LinkedHashMap<>();
        for (Case c : cases) {
            byte[] key = PemCertificates.privateKeyPem(c.certificate().key(), c.format());
            assertThat(new String(key, StandardCharsets.US_ASCII)).contains(c.pemHeader());
            manifests.secret(
                    c.host(), PemCertificates.certificatesPem(c.certificate().chain()), key);
            secrets.put(c.host(), c.host());
            services.put(c.host(), "alpaca");
        }
        manifests.ingress("formats", null, secrets, services);
        startUsher();

        for (Case c : cases) {
            assertThat(leafFor(c.host())).as(c.host()).isEqualTo(c.certificate().leaf());
        }
        assertThat(debugRoutes().get("problems").toString()).isEqualTo("[]");
    }

    @Test
    void aChain_isServedLeafFirstInTheSecretsOrder() throws Exception {
        TlsCertificate root = CertificateGenerator.authority("Usher Test Root").generate("root");
        TlsCertificate intermediate = CertificateGenerator.authority("Usher Test Intermediate")
                .issuedBy(root)
                .generate("intermediate");
        TlsCertificate leaf = CertificateGenerator.forHosts("chain.example.com")
                .issuedBy(intermediate)
                .generate("chain");
        manifests
                .secret("chain-tls", leaf, KeyFormat.TRADITIONAL)
                .ingress(
                        "chain", null, Map.of("chain.example.com", "chain-tls"), Map.of("chain.example.com", "alpaca"));
        startUsher();

        try (JdkTlsClient connection = JdkTlsClient.connect(controller.httpsPort(), "chain.example.com")) {
            assertThat(connection.peerChain()).containsExactly(leaf.leaf(), intermediate.leaf(), root.leaf());
        }
    }

    @Test
    void mismatchedKey_isReported_itsHostGetsTheDefault_andOtherHostsAreUnaffected() throws Exception {
        TlsCertificate bad = CertificateGenerator.forHosts("bad.example.com").generate("bad");
        TlsCertificate stranger =
                CertificateGenerator.forHosts("bad.example.com").generate("stranger");
        manifests
                .secret("a-tls", A, KeyFormat.PKCS8)
                .secret(
                        "bad-tls",
                        PemCertificates.certificatesPem(bad.chain()),
                        PemCertificates.privateKeyPem(stranger.key(), KeyFormat.PKCS8))
                .ingress(
                        "mixed",
                        null,
                        Map.of("a.example.com", "a-tls", "bad.example.com", "bad-tls"),
                        Map.of("a.example.com", "alpaca", "bad.example.com", "bandicoot"));
        startUsher();

        assertThat(debugRoutes().get("problems").toString())
                .contains("bad-tls", "does not match", "bad.example.com get the default certificate");
        assertThat(leafFor("bad.example.com").getSubjectX500Principal().getName())
                .isEqualTo(DEFAULT_CN);
        assertThat(leafFor("a.example.com")).isEqualTo(A.leaf());
        try (JdkTlsClient connection = JdkTlsClient.connect(controller.httpsPort(), "bad.example.com")) {
            assertThat(echo(get(connection, "bad.example.com", "/"))
                            .get("service")
                            .asString())
                    .isEqualTo("bandicoot");
        }
        assertThat(RawHttp.get(controller.httpPort(), "bad.example.com", "/").status())
                .as("still a TLS host: plain HTTP is redirected")
                .isEqualTo(308);
    }

    @Test
    void secretInAnotherNamespace_isNotUsed_andIsReportedAsMissing() throws Exception {
        TlsCertificate elsewhere =
                CertificateGenerator.forHosts("c.example.com").generate("elsewhere");
        manifests
                .secret(
                        "team-b",
                        "c-tls",
                        PemCertificates.certificatesPem(elsewhere.chain()),
                        PemCertificates.privateKeyPem(elsewhere.key(), KeyFormat.PKCS8))
                .ingress("borrower", null, Map.of("c.example.com", "c-tls"), Map.of("c.example.com", "coyote"));
        startUsher();

        assertThat(debugRoutes().get("problems").toString()).contains("default/c-tls not found");
        assertThat(leafFor("c.example.com").getSubjectX500Principal().getName()).isEqualTo(DEFAULT_CN);
    }

    @Test
    void rotatedSecret_servesNewHandshakesTheNewCertificate_whileAnOpenConnectionKeepsWorking() throws Exception {
        startUsherWithThreeSites();
        TlsCertificate rotated = CertificateGenerator.forHosts("a.example.com").generate("a2");

        try (JdkTlsClient open = JdkTlsClient.connect(controller.httpsPort(), "a.example.com")) {
            assertThat(echo(get(open, "a.example.com", "/")).get("service").asString())
                    .isEqualTo("alpaca");

            manifests.secret("a-tls", rotated, KeyFormat.TRADITIONAL);
            X509Certificate served = await().atMost(PATIENCE)
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> leafFor("a.example.com"), rotated.leaf()::equals);

            assertThat(served).isEqualTo(rotated.leaf());
            assertThat(echo(get(open, "a.example.com", "/again")).get("service").asString())
                    .isEqualTo("alpaca");
            assertThat(open.peerLeaf()).isEqualTo(A.leaf());
            assertThat(leafFor("b.example.com")).isEqualTo(B.leaf());
        }
    }

    @Test
    void plainHttp_toATlsHost_isRedirected308ToHttps_namingTheHttpsPortOnlyWhenTheClientNamedAPort() throws Exception {
        startUsherWithThreeSites();
        int http = controller.httpPort();
        int https = controller.httpsPort();

        RawHttp.Response viaStandardPorts = RawHttp.get(http, "a.example.com", "/p/q?x=1&y=%2F");
        RawHttp.Response direct = RawHttp.get(http, "a.example.com:" + http, "/p/q?x=1&y=%2F");

        assertThat(viaStandardPorts.status()).isEqualTo(308);
        assertThat(header(viaStandardPorts, "Location")).isEqualTo("https://a.example.com/p/q?x=1&y=%2F");
        assertThat(direct.status()).isEqualTo(308);
        assertThat(header(direct, "Location")).isEqualTo("https://a.example.com:" + https + "/p/q?x=1&y=%2F");
        try (JdkTlsClient followed = JdkTlsClient.connect(https, "a.example.com")) {
            JsonNode answer = echo(get(followed, "a.example.com:" + https, "/p/q?x=1&y=%2F"));
            assertThat(answer.get("service").asString()).isEqualTo("alpaca");
            assertThat(answer.get("uri").asString()).isEqualTo("/p/q?x=1&y=%2F");
            assertThat(forwardedProto(answer)).isEqualTo("https");
        }
    }

    @Test
    void sslRedirectFalse_servesTheTlsHostOverPlainHttpToo_andOnlyHttpsSaysHttps() throws Exception {
        TlsCertificate open = CertificateGenerator.forHosts("open.example.com").generate("open");
        manifests
                .secret("open-tls", open, KeyFormat.PKCS8)
                .ingress("open", "false", Map.of("open.example.com", "open-tls"), Map.of("open.example.com", "coyote"))
                .ingress("plain", null, Map.of(), Map.of("plain.example.com", "bandicoot"));
        startUsher();

        JsonNode overHttp = echo(RawHttp.get(controller.httpPort(), "open.example.com", "/x"));
        JsonNode overHttps = echo(RawHttp.getTls(controller.httpsPort(), "open.example.com", "/x"));
        JsonNode withoutTls = echo(RawHttp.get(controller.httpPort(), "plain.example.com", "/x"));

        assertThat(overHttp.get("service").asString()).isEqualTo("coyote");
        assertThat(forwardedProto(overHttp)).isEqualTo("http");
        assertThat(overHttps.get("service").asString()).isEqualTo("coyote");
        assertThat(forwardedProto(overHttps)).isEqualTo("https");
        assertThat(withoutTls.get("service").asString()).isEqualTo("bandicoot");
        assertThat(leafFor("open.example.com")).isEqualTo(open.leaf());
    }

    @Test
    void tls11_isRefusedByTheServer_whileTls12AndTls13AreAccepted() throws Exception {
        assumeTrue(OpenSsl.isAvailable(), "the JDK client will not even offer TLS 1.1; BoringSSL's will");
        startUsherWithThreeSites();
        int https = controller.httpsPort();

        assertThat(LegacyTlsHandshake.attempt(https, "a.example.com", "TLSv1.1"))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageContaining("PROTOCOL_VERSION");
        assertThat(LegacyTlsHandshake.attempt(https, "a.example.com", "TLSv1.2"))
                .isNull();
        try (JdkTlsClient modern = JdkTlsClient.connect(https, "a.example.com")) {
            assertThat(modern.protocol()).isEqualTo("TLSv1.3");
        }
    }

    @Test
    void alpn_answersH2_toAClientOfferingH2First() throws Exception {
        startUsherWithThreeSites();

        try (JdkTlsClient connection =
                JdkTlsClient.connect(controller.httpsPort(), "a.example.com", "h2", "http/1.1")) {
            assertThat(connection.applicationProtocol()).isEqualTo("h2");
        }
    }

    @Test
    void alpn_answersHttp11_toAClientOfferingOnlyHttp11() throws Exception {
        startUsherWithThreeSites();

        try (JdkTlsClient connection = JdkTlsClient.connect(controller.httpsPort(), "a.example.com", "http/1.1")) {
            assertThat(connection.applicationProtocol()).isEqualTo("http/1.1");
            assertThat(echo(get(connection, "a.example.com", "/"))
                            .get("protocol")
                            .asString())
                    .isEqualTo("HTTP/1.1");
        }
    }

    /** One keep-alive GET over the TLS connection, with any Host header; its response framed by Content-Length. */
    private static RawHttp.Response get(JdkTlsClient connection, String host, String target) throws IOException {
        return KeepAliveClient.get(connection.out(), connection.in(), host, target);
    }

    private JsonNode debugRoutes() throws IOException {
        try (KeepAliveClient admin = new KeepAliveClient(controller.adminPort())) {
            return JSON.readTree(admin.get("localhost", "/debug/routes").body());
        }
    }
}
