package dev.usher.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.k8s.ManifestsSource;
import dev.usher.k8s.SnapshotPublisher;
import dev.usher.k8s.translate.WatcherSettings;
import dev.usher.routing.Endpoint;
import dev.usher.routing.Route;
import dev.usher.routing.RoutingSnapshot;
import dev.usher.routing.RoutingTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class BenchManifestsTest {

    @TempDir
    Path dir;

    @Test
    void write_twoHostsThreePaths_listsEveryRouteHostByHost() throws Exception {
        List<RequestTarget> targets = BenchManifests.write(dir, 2, 3, List.of(9001, 9002));

        assertThat(targets)
                .containsExactly(
                        new RequestTarget("h0.bench.test", "/p0"), new RequestTarget("h0.bench.test", "/p1"),
                        new RequestTarget("h0.bench.test", "/p2"), new RequestTarget("h1.bench.test", "/p0"),
                        new RequestTarget("h1.bench.test", "/p1"), new RequestTarget("h1.bench.test", "/p2"));
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .containsExactlyInAnyOrder(
                            "ingressclass.yaml",
                            "services.yaml",
                            "endpoints-origin-0.yaml",
                            "endpoints-origin-1.yaml",
                            "ingress-h0.yaml",
                            "ingress-h1.yaml"); // and no temporary file left behind
        }
    }

    @Test
    void write_translatedByTheFolderSource_routesEachPathToItsOriginPort() throws Exception {
        BenchManifests.write(dir, 2, 3, List.of(9001, 9002));
        RoutingTable table = new RoutingTable();
        SnapshotPublisher publisher = new SnapshotPublisher(table, null);

        try (ManifestsSource source = ManifestsSource.start(dir, WatcherSettings.defaults(), publisher)) {
            assertThat(source.directory()).isEqualTo(dir.toAbsolutePath().normalize());
            assertThat(publisher.problems()).isEmpty();
            RoutingSnapshot snapshot = table.current();
            for (int host = 0; host < 2; host++) {
                for (int path = 0; path < 3; path++) {
                    Route route = snapshot.route(BenchManifests.hostName(host), "/p" + path + "/x?y=1");
                    int origin = (host * 3 + path) % 2;
                    assertThat(route.isNotFound()).as("h%d /p%d", host, path).isFalse();
                    assertThat(route.backend().ref().service()).isEqualTo(BenchManifests.serviceName(origin));
                    assertThat(route.backend().endpoints())
                            .extracting(Endpoint::port)
                            .containsExactly(9001 + origin);
                }
            }
            assertThat(snapshot.route(BenchManifests.hostName(0), "/p").isNotFound())
                    .isTrue();
        }
    }

    @Test
    void endpoints_severalPorts_giveOneSubsetEach() throws Exception {
        BenchManifests.write(dir, 1, 1, List.of(9001));
        BenchManifests.writeAtomically(
                dir, "endpoints-origin-0.yaml", BenchManifests.endpoints("origin-0", List.of(9001, 9002)));
        RoutingTable table = new RoutingTable();
        SnapshotPublisher publisher = new SnapshotPublisher(table, null);

        try (ManifestsSource source = ManifestsSource.start(dir, WatcherSettings.defaults(), publisher)) {
            assertThat(publisher.problems())
                    .as("problems in %s", source.directory())
                    .isEmpty();
            Route route = table.current().route(BenchManifests.hostName(0), "/p0");
            assertThat(route.backend().endpoints()).extracting(Endpoint::port).containsExactlyInAnyOrder(9001, 9002);
        }
    }
}
