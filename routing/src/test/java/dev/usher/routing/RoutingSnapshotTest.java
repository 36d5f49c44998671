package dev.usher.routing;

import static dev.usher.routing.Fixtures.exact;
import static dev.usher.routing.Fixtures.host;
import static dev.usher.routing.Fixtures.ingress;
import static dev.usher.routing.Fixtures.prefix;
import static dev.usher.routing.Fixtures.snapshot;
import static dev.usher.routing.Fixtures.svc;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

final class RoutingSnapshotTest {

    @Test
    void empty_routesEverythingToNotFound() {
        Route route = RoutingSnapshot.empty().route("foo.com", "/x");
        assertThat(route.isNotFound()).isTrue();
        assertThat(route.source()).isEqualTo(RouteSource.NOT_FOUND);
        assertThat(route.backend()).isNull();
        assertThat(RoutingSnapshot.empty().routes()).isEmpty();
    }

    @Test
    void route_exactHostPrefixRule_returnsTheRuleWithItsOwner() {
        RoutingSnapshot snapshot = snapshot(
                ingress("web").rule(host("foo.com", prefix("/api", "api"))).build());

        Route route = snapshot.route("FOO.com:8080", "/api/users?id=1");

        assertThat(route.source()).isEqualTo(RouteSource.RULE);
        assertThat(route.backend().ref()).isEqualTo(svc("api"));
        assertThat(route.host()).isEqualTo("foo.com");
        assertThat(route.path()).isEqualTo("/api");
        assertThat(route.pathType()).isEqualTo(PathType.PREFIX);
        assertThat(route.namespace()).isEqualTo("default");
        assertThat(route.ingress()).isEqualTo("web");
        assertThat(snapshot.refersTo(svc("api"))).isTrue();
        assertThat(snapshot.refersTo(svc("other"))).isFalse();
    }

    @Test
    void route_longestPathWins_andExactBeatsPrefixOnTie() {
        RoutingSnapshot snapshot = snapshot(ingress("web")
                .rule(host("foo.com", prefix("/", "root"), prefix("/foo", "foo-prefix"), exact("/foo", "foo-exact")))
                .build());

        assertThat(snapshot.route("foo.com", "/foo").backend().ref()).isEqualTo(svc("foo-exact"));
        assertThat(snapshot.route("foo.com", "/foo/bar").backend().ref()).isEqualTo(svc("foo-prefix"));
        assertThat(snapshot.route("foo.com", "/foobar").backend().ref()).isEqualTo(svc("root"));
    }

    @Test
    void route_conflict_oldestWinsAndLoserIsReported() {
        IngressRuleSet young = ingress("young")
                .age(10)
                .rule(host("foo.com", prefix("/", "young")))
                .build();
        IngressRuleSet old =
                ingress("old").age(1).rule(host("foo.com", prefix("/", "old"))).build();

        RoutingSnapshot snapshot = snapshot(young, old);

        assertThat(snapshot.route("foo.com", "/").backend().ref()).isEqualTo(svc("old"));
        assertThat(snapshot.conflicts()).singleElement().satisfies(conflict -> {
            assertThat(conflict.winner()).isEqualTo("default/old");
            assertThat(conflict.loser()).isEqualTo("default/young");
            assertThat(conflict.host()).isEqualTo("foo.com");
            assertThat(conflict.path()).isEqualTo("/");
            assertThat(conflict.type()).isEqualTo(PathType.PREFIX);
        });
    }

    @Test
    void route_unknownHost_fallsThroughCatchAllThenFlagThenNotFound() {
        IngressRuleSet rules =
                ingress("web").rule(host("foo.com", prefix("/", "web"))).build();
        IngressRuleSet catchAll = ingress("catch-all").defaultBackend("catch").build();

        assertThat(snapshot(rules, catchAll).route("bar.com", "/").source()).isEqualTo(RouteSource.CATCH_ALL_DEFAULT);
        RoutingSnapshot withFlag =
                RoutingSnapshot.builder().add(rules).defaultBackend(svc("flag")).build(new RoutingTable()::backend);
        assertThat(withFlag.route("bar.com", "/").source()).isEqualTo(RouteSource.FLAG_DEFAULT);
        assertThat(withFlag.route("bar.com", "/").backend().ref()).isEqualTo(svc("flag"));
        assertThat(snapshot(rules).route("bar.com", "/").isNotFound()).isTrue();
    }

    @Test
    void upstreamUri_withoutRewrite_returnsTheSameInstance() {
        RoutingSnapshot snapshot = snapshot(
                ingress("web").rule(host("foo.com", prefix("/", "web"))).build());
        String uri = new String("/a/b?c=d");

        assertThat(snapshot.route("foo.com", uri).upstreamUri(uri)).isSameAs(uri);
    }

    @Test
    void upstreamUri_withRewrite_replacesThePrefixAndKeepsTheQuery() {
        RoutingSnapshot snapshot = snapshot(ingress("web")
                .rewrite("/xyz")
                .rule(host("foo.com", prefix("/foo", "web")))
                .build());

        assertThat(snapshot.route("foo.com", "/foo/bar?q=1").upstreamUri("/foo/bar?q=1"))
                .isEqualTo("/xyz/bar?q=1");
    }
}
