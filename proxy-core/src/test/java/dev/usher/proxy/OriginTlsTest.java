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
 * HTTPS origins through the proxy on real sockets and real handshakes: unverified (ingress-nginx's default), verified
 * against the right CA and name, and refused with the wrong CA or name (502, the origin sees no request) or an
 * unusable CA Secret (503, no connection at all).
 */
final class OriginTlsTest {

    private static final BackendRef APP = new BackendRef("default", "app", PortRef.number(443));
    private static final String NAME = "app.default.svc";

    private static TlsCertificate ca;
    private static TlsCertificate otherCa;
    private static TlsOrigin origin;
    private static ProxyServer proxy;
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    @BeforeAll
    static void start() throws Exception {
        ca = CertificateGenerator.authority("Origin Test CA").generate("ca");
        otherCa = CertificateGenerator.authority("Someone Else's CA").generate("other-ca");
        origin = new TlsOrigin(CertificateGenerator.forHosts(NAME).issuedBy(ca).generate("default/app-tls"));
        proxy = new UpstreamRoutes()
                .endpoint(APP, origin.port())
                .route("insecure.test", APP, Upstream.of(BackendProtocol.HTTPS, OriginTls.INSECURE))
                .route("verified.test", APP, Upstream.of(BackendProtocol.HTTPS, verifying(ca, NAME)))
                .route("wrong-ca.test", APP, Upstream.of(BackendProtocol.HTTPS, verifying(otherCa, NAME)))
                .route("wrong-name.test", APP, Upstream.of(BackendProtocol.HTTPS, verifying(ca, "other.default.svc")))
                .route("refused.test", APP, Upstream.refused(BackendProtocol.HTTPS, "CA Secret default/x not found"))
                .route("plain.test", APP, Upstream.HTTP)
                .start();
    }

    @AfterAll
    static void stop() {
        proxy.close();
        origin.close();
    }

    private static OriginTls verifying(TlsCertificate authority, String name) {
        return new OriginTls(true, List.of(authority.leaf()), authority.id(), name);
    }

    private static HttpResponse<String> get(String host, String path) throws Exception {
        return CLIENT.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpPort() + path))
                        .header("Host", host)
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void unverifiedTlsReachesTheOriginWithoutSni() throws Exception {
        origin.serverNames.clear();
        HttpResponse<String> response = get("insecure.test", "/a?b=1");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("tls /a?b=1");
        assertThat(origin.serverNames).containsOnly("-");
    }

    @Test
    void verifiedTlsSendsTheServiceNameAndReusesTheConnection() throws Exception {
        origin.serverNames.clear();
        int before = origin.connections.get();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = get("verified.test", "/v" + i);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("tls /v" + i);
        }
        assertThat(origin.serverNames).containsOnly(NAME);
        assertThat(origin.connections.get() - before).isEqualTo(1);
    }

    @Test
    void aCertificateFromAnotherCaIsAGatewayErrorNotASilentPass() throws Exception {
        int before = origin.requests.get();
        HttpResponse<String> response = get("wrong-ca.test", "/secret");
        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(origin.requests.get()).isEqualTo(before);
    }

    @Test
    void aCertificateForAnotherNameIsAGatewayError() throws Exception {
        int before = origin.requests.get();
        HttpResponse<String> response = get("wrong-name.test", "/secret");
        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(origin.requests.get()).isEqualTo(before);
    }

    @Test
    void anUnusableCaAnswers503WithoutConnecting() throws Exception {
        int before = origin.connections.get();
        HttpResponse<String> response = get("refused.test", "/secret");
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(origin.connections.get()).isEqualTo(before);
    }

    @Test
    void cleartextToATlsOriginFails() throws Exception {
        HttpResponse<String> response = get("plain.test", "/");
        assertThat(response.statusCode()).isEqualTo(502);
    }
}
