package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.routing.BackendProtocol;
import dev.usher.routing.BackendRef;
import dev.usher.routing.OriginTls;
import dev.usher.routing.PortRef;
import dev.usher.routing.Upstream;
import dev.usher.tls.CertificateGenerator;
import dev.usher.tls.TlsCertificate;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * h2 over TLS to origins (grpcs, h2): ALPN {@code h2} negotiated and the certificate verified; the wrong CA is a 502,
 * and so is an HTTPS origin that only speaks HTTP/1.1 (ALPN not agreed), never a request sent in the wrong protocol.
 */
final class Http2TlsOriginTest {

    private static final BackendRef H2 = new BackendRef("default", "h2", PortRef.number(443));
    private static final BackendRef H1 = new BackendRef("default", "h1", PortRef.number(443));
    private static final String NAME = "h2.default.svc";
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private static H2Origin h2Origin;
    private static TlsOrigin h1Origin;
    private static ProxyServer proxy;

    @BeforeAll
    static void start() throws Exception {
        TlsCertificate ca = CertificateGenerator.authority("H2 Test CA").generate("ca");
        TlsCertificate other = CertificateGenerator.authority("Other CA").generate("other");
        TlsCertificate leaf = CertificateGenerator.forHosts(NAME, "h1.default.svc")
                .issuedBy(ca)
                .generate("leaf");
        h2Origin = new H2Origin(
                0,
                SslContextBuilder.forServer(leaf.key(), leaf.chain().toArray(new X509Certificate[0]))
                        .applicationProtocolConfig(new ApplicationProtocolConfig(
                                ApplicationProtocolConfig.Protocol.ALPN,
                                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                                ApplicationProtocolNames.HTTP_2))
                        .build());
        h1Origin = new TlsOrigin(leaf);
        OriginTls verified = new OriginTls(true, List.of(ca.leaf()), "ca", NAME);
        OriginTls wrongCa = new OriginTls(true, List.of(other.leaf()), "other", NAME);
        proxy = new UpstreamRoutes()
                .endpoint(H2, h2Origin.port())
                .endpoint(H1, h1Origin.port())
                .route("h2.test", H2, Upstream.of(BackendProtocol.H2, verified))
                .route("wrong-ca.test", H2, Upstream.of(BackendProtocol.H2, wrongCa))
                .route("h1-only.test", H1, Upstream.of(BackendProtocol.H2, OriginTls.INSECURE))
                .start();
    }

    @AfterAll
    static void stop() {
        proxy.close();
        h2Origin.close();
        h1Origin.close();
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
    void verifiedH2OverTls() throws Exception {
        int before = h2Origin.connections.get();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = get("h2.test", "/hello/" + i);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("h2 /hello/" + i + " te=trailers body=");
        }
        assertThat(h2Origin.connections.get() - before).isEqualTo(1);
    }

    @Test
    void aCertificateFromAnotherCaIsAGatewayError() throws Exception {
        int before = h2Origin.requests.get();
        assertThat(get("wrong-ca.test", "/secret").statusCode()).isEqualTo(502);
        assertThat(h2Origin.requests.get()).isEqualTo(before);
    }

    @Test
    void anOriginThatDoesNotAgreeToH2IsAGatewayError() throws Exception {
        assertThat(get("h1-only.test", "/").statusCode()).isEqualTo(502);
        assertThat(h1Origin.requests.get()).isZero();
    }
}
