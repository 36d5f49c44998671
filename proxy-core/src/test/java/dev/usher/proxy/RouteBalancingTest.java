package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.routing.BackendRef;
import dev.usher.routing.Balancing;
import dev.usher.routing.Endpoint;
import dev.usher.routing.HostRule;
import dev.usher.routing.IngressRuleSet;
import dev.usher.routing.NginxTemplate;
import dev.usher.routing.PathRule;
import dev.usher.routing.PathType;
import dev.usher.routing.PortRef;
import dev.usher.routing.RouteOptions;
import dev.usher.routing.RoutingSnapshot;
import dev.usher.routing.RoutingTable;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ingress-nginx's {@code upstream-hash-by} as rendezvous hashing: the same value always picks the same endpoint, values
 * spread over all endpoints, and an endpoint that goes moves only its own values; and on real sockets, requests with
 * the same URI reach the same origin while different URIs reach both.
 */
final class RouteBalancingTest {

    private static final BackendRef APP = new BackendRef("default", "app", PortRef.number(80));

    private static List<Endpoint> endpoints(int n) {
        List<Endpoint> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(new Endpoint("10.0.0." + (i + 1), 8080, "pod-" + i, null));
        }
        return list;
    }

    private static Endpoint pick(String key, List<Endpoint> endpoints) {
        return endpoints.get(new RouteBalancing.Hashed(key).pick(APP, endpoints, null));
    }

    @Test
    void sameValue_sameEndpoint_andValuesSpreadOverAllEndpoints() {
        List<Endpoint> four = endpoints(4);
        Map<Endpoint, Integer> counts = new HashMap<>();
        for (int i = 0; i < 10_000; i++) {
            String key = "/item/" + i;
            Endpoint first = pick(key, four);
            assertThat(pick(key, four)).isEqualTo(first);
            assertThat(pick(key, List.of(four.get(3), four.get(1), four.get(0), four.get(2))))
                    .as("the order of the endpoint list does not matter")
                    .isEqualTo(first);
            counts.merge(first, 1, Integer::sum);
        }
        assertThat(counts).hasSize(4);
        assertThat(counts.values()).allSatisfy(c -> assertThat(c).isBetween(2_000, 3_000)); // 2,500 each, +- 20 %
    }

    @Test
    void anEndpointThatGoes_movesOnlyItsOwnValues() {
        List<Endpoint> five = endpoints(5);
        List<Endpoint> four = five.subList(0, 4); // pod-4 goes
        int moved = 0;
        for (int i = 0; i < 5_000; i++) {
            String key = "user-" + i;
            Endpoint before = pick(key, five);
            Endpoint after = pick(key, four);
            if (!before.equals(five.get(4))) {
                assertThat(after).as(key).isEqualTo(before);
            } else {
                moved++;
            }
        }
        assertThat(moved).isBetween(700, 1_300); // about a fifth
    }

    private static java.util.Set<Endpoint> subset(String key, int size, List<Endpoint> endpoints) {
        RouteBalancing.Subset subset = new RouteBalancing.Subset(key, size);
        java.util.Set<Endpoint> members = new java.util.HashSet<>();
        for (int rank = 0; rank < Math.min(size, endpoints.size()); rank++) {
            members.add(endpoints.get(subset.member(endpoints, rank)));
        }
        return members;
    }

    @Test
    void subset_sameValueSameSubset_whateverTheListOrder_andRequestsSpreadWithinIt() {
        List<Endpoint> ten = endpoints(10);
        List<Endpoint> reversed = new ArrayList<>(ten);
        java.util.Collections.reverse(reversed);
        Map<Endpoint, Integer> inSubsets = new HashMap<>();
        for (int i = 0; i < 2_000; i++) {
            String key = "/item/" + i;
            java.util.Set<Endpoint> members = subset(key, 3, ten);
            assertThat(members).hasSize(3);
            assertThat(subset(key, 3, reversed)).as("order of the list").isEqualTo(members);
            assertThat(subset(key, 1, ten))
                    .as("a subset of one is plain upstream-hash-by's endpoint")
                    .containsExactly(pick(key, ten));
            members.forEach(e -> inSubsets.merge(e, 1, Integer::sum));
        }
        assertThat(inSubsets).hasSize(10); // 600 subset places each, +- 25 %
        assertThat(inSubsets.values()).allSatisfy(c -> assertThat(c).isBetween(450, 750));

        String key = "/cart/7";
        java.util.Set<Endpoint> members = subset(key, 3, ten);
        Map<Endpoint, Integer> picks = new HashMap<>();
        RouteBalancing.Subset balancer = new RouteBalancing.Subset(key, 3);
        for (int i = 0; i < 3_000; i++) { // a new balancer per request in the data plane: the same value, the same
            Endpoint e = ten.get((i % 2 == 0 ? balancer : new RouteBalancing.Subset(key, 3)).pick(APP, ten, null));
            picks.merge(e, 1, Integer::sum);
        }
        assertThat(picks.keySet()).isEqualTo(members);
        assertThat(picks.values()).allSatisfy(c -> assertThat(c).isBetween(800, 1_200)); // 1,000 each
    }

    @Test
    void subset_largerThanTheBackend_isEveryEndpoint() {
        List<Endpoint> two = endpoints(2);
        assertThat(subset("k", 3, two)).containsExactlyInAnyOrderElementsOf(two);
        java.util.Set<Endpoint> picked = new java.util.HashSet<>();
        for (int i = 0; i < 200; i++) {
            picked.add(two.get(new RouteBalancing.Subset("k", 3).pick(APP, two, null)));
        }
        assertThat(picked).containsExactlyInAnyOrderElementsOf(two);
    }

    @Test
    void subset_anEndpointThatGoes_changesOnlyTheSubsetsItWasIn() {
        List<Endpoint> eight = endpoints(8);
        Endpoint gone = eight.get(5);
        List<Endpoint> seven = new ArrayList<>(eight);
        seven.remove(gone);
        int changed = 0;
        for (int i = 0; i < 2_000; i++) {
            String key = "user-" + i;
            java.util.Set<Endpoint> before = subset(key, 3, eight);
            java.util.Set<Endpoint> after = subset(key, 3, seven);
            if (before.contains(gone)) {
                changed++;
                before.remove(gone);
                assertThat(after).as(key).containsAll(before).hasSize(3);
            } else {
                assertThat(after).as(key).isEqualTo(before);
            }
        }
        assertThat(changed).isBetween(550, 950); // 3/8 of them
    }

    @Test
    void theRoutesHashValue_picksTheOrigin_endToEnd() throws Exception {
        RoutingTable table = new RoutingTable();
        try (TestOrigin a = new TestOrigin("a");
                TestOrigin b = new TestOrigin("b")) {
            table.updateEndpoints(
                    APP,
                    List.of(
                            new Endpoint("127.0.0.1", a.port(), "pod-a", null),
                            new Endpoint("127.0.0.1", b.port(), "pod-b", null)));
            RouteOptions hashed = RouteOptions.builder()
                    .balancing(new Balancing(Balancing.Kind.ROUND_ROBIN, NginxTemplate.parse("$request_uri")))
                    .build();
            table.publish(RoutingSnapshot.builder()
                    .add(new IngressRuleSet(
                            "default",
                            "hashed",
                            Instant.parse("2024-01-01T00:00:00Z"),
                            List.of(new HostRule("hash.test", List.of(new PathRule("/", PathType.PREFIX, APP)))),
                            null,
                            hashed))
                    .build(table::backend));
            ProxyServer proxy = ProxyServer.builder()
                    .routingTable(table)
                    .bindAddress("127.0.0.1")
                    .httpPort(0)
                    .eventLoops(2)
                    .settings(ProxySettings.defaults())
                    .build();
            proxy.start();
            try {
                HttpClient client = HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .build();
                for (int i = 0; i < 10; i++) { // the same URI, over and over: one origin only
                    assertThat(get(client, proxy, "/echo?user=42").statusCode()).isEqualTo(200);
                }
                assertThat(a.requests.get() == 10 || b.requests.get() == 10)
                        .as("a %d, b %d", a.requests.get(), b.requests.get())
                        .isTrue();
                for (int i = 0; i < 40; i++) {
                    get(client, proxy, "/echo?user=" + i);
                }
                assertThat(a.requests.get()).isPositive();
                assertThat(b.requests.get()).isPositive();
            } finally {
                proxy.close();
            }
        }
    }

    private static HttpResponse<String> get(HttpClient client, ProxyServer proxy, String target) throws Exception {
        return client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpPort() + target))
                        .header("Host", "hash.test")
                        .timeout(Duration.ofSeconds(20))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
