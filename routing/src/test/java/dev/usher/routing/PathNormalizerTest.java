package dev.usher.routing;

import static dev.usher.routing.Fixtures.exact;
import static dev.usher.routing.Fixtures.host;
import static dev.usher.routing.Fixtures.ingress;
import static dev.usher.routing.Fixtures.prefix;
import static dev.usher.routing.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link PathNormalizer}: one table per rule, nginx's behaviour where RFC 3986 leaves a choice. */
final class PathNormalizerTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "/",
                "/a",
                "/a/",
                "/a/b/c",
                "/a.b/..c/c../.d",
                "/a%2Fb",
                "/%C3%A9",
                "/a?x=/../..&y=%2e",
                "/a/b?",
                "/~user/x-y_z",
                "/a/...",
                "/a/.../b",
                "/%25",
                "/caf\u00e9",
                "/a/b?u=http://x/./y/../%7e%zz"
            })
    void normalize_pathThatNeedsNoChange_isReturnedAsTheSameInstance(String target) {
        assertThat(PathNormalizer.normalize(target)).isSameAs(target);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /%61%62%63          | /abc
            /%41%5A%30%39       | /AZ09
            /%2D%2e%5F%7E       | /-._~
            /%7e/%7E            | /~/~
            /a%2fb              | /a%2Fb
            /%c3%a9             | /%C3%A9
            /%3f%23%20          | /%3F%23%20
            /%252e%252e         | /%252e%252e
            /%2541              | /%2541
            """)
    void normalize_unreservedEscapesAreDecoded_otherEscapesUpperCased_nothingDecodedTwice(
            String target, String expected) {
        assertThat(PathNormalizer.normalize(target)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /a//b        | /a/b
            //a          | /a
            ///          | /
            /a///b//     | /a/b/
            /a//../b     | /b
            """)
    void normalize_repeatedSlashesMerge_likeNginxMergeSlashes(String target, String expected) {
        assertThat(PathNormalizer.normalize(target)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /public/../admin     | /admin
            /x/../public/y       | /public/y
            /a/./b               | /a/b
            /a/b/..              | /a/
            /a/b/.               | /a/b/
            /a/..                | /
            /.                   | /
            /./a                 | /a
            /a/b/../../c         | /c
            /a/../b/./c/..       | /b/
            """)
    void normalize_dotSegmentsAreRemoved_perRfc3986Section5_2_4(String target, String expected) {
        assertThat(PathNormalizer.normalize(target)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /public/%2e%2e/admin  | /admin
            /public/%2E%2E/admin  | /admin
            /public/.%2e/admin    | /admin
            /a/%2e/b              | /a/b
            /x/%2e%2e/public/y    | /public/y
            """)
    void normalize_encodedDotsAreDecodedFirst_soTheyAreDotSegmentsToo(String target, String expected) {
        assertThat(PathNormalizer.normalize(target)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /a/..%2Fadmin       | /a/..%2Fadmin
            /a/..%2fadmin       | /a/..%2Fadmin
            /a/b%2F..%2F..      | /a/b%2F..%2F..
            /a%2F%2Fb           | /a%2F%2Fb
            """)
    void normalize_encodedSlashIsNeverASeparator(String target, String expected) {
        assertThat(PathNormalizer.normalize(target)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /a/../b?x=/../..&y=%2e%2E | /b?x=/../..&y=%2e%2E
            //a?//                    | /a?//
            /%7e?%7e                  | /~?%7e
            /a/./?                    | /a/?
            """)
    void normalize_queryIsKeptByteForByte(String target, String expected) {
        assertThat(PathNormalizer.normalize(target)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "/..",
                "/../x",
                "/a/../..",
                "/a/../../admin",
                "/%2e%2e/x",
                "/./../x",
                "//..//x",
                "/a/b/../../../c?q"
            })
    void normalize_pathClimbingAboveTheRoot_isInvalid(String target) {
        assertThat(PathNormalizer.normalize(target)).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/%", "/%2", "/a%zz", "/%g0", "/%0g", "/a%2?x", "/a/%%41"})
    void normalize_malformedPercentEscape_isInvalid(String target) {
        assertThat(PathNormalizer.normalize(target)).isNull();
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"", "a/b", "*", "http://a/b"})
    void normalize_targetNotInOriginForm_isInvalid(String target) {
        assertThat(PathNormalizer.normalize(target)).isNull();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /%7euser      | /~user
            /caf%c3%a9    | /caf%C3%A9
            /a/../b       | /a/../b
            /a//b         | /a//b
            /bad%zz       | /bad%zz
            """)
    void normalizeEscapes_onlyTouchesEscapes_forRulePaths(String path, String expected) {
        assertThat(PathNormalizer.normalizeEscapes(path)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/api", "/a%2Fb", "/caf%C3%A9"})
    void normalizeEscapes_ruleThatNeedsNoChange_isReturnedAsTheSameInstance(String path) {
        assertThat(PathNormalizer.normalizeEscapes(path)).isSameAs(path);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/~user/x", "/%7Euser/x", "/%7euser/x", "/caf%c3%a9", "/caf%C3%A9"})
    void route_rulePathWithEscapes_matchesEveryNormalisedSpellingOfTheRequest(String request) {
        RoutingSnapshot snapshot = snapshot(ingress("esc")
                .rule(host("foo.com", prefix("/%7euser", "home"), exact("/caf%c3%a9", "cafe")))
                .build());

        Route route = snapshot.route("foo.com", PathNormalizer.normalize(request));

        assertThat(route.source()).isEqualTo(RouteSource.RULE);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /public/../admin?x=1   | /admin   | /admin?x=1
            /x/%2e%2e/public//y    | /public/y | /public/y
            """)
    void explain_normalisesThePathAsTheDataPlaneDoes(String uri, String path, String upstream) {
        RoutingSnapshot snapshot = snapshot(ingress("site")
                .rule(host("foo.com", prefix("/public", "public"), prefix("/admin", "admin")))
                .build());

        Explanation explanation = snapshot.explain("foo.com", uri);

        assertThat(explanation.path()).isEqualTo(path);
        assertThat(explanation.upstreamUri()).isEqualTo(upstream);
        assertThat(explanation.winner()).isSameAs(snapshot.route("foo.com", PathNormalizer.normalize(uri)));
    }
}
