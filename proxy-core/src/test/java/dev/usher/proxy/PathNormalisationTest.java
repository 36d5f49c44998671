package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.routing.BackendRef;
import dev.usher.routing.Endpoint;
import dev.usher.routing.HostRule;
import dev.usher.routing.IngressRuleSet;
import dev.usher.routing.PathRule;
import dev.usher.routing.PathType;
import dev.usher.routing.PortRef;
import dev.usher.routing.RouteOptions;
import dev.usher.routing.RoutingSnapshot;
import dev.usher.routing.RoutingTable;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The request path is normalised before routing, and that path is what is routed, rewritten and forwarded (as nginx
 * does): raw request bytes in, what the origin received out. {@code paths.test} has {@code /public} and
 * {@code /admin} on two origins, {@code public-only.test} only {@code /public}, and {@code rw.test} rewrites
 * {@code /api} to {@code /v1/public}.
 */
final class PathNormalisationTest {

    private static final BackendRef PUBLIC = new BackendRef("default", "public", PortRef.number(80));
    private static final BackendRef ADMIN = new BackendRef("default", "admin", PortRef.number(80));

    private static TestOrigin publicOrigin;
    private static TestOrigin adminOrigin;
    private static ProxyServer proxy;

    @BeforeAll
    static void start() {
        publicOrigin = new TestOrigin("public");
        adminOrigin = new TestOrigin("admin");
        RoutingTable table = new RoutingTable();
        table.updateEndpoints(PUBLIC, List.of(new Endpoint("127.0.0.1", publicOrigin.port(), "public-0")));
        table.updateEndpoints(ADMIN, List.of(new Endpoint("127.0.0.1", adminOrigin.port(), "admin-0")));
        Instant created = Instant.parse("2024-01-01T00:00:00Z");
        IngressRuleSet site = new IngressRuleSet(
                "default",
                "site",
                created,
                List.of(
                        new HostRule(
                                "paths.test",
                                List.of(
                                        new PathRule("/public", PathType.PREFIX, PUBLIC),
                                        new PathRule("/admin", PathType.PREFIX, ADMIN))),
                        new HostRule("public-only.test", List.of(new PathRule("/public", PathType.PREFIX, PUBLIC)))),
                null,
                RouteOptions.DEFAULT);
        IngressRuleSet rewrite = new IngressRuleSet(
                "default",
                "rw",
                created,
                List.of(new HostRule("rw.test", List.of(new PathRule("/api", PathType.PREFIX, PUBLIC)))),
                null,
                RouteOptions.builder()
                        .rewriteTarget("/v1/public")
                        .sslRedirect(false)
                        .build());
        table.publish(RoutingSnapshot.builder().add(site).add(rewrite).build(table::backend));
        proxy = ProxyServer.builder()
                .routingTable(table)
                .bindAddress("127.0.0.1")
                .httpPort(0)
                .eventLoops(1)
                .settings(ProxySettings.defaults())
                .build();
        proxy.start();
    }

    @AfterAll
    static void stop() {
        proxy.close();
        publicOrigin.close();
        adminOrigin.close();
    }

    /** Sends {@code GET target} with {@code Connection: close}, exactly as written, and returns the whole answer. */
    private static String get(String host, String target) throws Exception {
        try (RawHttp raw = new RawHttp(proxy.httpPort())) {
            raw.send("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
            return raw.readUntilClose();
        }
    }

    @ParameterizedTest(name = "{0} reaches {1} as {2}")
    @CsvSource(delimiter = '|', textBlock = """
            /public/../admin           | admin  | /admin
            /public/%2e%2e/admin       | admin  | /admin
            /public/.%2E/admin/x       | admin  | /admin/x
            /x/../public/y             | public | /public/y
            /x/%2e%2e/public/y         | public | /public/y
            /public/./y/.              | public | /public/y/
            /a//../public              | public | /public
            """)
    void dotSegments_areRemovedBeforeRouting_andTheOriginGetsTheNormalisedPath(
            String target, String origin, String forwarded) throws Exception {
        String answer = get("paths.test", target);

        assertThat(answer).startsWith("HTTP/1.1 200").contains("origin=" + origin + "\n", "uri=" + forwarded + "\n");
    }

    @Test
    void dotSegments_outOfTheOnlyRule_get404_andReachNoOrigin() throws Exception {
        int before = publicOrigin.requests.get();

        String answer = get("public-only.test", "/public/../admin");

        assertThat(answer).startsWith("HTTP/1.1 404");
        assertThat(publicOrigin.requests.get()).isEqualTo(before);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /public//a///b    | /public/a/b
            //public/a        | /public/a
            /public/a//       | /public/a/
            """)
    void repeatedSlashes_areMerged(String target, String forwarded) throws Exception {
        String answer = get("paths.test", target);

        assertThat(answer).startsWith("HTTP/1.1 200").contains("origin=public\n", "uri=" + forwarded + "\n");
    }

    @Test
    void encodedSlash_isNeverASeparator_soItsDotsStayInTheSegment() throws Exception {
        String answer = get("paths.test", "/public/a%2f..%2f..%2Fadmin");

        assertThat(answer).startsWith("HTTP/1.1 200").contains("origin=public\n", "uri=/public/a%2F..%2F..%2Fadmin\n");
    }

    @Test
    void unreservedEscapes_areDecoded_otherEscapesKeptInUpperCase() throws Exception {
        String answer = get("paths.test", "/%70ublic/%7euser/caf%c3%a9");

        assertThat(answer).startsWith("HTTP/1.1 200").contains("origin=public\n", "uri=/public/~user/caf%C3%A9\n");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "/../x",
                "/public/../../admin",
                "/%2e%2e/admin",
                "/public/%2E%2E/%2e%2e/admin",
                "/public/a%zz",
                "/public/%"
            })
    void pathClimbingAboveTheRootOrMalformed_is400_andReachesNoOrigin(String target) throws Exception {
        int before = publicOrigin.requests.get() + adminOrigin.requests.get();

        String answer = get("paths.test", target);

        assertThat(answer).startsWith("HTTP/1.1 400");
        assertThat(publicOrigin.requests.get() + adminOrigin.requests.get()).isEqualTo(before);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            /api/x/../y            | /v1/public/y
            /api/./x//y            | /v1/public/x/y
            /api/x/%2e%2e/%2e%2e/z | 404
            /api/../admin          | 404
            /api/../../admin       | 400
            /api/%2e%2e/%2e%2e/adm | 400
            """)
    void rewrite_appliesToTheNormalisedPath_soItCannotClimbOutOfItsTarget(String target, String expected)
            throws Exception {
        String answer = get("rw.test", target);

        if (expected.startsWith("/")) {
            assertThat(answer).startsWith("HTTP/1.1 200").contains("uri=" + expected + "\n");
        } else {
            assertThat(answer).startsWith("HTTP/1.1 " + expected).doesNotContain("origin=");
        }
    }

    @Test
    void query_isForwardedByteForByte_whileThePathIsNormalised() throws Exception {
        String answer = get("paths.test", "/x/../public/./a?x=/../..&y=%2e%2E&z=a//b&w=%7e");

        assertThat(answer)
                .startsWith("HTTP/1.1 200")
                .contains("origin=public\n", "uri=/public/a?x=/../..&y=%2e%2E&z=a//b&w=%7e\n");
    }

    @Test
    void rewrite_keepsTheQueryByteForByte() throws Exception {
        String answer = get("rw.test", "/api//x/./?q=/../%2e");

        assertThat(answer).startsWith("HTTP/1.1 200").contains("uri=/v1/public/x/?q=/../%2e\n");
    }

    @Test
    void absoluteFormTarget_isNormalisedToo() throws Exception {
        String answer = get("paths.test", "http://paths.test/public/%2e%2e/admin?a=1");

        assertThat(answer).startsWith("HTTP/1.1 200").contains("origin=admin\n", "uri=/admin?a=1\n");
    }

    @Test
    void cleanPath_isForwardedUnchanged() throws Exception {
        String answer = get("paths.test", "/public/a.b/..c/%C3%A9?x");

        assertThat(answer).startsWith("HTTP/1.1 200").contains("uri=/public/a.b/..c/%C3%A9?x\n");
    }
}
