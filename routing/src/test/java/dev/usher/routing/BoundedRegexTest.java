package dev.usher.routing;

import static dev.usher.routing.Fixtures.host;
import static dev.usher.routing.Fixtures.ingress;
import static dev.usher.routing.Fixtures.plain;
import static dev.usher.routing.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An Ingress author's regular expression cannot make RE2/J build a program of millions of instructions: RE2/J limits
 * each count to 1000 but not their product, so nested counts were an OutOfMemoryError in the compiling thread.
 */
final class BoundedRegexTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/((a{1000}){1000}){1000}",
                "/(a{1000}){1000}",
                "/((x|y){100}){101}",
                "/[a-z]{1000}(b{1000}){11}",
                "/(.{10,}){1000}"
            })
    void nestedRepetitions_areRefusedBeforeCompiling_asRegexPathsAndCanaryPatterns(String path) {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            assertThat(RegexHosts.problem(path)).contains("too large");
            assertThat(Canary.patternProblem(path)).contains("too large");
            RoutingSnapshot snapshot = snapshot(ingress("huge")
                    .nginx(true, "/$1")
                    .rule(host("t.com", plain(path, "bad"), plain("/ok/(.*)", "good")))
                    .build());
            assertThat(snapshot.conflicts()).singleElement().satisfies(conflict -> {
                assertThat(conflict.path()).isEqualTo(path);
                assertThat(conflict.reason()).contains("too large");
            });
            assertThat(snapshot.route("t.com", "/ok/x").upstreamUri("/ok/x")).isEqualTo("/x");
        });
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/api(/|$)(.*)",
                "/foo/bar/[A-Z0-9]{3}",
                "/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/(.*)",
                "/(.{1,1000})",
                "/([a-z0-9-]{1,63}\\.){1,10}",
                "/[{]{1000}",
                "/\\Q{1000}\\E{5}",
                "/a{,5}x{1000}"
            })
    void ordinaryExpressions_compile(String path) {
        assertThat(RegexHosts.problem(path)).isNull();
        assertThat(BoundedRegex.size("^" + path)).isLessThanOrEqualTo(BoundedRegex.MAX_SIZE);
    }
}
