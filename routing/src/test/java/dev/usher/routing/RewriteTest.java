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

/** {@code usher.dev/rewrite-target}: Gateway API ReplacePrefixMatch on prefix rules, whole path on Exact rules. */
final class RewriteTest {

    private static Route routeWithRewrite(PathRule rule, String target, String uri) {
        RoutingSnapshot snapshot = snapshot(
                ingress("rewrite").rewrite(target).rule(host("foo.com", rule)).build());
        Route route = snapshot.route("foo.com", uri);
        assertThat(route.source()).as("%s must match %s", uri, rule.path()).isEqualTo(RouteSource.RULE);
        return route;
    }

    /** The 11 rows of the Gateway API HTTPPathModifier ReplacePrefixMatch table, in its order. */
    @ParameterizedTest(name = "{0} with prefix {1} replaced by ''{2}'' -> {3}")
    @CsvSource(delimiter = '|', emptyValue = "", textBlock = """
            /foo/bar | /foo  | /xyz  | /xyz/bar
            /foo/bar | /foo  | /xyz/ | /xyz/bar
            /foo/bar | /foo/ | /xyz  | /xyz/bar
            /foo/bar | /foo/ | /xyz/ | /xyz/bar
            /foo     | /foo  | /xyz  | /xyz
            /foo/    | /foo  | /xyz  | /xyz/
            /foo/bar | /foo  | ''    | /bar
            /foo/    | /foo  | ''    | /
            /foo     | /foo  | ''    | /
            /foo/    | /foo  | /     | /
            /foo     | /foo  | /     | /
            """)
    void upstreamUri_prefixRewrite_followsReplacePrefixMatch(
            String path, String rulePath, String target, String expected) {
        Route route = routeWithRewrite(prefix(rulePath, "svc"), target, path);

        assertThat(route.upstreamUri(path)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /foo/bar?a=1&b=/x | /xyz/bar?a=1&b=/x
            /foo?             | /xyz?
            /foo/?q           | /xyz/?q
            """)
    void upstreamUri_prefixRewrite_keepsTheQueryStringAsReceived(String uri, String expected) {
        assertThat(routeWithRewrite(prefix("/foo", "svc"), "/xyz", uri).upstreamUri(uri))
                .isEqualTo(expected);
    }

    @ParameterizedTest(name = "exact {0} -> ''{1}'': {2} -> {3}")
    @CsvSource(delimiter = '|', emptyValue = "", textBlock = """
            /foo     | /xyz   | /foo       | /xyz
            /foo     | /xyz/  | /foo       | /xyz/
            /foo/    | /a/b   | /foo/?x=1  | /a/b?x=1
            /foo     | ''     | /foo?x     | /?x
            /foo     | /      | /foo       | /
            """)
    void upstreamUri_exactRewrite_replacesTheWholePathAndKeepsTheQuery(
            String rulePath, String target, String uri, String expected) {
        assertThat(routeWithRewrite(exact(rulePath, "svc"), target, uri).upstreamUri(uri))
                .isEqualTo(expected);
    }

    @Test
    void upstreamUri_prefixSlashRule_prependsTheTarget() {
        assertThat(routeWithRewrite(prefix("/", "svc"), "/app", "/a/b?c").upstreamUri("/a/b?c"))
                .isEqualTo("/app/a/b?c");
        assertThat(routeWithRewrite(prefix("/", "svc"), "/app", "/").upstreamUri("/"))
                .isEqualTo("/app/");
    }

    @Test
    void upstreamUri_implementationSpecificRule_replacesThePlainStringPrefix() {
        assertThat(routeWithRewrite(plain("/foo", "svc"), "/xyz", "/foo/bar").upstreamUri("/foo/bar"))
                .isEqualTo("/xyz/bar");
        assertThat(routeWithRewrite(plain("/foo", "svc"), "/", "/foobar").upstreamUri("/foobar"))
                .as("the result stays an absolute path")
                .isEqualTo("/bar");
    }

    @Test
    void upstreamUri_targetWithoutLeadingSlash_isMadeAbsolute() {
        assertThat(routeWithRewrite(prefix("/foo", "svc"), "xyz", "/foo/a").upstreamUri("/foo/a"))
                .isEqualTo("/xyz/a");
    }

    @Test
    void upstreamUri_absoluteFormTarget_isRewrittenToOriginForm() {
        String uri = "http://foo.com:8080/foo/bar?q=1";

        assertThat(routeWithRewrite(prefix("/foo", "svc"), "/xyz", uri).upstreamUri(uri))
                .isEqualTo("/xyz/bar?q=1");
    }

    @Test
    void upstreamUri_withoutRewrite_returnsTheSameInstanceByteForByte() {
        RoutingSnapshot snapshot = snapshot(ingress("plain")
                .defaultBackend("default")
                .rule(host("foo.com", prefix("/foo", "svc"), exact("/bar", "svc")))
                .build());
        String prefixed = new String("/foo/%2e%2E/x?y=%20");
        String exactPath = new String("/bar?");
        String fallback = new String("/other");

        assertThat(snapshot.route("foo.com", prefixed).upstreamUri(prefixed)).isSameAs(prefixed);
        assertThat(snapshot.route("foo.com", exactPath).upstreamUri(exactPath)).isSameAs(exactPath);
        assertThat(snapshot.route("foo.com", fallback).upstreamUri(fallback)).isSameAs(fallback);
    }

    @Test
    void upstreamUri_defaultBackendOfARewritingIngress_isNotRewritten() {
        RoutingSnapshot snapshot = snapshot(ingress("rewrite")
                .rewrite("/xyz")
                .defaultBackend("default")
                .rule(host("foo.com", prefix("/foo", "svc")))
                .build());
        String uri = "/other/path";

        assertThat(snapshot.route("foo.com", uri).upstreamUri(uri)).isSameAs(uri);
    }
}
