package dev.usher.routing;

import static dev.usher.routing.Fixtures.exact;
import static dev.usher.routing.Fixtures.ingress;
import static dev.usher.routing.Fixtures.plain;
import static dev.usher.routing.Fixtures.prefix;
import static dev.usher.routing.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The 18 rows of the Kubernetes Ingress "Examples" table (concepts/services-networking/ingress, pathType), then
 * the multiple-match rule. Each rule routes to a service named after it; {@code null} means "no rule matches",
 * i.e. the Ingress default backend is used.
 */
final class PathTypeExamplesTest {

    private static final String NO_MATCH = null;

    static Stream<Arguments> kubernetesExamples() {
        return Stream.of(
                row(
                        "01_prefixSlash_matchesAllPaths",
                        List.of(prefix("/", "p-root")),
                        "/",
                        "p-root",
                        "/foo",
                        "p-root",
                        "/foo/bar/baz",
                        "p-root",
                        "/foo?x=1",
                        "p-root"),
                row("02_exactFoo_matchesFoo", List.of(exact("/foo", "e-foo")), "/foo", "e-foo"),
                row("03_exactFoo_doesNotMatchBar", List.of(exact("/foo", "e-foo")), "/bar", NO_MATCH),
                row("04_exactFoo_doesNotMatchFooSlash", List.of(exact("/foo", "e-foo")), "/foo/", NO_MATCH),
                row("05_exactFooSlash_doesNotMatchFoo", List.of(exact("/foo/", "e-foo-slash")), "/foo", NO_MATCH),
                row(
                        "06_prefixFoo_matchesFooAndFooSlash",
                        List.of(prefix("/foo", "p-foo")),
                        "/foo",
                        "p-foo",
                        "/foo/",
                        "p-foo"),
                row(
                        "07_prefixFooSlash_matchesFooAndFooSlash",
                        List.of(prefix("/foo/", "p-foo-slash")),
                        "/foo",
                        "p-foo-slash",
                        "/foo/",
                        "p-foo-slash"),
                row("08_prefixAaaBb_doesNotMatchAaaBbb", List.of(prefix("/aaa/bb", "p-bb")), "/aaa/bbb", NO_MATCH),
                row("09_prefixAaaBbb_matchesAaaBbb", List.of(prefix("/aaa/bbb", "p-bbb")), "/aaa/bbb", "p-bbb"),
                row(
                        "10_prefixAaaBbbSlash_matchesAaaBbb_ignoringTrailingSlash",
                        List.of(prefix("/aaa/bbb/", "p-bbb-slash")),
                        "/aaa/bbb",
                        "p-bbb-slash"),
                row(
                        "11_prefixAaaBbb_matchesAaaBbbSlash_matchingTrailingSlash",
                        List.of(prefix("/aaa/bbb", "p-bbb")),
                        "/aaa/bbb/",
                        "p-bbb"),
                row("12_prefixAaaBbb_matchesSubpath", List.of(prefix("/aaa/bbb", "p-bbb")), "/aaa/bbb/ccc", "p-bbb"),
                row(
                        "13_prefixAaaBbb_doesNotMatchStringPrefixAaaBbbxyz",
                        List.of(prefix("/aaa/bbb", "p-bbb")),
                        "/aaa/bbbxyz",
                        NO_MATCH),
                row(
                        "14_prefixSlashAndAaa_aaaCcc_matchesAaa",
                        List.of(prefix("/", "p-root"), prefix("/aaa", "p-aaa")),
                        "/aaa/ccc",
                        "p-aaa"),
                row(
                        "15_prefixSlashAaaAaaBbb_aaaBbb_matchesAaaBbb",
                        List.of(prefix("/", "p-root"), prefix("/aaa", "p-aaa"), prefix("/aaa/bbb", "p-bbb")),
                        "/aaa/bbb",
                        "p-bbb"),
                row(
                        "16_prefixSlashAaaAaaBbb_ccc_matchesSlash",
                        List.of(prefix("/", "p-root"), prefix("/aaa", "p-aaa"), prefix("/aaa/bbb", "p-bbb")),
                        "/ccc",
                        "p-root"),
                row("17_prefixAaa_ccc_usesDefaultBackend", List.of(prefix("/aaa", "p-aaa")), "/ccc", NO_MATCH),
                row(
                        "18_mixedPrefixAndExactFoo_foo_prefersExact",
                        List.of(prefix("/foo", "p-foo"), exact("/foo", "e-foo")),
                        "/foo",
                        "e-foo"));
    }

    static Stream<Arguments> multipleMatches() {
        return Stream.of(
                row(
                        "longestRulePathWins_acrossTypes",
                        List.of(prefix("/a/b/c", "p-abc"), exact("/a/b", "e-ab")),
                        "/a/b/c",
                        "p-abc"),
                row(
                        "exactBeatsPrefix_onEqualLength_whateverTheManifestOrder",
                        List.of(exact("/foo", "e-foo"), prefix("/foo", "p-foo")),
                        "/foo",
                        "e-foo"),
                row(
                        "prefixTrailingSlash_doesNotMakeTheRuleLonger_soExactStillWins",
                        List.of(prefix("/foo/", "p-foo-slash"), exact("/foo", "e-foo")),
                        "/foo",
                        "e-foo"),
                row(
                        "exactLosesToNothing_itMatchesOnlyItsOwnPath",
                        List.of(exact("/foo", "e-foo"), prefix("/foo", "p-foo")),
                        "/foo/x",
                        "p-foo"),
                row(
                        "prefixBeatsImplementationSpecific_onEqualLength",
                        List.of(plain("/foo", "i-foo"), prefix("/foo", "p-foo")),
                        "/foo/x",
                        "p-foo"),
                row("implementationSpecific_isAPlainStringPrefix", List.of(plain("/foo", "i-foo")), "/foobar", "i-foo"),
                row(
                        "longerImplementationSpecific_beatsShorterPrefix",
                        List.of(prefix("/foo", "p-foo"), plain("/foo/ba", "i-fooba")),
                        "/foo/bar",
                        "i-fooba"),
                row(
                        "matching_ignoresTheQueryString",
                        List.of(exact("/foo", "e-foo"), prefix("/", "p-root")),
                        "/foo?bar=/baz",
                        "e-foo"),
                row(
                        "matching_isCaseSensitive",
                        List.of(exact("/foo", "e-foo"), prefix("/Foo", "p-Foo")),
                        "/FOO",
                        NO_MATCH),
                row(
                        "percentEncoding_isNotDecoded_pathsCompareByteForByte",
                        List.of(prefix("/a b", "p-space")),
                        "/a%20b",
                        NO_MATCH));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"kubernetesExamples", "multipleMatches"})
    void route_pathRules_followTheIngressSpec(List<PathRule> rules, List<String[]> requests) {
        RoutingSnapshot snapshot = snapshot(ingress("examples")
                .defaultBackend("default-backend")
                .rule(new HostRule("foo.com", rules))
                .build());

        for (String[] request : requests) {
            Route route = snapshot.route("foo.com", request[0]);
            String expected = request[1] == null ? "default-backend" : request[1];
            assertThat(route.backend().ref().service())
                    .as("request %s", request[0])
                    .isEqualTo(expected);
            assertThat(route.source())
                    .as("request %s", request[0])
                    .isEqualTo(request[1] == null ? RouteSource.INGRESS_DEFAULT : RouteSource.RULE);
        }
    }

    /** The same examples hold for host-less rules, which every host uses. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("kubernetesExamples")
    void route_hostlessPathRules_followTheIngressSpecToo(List<PathRule> rules, List<String[]> requests) {
        RoutingSnapshot snapshot =
                snapshot(ingress("examples").rule(new HostRule(null, rules)).build());

        for (String[] request : requests) {
            Route route = snapshot.route("anything.example", request[0]);
            if (request[1] == null) {
                assertThat(route.isNotFound()).as("request %s", request[0]).isTrue();
            } else {
                assertThat(route.backend().ref().service())
                        .as("request %s", request[0])
                        .isEqualTo(request[1]);
            }
        }
    }

    /** {@code row(name, rules, path1, expected1, path2, expected2, ...)}. */
    private static Arguments row(String name, List<PathRule> rules, String... pathsAndExpected) {
        List<String[]> requests = new ArrayList<>();
        for (int i = 0; i < pathsAndExpected.length; i += 2) {
            requests.add(new String[] {pathsAndExpected[i], pathsAndExpected[i + 1]});
        }
        return Arguments.of(Named.of(name, rules), requests);
    }
}
