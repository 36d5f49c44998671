package dev.usher.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.k8s.translate.WatcherSettings;
import dev.usher.routing.RoutingTable;
import dev.usher.tls.CertificateStore;
import dev.usher.tls.DefaultCertificate;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a cluster-mode test of one watched object needs: fabric8's mock API server in CRUD mode
 * ({@link MockApiServer}), a routing table with the publisher that fills it, and the {@link ClusterSource} the test
 * starts on them. After each test the source is closed once its informers watch, then the server, in the order
 * {@link MockApiServer} needs.
 *
 * <p>Use: {@code @RegisterExtension final ClusterHarness cluster = new ClusterHarness();}, then create objects through
 * {@link #client} and {@link #start} the source.
 */
final class ClusterHarness implements AfterEachCallback {

    private final MockApiServer api = new MockApiServer();
    final KubernetesClient client = api.client();
    final RoutingTable table = new RoutingTable();
    final CertificateStore store = CertificateStore.create(DefaultCertificate.generate());
    final SnapshotPublisher publisher = new SnapshotPublisher(table, store, new SimpleMeterRegistry());
    private ClusterSource source;

    /** Starts the source on every namespace with {@code settings} and awaits its first snapshot. */
    ClusterSource start(WatcherSettings settings) {
        source = ClusterSource.start(client, null, settings, publisher);
        assertThat(Routes.awaitValue(publisher::ready, true)).isTrue();
        return source;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        try {
            if (source != null) {
                Routes.awaitValue(source::watching, true);
                source.close();
            }
        } finally {
            api.afterEach(context);
        }
    }
}
