package dev.usher.k8s;

import dev.usher.k8s.translate.Problem;
import dev.usher.routing.Conflict;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets exactly one replica write Ingress status and Events: a fabric8 leader election on a Lease, and one
 * {@code usher-status} thread that runs the {@link IngressStatusWriter} and {@link IngressEventRecorder} while this
 * replica leads. Every replica serves traffic either way.
 *
 * <p>The cluster thread hands over the latest Ingresses after each rebuild ({@link #offer}); the status thread only
 * ever works from the newest offer, so a slow API server delays status, never routing.
 */
final class StatusLeadership implements AutoCloseable {

    static final Duration LEASE = Duration.ofSeconds(15);
    static final Duration RENEW = Duration.ofSeconds(10);
    static final Duration RETRY = Duration.ofSeconds(2);

    private static final Logger LOG = LoggerFactory.getLogger(StatusLeadership.class);

    private record Offer(List<Ingress> ours, List<Ingress> others, List<Problem> problems, List<Conflict> conflicts) {}

    private final IngressStatusWriter writer;
    private final IngressEventRecorder events;
    private final ExecutorService executor;
    private final CompletableFuture<?> election;
    private final String identity;
    private volatile boolean leading;
    private volatile Offer latest;

    StatusLeadership(KubernetesClient client, StatusOptions options, Duration lease, Duration renew, Duration retry) {
        this.writer = new IngressStatusWriter(client, options);
        this.events = new IngressEventRecorder(client, options.identity());
        this.identity = options.identity();
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "usher-status");
            t.setDaemon(true);
            return t;
        });
        this.election = client.leaderElector()
                .withConfig(new LeaderElectionConfigBuilder()
                        .withName(options.electionId())
                        .withLock(new LeaseLock(options.electionNamespace(), options.electionId(), options.identity()))
                        .withLeaseDuration(lease)
                        .withRenewDeadline(renew)
                        .withRetryPeriod(retry)
                        .withReleaseOnCancel(true)
                        .withLeaderCallbacks(new LeaderCallbacks(
                                this::startLeading,
                                this::stopLeading,
                                leader -> LOG.info("status leader is now {}", leader == null ? "nobody" : leader)))
                        .build())
                .build()
                .start();
    }

    /** True while this replica holds the Lease. */
    boolean leading() {
        return leading;
    }

    /**
     * Records the Ingresses to write after a rebuild, and what to report on them as Events; acted on at once if this
     * replica leads.
     */
    void offer(List<Ingress> ours, List<Ingress> others, List<Problem> problems, List<Conflict> conflicts) {
        latest = new Offer(List.copyOf(ours), List.copyOf(others), List.copyOf(problems), List.copyOf(conflicts));
        if (leading) {
            submit(this::syncLatest);
        }
    }

    @Override
    public void close() {
        election.cancel(true);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void startLeading() {
        LOG.info("{} leads: writing Ingress status", identity);
        leading = true;
        submit(this::syncLatest);
    }

    private void stopLeading() {
        LOG.info("{} stopped leading: no longer writing Ingress status", identity);
        leading = false;
        submit(() -> {
            writer.reset();
            events.reset();
        });
    }

    private void submit(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException closed) {
            LOG.debug("status thread closed; {} dropped", task);
        }
    }

    private void syncLatest() {
        Offer offer = latest;
        if (!leading || offer == null) {
            return;
        }
        try {
            writer.sync(offer.ours(), offer.others());
            events.record(offer.problems(), offer.conflicts(), offer.ours());
        } catch (RuntimeException e) {
            LOG.warn("writing Ingress status failed; retrying on the next change", e);
        }
    }
}
