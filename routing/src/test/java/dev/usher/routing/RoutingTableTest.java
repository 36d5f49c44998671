package dev.usher.routing;

import static dev.usher.routing.Fixtures.host;
import static dev.usher.routing.Fixtures.ingress;
import static dev.usher.routing.Fixtures.prefix;
import static dev.usher.routing.Fixtures.svc;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

final class RoutingTableTest {

    @Test
    void current_beforeAnyPublish_routesEverythingToNotFound() {
        assertThat(new RoutingTable().current().route("foo.com", "/").isNotFound())
                .isTrue();
    }

    @Test
    void publish_replacesTheSnapshotButKeepsBackendHoldersAndTheirEndpoints() {
        RoutingTable table = new RoutingTable();
        table.publish(RoutingSnapshot.builder()
                .add(ingress("web").rule(host("foo.com", prefix("/", "web"))).build())
                .build(table::backend));
        table.updateEndpoints(svc("web"), List.of(new Endpoint("10.0.0.1", 80, null)));
        Backend before = table.current().route("foo.com", "/").backend();

        table.publish(RoutingSnapshot.builder()
                .add(ingress("web")
                        .rule(host("foo.com", prefix("/", "web"), prefix("/api", "api")))
                        .build())
                .build(table::backend));

        assertThat(table.current().route("foo.com", "/").backend()).isSameAs(before);
        assertThat(before.endpoints()).containsExactly(new Endpoint("10.0.0.1", 80, null));
        assertThat(table.current().route("foo.com", "/api").backend().endpoints())
                .isEmpty();
    }

    @Test
    void retainReferenced_forgetsBackendsTheSnapshotInForceNoLongerUses() {
        RoutingTable table = new RoutingTable();
        table.publish(RoutingSnapshot.builder()
                .add(ingress("old").rule(host("foo.com", prefix("/", "old"))).build())
                .build(table::backend));
        Backend old = table.backend(svc("old"));
        table.publish(RoutingSnapshot.builder()
                .add(ingress("new").rule(host("foo.com", prefix("/", "new"))).build())
                .build(table::backend));
        Backend kept = table.backend(svc("new"));

        table.retainReferenced();

        assertThat(table.backend(svc("new"))).isSameAs(kept);
        assertThat(table.backend(svc("old")))
                .as("a forgotten backend is created afresh")
                .isNotSameAs(old);
    }
}
