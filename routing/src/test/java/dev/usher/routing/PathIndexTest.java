package dev.usher.routing;

import static dev.usher.routing.Fixtures.exact;
import static dev.usher.routing.Fixtures.host;
import static dev.usher.routing.Fixtures.ingress;
import static dev.usher.routing.Fixtures.plain;
import static dev.usher.routing.Fixtures.prefix;
import static dev.usher.routing.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A host with many rules is matched through {@link PathIndex}, which must agree with the linear scan exactly. */
final class PathIndexTest {

    private static final String[] SEGMENTS = {"a", "b", "ab", "ba", "", "aa"};

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void route_indexedHost_agreesWithTheLinearScanOnRandomRulesAndPaths(long seed) {
        Random random = new Random(seed);
        List<PathRule> rules = new ArrayList<>();
        for (int i = 0; i < 12 + random.nextInt(40); i++) {
            String path = randomPath(random);
            String service = "r" + i;
            rules.add(
                    switch (random.nextInt(3)) {
                        case 0 -> exact(path, service);
                        case 1 -> prefix(path, service);
                        default -> plain(path, service);
                    });
        }
        RoutingSnapshot snapshot = snapshot(ingress("many")
                .defaultBackend("fallback")
                .rule(new HostRule("foo.com", rules))
                .build());
        HostEntry entry = snapshot.exactHosts().get("foo.com", 0, 7);
        assertThat(entry.rules().size()).isGreaterThan(HostEntry.INDEX_THRESHOLD);

        for (int i = 0; i < 2_000; i++) {
            String path = randomPath(random);
            assertThat(entry.route(path, 0, path.length())).as(path).isSameAs(entry.scan(path, 0, path.length()));
        }
    }

    @Test
    void route_indexedHost_followsTheMultipleMatchRules() {
        List<PathRule> rules = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            rules.add(exact("/filler/" + i, "filler"));
        }
        rules.add(prefix("/", "root"));
        rules.add(prefix("/foo/", "p-foo"));
        rules.add(exact("/foo", "e-foo"));
        rules.add(plain("/foo/ba", "i-fooba"));
        rules.add(prefix("/foo/bar", "p-foobar"));
        RoutingSnapshot snapshot =
                snapshot(ingress("many").rule(new HostRule("foo.com", rules)).build());

        assertThat(service(snapshot, "/foo")).isEqualTo("e-foo");
        assertThat(service(snapshot, "/foo/")).isEqualTo("p-foo");
        assertThat(service(snapshot, "/foo/bar/x")).isEqualTo("p-foobar");
        assertThat(service(snapshot, "/foo/baz")).isEqualTo("i-fooba");
        assertThat(service(snapshot, "/foo/b")).isEqualTo("p-foo");
        assertThat(service(snapshot, "/foobar")).isEqualTo("root");
        assertThat(service(snapshot, "/filler/7?x")).isEqualTo("filler");
        assertThat(snapshot(ingress("h")
                                .rule(host("foo.com", prefix("/a", "a")))
                                .build())
                        .route("foo.com", "/b")
                        .isNotFound())
                .isTrue();
    }

    private static String service(RoutingSnapshot snapshot, String uri) {
        return snapshot.route("foo.com", uri).backend().ref().service();
    }

    private static String randomPath(Random random) {
        StringBuilder path = new StringBuilder();
        int segments = random.nextInt(4);
        for (int s = 0; s < segments; s++) {
            path.append('/').append(SEGMENTS[random.nextInt(SEGMENTS.length)]);
        }
        if (path.length() == 0 || random.nextInt(4) == 0) {
            path.append('/');
        }
        return path.toString();
    }
}
