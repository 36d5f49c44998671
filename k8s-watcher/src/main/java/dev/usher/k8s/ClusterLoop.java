package dev.usher.k8s;

import dev.usher.k8s.ClusterCache.Effect;
import dev.usher.k8s.ClusterSource.Watched;
import dev.usher.k8s.translate.ConversionMemo;
import dev.usher.k8s.translate.KubeObjects;
import dev.usher.k8s.translate.Translation;
import dev.usher.k8s.translate.Translator;
import dev.usher.k8s.translate.WatcherSettings;
import dev.usher.routing.BackendRef;
import dev.usher.routing.ObjectRef;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of the {@code usher-cluster} thread: applies queued changes to its {@link ClusterCache} and publishes.
 *
 * <p>Pacing ({@link BuildPacing}): a change for the table is built at once when the table was idle, and changes that
 * come sooner than {@value BuildPacing#MIN_INTERVAL_MILLIS} ms (or ten times a costly build's CPU time) after a build
 * are folded into the next; status-only changes and relisted deletes wait for {@value BuildPacing#QUIET_MILLIS} ms of
 * quiet; a publish that throws is retried {@value BuildPacing#RETRY_MILLIS} ms later, not in a loop. Nothing is built
 * before every informer has synced: at that moment the cache is seeded from the informer stores (their notifications
 * may still be in flight) and the first snapshot published at once.
 *
 * <p>A transient empty list never wipes the table: a rebuild that would route no Ingress after a burst of removals is
 * held back by the {@link EmptyTableGuard} for its grace period, and published only if it is still empty then.
 *
 * <p>Time comes from an injected clock of nanoseconds ({@link System#nanoTime()} in production), so tests drive
 * {@link #step} with a clock they advance. The thread never waits longer than {@value #IDLE_MILLIS} ms between steps.
 */
final class ClusterLoop implements Runnable {

    private static final long SYNC_POLL_MILLIS = 50;
    private static final long IDLE_MILLIS = 1000;
    private static final long SYNC_WARNING_MILLIS = 30_000;

    private static final Logger LOG = LoggerFactory.getLogger(ClusterLoop.class);

    /**
     * One informer notification; {@code relisted} marks a delete found by a relist rather than seen on the watch
     * (fabric8's {@code deletedFinalStateUnknown}).
     */
    record Change(HasMetadata object, boolean deleted, boolean relisted, long receivedNanos) {}

    private final BlockingQueue<Change> queue;
    private final List<Watched> watched;
    /** The informers of the ConfigMaps our Ingresses read (custom-headers, auth-proxy-set-headers), or null (tests of the loop alone). */
    private final ConfigMapWatches configMaps;

    private final WatcherSettings settings;
    private final SnapshotPublisher publisher;
    private final StatusLeadership status;
    private final ClusterCache cache;
    /** Unchanged Ingresses are not converted again (this loop's thread only, as the cache). */
    private final ConversionMemo memo = new ConversionMemo();

    private final EmptyTableGuard guard;
    private final LongSupplier clock;
    /** The cluster thread's CPU time in nanoseconds: what a build costs, whatever else the machine runs. */
    private final LongSupplier cpuClock;

    private volatile boolean stopped;

    private boolean synced;
    private boolean rebuild;
    /** A rebuild waits for the informer of a ConfigMap an Ingress newly names ({@link ConfigMapWatches}). */
    private boolean awaitingConfigMaps;

    private boolean statusPending;
    private final Set<ObjectRef> endpointServices = new HashSet<>();
    private final BuildPacing pacing;
    private long oldestReceived;
    private long nextSyncWarning;
    private long changeWhenHeld;
    private Translation last;

    /**
     * {@code status} is null when this replica never writes Ingress status; {@code clock} gives nanoseconds as
     * {@link System#nanoTime()} does.
     */
    ClusterLoop(
            BlockingQueue<Change> queue,
            List<Watched> watched,
            ConfigMapWatches configMaps,
            WatcherSettings settings,
            SnapshotPublisher publisher,
            StatusLeadership status,
            Duration emptyGrace,
            LongSupplier clock,
            LongSupplier cpuClock) {
        this.clock = clock;
        this.cpuClock = cpuClock;
        this.status = status;
        this.guard = new EmptyTableGuard(emptyGrace);
        this.queue = queue;
        this.watched = watched;
        this.configMaps = configMaps;
        this.settings = settings;
        this.publisher = publisher;
        this.cache = new ClusterCache(settings.defaultSslCertificate());
        this.pacing = new BuildPacing(clock.getAsLong());
    }

    void stop() {
        stopped = true;
    }

    /** True while a rebuild that routes nothing is held back (see {@link EmptyTableGuard}). */
    boolean holdingEmptyTable() {
        return guard.holding();
    }

    @Override
    public void run() {
        while (!stopped) {
            try {
                Change change = queue.poll(waitMillis(), TimeUnit.MILLISECONDS);
                List<Change> changes = new ArrayList<>();
                if (change != null) {
                    changes.add(change);
                    queue.drainTo(changes);
                }
                step(changes);
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException e) {
                // Keep the table in force and the thread alive; the next change, or a second later, retries.
                LOG.warn("publishing the cluster state failed; keeping the routes in force", e);
                failed(clock.getAsLong());
            }
        }
        LOG.debug("cluster thread stopped");
    }

    /** One turn of the loop at the clock's time: applies {@code changes}, seeds once synced, publishes what is due. */
    void step(List<Change> changes) {
        long now = clock.getAsLong();
        if (nextSyncWarning == 0) {
            nextSyncWarning = now + TimeUnit.MILLISECONDS.toNanos(SYNC_WARNING_MILLIS);
        }
        changes.forEach(c -> apply(c, now));
        if (!synced && watched.stream().allMatch(w -> w.informer().hasSynced())) {
            seed(now);
        } else if (!synced && now - nextSyncWarning >= 0) {
            warnNotSynced(now);
        }
        if (synced && isPending() && isDue(now)) {
            publish(now);
        }
    }

    private void apply(Change change, long now) {
        Effect effect = cache.apply(change.object(), change.deleted());
        if (effect == Effect.NONE) {
            return;
        }
        pacing.changed(now, !isPending(), change.relisted());
        if (oldestReceived == 0 || change.receivedNanos() - oldestReceived < 0) {
            oldestReceived = change.receivedNanos();
        }
        if (change.deleted() && (change.object() instanceof Ingress || change.object() instanceof IngressClass)) {
            boolean wholesale = change.relisted() || change.object() instanceof IngressClass;
            guard.removed(now, wholesale ? EmptyTableGuard.BURST : 1);
        }
        if (effect == Effect.REBUILD) {
            rebuild = true;
        } else if (effect == Effect.STATUS) {
            statusPending = true;
        } else {
            endpointServices.add(ClusterCache.sliceService(change.object()));
        }
    }

    /** Nothing is served until every informer lists; say which do not (RBAC, a missing API) every so often. */
    private void warnNotSynced(long now) {
        List<String> waiting = watched.stream()
                .filter(w -> !w.informer().hasSynced())
                .map(w -> w.kind().getSimpleName())
                .toList();
        LOG.warn(
                "still waiting for the first list of {}; no routes are published until every kind has synced", waiting);
        nextSyncWarning = now + TimeUnit.MILLISECONDS.toNanos(SYNC_WARNING_MILLIS);
    }

    private void seed(long now) {
        // Two informers may watch one kind (TLS and Opaque Secrets): seed each kind once, with all of them.
        Map<Class<?>, List<HasMetadata>> byKind = new LinkedHashMap<>();
        for (Watched w : watched) {
            List<HasMetadata> objects = byKind.computeIfAbsent(w.kind(), k -> new ArrayList<>());
            w.informer().getStore().list().stream().filter(w.accept()).forEach(objects::add);
        }
        byKind.forEach(cache::seed);
        synced = true;
        rebuild = true;
        pacing.synced(now);
        LOG.info("all informers synced; building the first snapshot");
    }

    /**
     * Watches the ConfigMaps (custom-headers, auth-proxy-set-headers) the Ingresses of ours name now, and takes those whose informer has listed
     * into the cache; false while a new one has yet to list (a rebuild now would take it for missing and fail closed).
     */
    private boolean configMapsListed(long now) {
        if (configMaps == null) {
            return true;
        }
        Set<ObjectRef> wanted = cache.configMapsNamed(settings);
        cache.forgetConfigMaps(configMaps.reconcile(wanted, now));
        cache.takeConfigMaps(configMaps.newlyListed());
        return !configMaps.waiting(now);
    }

    /** The last attempt threw: everything stays pending, retried later or on a change ({@link BuildPacing}). */
    void failed(long now) {
        rebuild = true;
        pacing.failed(now);
    }

    private void publish(long now) {
        if ((rebuild || last == null) && !configMapsListed(now)) {
            awaitingConfigMaps = true; // everything stays pending; polled every SYNC_POLL_MILLIS
            return;
        }
        awaitingConfigMaps = false;
        boolean build = tableWorkPending();
        long cpuStart = 0;
        if (build) {
            pacing.buildStarted(now);
            cpuStart = cpuClock.getAsLong();
        }
        if (rebuild || last == null) {
            Translation translation = Translator.translate(cache.objects(), settings, memo);
            if (guard.withhold(
                    last == null ? 0 : last.ruleSets().size(),
                    translation.ruleSets().size(),
                    now)) {
                // Everything stays pending; look again on the next change or when the grace period ends.
                changeWhenHeld = pacing.lastChange();
                return;
            }
            publisher.publish(translation, oldestReceived);
            cache.dependsOn(translation.endpoints().keySet());
            last = translation;
            statusPending = true;
        } else if (!endpointServices.isEmpty()) {
            List<BackendRef> backends = last.endpoints().keySet().stream()
                    .filter(ref -> endpointServices.contains(ref.serviceRef()))
                    .toList();
            publisher.updateEndpoints(
                    Translator.endpoints(cache.endpointObjects(endpointServices), backends, settings), oldestReceived);
        }
        if (build) {
            pacing.buildCost(cpuClock.getAsLong() - cpuStart);
        }
        if (statusPending && status != null) {
            Set<ObjectRef> ours = new HashSet<>();
            last.ruleSets().forEach(r -> ours.add(r.ref()));
            List<Ingress> mine = new ArrayList<>();
            List<Ingress> others = new ArrayList<>();
            for (Ingress ingress : cache.ingresses()) {
                (ours.contains(KubeObjects.ref(ingress)) ? mine : others).add(ingress);
            }
            status.offer(
                    mine, others, last.problems(), publisher.table().current().conflicts());
        }
        rebuild = false;
        statusPending = false;
        pacing.published();
        endpointServices.clear();
        oldestReceived = 0;
    }

    private boolean isPending() {
        return rebuild || statusPending || !endpointServices.isEmpty();
    }

    private boolean tableWorkPending() {
        return rebuild || last == null || !endpointServices.isEmpty();
    }

    private boolean isDue(long now) {
        if (!pacing.failed() && guard.holding()) {
            return now - heldDueAt() >= 0;
        }
        return now - pacing.dueAt(tableWorkPending()) >= 0;
    }

    /** While the guard holds: at its release, or once a change that came during the hold has had its quiet. */
    private long heldDueAt() {
        long lastChange = pacing.lastChange();
        return lastChange == changeWhenHeld
                ? guard.releaseAt()
                : Math.min(guard.releaseAt(), lastChange + TimeUnit.MILLISECONDS.toNanos(BuildPacing.QUIET_MILLIS));
    }

    /** How long the thread may wait for a change before the next step is due; at most {@value #IDLE_MILLIS} ms. */
    long waitMillis() {
        if (!synced || awaitingConfigMaps) {
            return SYNC_POLL_MILLIS;
        }
        if (!isPending()) {
            return IDLE_MILLIS;
        }
        long now = clock.getAsLong();
        long due = !pacing.failed() && guard.holding() ? heldDueAt() : pacing.dueAt(tableWorkPending());
        return Math.max(1, Math.min(IDLE_MILLIS, TimeUnit.NANOSECONDS.toMillis(due - now)));
    }
}
