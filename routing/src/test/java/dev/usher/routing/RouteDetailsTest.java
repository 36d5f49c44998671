package dev.usher.routing;

import static dev.usher.routing.Fixtures.exact;
import static dev.usher.routing.Fixtures.host;
import static dev.usher.routing.Fixtures.ingress;
import static dev.usher.routing.Fixtures.prefix;
import static dev.usher.routing.Fixtures.snapshot;
import static dev.usher.routing.Fixtures.svc;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** HTTPS redirect and request-buffering flags, and {@code /debug/explain} output. */
final class RouteDetailsTest {

    @Test
    void requestBuffering_followsTheOwningIngress_forRulesAndItsDefaultBackend() {
        RoutingSnapshot snapshot = snapshot(
                ingress("streamed")
                        .requestBuffering(false)
                        .defaultBackend("d")
                        .rule(host("up.com", exact("/upload", "u")))
                        .build(),
                ingress("buffered").rule(host("web.com", prefix("/", "w"))).build());

        assertThat(snapshot.route("up.com", "/upload").requestBuffering()).isFalse();
        assertThat(snapshot.route("up.com", "/other").requestBuffering())
                .as("its default backend")
                .isFalse();
        assertThat(snapshot.route("web.com", "/").requestBuffering()).isTrue();
    }

    @Test
    void httpsRedirect_hostInTlsHostsWithSslRedirect_isTrue() {
        RoutingSnapshot snapshot = snapshot(
                ingress("tls")
                        .tls(true, "secure.com", "*.wild.com")
                        .defaultBackend("tls-default")
                        .rule(host("secure.com", prefix("/", "s")))
                        .rule(host("plain.com", prefix("/", "p")))
                        .rule(host("*.wild.com", prefix("/", "w")))
                        .rule(host("a.wild.com", prefix("/", "a")))
                        .rule(host(null, prefix("/", "any")))
                        .build(),
                ingress("no-redirect")
                        .tls(false, "optout.com")
                        .rule(host("optout.com", prefix("/", "o")))
                        .build());

        assertThat(snapshot.route("secure.com", "/").httpsRedirect()).isTrue();
        assertThat(snapshot.route("secure.com", "/").backend().ref()).isEqualTo(svc("s"));
        assertThat(snapshot.route("plain.com", "/").httpsRedirect()).isFalse();
        assertThat(snapshot.route("x.wild.com", "/").httpsRedirect())
                .as("wildcard pattern listed")
                .isTrue();
        assertThat(snapshot.route("a.wild.com", "/").httpsRedirect())
                .as("exact host covered by a TLS wildcard")
                .isTrue();
        assertThat(snapshot.route("other.org", "/").httpsRedirect())
                .as("host-less rules")
                .isFalse();
        assertThat(snapshot.route("optout.com", "/").httpsRedirect())
                .as("ssl-redirect off")
                .isFalse();
    }

    @Test
    void httpsRedirect_ingressDefaultBackendOfATlsHost_isTrue() {
        RoutingSnapshot snapshot = snapshot(ingress("tls")
                .tls(true, "secure.com")
                .defaultBackend("tls-default")
                .rule(host("secure.com", exact("/a", "s")))
                .build());

        Route route = snapshot.route("secure.com", "/b");
        assertThat(route.source()).isEqualTo(RouteSource.INGRESS_DEFAULT);
        assertThat(route.httpsRedirect()).isTrue();
    }

    @Test
    void explain_listsEveryOtherMatchWithTheReasonItLost() {
        RoutingSnapshot snapshot = snapshot(
                ingress("old")
                        .age(1)
                        .rule(host("foo.com", prefix("/", "root"), prefix("/api", "api")))
                        .build(),
                ingress("young")
                        .age(2)
                        .rule(host("foo.com", prefix("/api", "young-api")))
                        .build(),
                ingress("mixed")
                        .age(3)
                        .rule(host("foo.com", exact("/api/v1", "exact")))
                        .build(),
                ingress("wild").rule(host("*.com", prefix("/", "never"))).build(),
                ingress("any").rule(host(null, prefix("/api", "hostless"))).build());

        Explanation explanation = snapshot.explain("FOO.com:80", "/api/v1/x?q=1");

        assertThat(explanation.host()).isEqualTo("foo.com");
        assertThat(explanation.path()).isEqualTo("/api/v1/x");
        assertThat(explanation.winner().backend().ref()).isEqualTo(svc("api"));
        assertThat(explanation.upstreamUri()).isEqualTo("/api/v1/x?q=1");
        assertThat(explanation.losers())
                .extracting(candidate -> candidate.route().backend().ref().service())
                .containsExactly("root", "never", "hostless", "young-api");
        assertThat(explanation.losers().get(0).reason()).contains("shorter");
        assertThat(explanation.losers().get(1).reason()).contains("foo.com has rules of its own");
        assertThat(explanation.losers().get(3).reason()).startsWith("conflict:").contains("default/old");
    }

    @Test
    void explain_equalLength_saysExactBeatsPrefix() {
        RoutingSnapshot snapshot = snapshot(ingress("mixed")
                .rule(host("foo.com", prefix("/foo", "p"), exact("/foo", "e")))
                .build());

        Explanation explanation = snapshot.explain("foo.com", "/foo");

        assertThat(explanation.winner().backend().ref()).isEqualTo(svc("e"));
        assertThat(explanation.losers()).singleElement().satisfies(candidate -> assertThat(candidate.reason())
                .isEqualTo("EXACT beats PREFIX on a path of equal length"));
    }

    @Test
    void explain_noHostAndNoRules_isNotFoundWithoutLosers() {
        Explanation explanation = RoutingSnapshot.empty().explain(null, "/x");

        assertThat(explanation.host()).isNull();
        assertThat(explanation.winner().isNotFound()).isTrue();
        assertThat(explanation.losers()).isEmpty();
        assertThat(explanation.upstreamUri()).isEqualTo("/x");
    }

    @Test
    void explain_catchAllWinner_listsTheLosingCatchAll() {
        RoutingSnapshot snapshot = snapshot(
                ingress("old").age(1).defaultBackend("old").build(),
                ingress("new").age(2).defaultBackend("new").build());

        Explanation explanation = snapshot.explain("x.org", "/");

        assertThat(explanation.winner().backend().ref()).isEqualTo(svc("old"));
        assertThat(explanation.losers()).singleElement().satisfies(candidate -> assertThat(
                        candidate.route().backend().ref())
                .isEqualTo(svc("new")));
    }

    @Test
    void toString_describesTheRoute() {
        RoutingSnapshot snapshot = snapshot(
                ingress("web").rule(host("foo.com", prefix("/api", "api"))).build());

        assertThat(snapshot.route("foo.com", "/api").toString())
                .isEqualTo("RULE foo.com PREFIX /api (default/web) -> default/api:80");
        assertThat(RoutingSnapshot.empty().route(null, "/").toString()).isEqualTo("NOT_FOUND");
    }
}
