package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.routing.AddressBlock;
import dev.usher.routing.RouteOptions;
import dev.usher.routing.SourceRanges;
import io.netty.handler.codec.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * Per-Ingress access control and upstream fields on real sockets: source ranges (403 before any origin work, judged
 * on the client address Usher computes, so behind {@code trustedProxies} on {@code X-Forwarded-For}), an Ingress that
 * failed closed (503), {@code upstream-vhost} and {@code x-forwarded-prefix}.
 */
final class AccessOptionsTest {

    @AutoClose
    private OptionsFixture fixture;

    private void start(ProxySettings settings) {
        fixture = new OptionsFixture(
                settings,
                Map.of(
                        "office.test",
                                RouteOptions.builder()
                                        .sourceRanges(ranges(List.of("10.0.0.0/8"), List.of()))
                                        .build(),
                        "local.test",
                                RouteOptions.builder()
                                        .sourceRanges(ranges(List.of("127.0.0.0/8"), List.of()))
                                        .build(),
                        "blocked.test",
                                RouteOptions.builder()
                                        .sourceRanges(ranges(
                                                List.of("127.0.0.0/8", "10.0.0.0/8"),
                                                List.of("127.0.0.1", "10.9.0.0/16")))
                                        .build(),
                        "broken.test",
                                RouteOptions.builder()
                                        .denied("whitelist-source-range: 'x' is not a CIDR")
                                        .build(),
                        "vhost.test",
                                RouteOptions.builder()
                                        .upstreamVhost("api.internal:8080")
                                        .forwardedPrefix("/shop")
                                        .build(),
                        "svc.test",
                                RouteOptions.builder()
                                        .upstreamVhost("$service_name.$namespace.svc.cluster.local")
                                        .build()));
    }

    @Test
    void allowlist_refusesAClientOutsideIt_with403_andTheOriginSeesNothing() throws Exception {
        start(ProxySettings.defaults());

        assertThat(fixture.get("office.test", "/echo").statusCode()).isEqualTo(403);
        assertThat(fixture.get("local.test", "/echo").statusCode()).isEqualTo(200);
        assertThat(fixture.origin.seen).extracting(r -> r.headers().get("Host")).containsExactly("local.test");
    }

    @Test
    void denylist_winsOverTheAllowlist() throws Exception {
        start(ProxySettings.defaults());

        assertThat(fixture.get("blocked.test", "/echo").statusCode()).isEqualTo(403);
    }

    @Test
    void behindATrustedProxy_theForwardedClientAddressIsJudged_notTheProxys() throws Exception {
        start(ProxySettings.builder()
                .trustedProxies(TrustedProxies.parse("127.0.0.1"))
                .build());

        assertThat(fixture.get("office.test", "/echo", "X-Forwarded-For", "10.1.2.3")
                        .statusCode())
                .isEqualTo(200);
        assertThat(fixture.get("office.test", "/echo", "X-Forwarded-For", "192.0.2.1")
                        .statusCode())
                .isEqualTo(403);
        assertThat(fixture.get("blocked.test", "/echo", "X-Forwarded-For", "10.9.1.1")
                        .statusCode())
                .isEqualTo(403);
        assertThat(fixture.get("blocked.test", "/echo", "X-Forwarded-For", "10.8.1.1")
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void untrustedPeer_cannotClaimAnAllowedAddress() throws Exception {
        start(ProxySettings.defaults());

        assertThat(fixture.get("office.test", "/echo", "X-Forwarded-For", "10.1.2.3")
                        .statusCode())
                .isEqualTo(403);
    }

    @Test
    void deniedIngress_answers503_andNeverReachesTheOrigin() throws Exception {
        start(ProxySettings.defaults());

        HttpResponse<String> res = fixture.get("broken.test", "/echo");

        assertThat(res.statusCode()).isEqualTo(503);
        assertThat(res.body()).doesNotContain("CIDR"); // the reason is for the operator (problems), not the client
        assertThat(fixture.origin.requests.get()).isZero();
    }

    @Test
    void upstreamVhostAndForwardedPrefix_reachTheOrigin_whileXForwardedHostKeepsTheClientsHost() throws Exception {
        start(ProxySettings.builder()
                .trustedProxies(TrustedProxies.parse("127.0.0.1"))
                .build());

        assertThat(fixture.get("vhost.test", "/echo", "X-Forwarded-Prefix", "/evil")
                        .statusCode())
                .isEqualTo(200);

        HttpRequest seen = fixture.origin.seen.peek();
        assertThat(seen.headers().getAll("Host")).containsExactly("api.internal:8080");
        assertThat(seen.headers().getAll("X-Forwarded-Prefix")).containsExactly("/shop");
        assertThat(seen.headers().get("X-Forwarded-Host")).isEqualTo("vhost.test");
    }

    @Test
    void upstreamVhost_expandsServiceNameAndNamespace_perRoute() throws Exception {
        start(ProxySettings.defaults());

        assertThat(fixture.get("svc.test", "/echo").statusCode()).isEqualTo(200);

        assertThat(fixture.origin.seen.peek().headers().getAll("Host"))
                .containsExactly("app.default.svc.cluster.local");
    }

    private static SourceRanges ranges(List<String> allow, List<String> deny) {
        return new SourceRanges(
                allow.stream().map(AddressBlock::parse).toList(),
                deny.stream().map(AddressBlock::parse).toList());
    }
}
