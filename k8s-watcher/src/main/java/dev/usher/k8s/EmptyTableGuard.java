package dev.usher.k8s;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a rebuild that routes no Ingress may replace a table that routes some: a transient empty list
 * never wipes the table.
 *
 * <p>When an informer relists (after 410 Gone, a reconnect, an API server or etcd that briefly answers with nothing)
 * it reports every object missing from the new list as deleted. If that empties the table we would answer 404 to all
 * traffic until the objects come back. So a snapshot that routes no Ingress, replacing one that routes at least one,
 * is <em>held</em> when it comes from a burst: two or more Ingress removals, or the removal of an IngressClass (which
 * unroutes every Ingress of that class at once), or an Ingress removal found by a relist rather than seen on the watch
 * (fabric8's {@code deletedFinalStateUnknown}), within the last {@link #GRACE} period. While held, the old table
 * keeps serving; the hold ends early as soon as a rebuild routes something again (the objects came back), and
 * otherwise the empty table is published once the grace period has passed since the hold began, since by then the
 * emptiness is real. A single Ingress delete, even of the last one, and an update that takes the last Ingress out of
 * our class are never held. Only the cluster thread calls it; times are {@link System#nanoTime()} values passed in.
 */
final class EmptyTableGuard {

    /** How long an emptied table is held back, and the window in which removals count as one burst. */
    static final Duration GRACE = Duration.ofSeconds(5);

    static final int BURST = 2;

    private static final Logger LOG = LoggerFactory.getLogger(EmptyTableGuard.class);

    private final long graceNanos;
    private final ArrayDeque<Long> removals = new ArrayDeque<>();
    private long heldSince;
    private volatile boolean holding;

    EmptyTableGuard(Duration grace) {
        this.graceNanos = Objects.requireNonNull(grace, "grace").toNanos();
    }

    /**
     * Records that the cache lost an Ingress ({@code weight} 1), or an IngressClass or an Ingress that a relist found
     * gone ({@code weight} {@link #BURST}: a burst on its own).
     */
    void removed(long now, int weight) {
        for (int i = 0; i < weight; i++) {
            removals.addLast(now);
        }
        prune(now);
    }

    /**
     * Whether to keep serving the current table instead of publishing a rebuild that routes {@code next} Ingresses in
     * place of {@code current}.
     */
    boolean withhold(int current, int next, long now) {
        prune(now);
        if (next > 0 || current == 0) {
            if (holding) {
                LOG.info("routes are back before the grace period ended; publishing {} Ingress rule sets", next);
            }
            holding = false;
            return false;
        }
        if (holding) {
            if (now - heldSince < graceNanos) {
                return true;
            }
            LOG.warn(
                    "still no Ingress to route {} ms after they all disappeared; publishing the empty table",
                    Duration.ofNanos(graceNanos).toMillis());
            holding = false;
            return false;
        }
        if (removals.size() < BURST) {
            return false;
        }
        holding = true;
        heldSince = now;
        LOG.warn(
                "a burst of deletions would remove all {} routed Ingresses (an informer relist?); keeping the table "
                        + "for up to {} ms",
                current,
                Duration.ofNanos(graceNanos).toMillis());
        return true;
    }

    /** True while an empty rebuild is held back (read by tests from another thread). */
    boolean holding() {
        return holding;
    }

    /** When the current hold ends; meaningful only while {@link #holding()}. */
    long releaseAt() {
        return heldSince + graceNanos;
    }

    private void prune(long now) {
        while (!removals.isEmpty() && now - removals.peekFirst() > graceNanos) {
            removals.removeFirst();
        }
    }
}
