package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.routing.BackendProtocol;
import dev.usher.routing.BackendRef;
import dev.usher.routing.OriginTls;
import dev.usher.routing.PortRef;
import dev.usher.routing.Upstream;
import dev.usher.tls.CertificateGenerator;
import dev.usher.tls.TlsCertificate;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ingress-nginx's {@code proxy-ssl-protocols}, {@code proxy-ssl-ciphers} and {@code proxy-ssl-verify-depth} on real
 * handshakes: an origin offering one protocol and one cipher is reached only when the route offers them too (502
 * otherwise, the origin seeing no request), and a chain is accepted only within the depth.
 */
final class OriginTlsOptionsTest {

    private static final BackendRef NARROW = new BackendRef("default", "narrow", PortRef.number(443));
    private static final BackendRef ONE_STEP = new BackendRef("default", "one-step", PortRef.number(443));
    private static final BackendRef TWO_STEPS = new BackendRef("default", "two-steps", PortRef.number(443));
    private static final String ONLY_CIPHER = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    private static final String NAME = "app.default.svc";

    private static TlsOrigin narrow;
    private static TlsOrigin oneStep;
    private static TlsOrigin twoSteps;
    private static ProxyServer proxy;
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @BeforeAll
    static void start() throws Exception {
        TlsCertificate root = CertificateGenerator.authority("Depth Root").generate("root");
        TlsCertificate first =
                CertificateGenerator.authority("Intermediate 1").issuedBy(root).generate("i1");
        TlsCertificate second =
                CertificateGenerator.authority("Intermediate 2").issuedBy(first).generate("i2");
        narrow = new TlsOrigin(
                CertificateGenerator.forHosts(NAME).generate("narrow"), new String[] {"TLSv1.2"}, List.of(ONLY_CIPHER));
        oneStep = new TlsOrigin(
                CertificateGenerator.forHosts(NAME).issuedBy(first).generate("one-step"));
        twoSteps = new TlsOrigin(
                CertificateGenerator.forHosts(NAME).issuedBy(second).generate("two-steps"));
        OriginTls insecure = OriginTls.INSECURE;
        OriginTls trustRoot = new OriginTls(true, List.of(root.leaf()), root.id(), NAME);
        proxy = new UpstreamRoutes()
                .endpoint(NARROW, narrow.port())
                .endpoint(ONE_STEP, oneStep.port())
                .endpoint(TWO_STEPS, twoSteps.port())
                .route("tls12.test", NARROW, https(insecure.with(List.of("TLSv1.2"), List.of(), 0)))
                .route("tls13.test", NARROW, https(insecure.with(List.of("TLSv1.3"), List.of(), 0)))
                .route("defaults.test", NARROW, https(insecure))
                .route("same-cipher.test", NARROW, https(insecure.with(List.of(), List.of(ONLY_CIPHER), 0)))
                .route(
                        "other-cipher.test",
                        NARROW,
                        https(insecure.with(List.of(), List.of("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"), 0)))
                .route(
                        "other-cipher-tls13.test",
                        NARROW,
                        https(insecure.with(
                                List.of("TLSv1.3", "TLSv1.2"), List.of("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"), 0)))
                .route("one-step-depth1.test", ONE_STEP, https(trustRoot.with(List.of(), List.of(), 1)))
                .route("two-steps-depth1.test", TWO_STEPS, https(trustRoot.with(List.of(), List.of(), 1)))
                .route("two-steps-depth2.test", TWO_STEPS, https(trustRoot.with(List.of(), List.of(), 2)))
                .route("two-steps-nolimit.test", TWO_STEPS, https(trustRoot))
                .route(
                        "two-steps-depth2-wrong-name.test",
                        TWO_STEPS,
                        https(new OriginTls(true, List.of(root.leaf()), root.id(), "other.default.svc")
                                .with(List.of(), List.of(), 2)))
                .start();
    }

    @AfterAll
    static void stop() {
        proxy.close();
        narrow.close();
        oneStep.close();
        twoSteps.close();
    }

    private static Upstream https(OriginTls tls) {
        return Upstream.of(BackendProtocol.HTTPS, tls);
    }

    private static HttpResponse<String> get(String host) throws Exception {
        return CLIENT.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpPort() + "/x"))
                        .header("Host", host)
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void reaches(String host, TlsOrigin origin) throws Exception {
        int before = origin.requests.get();
        HttpResponse<String> response = get(host);
        assertThat(response.statusCode()).as(host).isEqualTo(200);
        assertThat(response.body()).isEqualTo("tls /x");
        assertThat(origin.requests.get()).isEqualTo(before + 1);
    }

    private static void refused(String host, TlsOrigin origin) throws Exception {
        int before = origin.requests.get();
        HttpResponse<String> response = get(host);
        assertThat(response.statusCode()).as(host).isEqualTo(502);
        assertThat(origin.requests.get()).as("the origin saw no request").isEqualTo(before);
    }

    @Test
    void protocols_aTls12OnlyOriginIsReachedWithTls12_notWithTls13Only() throws Exception {
        narrow.handshakes.clear();
        reaches("tls12.test", narrow);
        assertThat(narrow.handshakes).containsExactly("TLSv1.2 " + ONLY_CIPHER);
        reaches("defaults.test", narrow);
        refused("tls13.test", narrow);
    }

    @Test
    void ciphers_theOriginsOnlyCipherIsNegotiated_anotherFailsTheHandshake() throws Exception {
        narrow.handshakes.clear();
        reaches("same-cipher.test", narrow);
        assertThat(narrow.handshakes).containsExactly("TLSv1.2 " + ONLY_CIPHER);
        refused("other-cipher.test", narrow);
        refused("other-cipher-tls13.test", narrow); // TLS 1.3 suites are offered too, but the origin speaks 1.2 only
    }

    @Test
    void ciphers_leaveTls13AsItIs() throws Exception {
        oneStep.handshakes.clear();
        try (TlsOrigin tls13 =
                new TlsOrigin(CertificateGenerator.forHosts(NAME).generate("tls13"), new String[] {"TLSv1.3"}, null)) {
            BackendRef backend = new BackendRef("default", "tls13", PortRef.number(443));
            try (ProxyServer own = new UpstreamRoutes()
                    .endpoint(backend, tls13.port())
                    .route(
                            "t.test",
                            backend,
                            https(OriginTls.INSECURE.with(
                                    List.of(), List.of("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"), 0)))
                    .start()) {
                HttpResponse<String> response = CLIENT.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + own.httpPort() + "/x"))
                                .header("Host", "t.test")
                                .timeout(Duration.ofSeconds(20))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(tls13.handshakes).singleElement().asString().startsWith("TLSv1.3 TLS_");
            }
        }
    }

    @Test
    void verifyDepth_countsIntermediatesBetweenTheOriginAndATrustedCa() throws Exception {
        reaches("one-step-depth1.test", oneStep);
        refused("two-steps-depth1.test", twoSteps);
        reaches("two-steps-depth2.test", twoSteps);
        reaches("two-steps-nolimit.test", twoSteps);
        refused("two-steps-depth2-wrong-name.test", twoSteps); // the name is still checked with a depth
    }
}
