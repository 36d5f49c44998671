package dev.usher.routing;

import static dev.usher.routing.Fixtures.exact;
import static dev.usher.routing.Fixtures.host;
import static dev.usher.routing.Fixtures.ingress;
import static dev.usher.routing.Fixtures.prefix;
import static dev.usher.routing.Fixtures.snapshot;
import static dev.usher.routing.Fixtures.svc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One host's rules merged across Ingresses, and conflicts decided by age, then namespace/name, never by order. */
final class MergeAndConflictTest {

    private static RoutingSnapshot build(boolean reversed, IngressRuleSet... ruleSets) {
        List<IngressRuleSet> all = new ArrayList<>(List.of(ruleSets));
        if (reversed) {
            Collections.reverse(all);
        }
        return RoutingSnapshot.builder().addAll(all).build(new RoutingTable()::backend);
    }

    @Test
    void route_oneHostAcrossIngresses_longestPrefixWinsWhicheverIngressOwnsIt() {
        RoutingSnapshot snapshot = snapshot(
                ingress("root")
                        .age(1)
                        .rule(host("foo.com", prefix("/", "root")))
                        .build(),
                ingress("api")
                        .age(2)
                        .rule(host("foo.com", prefix("/api", "api")))
                        .build(),
                ingress("api-v2")
                        .age(3)
                        .rule(host("foo.com", prefix("/api/v2", "api-v2")))
                        .build());

        assertThat(snapshot.route("foo.com", "/api/v2/users").ingress()).isEqualTo("api-v2");
        assertThat(snapshot.route("foo.com", "/api/v1").ingress()).isEqualTo("api");
        assertThat(snapshot.route("foo.com", "/apiv2").ingress()).isEqualTo("root");
        assertThat(snapshot.conflicts()).isEmpty();
    }

    @Test
    void route_oneHostAcrossIngresses_exactInAYoungerIngressBeatsPrefixOfAnOlderOne() {
        RoutingSnapshot snapshot = snapshot(
                ingress("old")
                        .age(1)
                        .rule(host("foo.com", prefix("/login", "old")))
                        .build(),
                ingress("young")
                        .age(2)
                        .rule(host("foo.com", exact("/login", "young")))
                        .build());

        assertThat(snapshot.route("foo.com", "/login").ingress()).isEqualTo("young");
        assertThat(snapshot.route("foo.com", "/login/x").ingress()).isEqualTo("old");
        assertThat(snapshot.conflicts())
                .as("different types are not a conflict")
                .isEmpty();
    }

    @ParameterizedTest(name = "added in reverse order: {0}")
    @ValueSource(booleans = {false, true})
    void conflict_samePathAndType_oldestCreationTimestampWins(boolean reversed) {
        RoutingSnapshot snapshot = build(
                reversed,
                ingress("team-b", "zzz")
                        .age(1)
                        .rule(host("foo.com", prefix("/app", "older")))
                        .build(),
                ingress("team-a", "aaa")
                        .age(2)
                        .rule(host("foo.com", prefix("/app", "younger")))
                        .build());

        assertThat(snapshot.route("foo.com", "/app").backend().ref().service()).isEqualTo("older");
        assertThat(snapshot.conflicts()).singleElement().satisfies(conflict -> {
            assertThat(conflict.winner()).isEqualTo("team-b/zzz");
            assertThat(conflict.loser()).isEqualTo("team-a/aaa");
            assertThat(conflict.host()).isEqualTo("foo.com");
            assertThat(conflict.path()).isEqualTo("/app");
            assertThat(conflict.type()).isEqualTo(PathType.PREFIX);
            assertThat(conflict.reason()).contains("older");
        });
    }

    @ParameterizedTest(name = "added in reverse order: {0}")
    @ValueSource(booleans = {false, true})
    void conflict_sameCreationTimestamp_namespaceThenNameDecides(boolean reversed) {
        RoutingSnapshot snapshot = build(
                reversed,
                ingress("a", "y").rule(host("foo.com", exact("/x", "a-y"))).build(),
                ingress("a-b", "x").rule(host("foo.com", exact("/x", "a-b-x"))).build(),
                ingress("a", "z").rule(host("foo.com", exact("/x", "a-z"))).build());

        assertThat(snapshot.route("foo.com", "/x").backend().ref().service())
                .as("namespace 'a' sorts before 'a-b' even though 'a-b/x' < 'a/y' as strings")
                .isEqualTo("a-y");
        assertThat(snapshot.conflicts()).extracting(Conflict::loser).containsExactly("a/z", "a-b/x");
        assertThat(snapshot.conflicts()).extracting(Conflict::winner).containsOnly("a/y");
    }

    @Test
    void conflict_onAHostWithManyRules_isFoundAndReportedToo() {
        // more than 8 rules on one host switch duplicate detection from a scan to a map
        Fixtures.IngressBuilder old = ingress("old").age(1);
        Fixtures.IngressBuilder young = ingress("young").age(2);
        for (int i = 0; i < 12; i++) {
            old.rule(host("foo.com", prefix("/old/" + i, "old")));
            young.rule(host("foo.com", exact("/young/" + i, "young")));
        }
        young.rule(host("foo.com", prefix("/old/3/", "young-dup"), exact("/young/5", "young-dup")));

        RoutingSnapshot snapshot = snapshot(young.build(), old.build());

        assertThat(snapshot.route("foo.com", "/old/3/x").ingress()).isEqualTo("old");
        assertThat(snapshot.route("foo.com", "/young/5").backend().ref()).isEqualTo(svc("young"));
        assertThat(snapshot.conflicts())
                .extracting(Conflict::winner, Conflict::loser, Conflict::path)
                .containsExactly(
                        tuple("default/old", "default/young", "/old/3/"),
                        tuple("default/young", "default/young", "/young/5"));
    }

    @Test
    void conflict_prefixPathsDifferingOnlyByTrailingSlash_conflict() {
        RoutingSnapshot snapshot = snapshot(
                ingress("old")
                        .age(1)
                        .rule(host("foo.com", prefix("/app/", "old")))
                        .build(),
                ingress("young")
                        .age(2)
                        .rule(host("foo.com", prefix("/app", "young")))
                        .build());

        assertThat(snapshot.route("foo.com", "/app").ingress()).isEqualTo("old");
        assertThat(snapshot.conflicts())
                .singleElement()
                .extracting(Conflict::path)
                .isEqualTo("/app");
    }

    @Test
    void conflict_hostlessRules_areResolvedTheSameWay() {
        RoutingSnapshot snapshot = snapshot(
                ingress("young").age(5).rule(host(null, prefix("/", "young"))).build(),
                ingress("old").age(1).rule(host(null, prefix("/", "old"))).build());

        assertThat(snapshot.route("any.org", "/").ingress()).isEqualTo("old");
        assertThat(snapshot.conflicts()).singleElement().satisfies(conflict -> {
            assertThat(conflict.host()).isNull();
            assertThat(conflict.loser()).isEqualTo("default/young");
        });
    }

    @Test
    void conflict_samePathTwiceInOneIngress_firstWinsAndTheDuplicateIsReported() {
        RoutingSnapshot snapshot = snapshot(ingress("dup")
                .rule(host("foo.com", prefix("/a", "first")))
                .rule(host("FOO.com", prefix("/a", "second")))
                .build());

        assertThat(snapshot.route("foo.com", "/a").backend().ref()).isEqualTo(svc("first"));
        assertThat(snapshot.conflicts()).singleElement().satisfies(conflict -> {
            assertThat(conflict.winner()).isEqualTo(conflict.loser()).isEqualTo("default/dup");
            assertThat(conflict.reason()).contains("first");
        });
    }

    @ParameterizedTest(name = "added in reverse order: {0}")
    @ValueSource(booleans = {false, true})
    void conflict_twoCatchAllDefaultBackends_oldestWinsAndTheLoserIsReported(boolean reversed) {
        RoutingSnapshot snapshot = build(
                reversed,
                ingress("old-catch-all").age(1).defaultBackend("old").build(),
                ingress("new-catch-all").age(2).defaultBackend("new").build());

        Route route = snapshot.route("anything", "/");
        assertThat(route.source()).isEqualTo(RouteSource.CATCH_ALL_DEFAULT);
        assertThat(route.backend().ref()).isEqualTo(svc("old"));
        assertThat(snapshot.conflicts()).singleElement().satisfies(conflict -> {
            assertThat(conflict.winner()).isEqualTo("default/old-catch-all");
            assertThat(conflict.loser()).isEqualTo("default/new-catch-all");
            assertThat(conflict.host()).isNull();
            assertThat(conflict.path()).isNull();
            assertThat(conflict.type()).isNull();
        });
        assertThat(snapshot.refersTo(svc("old"))).isTrue();
        assertThat(snapshot.refersTo(svc("new")))
                .as("a loser's backend is not routed to")
                .isFalse();
    }

    @ParameterizedTest(name = "added in reverse order: {0}")
    @ValueSource(booleans = {false, true})
    void fallback_hostOwnedBySeveralIngresses_usesTheOldestOwnersDefaultBackend(boolean reversed) {
        RoutingSnapshot snapshot = build(
                reversed,
                ingress("no-default")
                        .age(0)
                        .rule(host("foo.com", exact("/a", "a")))
                        .build(),
                ingress("old")
                        .age(1)
                        .defaultBackend("old-default")
                        .rule(host("foo.com", exact("/b", "b")))
                        .build(),
                ingress("new")
                        .age(2)
                        .defaultBackend("new-default")
                        .rule(host("foo.com", exact("/c", "c")))
                        .build());

        Route route = snapshot.route("foo.com", "/other");
        assertThat(route.source()).isEqualTo(RouteSource.INGRESS_DEFAULT);
        assertThat(route.backend().ref()).isEqualTo(svc("old-default"));
        assertThat(route.ingress()).isEqualTo("old");
        assertThat(route.host()).isNull();
        assertThat(snapshot.conflicts()).singleElement().satisfies(conflict -> {
            assertThat(conflict.host()).isEqualTo("foo.com");
            assertThat(conflict.loser()).isEqualTo("default/new");
        });
    }

    @Test
    void fallback_ingressDefaultBackend_appliesOnlyToTheHostsThatIngressOwns() {
        RoutingSnapshot snapshot = snapshot(
                ingress("a")
                        .defaultBackend("a-default")
                        .rule(host("a.com", exact("/x", "a")))
                        .build(),
                ingress("b").rule(host("b.com", exact("/x", "b"))).build());

        assertThat(snapshot.route("a.com", "/y").backend().ref()).isEqualTo(svc("a-default"));
        assertThat(snapshot.route("b.com", "/y").isNotFound()).isTrue();
        assertThat(snapshot.route("c.com", "/y").isNotFound()).isTrue();
    }

    @Test
    void builder_sameIngressAddedTwice_keepsTheLatestVersion() {
        RoutingSnapshot snapshot = RoutingSnapshot.builder()
                .add(ingress("web").rule(host("foo.com", prefix("/", "v1"))).build())
                .add(ingress("web").rule(host("foo.com", prefix("/", "v2"))).build())
                .build(new RoutingTable()::backend);

        assertThat(snapshot.route("foo.com", "/").backend().ref()).isEqualTo(svc("v2"));
        assertThat(snapshot.conflicts()).isEmpty();
    }

    @Test
    void build_backends_comeFromTheGivenTableSoEndpointUpdatesNeedNoRebuild() {
        RoutingTable table = new RoutingTable();
        RoutingSnapshot snapshot = RoutingSnapshot.builder()
                .add(ingress("web").rule(host("foo.com", prefix("/", "web"))).build())
                .build(table::backend);
        table.publish(snapshot);

        table.updateEndpoints(svc("web"), List.of(new Endpoint("10.0.0.1", 8080, "web-0")));

        assertThat(table.current().route("foo.com", "/").backend().endpoints())
                .containsExactly(new Endpoint("10.0.0.1", 8080, "web-0"));
        assertThat(snapshot.route("foo.com", "/").backend()).isSameAs(table.backend(svc("web")));
    }

    @Test
    void routes_listsEveryCompiledRouteOnce() {
        RoutingSnapshot snapshot = RoutingSnapshot.builder()
                .add(ingress("web")
                        .defaultBackend("web-default")
                        .rule(host("foo.com", prefix("/", "root"), exact("/a", "a")))
                        .build())
                .add(ingress("catch-all").defaultBackend("catch-all").build())
                .defaultBackend(svc("flag"))
                .build(new RoutingTable()::backend);

        assertThat(snapshot.routes())
                .extracting(Route::source)
                .containsExactly(
                        RouteSource.RULE,
                        RouteSource.RULE,
                        RouteSource.INGRESS_DEFAULT,
                        RouteSource.CATCH_ALL_DEFAULT,
                        RouteSource.FLAG_DEFAULT);
        assertThat(snapshot.routes()).extracting(Route::path).containsExactly("/a", "/", null, null, null);
    }
}
