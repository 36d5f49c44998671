package dev.usher.routing;

import static dev.usher.routing.Fixtures.exact;
import static dev.usher.routing.Fixtures.host;
import static dev.usher.routing.Fixtures.ingress;
import static dev.usher.routing.Fixtures.prefix;
import static dev.usher.routing.Fixtures.snapshot;
import static dev.usher.routing.Fixtures.svc;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Host selection and normalisation: which host's rules a request uses, and what happens when none applies. */
final class HostMatchingTest {

    /** exact foo.com, wildcard *.foo.com, host-less rules, and a rule-less catch-all. */
    private static final RoutingSnapshot HOSTS = snapshot(
            ingress("exact").rule(host("foo.com", prefix("/", "exact"))).build(),
            ingress("wildcard").rule(host("*.foo.com", prefix("/", "wildcard"))).build(),
            ingress("exact-beats-wildcard")
                    .rule(host("www.foo.com", prefix("/", "www")))
                    .build(),
            ingress("wildcard-only")
                    .rule(host("*.bar.org", prefix("/", "wildcard-bar")))
                    .build(),
            ingress("any").rule(host(null, prefix("/", "hostless"))).build());

    static Stream<Arguments> hosts() {
        return Stream.of(
                Arguments.of("exactHost_matchesItself", "foo.com", "exact"),
                Arguments.of("wildcard_matchesOneLabel", "bar.foo.com", "wildcard"),
                Arguments.of("wildcard_doesNotMatchTwoLabels", "baz.bar.foo.com", "hostless"),
                Arguments.of("wildcard_doesNotMatchTheBareDomain", "bar.org", "hostless"),
                Arguments.of("wildcard_matchesOneLabelOfItsOwnDomain", "x.bar.org", "wildcard-bar"),
                Arguments.of("wildcard_doesNotMatchAnotherDomainEndingTheSame", "x.foobar.org", "hostless"),
                Arguments.of("wildcard_doesNotMatchASuffixOfAnotherName", "foo.com.evil.org", "hostless"),
                Arguments.of("wildcard_doesNotMatchAnEmptyLabel", ".foo.com", "hostless"),
                Arguments.of("exactHost_beatsWildcard", "www.foo.com", "www"),
                Arguments.of("wildcard_beatsHostless", "api.foo.com", "wildcard"),
                Arguments.of("unknownHost_usesHostlessRules", "other.org", "hostless"),
                Arguments.of("missingHost_usesHostlessRules", null, "hostless"),
                Arguments.of("emptyHost_usesHostlessRules", "", "hostless"),
                Arguments.of("upperCase_isLowerCased", "FOO.Com", "exact"),
                Arguments.of("wildcardMatch_isCaseInsensitiveToo", "BAR.FOO.COM", "wildcard"),
                Arguments.of("port_isIgnored", "foo.com:8443", "exact"),
                Arguments.of("trailingDot_isIgnored", "foo.com.", "exact"),
                Arguments.of("trailingDotAndPort_areIgnored", "Foo.Com.:80", "exact"),
                Arguments.of("wildcardWithPortAndTrailingDot_matches", "a.foo.com.:8080", "wildcard"),
                Arguments.of("surroundingBlanks_areIgnored", " foo.com\t", "exact"),
                Arguments.of("ipv6Literal_isNotAHostName", "[::1]:8080", "hostless"),
                Arguments.of("portOnly_isNoHost", ":8080", "hostless"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hosts")
    void route_host_selectsTheRightRules(String rule, String hostHeader, String expected) {
        assertThat(HOSTS.route(hostHeader, "/x").backend().ref().service()).isEqualTo(expected);
    }

    @Test
    void route_absoluteFormAuthority_winsOverTheHostHeader() {
        Route route = HOSTS.route("other.org", "http://FOO.com:8080/x?y=1");

        assertThat(route.backend().ref()).isEqualTo(svc("exact"));
        assertThat(HOSTS.route("foo.com", "https://user@bar.foo.com/").backend().ref())
                .isEqualTo(svc("wildcard"));
        assertThat(HOSTS.route("foo.com", "http:///x").backend().ref())
                .as("an empty authority leaves the Host header in force")
                .isEqualTo(svc("exact"));
    }

    @Test
    void route_absoluteFormWithoutPath_matchesAsSlash() {
        RoutingSnapshot snapshot = snapshot(
                ingress("root").rule(host("foo.com", exact("/", "root"))).build());

        assertThat(snapshot.route(null, "http://foo.com").backend().ref()).isEqualTo(svc("root"));
        assertThat(snapshot.route(null, "http://foo.com?q").backend().ref()).isEqualTo(svc("root"));
    }

    @Test
    void route_ipv6Literal_isNormalisedWithoutBracketsOrPort() {
        assertThat(HOSTS.explain("[2001:DB8::1]:443", "/").host()).isEqualTo("2001:db8::1");
        assertThat(HOSTS.explain("[::1]", "/").host()).isEqualTo("::1");
        assertThat(HOSTS.explain("2001:db8::1", "/").host())
                .as("bare IPv6 keeps its colons")
                .isEqualTo("2001:db8::1");
        assertThat(HOSTS.explain("Foo.COM.:80", "/").host()).isEqualTo("foo.com");
    }

    @Test
    void route_ruleHosts_areNormalisedLikeRequestHosts() {
        RoutingSnapshot snapshot = snapshot(
                ingress("upper").rule(host("Foo.COM.", prefix("/", "web"))).build());

        assertThat(snapshot.route("foo.com", "/").backend().ref()).isEqualTo(svc("web"));
        assertThat(snapshot.routes().get(0).host()).isEqualTo("foo.com");
    }

    /**
     * Pins the documented choice: a host "fails" only when no rule names it. An exact host whose paths do not
     * match goes to its Ingress's default backend, never to the host-less or wildcard rules (as in ingress-nginx
     * and Contour).
     */
    @Test
    void route_exactHostWithoutMatchingPath_fallsBackWithoutTryingWildcardOrHostlessRules() {
        RoutingSnapshot snapshot = snapshot(
                ingress("exact")
                        .defaultBackend("exact-default")
                        .rule(host("www.foo.com", exact("/only", "e")))
                        .build(),
                ingress("wildcard")
                        .rule(host("*.foo.com", prefix("/", "wildcard")))
                        .build(),
                ingress("any").rule(host(null, prefix("/", "hostless"))).build(),
                ingress("catch-all").defaultBackend("catch-all").build());

        Route route = snapshot.route("www.foo.com", "/other");

        assertThat(route.source()).isEqualTo(RouteSource.INGRESS_DEFAULT);
        assertThat(route.backend().ref()).isEqualTo(svc("exact-default"));
        assertThat(route.ingress()).isEqualTo("exact");
    }

    @Test
    void route_exactHostWithoutMatchingPathOrDefault_goesToTheCatchAllNotToHostlessRules() {
        RoutingSnapshot snapshot = snapshot(
                ingress("exact").rule(host("www.foo.com", exact("/only", "e"))).build(),
                ingress("any").rule(host(null, prefix("/", "hostless"))).build(),
                ingress("catch-all").defaultBackend("catch-all").build());

        assertThat(snapshot.route("www.foo.com", "/other").source()).isEqualTo(RouteSource.CATCH_ALL_DEFAULT);
    }

    @Test
    void route_wildcardHostWithoutMatchingPath_fallsBackWithoutTryingHostlessRules() {
        RoutingSnapshot snapshot = snapshot(
                ingress("wildcard")
                        .defaultBackend("wild-default")
                        .rule(host("*.foo.com", exact("/a", "w")))
                        .build(),
                ingress("any").rule(host(null, prefix("/", "hostless"))).build());

        assertThat(snapshot.route("x.foo.com", "/b").backend().ref()).isEqualTo(svc("wild-default"));
    }

    @Test
    void route_unknownHost_walksTheFallbackChainDownToNotFound() {
        IngressRuleSet rules = ingress("rules")
                .defaultBackend("rules-default")
                .rule(host("foo.com", prefix("/", "web")))
                .build();
        IngressRuleSet catchAll =
                ingress("catch-all").defaultBackend("catch-all").build();

        RoutingSnapshot full = RoutingSnapshot.builder()
                .add(rules)
                .add(catchAll)
                .defaultBackend(svc("flag"))
                .build(new RoutingTable()::backend);
        RoutingSnapshot noCatchAll =
                RoutingSnapshot.builder().add(rules).defaultBackend(svc("flag")).build(new RoutingTable()::backend);
        RoutingSnapshot nothing = snapshot(rules);

        Route catchAllRoute = full.route("unknown.org", "/");
        assertThat(catchAllRoute.source()).isEqualTo(RouteSource.CATCH_ALL_DEFAULT);
        assertThat(catchAllRoute.backend().ref())
                .as("the owner's default applies to its hosts only")
                .isEqualTo(svc("catch-all"));
        assertThat(catchAllRoute.ingress()).isEqualTo("catch-all");
        assertThat(catchAllRoute.host()).isNull();
        assertThat(catchAllRoute.path()).isNull();

        Route flag = noCatchAll.route("unknown.org", "/");
        assertThat(flag.source()).isEqualTo(RouteSource.FLAG_DEFAULT);
        assertThat(flag.namespace()).isNull();
        assertThat(flag.ingress()).isNull();

        Route notFound = nothing.route("unknown.org", "/");
        assertThat(notFound.isNotFound()).isTrue();
        assertThat(notFound.backend()).isNull();
        assertThat(notFound.upstreamUri("/")).isEqualTo("/");
    }

    @Test
    void route_knownHostWithoutMatchingPath_walksTheSameChainAfterItsOwnersDefault() {
        IngressRuleSet rules =
                ingress("rules").rule(host("foo.com", exact("/a", "web"))).build();

        RoutingSnapshot flagOnly =
                RoutingSnapshot.builder().add(rules).defaultBackend(svc("flag")).build(new RoutingTable()::backend);

        assertThat(flagOnly.route("foo.com", "/b").source()).isEqualTo(RouteSource.FLAG_DEFAULT);
        assertThat(snapshot(rules).route("foo.com", "/b").isNotFound()).isTrue();
    }

    @Test
    void route_hostListedWithoutPaths_stillOwnsTheHostAndUsesItsDefaultBackend() {
        RoutingSnapshot snapshot = snapshot(
                ingress("listed")
                        .defaultBackend("listed-default")
                        .rule(host("www.foo.com"))
                        .build(),
                ingress("wildcard")
                        .rule(host("*.foo.com", prefix("/", "wildcard")))
                        .build());

        assertThat(snapshot.route("www.foo.com", "/").backend().ref()).isEqualTo(svc("listed-default"));
        assertThat(snapshot.route("api.foo.com", "/").backend().ref()).isEqualTo(svc("wildcard"));
    }
}
