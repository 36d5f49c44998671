package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.routing.BackendProtocol;
import dev.usher.routing.BackendRef;
import dev.usher.routing.Endpoint;
import dev.usher.routing.HostRule;
import dev.usher.routing.IngressRuleSet;
import dev.usher.routing.OriginTls;
import dev.usher.routing.PathRule;
import dev.usher.routing.PathType;
import dev.usher.routing.PortRef;
import dev.usher.routing.RouteOptions;
import dev.usher.routing.RoutingSnapshot;
import dev.usher.routing.RoutingTable;
import dev.usher.routing.Upstream;
import dev.usher.tls.CertificateGenerator;
import dev.usher.tls.TlsCertificate;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        ca = CertificateGenerator.authority("Origin Test CA").generate("ca");
        otherCa = CertificateGenerator.authority("Someone Else's CA").generate("other-ca");
        origin = new TlsOrigin(CertificateGenerator.forHosts(NAME).issuedBy(ca).generate("default/app-tls"));
        RoutingTable table = new RoutingTable();
        table.updateEndpoints(APP, List.of(new Endpoint("127.0.0.1", origin.port(), "pod-0")));
        RoutingSnapshot.Builder snapshot = RoutingSnapshot.builder();
        List<Object[]> hosts = new ArrayList<>();
        hosts.add(new Object[] {"insecure.test", Upstream.of(BackendProtocol.HTTPS, OriginTls.INSECURE)});
        hosts.add(new Object[] {"verified.test", Upstream.of(BackendProtocol.HTTPS, verifying(ca, NAME))});
        hosts.add(new Object[] {"wrong-ca.test", Upstream.of(BackendProtocol.HTTPS, verifying(otherCa, NAME))});
        hosts.add(new Object[] {"wrong-name.test",
            Upstream.of(BackendProtocol.HTTPS, verifying(ca, "other.default.svc"))});
        hosts.add(new Object[] {"refused.test", Upstream.refused(BackendProtocol.HTTPS, "CA Secret default/x not found")});
        hosts.add(new Object[] {"plain.test", Upstream.HTTP});
        for (Object[] host : hosts) {
            snapshot.add(new IngressRuleSet("default", host[0].toString(), Instant.parse("2024-01-01T00:00:00Z"),
                    List.of(new HostRule(host[0].toString(), List.of(new PathRule("/", PathType.PREFIX, APP)))),
                    null, RouteOptions.builder().upstreams(Map.of(APP, (Upstream) host[1])).build()));
        }
        table.publish(snapshot.build(table::backend));
        proxy = ProxyServer.builder().routingTable(table).bindAddress("127.0.0.1").httpPort(0).eventLoops(1)
                .settings(ProxySettings.defaults()).build();
        proxy.start();
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
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpPort() + path))
                .header("Host", host).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
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
