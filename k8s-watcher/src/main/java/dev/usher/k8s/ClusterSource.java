package dev.usher.k8s;

import dev.usher.k8s.translate.WatcherSettings;
import dev.usher.routing.ObjectRef;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the API server with fabric8 informers and publishes the same translation as the manifests folder.
 *
 * <p>Design (docs/architecture.md): informer callbacks only enqueue; one daemon thread, {@code usher-cluster}
 * ({@link ClusterLoop}), owns the cache, drops no-op resync updates, debounces, and never builds before every
 * informer has synced. Informers: IngressClass (cluster-wide), Ingress {@code networking.k8s.io/v1}, Service,
 * EndpointSlice {@code discovery.k8s.io/v1} and Secrets of type {@code kubernetes.io/tls} and {@code Opaque} (CA
 * bundles for TLS to origins, Basic auth htpasswd files; one informer per type, field selector, and filtered again
 * here), in all namespaces or in one; and, by name, each ConfigMap an Ingress of ours names in {@code custom-headers}
 * or {@code auth-proxy-set-headers} ({@link ConfigMapWatches}: never every ConfigMap of the cluster). Informers retry
 * after errors, so an API server that goes away leaves the last table serving until it returns; and a relist that
 * briefly reports everything deleted does not wipe the table ({@link EmptyTableGuard}).
 */
public final class ClusterSource implements AutoCloseable {

    static final long RESYNC_MILLIS = TimeUnit.MINUTES.toMillis(10);
    static final String TLS_TYPE = "kubernetes.io/tls";
    static final String OPAQUE_TYPE = "Opaque";

    private static final Logger LOG = LoggerFactory.getLogger(ClusterSource.class);

    /** One informer and the kind it feeds. */
    record Watched(
            Class<? extends HasMetadata> kind,
            SharedIndexInformer<? extends HasMetadata> informer,
            Predicate<HasMetadata> accept) {}

    private final List<Watched> watched = new ArrayList<>();
    private final BlockingQueue<ClusterLoop.Change> queue = new LinkedBlockingQueue<>();
    private final ConfigMapWatches configMaps;
    private final ClusterLoop loop;
    private final Thread thread;
    private volatile boolean closed;

    private final StatusLeadership status;

    private ClusterSource(
            KubernetesClient client,
            WatcherSettings settings,
            SnapshotPublisher publisher,
            StatusLeadership status,
            Duration emptyGrace,
            LongSupplier clock,
            LongSupplier cpuClock) {
        this.status = status;
        this.configMaps = new ConfigMapWatches(ref -> startConfigMap(client, ref));
        this.loop =
                new ClusterLoop(queue, watched, configMaps, settings, publisher, status, emptyGrace, clock, cpuClock);
        this.thread = new Thread(loop, "usher-cluster");
        this.thread.setDaemon(true);
    }

    /**
     * Starts the informers and the cluster thread; returns at once. {@link SnapshotPublisher#ready()} turns true
     * after every informer has synced and the first snapshot is published.
     *
     * @param namespace the one namespace to watch, or {@code null} for all
     */
    public static ClusterSource start(
            KubernetesClient client, String namespace, WatcherSettings settings, SnapshotPublisher publisher) {
        return start(client, namespace, settings, publisher, null);
    }

    /**
     * As {@link #start(KubernetesClient, String, WatcherSettings, SnapshotPublisher)}, and also writes Ingress status
     * while this replica wins the leader election described by {@code status} (null: never writes status).
     */
    public static ClusterSource start(
            KubernetesClient client,
            String namespace,
            WatcherSettings settings,
            SnapshotPublisher publisher,
            StatusOptions status) {
        return start(
                client,
                namespace,
                settings,
                publisher,
                status,
                StatusLeadership.LEASE,
                StatusLeadership.RENEW,
                StatusLeadership.RETRY);
    }

    /** With explicit election timings, so tests can fail over in seconds. */
    static ClusterSource start(
            KubernetesClient client,
            String namespace,
            WatcherSettings settings,
            SnapshotPublisher publisher,
            StatusOptions status,
            Duration lease,
            Duration renew,
            Duration retry) {
        return start(client, namespace, settings, publisher, status, lease, renew, retry, EmptyTableGuard.GRACE);
    }

    /** With explicit election timings and grace period for an emptied table ({@link EmptyTableGuard}). */
    static ClusterSource start(
            KubernetesClient client,
            String namespace,
            WatcherSettings settings,
            SnapshotPublisher publisher,
            StatusOptions status,
            Duration lease,
            Duration renew,
            Duration retry,
            Duration emptyGrace) {
        return start(
                client,
                namespace,
                settings,
                publisher,
                status,
                lease,
                renew,
                retry,
                emptyGrace,
                System::nanoTime,
                BuildPacing.THREAD_CPU_TIME);
    }

    /**
     * As above, with the clock of the pacing and of the grace period ({@link ClusterLoop}) and the cluster thread's
     * CPU clock, which measures what a build costs ({@link BuildPacing}).
     */
    static ClusterSource start(
            KubernetesClient client,
            String namespace,
            WatcherSettings settings,
            SnapshotPublisher publisher,
            StatusOptions status,
            Duration lease,
            Duration renew,
            Duration retry,
            Duration emptyGrace,
            LongSupplier clock,
            LongSupplier cpuClock) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(publisher, "publisher");
        StatusLeadership leadership = status == null ? null : new StatusLeadership(client, status, lease, renew, retry);
        ClusterSource source = new ClusterSource(
                client, settings, publisher, leadership, emptyGrace, Objects.requireNonNull(clock, "clock"), cpuClock);
        source.watch(IngressClass.class, client.network().v1().ingressClasses(), o -> true);
        source.watch(Ingress.class, scope(client.network().v1().ingresses(), namespace), o -> true);
        source.watch(Service.class, scope(client.services(), namespace), o -> true);
        source.watch(EndpointSlice.class, scope(client.discovery().v1().endpointSlices(), namespace), o -> true);
        source.watch(
                Secret.class,
                scope(client.secrets(), namespace).withField("type", TLS_TYPE),
                o -> TLS_TYPE.equals(((Secret) o).getType()));
        // Opaque Secrets too: CA bundles for TLS to origins (usher.dev/backend-ca-secret), htpasswd files of Basic auth
        source.watch(
                Secret.class,
                scope(client.secrets(), namespace).withField("type", OPAQUE_TYPE),
                o -> OPAQUE_TYPE.equals(((Secret) o).getType()));
        source.thread.start();
        for (Watched w : source.watched) {
            w.informer().start().whenComplete((ok, error) -> {
                if (error != null && !source.closed) {
                    LOG.warn(
                            "{} informer failed to start; retrying: {}",
                            w.kind().getSimpleName(),
                            error.toString());
                }
            });
        }
        LOG.info("watching the API server ({})", namespace == null ? "all namespaces" : "namespace " + namespace);
        return source;
    }

    /** True when every informer has listed and holds an open watch (for diagnostics and tests). */
    boolean watching() {
        return watched.stream()
                .allMatch(w -> w.informer().hasSynced() && w.informer().isWatching());
    }

    /** The ConfigMaps watched now, one informer each (for tests). */
    List<ObjectRef> watchedConfigMaps() {
        return configMaps.watched();
    }

    /** True while a rebuild that would route no Ingress is held back ({@link EmptyTableGuard}). */
    boolean holdingEmptyTable() {
        return loop.holdingEmptyTable();
    }

    /** Whether this replica currently writes Ingress status (false when status writing is off). */
    public boolean leading() {
        return status != null && status.leading();
    }

    /** Stops the informers and the cluster thread; the last published snapshot stays in force. */
    @Override
    public void close() {
        closed = true;
        if (status != null) {
            status.close();
        }
        watched.forEach(w -> w.informer().stop());
        configMaps.close();
        loop.stop();
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static <T extends HasMetadata, L extends KubernetesResourceList<T>, R extends Resource<T>>
            FilterWatchListDeletable<T, L, R> scope(MixedOperation<T, L, R> operation, String namespace) {
        return namespace == null ? operation.inAnyNamespace() : operation.inNamespace(namespace);
    }

    private <T extends HasMetadata> void watch(Class<T> kind, Informable<T> informable, Predicate<HasMetadata> accept) {
        SharedIndexInformer<T> informer = informer(informable, accept);
        watched.add(new Watched(kind, informer, accept));
    }

    /**
     * The informer of the one ConfigMap {@code ref} (a ConfigMap an Ingress reads: {@link ConfigMapWatches}), started;
     * called on the cluster thread, which owns the {@link ConfigMapWatches}.
     */
    private SharedIndexInformer<ConfigMap> startConfigMap(KubernetesClient client, ObjectRef ref) {
        SharedIndexInformer<ConfigMap> informer =
                informer(client.configMaps().inNamespace(ref.namespace()).withName(ref.name()), o -> true);
        informer.start().whenComplete((ok, error) -> {
            if (error != null && !closed) {
                LOG.warn("ConfigMap {} informer failed to start; retrying: {}", ref, error.toString());
            }
        });
        return informer;
    }

    /** An informer that enqueues what {@code accept} takes, retrying after errors; not started. */
    private <T extends HasMetadata> SharedIndexInformer<T> informer(
            Informable<T> informable, Predicate<HasMetadata> accept) {
        SharedIndexInformer<T> informer = informable.runnableInformer(RESYNC_MILLIS);
        // Keep retrying after errors (API server away, 410 Gone): the last table keeps serving meanwhile.
        informer.exceptionHandler((started, error) -> true);
        informer.addEventHandler(new ResourceEventHandler<T>() {
            @Override
            public void onAdd(T object) {
                enqueue(object, false, false);
            }

            @Override
            public void onUpdate(T oldObject, T newObject) {
                enqueue(newObject, false, false);
            }

            @Override
            public void onDelete(T object, boolean deletedFinalStateUnknown) {
                enqueue(object, true, deletedFinalStateUnknown);
            }

            private void enqueue(T object, boolean deleted, boolean relisted) {
                if (accept.test(object)) {
                    queue.add(new ClusterLoop.Change(object, deleted, relisted, System.nanoTime()));
                }
            }
        });
        return informer;
    }
}
