package dev.usher.routing;

import static dev.usher.routing.Fixtures.exact;
import static dev.usher.routing.Fixtures.host;
import static dev.usher.routing.Fixtures.ingress;
import static dev.usher.routing.Fixtures.prefix;
import static dev.usher.routing.Fixtures.snapshot;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Routing a hit must not allocate: the host is compared in place, routes are precomputed and the URI is returned
 * as-is; neither must normalising a path that needs no change. Measured with the thread's allocated-bytes counter (a count, not a time), over many calls so that the
 * counter's own few bytes of overhead round to nothing.
 */
final class AllocationTest {

    private static final int CALLS = 200_000;

    private static final RoutingSnapshot SNAPSHOT = snapshot(
            ingress("web")
                    .rewrite(null)
                    .rule(host("www.foo.com", prefix("/", "root"), prefix("/api", "api"), exact("/login", "login")))
                    .build(),
            ingress("wild").rule(host("*.bar.com", prefix("/static", "static"))).build(),
            ingress("any").rule(host(null, prefix("/health", "health"))).build(),
            // a regex host in the same snapshot: the other hosts' lookups must stay allocation-free
            ingress("regex")
                    .nginx(true, "/$2")
                    .rule(host(
                            "regex.foo.com", prefix("/api(/|$)(.*)", "regex-api"), prefix("/static/.*\\.css", "css")))
                    .build());

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            WWW.Foo.com:443 | /login?next=/home
            www.foo.com     | /api/v1/users/42/orders?page=2
            img.bar.com.    | /static/css/site.css
            unknown.org     | /health
            unknown.org     | /missing
            regex.foo.com   | /other/path
            """)
    void route_hitOrMiss_allocatesNothing(String host, String uri) {
        com.sun.management.ThreadMXBean threads = threadBean();
        long thread = Thread.currentThread().getId();
        Route expected = SNAPSHOT.route(host, uri);
        for (int i = 0; i < CALLS; i++) {
            consume(SNAPSHOT.route(host, uri), uri);
        }

        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < CALLS; i++) {
            consume(SNAPSHOT.route(host, uri), uri);
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;

        assertThat(SNAPSHOT.route(host, uri)).isSameAs(expected);
        assertThat(allocated).as("bytes allocated by %d lookups", CALLS).isLessThan(CALLS / 100);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            /login?next=/home
            /api/v1/users/42/orders?page=2&q=%2e%2e
            /static/css/site.css
            /a%2Fb/caf%C3%A9/...
            """)
    void normalize_pathThatNeedsNoChange_allocatesNothing(String uri) {
        com.sun.management.ThreadMXBean threads = threadBean();
        long thread = Thread.currentThread().getId();
        for (int i = 0; i < CALLS; i++) {
            same(PathNormalizer.normalize(uri), uri);
        }

        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < CALLS; i++) {
            same(PathNormalizer.normalize(uri), uri);
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;

        assertThat(allocated).as("bytes allocated by %d normalisations", CALLS).isLessThan(CALLS / 100);
    }

    private static void same(String normalized, String uri) {
        if (normalized != uri) {
            throw new AssertionError("a clean path must come back as the same instance: " + uri);
        }
    }

    private static void consume(Route route, String uri) {
        if (route.upstreamUri(uri) != uri) {
            throw new AssertionError("no rewrite configured");
        }
    }

    private static com.sun.management.ThreadMXBean threadBean() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "needs a HotSpot-style ThreadMXBean");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(
                threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "thread allocation counting unavailable");
        return threads;
    }
}
