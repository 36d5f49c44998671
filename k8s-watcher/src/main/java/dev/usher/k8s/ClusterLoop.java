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
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
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
 * <p>Pacing: a change for the table (a rebuild or an endpoint update) is published as soon as the last build is
 * {@link #buildInterval} old: at once when the table was idle, so a lone edit or a pod leaving its Service applies in
 * milliseconds, and changes that come sooner are folded into the next build. The interval is {@value
 * #MIN_INTERVAL_MILLIS} ms, or ten times the CPU time the last build took if that is longer (at most {@value
 * #MAX_DELAY_MILLIS} ms), so however fast the changes come, builds take at most about a tenth of a core (builds of up
 * to 50 ms of CPU; longer ones come twice a second). CPU time, not wall time: on a busy node a build waits for a CPU,
 * and that wait must not slow the next edit down. A change of status only (often our own status write coming back) is
 * published once no further change came for {@value #QUIET_MILLIS} ms, at most {@value #MAX_DELAY_MILLIS} ms after
 * the first; deletes found by a relist wait for the same quiet, so the guard below judges the relist whole. A
 * publish that throws is retried {@value #RETRY_MILLIS} ms later, or on the next change, not in a loop. Nothing is
 * built before every informer has synced: at that moment the cache is seeded from the informer stores (their
 * notifications may still be in flight) and the first snapshot published at once.
 *
 * <p>A transient empty list never wipes the table: a rebuild that would route no Ingress after a burst of removals is
 * held back by the {@link EmptyTableGuard} for its grace period, and published only if it is still empty then.
 *
 * <p>Time comes from an injected clock of nanoseconds ({@link System#nanoTime()} in production), so tests drive
 * {@link #step} with a clock they advance. The thread never waits longer than {@value #IDLE_MILLIS} ms between steps.
 */
final class ClusterLoop implements Runnable {

    static final long QUIET_MILLIS = 50;
    static final long MIN_INTERVAL_MILLIS = 20;
    static final long MAX_DELAY_MILLIS = 500;
    static final long RETRY_MILLIS = 1000;
    private static final long SYNC_POLL_MILLIS = 50;
    private static final long IDLE_MILLIS = 1000;
    private static final long SYNC_WARNING_MILLIS = 30_000;

    private static final Logger LOG = LoggerFactory.getLogger(ClusterLoop.class);

    /** The calling thread's CPU time in nanoseconds, or its wall clock where the JVM cannot tell. */
    static final LongSupplier THREAD_CPU_TIME = threadCpuTime();

    /**
     * One informer notification; {@code relisted} marks a delete found by a relist rather than seen on the watch
     * (fabric8's {@code deletedFinalStateUnknown}).
     */
    record Change(HasMetadata object, boolean deleted, boolean relisted, long receivedNanos) {}

    private final BlockingQueue<Change> queue;
    private final List<Watched> watched;
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
    private boolean statusPending;
    private final Set<ObjectRef> endpointServices = new HashSet<>();
    private long firstPending;
    /** When the last build (a rebuild or an endpoint update) or failed attempt began; long ago before the first. */
    private long lastBuild;
    /** The least time between two builds (see the class comment), in nanoseconds. */
    private long buildInterval = TimeUnit.MILLISECONDS.toNanos(MIN_INTERVAL_MILLIS);
    /** A delete found by a relist is pending: wait for quiet, as for a burst. */
    private boolean relistPending;
    /** A publish threw: no attempt before {@link #retryAt} unless a new change comes. */
    private boolean failed;

    private long retryAt;
    private long lastChange;
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
        this.settings = settings;
        this.publisher = publisher;
        this.cache = new ClusterCache(settings.defaultSslCertificate());
        this.lastBuild = clock.getAsLong() - TimeUnit.MILLISECONDS.toNanos(MAX_DELAY_MILLIS);
    }

    private static LongSupplier threadCpuTime() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        if (threads.isCurrentThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled()) {
            return threads::getCurrentThreadCpuTime;
        }
        return System::nanoTime;
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
        if (!isPending()) {
            firstPending = now;
        }
        if (change.relisted()) {
            relistPending = true;
        }
        failed = false;
        if (oldestReceived == 0 || change.receivedNanos() - oldestReceived < 0) {
            oldestReceived = change.receivedNanos();
        }
        lastChange = now;
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
        firstPending = now - TimeUnit.MILLISECONDS.toNanos(MAX_DELAY_MILLIS);
        LOG.info("all informers synced; building the first snapshot");
    }

    /** The last attempt threw: everything stays pending, retried after {@value #RETRY_MILLIS} ms or on a change. */
    void failed(long now) {
        rebuild = true;
        failed = true;
        lastBuild = now;
        retryAt = now + TimeUnit.MILLISECONDS.toNanos(RETRY_MILLIS);
    }

    private void publish(long now) {
        boolean build = tableWorkPending();
        long cpuStart = 0;
        if (build) {
            lastBuild = now;
            cpuStart = cpuClock.getAsLong();
        }
        if (rebuild || last == null) {
            Translation translation = Translator.translate(cache.objects(), settings, memo);
            if (guard.withhold(
                    last == null ? 0 : last.ruleSets().size(),
                    translation.ruleSets().size(),
                    now)) {
                // Everything stays pending; look again on the next change or when the grace period ends.
                changeWhenHeld = lastChange;
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
            long tenTimes = 10 * (cpuClock.getAsLong() - cpuStart);
            buildInterval = Math.max(
                    TimeUnit.MILLISECONDS.toNanos(MIN_INTERVAL_MILLIS),
                    Math.min(TimeUnit.MILLISECONDS.toNanos(MAX_DELAY_MILLIS), tenTimes));
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
        relistPending = false;
        endpointServices.clear();
        oldestReceived = 0;
    }

    private boolean isPending() {
        return rebuild || statusPending || !endpointServices.isEmpty();
    }

    private boolean tableWorkPending() {
        return rebuild || last == null || !endpointServices.isEmpty();
    }

    /** The least time a pending change is due at, {@link #guard} holds aside; see the class comment. */
    private long dueAt() {
        if (failed) {
            return retryAt;
        }
        long quiet = Math.min(
                lastChange + TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS),
                firstPending + TimeUnit.MILLISECONDS.toNanos(MAX_DELAY_MILLIS));
        if (!tableWorkPending()) {
            return quiet;
        }
        long paced = lastBuild + buildInterval;
        return relistPending && quiet - paced > 0 ? quiet : paced;
    }

    private boolean isDue(long now) {
        if (!failed && guard.holding()) {
            return now - guard.releaseAt() >= 0
                    || lastChange != changeWhenHeld && now - lastChange >= TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS);
        }
        return now - dueAt() >= 0;
    }

    /** How long the thread may wait for a change before the next step is due; at most {@value #IDLE_MILLIS} ms. */
    long waitMillis() {
        if (!synced) {
            return SYNC_POLL_MILLIS;
        }
        if (!isPending()) {
            return IDLE_MILLIS;
        }
        long now = clock.getAsLong();
        long due;
        if (!failed && guard.holding()) {
            due = lastChange == changeWhenHeld
                    ? guard.releaseAt()
                    : Math.min(guard.releaseAt(), lastChange + TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS));
        } else {
            due = dueAt();
        }
        return Math.max(1, Math.min(IDLE_MILLIS, TimeUnit.NANOSECONDS.toMillis(due - now)));
    }
}
