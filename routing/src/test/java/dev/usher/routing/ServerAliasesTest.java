package dev.usher.routing;

import static dev.usher.routing.Fixtures.host;
import static dev.usher.routing.Fixtures.ingress;
import static dev.usher.routing.Fixtures.prefix;
import static dev.usher.routing.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ingress-nginx's {@code server-alias} in the compiled snapshot: an alias routes exactly as its host, with every
 * Ingress's paths of that host; a real host wins over an alias; one Ingress's aliases per host; an alias two hosts
 * claim goes to the host first in name order. Every ignored alias is a conflict.
 */
final class ServerAliasesTest {

    private static IngressRuleSet aliased(IngressRuleSet r, String... aliases) {
        return new IngressRuleSet(
                r.namespace(),
                r.name(),
                r.creationTimestamp(),
                r.rules(),
                r.defaultBackend(),
                r.options().toBuilder().serverAliases(List.of(aliases)).build());
    }

    private static String backend(RoutingSnapshot s, String host, String path) {
        Route route = s.route(host, path);
        return route.isNotFound() ? "404" : route.backend().ref().service();
    }

    @Test
    void anAlias_routesAsItsHost_withTheOtherIngressesPathsOfTheHost() {
        // ingress-nginx's e2e "hosts defined in two ingresses, different path with one alias"
        RoutingSnapshot s = snapshot(
                ingress("app-a")
                        .age(1)
                        .rule(host("foo.test", prefix("/app-a", "a")))
                        .build(),
                aliased(
                        ingress("app-b")
                                .age(2)
                                .rule(host("foo.test", prefix("/app-b", "b")))
                                .build(),
                        "bar.test"));

        assertThat(backend(s, "bar.test", "/app-a")).isEqualTo("a");
        assertThat(backend(s, "BAR.test.:8080", "/app-b/x")).isEqualTo("b");
        assertThat(backend(s, "bar.test", "/other")).isEqualTo("404");
        assertThat(backend(s, "baz.test", "/app-a")).isEqualTo("404");
        assertThat(s.conflicts()).isEmpty();
    }

    @Test
    void aWildcardAlias_matchesOneLabel_andExactHostsWinOverIt() {
        RoutingSnapshot s = snapshot(
                aliased(
                        ingress("web")
                                .rule(host("web.test", prefix("/", "web")))
                                .build(),
                        "*.apps.test"),
                ingress("api").rule(host("api.apps.test", prefix("/", "api"))).build());

        assertThat(backend(s, "x.apps.test", "/")).isEqualTo("web");
        assertThat(backend(s, "api.apps.test", "/")).isEqualTo("api");
        assertThat(backend(s, "a.b.apps.test", "/")).isEqualTo("404");
    }

    @Test
    void anAliasThatIsAnotherIngresssHost_isIgnoredAndReported() {
        RoutingSnapshot s = snapshot(
                aliased(
                        ingress("old")
                                .age(1)
                                .rule(host("a.test", prefix("/", "a")))
                                .build(),
                        "b.test",
                        "c.test"),
                ingress("new").age(2).rule(host("b.test", prefix("/", "b"))).build());

        assertThat(backend(s, "b.test", "/")).isEqualTo("b");
        assertThat(backend(s, "c.test", "/")).isEqualTo("a");
        assertThat(s.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.host()).isEqualTo("b.test");
            assertThat(c.winner()).isEqualTo("default/new");
            assertThat(c.loser()).isEqualTo("default/old");
            assertThat(c.reason()).contains("real host wins");
        });
    }

    @Test
    void aHostTakesTheAliasesOfItsOldestIngressThatHasAny() {
        RoutingSnapshot s = snapshot(
                ingress("plain").age(0).rule(host("a.test", prefix("/p", "p"))).build(),
                aliased(
                        ingress("first")
                                .age(1)
                                .rule(host("a.test", prefix("/", "a")))
                                .build(),
                        "x.test"),
                aliased(
                        ingress("second")
                                .age(2)
                                .rule(host("a.test", prefix("/s", "s")))
                                .build(),
                        "x.test",
                        "y.test"));

        assertThat(backend(s, "x.test", "/s")).isEqualTo("s");
        assertThat(backend(s, "y.test", "/s")).isEqualTo("404");
        assertThat(s.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.host()).isEqualTo("y.test");
            assertThat(c.winner()).isEqualTo("default/first");
            assertThat(c.loser()).isEqualTo("default/second");
        });
    }

    @Test
    void anAliasTwoHostsClaim_goesToTheHostFirstInNameOrder() {
        RoutingSnapshot s = snapshot(
                aliased(
                        ingress("zed")
                                .age(1)
                                .rule(host("z.test", prefix("/", "z")))
                                .build(),
                        "shared.test"),
                aliased(
                        ingress("abe")
                                .age(2)
                                .rule(host("a.test", prefix("/", "a")))
                                .build(),
                        "shared.test"));

        assertThat(backend(s, "shared.test", "/")).isEqualTo("a");
        assertThat(s.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.host()).isEqualTo("shared.test");
            assertThat(c.winner()).isEqualTo("default/abe");
            assertThat(c.loser()).isEqualTo("default/zed");
        });
    }

    @Test
    void anAliasOfItsOwnHost_isDroppedSilently_andCanariesHaveNone() {
        IngressRuleSet canary = aliased(
                ingress("canary").age(2).rule(host("a.test", prefix("/", "c"))).build(), "canary-only.test");
        canary = new IngressRuleSet(
                canary.namespace(),
                canary.name(),
                canary.creationTimestamp(),
                canary.rules(),
                null,
                canary.options().toBuilder()
                        .canary(CanaryRule.weighted(100, 100))
                        .build());
        RoutingSnapshot s = snapshot(
                aliased(
                        ingress("main")
                                .age(1)
                                .rule(host("a.test", prefix("/", "a")))
                                .build(),
                        "a.test"),
                canary);

        assertThat(s.route("canary-only.test", "/").isNotFound()).isTrue();
        assertThat(s.conflicts()).isEmpty();
        assertThat(ServerAliases.of(List.of(canary))).isEmpty();
    }

    @Test
    void theTranslatorsView_isTheCompilersChoice() {
        IngressRuleSet a = aliased(
                ingress("a").age(1).rule(host("a.test", prefix("/", "a"))).build(), "x.test", "*.w.test");
        IngressRuleSet b = aliased(
                ingress("b").age(2).rule(host("b.test", prefix("/", "b"))).build(), "a.test");

        assertThat(ServerAliases.of(List.of(b, a)))
                .containsOnly(entry("x.test", "a.test"), entry("*.w.test", "a.test"));
    }
}
