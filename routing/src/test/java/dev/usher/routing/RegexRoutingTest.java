package dev.usher.routing;

import static dev.usher.routing.Fixtures.exact;
import static dev.usher.routing.Fixtures.host;
import static dev.usher.routing.Fixtures.ingress;
import static dev.usher.routing.Fixtures.plain;
import static dev.usher.routing.Fixtures.prefix;
import static dev.usher.routing.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * ingress-nginx's regex paths: {@code use-regex}, {@code rewrite-target} with capture groups, host-wide regex mode and
 * the longest-path-first order, row by row from its docs (user-guide/ingress-path-matching.md) and rewrite e2e tests.
 */
final class RegexRoutingTest {

    /** The "Path Priority" example of ingress-path-matching.md: two Ingresses, one of them with rewrite-target /$1. */
    private static final RoutingSnapshot PRIORITY = snapshot(
            ingress("test-ingress-1")
                    .rule(host("test.com", plain("/foo/bar", "service1"), plain("/foo/bar/", "service2")))
                    .build(),
            ingress("test-ingress-2")
                    .age(1)
                    .nginx(false, "/$1")
                    .rule(host("test.com", plain("/foo/bar/(.+)", "service3")))
                    .build(),
            ingress("plain")
                    .rule(host("plain.com", prefix("/foo", "plain-foo"), exact("/exact", "plain-exact")))
                    .build());

    @ParameterizedTest(name = "{0} -> {1} as {2}")
    @CsvSource(delimiter = '|', textBlock = """
            /foo/bar/1        | service3 | /1
            /foo/bar/         | service2 | /foo/bar/
            /foo/bar          | service1 | /foo/bar
            /FOO/BAR/Abc?x=1  | service3 | /Abc?x=1
            /foo/barista      | service1 | /foo/barista
            """)
    void route_docsPathPriority_longestRegexFirstWithCaptureRewrite(String uri, String service, String upstream) {
        Route route = PRIORITY.route("test.com", uri);
        assertThat(route.backend().ref().service()).isEqualTo(service);
        assertThat(route.upstreamUri(uri)).isEqualTo(upstream);
    }

    @Test
    void route_hostWithoutRegexAnnotations_keepsPrefixAndExactSemantics() {
        assertThat(PRIORITY.route("plain.com", "/foobar").isNotFound()).isTrue();
        assertThat(PRIORITY.route("plain.com", "/FOO").isNotFound()).isTrue();
        assertThat(PRIORITY.route("plain.com", "/foo/x").backend().ref().service())
                .isEqualTo("plain-foo");
        assertThat(PRIORITY.route("plain.com", "/exact/x").isNotFound()).isTrue();
        assertThat(PRIORITY.route("plain.com", "/foo/x").regex()).isNull();
    }

    /** The "Warning" example: a regex that is longer wins over a literal path that matches exactly. */
    @Test
    void route_docsWarning_firstMatchInLengthOrderBeatsTheExactLiteral() {
        RoutingSnapshot snapshot = snapshot(ingress("test-ingress-3")
                .nginx(true, null)
                .rule(host("test.com", plain("/foo/bar/bar", "literal"), plain("/foo/bar/[A-Z0-9]{3}", "regex")))
                .build());
        assertThat(snapshot.route("test.com", "/foo/bar/bar").backend().ref().service())
                .isEqualTo("regex");
        assertThat(snapshot.route("test.com", "/foo/bar/bar").regex()).isEqualTo("~* \"^/foo/bar/[A-Z0-9]{3}\"");
    }

    /** The shape most ingress-nginx users write: pathType Prefix, capture groups, rewrite-target /$2, no use-regex. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /something             | /
            /something/            | /
            /something/new         | /new
            /something/new/a?b=c   | /new/a?b=c
            /Something/New         | /New
            /somethingelse         | /somethingelse
            """)
    void upstreamUri_captureGroupRewriteOnPrefixPath_replacesTheWholePath(String uri, String upstream) {
        RoutingSnapshot snapshot = snapshot(ingress("rewrite")
                .nginx(false, "/$2")
                .rule(host("rewrite.bar.com", prefix("/something(/|$)(.*)", "http-svc")))
                .build());
        Route route = snapshot.route("rewrite.bar.com", uri);
        if (upstream.equals("/somethingelse")) {
            assertThat(route.isNotFound())
                    .as("^/something(/|$) does not match /somethingelse")
                    .isTrue();
            return;
        }
        assertThat(route.backend().ref().service()).isEqualTo("http-svc");
        assertThat(route.upstreamUri(uri)).isEqualTo(upstream);
    }

    /** rewrite.go: "should allow for custom rewrite parameters": /foo/bar/(.+) to /new/backend/$1. */
    @Test
    void upstreamUri_customRewriteParameters_insertsTheCapture() {
        RoutingSnapshot snapshot = snapshot(ingress("rewrite")
                .nginx(true, "/new/backend/$1")
                .rule(host("rewrite.bar.com", plain("/foo/bar/(.+)", "http-svc")))
                .build());
        assertThat(snapshot.route("rewrite.bar.com", "/foo/bar/baz").upstreamUri("/foo/bar/baz"))
                .isEqualTo("/new/backend/baz");
    }

    @Test
    void route_regexModeOfOneIngress_appliesToEveryPathOfTheHostWhateverItsType() {
        RoutingSnapshot snapshot = snapshot(
                ingress("plain")
                        .rule(host("shop.com", prefix("/app", "app"), exact("/exact", "exact")))
                        .build(),
                ingress("regex")
                        .age(1)
                        .nginx(true, null)
                        .rule(host("shop.com", plain("/api/v[0-9]+", "api")))
                        .build());
        assertThat(snapshot.route("shop.com", "/application").backend().ref().service())
                .isEqualTo("app");
        assertThat(snapshot.route("shop.com", "/EXACT/more").backend().ref().service())
                .isEqualTo("exact");
        assertThat(snapshot.route("shop.com", "/api/v2/x").backend().ref().service())
                .isEqualTo("api");
        assertThat(snapshot.route("shop.com", "/api/vx").isNotFound()).isTrue();
        assertThat(snapshot.route("shop.com", "/app").upstreamUri("/app"))
                .as("no rewrite on plain's paths")
                .isEqualTo("/app");
    }

    @Test
    void route_equalLengths_keepTheOldestIngressFirstThenManifestOrder() {
        RoutingSnapshot snapshot = snapshot(
                ingress("young")
                        .age(5)
                        .nginx(true, null)
                        .rule(host("t.com", plain("/a.c", "young")))
                        .build(),
                ingress("old")
                        .nginx(true, null)
                        .rule(host("t.com", plain("/ab.", "old-1"), plain("/.bc", "old-2")))
                        .build());
        assertThat(snapshot.route("t.com", "/abc").backend().ref().service()).isEqualTo("old-1");
        assertThat(snapshot.route("t.com", "/xbc").backend().ref().service()).isEqualTo("old-2");
        assertThat(snapshot.route("t.com", "/azc").backend().ref().service()).isEqualTo("young");
    }

    @Test
    void route_rewriteTargetEqualToThePath_doesNotTurnRegexModeOn() {
        RoutingSnapshot snapshot = snapshot(ingress("same")
                .nginx(false, "/api")
                .rule(host("t.com", prefix("/api", "api")))
                .build());
        assertThat(snapshot.route("t.com", "/apis").isNotFound()).isTrue();
        assertThat(snapshot.route("t.com", "/api/x").regex()).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            /(a)\\1/(.*)
            /(?=admin)(.*)
            /(?<!x)y
            /a++
            """)
    void compile_pcreOnlySyntax_skipsThatPathAndListsIt(String path) {
        RoutingSnapshot snapshot = snapshot(ingress("pcre")
                .nginx(true, "/$1")
                .rule(host("t.com", plain(path, "bad"), plain("/ok/(.*)", "good")))
                .build());
        assertThat(RegexHosts.problem(path)).isNotNull();
        assertThat(snapshot.conflicts()).singleElement().satisfies(conflict -> {
            assertThat(conflict.path()).isEqualTo(path);
            assertThat(conflict.reason()).contains("does not compile");
        });
        assertThat(snapshot.route("t.com", "/ok/x").upstreamUri("/ok/x")).isEqualTo("/x");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /..x/admin        | /admin
            /..x/../../etc    | /etc
            /.x/a             | /a
            """)
    void upstreamUri_captureHoldingDotSegments_neverClimbsAboveTheRoot(String uri, String upstream) {
        RoutingSnapshot snapshot = snapshot(ingress("dots")
                .nginx(false, "/$1/$2")
                .rule(host("t.com", plain("/(\\.\\.?)x/(.*)", "svc")))
                .build());
        String normalized = PathNormalizer.normalize(uri);
        if (normalized == null) {
            assertThat(uri).contains("/../../");
            return;
        }
        assertThat(snapshot.route("t.com", normalized).upstreamUri(normalized)).isEqualTo(upstream);
    }

    @Test
    void substitute_missingAndUnmatchedGroups_areEmpty() {
        RoutingSnapshot snapshot = snapshot(ingress("groups")
                .nginx(false, "$1/x$2$9/$0")
                .rule(host("t.com", plain("/(a)(b)?", "svc")))
                .build());
        assertThat(snapshot.route("t.com", "/a").upstreamUri("/a?q")).isEqualTo("/a/x/a?q");
    }

    @Test
    void explain_regexHost_showsTheRegexTheUpstreamUriAndWhyLongerWon() {
        Explanation explanation = PRIORITY.explain("test.com", "/foo/bar/1?x");
        assertThat(explanation.winner().regex()).isEqualTo("~* \"^/foo/bar/(.+)\"");
        assertThat(explanation.upstreamUri()).isEqualTo("/1?x");
        assertThat(explanation.losers()).extracting(Candidate::reason).allSatisfy(reason -> assertThat(reason)
                .contains("tried longest first")
                .contains("^/foo/bar/(.+)"));
        assertThat(explanation.losers()).hasSize(2);
    }

    @ParameterizedTest(name = "{0} -> ''{1}''")
    @CsvSource(delimiter = ';', emptyValue = "", textBlock = """
            /api(/|$)(.*)     ; /api
            /Foo/bar/.*       ; /foo/bar/
            /apis?/x          ; /api
            /ab{2}            ; /a
            /a|/b             ; ''
            (?i)/x            ; ''
            /x[ab]            ; /x
            /v1\\.0           ; /v1
            """)
    void literalPrefix_isWhatEveryMatchStartsWith(String path, String prefix) {
        assertThat(RegexPath.literalPrefix(path)).isEqualTo(prefix);
    }

    @Test
    void literalPrefix_nonAsciiRequestCharacter_isLeftToTheEngine() {
        RoutingSnapshot snapshot = snapshot(ingress("k")
                .nginx(true, null)
                .rule(host("t.com", plain("/kelvin", "svc")))
                .build());
        assertThat(snapshot.route("t.com", "/\u212Aelvin").backend().ref().service())
                .isEqualTo("svc");
    }

    @Test
    void conflict_samePathOnARegexHost_olderWins_andTheLoserIsExplainedAsARegex() {
        RoutingSnapshot snapshot = snapshot(
                ingress("old")
                        .nginx(true, null)
                        .rule(host("t.com", prefix("/api/.*", "old")))
                        .build(),
                ingress("young")
                        .age(1)
                        .rule(host("t.com", prefix("/api/.*", "young")))
                        .build());
        assertThat(snapshot.route("t.com", "/API/x").backend().ref().service()).isEqualTo("old");
        assertThat(snapshot.conflicts()).singleElement().satisfies(c -> assertThat(c.loser())
                .isEqualTo("default/young"));
        assertThat(snapshot.explain("t.com", "/API/x").losers())
                .singleElement()
                .satisfies(loser -> assertThat(loser.route().regex()).isEqualTo("~* \"^/api/.*\""));
        assertThat(snapshot.explain("t.com", "/other").losers()).isEmpty();
    }

    /** rewrite-target without groups replaces every matching path with itself, as in ingress-nginx. */
    @Test
    void upstreamUri_rewriteTargetWithoutGroups_sendsEveryMatchToTheTarget() {
        RoutingSnapshot snapshot = snapshot(ingress("root")
                .nginx(false, "/")
                .rule(host("t.com", prefix("/app", "svc")))
                .build());
        assertThat(snapshot.route("t.com", "/application/x").upstreamUri("/application/x?y=1"))
                .isEqualTo("/?y=1");
        assertThat(snapshot.route("t.com", "/app").upstreamUri("/app")).isEqualTo("/");
    }
}
