package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.usher.routing.Endpoint;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Endpoints named by a host name (an ExternalName Service, a name in a manifests folder) are resolved by the proxy's
 * asynchronous resolver against the name servers it is given, here a {@link TestNameServer} on loopback: one event
 * loop, so a lookup that blocked it would hold every other request. A name may resolve to loopback (where the test
 * origins are) only with {@code localOriginNames}; by default it is refused.
 */
final class HostNameEndpointsTest {

    private final TestNameServer names = new TestNameServer();

    HostNameEndpointsTest() throws InterruptedException {}

    @AfterEach
    void stop() {
        names.close();
    }

    /** The test origins listen on loopback, which a name may resolve to only when {@code localOriginNames} is on. */
    private ProxyFixture proxy(Duration connectTimeout) {
        return proxy(ProxySettings.builder().connectTimeout(connectTimeout).localOriginNames(true));
    }

    private ProxyFixture proxy(ProxySettings.Builder settings) {
        return new ProxyFixture(1, settings.build(), b -> b.eventLoops(1).dnsServers(names.provider()));
    }

    @Test
    void hostNameEndpoint_isResolvedByTheNameServer() throws Exception {
        try (ProxyFixture proxy = proxy(Duration.ofSeconds(5))) {
            proxy.table.updateEndpoints(
                    ProxyFixture.APP,
                    List.of(new Endpoint(
                            TestNameServer.ANSWERED, proxy.origins.get(0).port(), null, null)));

            HttpResponse<String> response = proxy.get("app.test", "/named");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(proxy.origins.get(0).seen).anyMatch(r -> r.uri().equals("/named"));
            assertThat(names.asked()).anyMatch(q -> q.startsWith(TestNameServer.ANSWERED + ".") && q.endsWith(" A"));
        }
    }

    @Test
    void nameResolvingToLoopback_isRefusedByDefault_502_withoutAConnection() throws Exception {
        try (ProxyFixture proxy = proxy(ProxySettings.builder())) {
            TestOrigin origin = proxy.origins.get(0);
            proxy.table.updateEndpoints(
                    ProxyFixture.APP, List.of(new Endpoint(TestNameServer.ANSWERED, origin.port(), null, null)));

            assertThat(proxy.get("app.test", "/admin-page").statusCode()).isEqualTo(502);
            assertThat(names.asked()).anyMatch(q -> q.startsWith(TestNameServer.ANSWERED + "."));
            assertThat(origin.connections.get()).isZero();
        }
    }

    @Test
    void localhostName_isRefusedByDefault_whileALoopbackLiteralIsNot() throws Exception {
        try (ProxyFixture proxy = proxy(ProxySettings.builder())) {
            TestOrigin origin = proxy.origins.get(0);
            assertThat(proxy.get("app.test", "/literal").statusCode()).isEqualTo(200); // the fixture's 127.0.0.1
            proxy.table.updateEndpoints(
                    ProxyFixture.APP, List.of(new Endpoint("localhost", origin.port(), null, null)));

            assertThat(proxy.get("app.test", "/named").statusCode()).isEqualTo(502);
            assertThat(origin.seen).noneMatch(r -> r.uri().equals("/named"));
        }
    }

    @Test
    void localhost_isResolvedFromTheHostsFile_withoutAQuery() throws Exception {
        try (ProxyFixture proxy = proxy(Duration.ofSeconds(5))) {
            proxy.table.updateEndpoints(
                    ProxyFixture.APP,
                    List.of(new Endpoint("localhost", proxy.origins.get(0).port(), null, null)));

            assertThat(proxy.get("app.test", "/local").statusCode()).isEqualTo(200);
            assertThat(names.asked()).isEmpty();
        }
    }

    @Test
    void nameServerThatNeverAnswers_holdsOnlyTheRequestsForThatName() throws Exception {
        // A minute per query: the held request cannot end while the test runs.
        try (ProxyFixture proxy = proxy(Duration.ofSeconds(60))) {
            proxy.table.updateEndpoints(
                    ProxyFixture.EMPTY, List.of(new Endpoint(TestNameServer.NEVER_ANSWERED, 80, null, null)));
            CompletableFuture<HttpResponse<String>> held = proxy.client.sendAsync(
                    HttpRequest.newBuilder(proxy.uri("/held"))
                            .header("Host", "empty.test")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> names.asked().stream().anyMatch(q -> q.startsWith(TestNameServer.NEVER_ANSWERED)));

            // The same (only) event loop serves the next request while the lookup waits.
            HttpResponse<String> response = proxy.get("app.test", "/meanwhile");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(held).isNotDone();
        }
    }

    @Test
    void nameServerThatNeverAnswers_is502_afterTheConnectTimeout() throws Exception {
        try (ProxyFixture proxy = proxy(Duration.ofMillis(300))) {
            proxy.table.updateEndpoints(
                    ProxyFixture.EMPTY, List.of(new Endpoint(TestNameServer.NEVER_ANSWERED, 80, null, null)));

            assertThat(proxy.get("empty.test", "/timed-out").statusCode()).isEqualTo(502);
            assertThat(proxy.get("app.test", "/after").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void eachLookup_isSentFromASourcePortOfItsOwn() throws Exception {
        try (ProxyFixture proxy = proxy(Duration.ofSeconds(5))) {
            proxy.table.updateEndpoints(ProxyFixture.EMPTY, List.of(new Endpoint("nowhere.test", 80, null, null)));
            for (int i = 0; i < 3; i++) {
                assertThat(proxy.get("empty.test", "/").statusCode()).isEqualTo(502); // NXDOMAIN is not cached
            }

            List<String> asked = names.asked();
            List<Integer> ports = names.sourcePorts();
            Set<Integer> lookups = new HashSet<>();
            for (int i = 0; i < asked.size(); i++) {
                if (asked.get(i).equals("nowhere.test. A")) {
                    lookups.add(ports.get(i));
                }
            }
            // Three lookups from one port would let a forger guess only the query id; three random ports collide
            // once in hundreds of millions of runs.
            assertThat(lookups).hasSizeGreaterThan(1);
        }
    }

    @Test
    void nameThatDoesNotExist_is502() throws Exception {
        try (ProxyFixture proxy = proxy(Duration.ofSeconds(5))) {
            proxy.table.updateEndpoints(ProxyFixture.EMPTY, List.of(new Endpoint("nowhere.test", 80, null, null)));

            assertThat(proxy.get("empty.test", "/").statusCode()).isEqualTo(502);
            assertThat(names.asked()).anyMatch(q -> q.startsWith("nowhere.test."));
        }
    }
}
