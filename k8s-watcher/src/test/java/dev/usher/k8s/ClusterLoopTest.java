package dev.usher.k8s;

import static dev.usher.k8s.KubeFixtures.ingress;
import static dev.usher.k8s.KubeFixtures.ourClass;
import static dev.usher.k8s.KubeFixtures.service;
import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.k8s.ClusterLoop.Change;
import dev.usher.k8s.translate.WatcherSettings;
import dev.usher.routing.RoutingTable;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cluster thread's timers (publish at once when idle, builds spaced by an interval that grows with their CPU time, else debounce quiet period and maximum delay, retry after a
 * failure, grace of an emptied table) under a clock the test
 * advances: each step runs on the test thread at an exact time, so which timer fired is certain.
 */
final class ClusterLoopTest {

    private static final Duration GRACE = Duration.ofSeconds(5);

    private final RoutingTable table = new RoutingTable();
    private final SnapshotPublisher publisher = new SnapshotPublisher(table, null);
    private long now = 1_000_000_000L;
    /** The loop thread's CPU time, and what each read of it adds: a build costs one tick of CPU. */
    private long cpu;

    private long cpuTick;
    // No informers: the loop counts as synced at its first step and starts from an empty cache.
    private final ClusterLoop loop = new ClusterLoop(
            new LinkedBlockingQueue<>(),
            List.of(),
            null,
            WatcherSettings.defaults(),
            publisher,
            null,
            GRACE,
            () -> now,
            () -> cpu += cpuTick);

    @BeforeEach
    void firstSnapshotWithOneIngress() {
        step(ourClass(), service("default", "alpaca"), ingress("default", "a", "a.example.com", "alpaca"));
        assertThat(publisher.ready()).isTrue();
        advance(BuildPacing.QUIET_MILLIS);
        step();
        assertThat(Routes.target(table, "a.example.com", "/")).isEqualTo("alpaca:8080");
    }

    @Test
    void loneChange_afterAQuietPeriod_isPublishedInTheStepThatReceivesIt() {
        advance(10_000);
        step(ingress("default", "b", "b.example.com", "alpaca"));
        assertThat(Routes.target(table, "b.example.com", "/")).isEqualTo("alpaca:8080");
    }

    @Test
    void changeSoonerThanTheIntervalAfterABuild_isPublishedWhenTheIntervalEnds_notBefore() {
        advance(10_000);
        step(ingress("default", "b", "b.example.com", "alpaca"));
        advance(10);
        step(ingress("default", "c", "c.example.com", "alpaca"));
        assertThat(loop.waitMillis()).isEqualTo(BuildPacing.MIN_INTERVAL_MILLIS - 10);
        advance(BuildPacing.MIN_INTERVAL_MILLIS - 11);
        step(service("default", "unrelated"));
        assertThat(Routes.target(table, "c.example.com", "/")).isEqualTo("404");

        advance(1);
        step();
        assertThat(Routes.target(table, "c.example.com", "/")).isEqualTo("alpaca:8080");
    }

    @Test
    void changesOneIntervalApart_areEachPublishedAtOnce() {
        advance(10_000);
        for (int i = 0; i < 5; i++) {
            step(ingress("default", "e" + i, "e" + i + ".example.com", "alpaca"));
            assertThat(Routes.target(table, "e" + i + ".example.com", "/")).isEqualTo("alpaca:8080");
            advance(BuildPacing.MIN_INTERVAL_MILLIS);
        }
    }

    @Test
    void statusOnlyChange_waitsForQuiet_andDoesNotHoldBackTheNextBuild() {
        advance(10_000);
        step(ingress("default", "b", "b.example.com", "alpaca"));
        advance(5);
        // What our own status write comes back as: the same spec and annotations.
        step(ingress("default", "b", "b.example.com", "alpaca"));
        assertThat(loop.waitMillis()).isEqualTo(BuildPacing.QUIET_MILLIS);
        advance(BuildPacing.QUIET_MILLIS);
        step();
        assertThat(loop.waitMillis()).isEqualTo(1000);

        advance(10_000);
        step(ingress("default", "c", "c.example.com", "alpaca"));
        advance(BuildPacing.MIN_INTERVAL_MILLIS);
        step(ingress("default", "c", "c.example.com", "alpaca")); // status only, pending
        advance(1);
        // One interval after the build, with a status change pending: built at once.
        step(ingress("default", "d", "d.example.com", "alpaca"));
        assertThat(Routes.target(table, "d.example.com", "/")).isEqualTo("alpaca:8080");
    }

    @Test
    void steadyStream_isFoldedIntoOneBuildPerInterval_eachChangeLiveWithinOne() {
        advance(10_000);
        int changes = 50;
        long every = 10;
        Set<Object> snapshots = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < changes; i++) {
            step(ingress("default", "s" + i, "s" + i + ".example.com", "alpaca"));
            snapshots.add(table.current());
            int late = i - (int) (BuildPacing.MIN_INTERVAL_MILLIS / every);
            if (late >= 0) {
                assertThat(Routes.target(table, "s" + late + ".example.com", "/"))
                        .isEqualTo("alpaca:8080");
            }
            advance(every);
        }
        // 500 ms of changes: a build at the first, then one per interval.
        assertThat(snapshots).hasSize(1 + (int) ((changes - 1) * every / BuildPacing.MIN_INTERVAL_MILLIS));
    }

    @Test
    void costlyBuilds_spaceTheNextOnesToTenTimesTheirCpuTime_atMostTheMaximumDelay() {
        advance(10_000);
        cpuTick = TimeUnit.MILLISECONDS.toNanos(20);
        step(ingress("default", "b", "b.example.com", "alpaca")); // the build costs 20 ms of CPU
        cpuTick = 0;
        assertThat(Routes.target(table, "b.example.com", "/")).isEqualTo("alpaca:8080");
        advance(100);
        step(ingress("default", "c", "c.example.com", "alpaca"));
        assertThat(Routes.target(table, "c.example.com", "/")).isEqualTo("404");
        assertThat(loop.waitMillis()).isEqualTo(100);
        advance(99);
        step();
        assertThat(Routes.target(table, "c.example.com", "/")).isEqualTo("404");
        advance(1);
        step();
        assertThat(Routes.target(table, "c.example.com", "/")).isEqualTo("alpaca:8080");

        advance(10_000);
        cpuTick = TimeUnit.MILLISECONDS.toNanos(200);
        step(ingress("default", "d", "d.example.com", "alpaca"));
        cpuTick = 0;
        step(ingress("default", "e", "e.example.com", "alpaca"));
        // Ten times 200 ms is 2 s; the interval stops at the maximum delay.
        assertThat(loop.waitMillis()).isEqualTo(BuildPacing.MAX_DELAY_MILLIS);
    }

    @Test
    void relistedDelete_waitsForTheQuietPeriod_thoughTheLoopWasIdle() {
        step(ingress("default", "b", "b.example.com", "alpaca"));
        advance(10_000);
        loop.step(List.of(relistedDelete(ingress("default", "a", "a.example.com", "alpaca"))));
        assertThat(Routes.target(table, "a.example.com", "/")).isEqualTo("alpaca:8080");

        advance(BuildPacing.QUIET_MILLIS);
        step();
        assertThat(loop.holdingEmptyTable()).isFalse();
        assertThat(Routes.target(table, "a.example.com", "/")).isEqualTo("404");
        assertThat(Routes.target(table, "b.example.com", "/")).isEqualTo("alpaca:8080");
    }

    @Test
    void failedPublish_isRetriedAfterTheRetryDelay_notInALoop() {
        advance(10_000);
        step(ingress("default", "b", "b.example.com", "alpaca"));
        advance(1);
        step(ingress("default", "c", "c.example.com", "alpaca"));
        advance(BuildPacing.QUIET_MILLIS);
        // As the thread's loop does when a step throws.
        loop.failed(now);
        assertThat(loop.waitMillis()).isEqualTo(BuildPacing.RETRY_MILLIS);
        advance(BuildPacing.RETRY_MILLIS - 1);
        step();
        assertThat(Routes.target(table, "c.example.com", "/")).isEqualTo("404");

        advance(1);
        step();
        assertThat(Routes.target(table, "c.example.com", "/")).isEqualTo("alpaca:8080");
    }

    @Test
    void burstThatEmptiesTheTable_isHeldForTheGracePeriod_thenPublished() {
        step(ingress("default", "b", "b.example.com", "alpaca"));
        advance(BuildPacing.QUIET_MILLIS);
        step();
        advance(10_000);
        // Deletes found by a relist weigh as a burst on their own.
        loop.step(List.of(
                relistedDelete(ingress("default", "a", "a.example.com", "alpaca")),
                relistedDelete(ingress("default", "b", "b.example.com", "alpaca"))));
        advance(BuildPacing.QUIET_MILLIS);
        step();
        assertThat(loop.holdingEmptyTable()).isTrue();
        assertThat(Routes.target(table, "a.example.com", "/")).isEqualTo("alpaca:8080");
        // Waiting is bounded even during a long hold, so a clock that jumps is noticed.
        assertThat(loop.waitMillis()).isBetween(1L, 1000L);

        advance(GRACE.toMillis() - 1);
        step();
        assertThat(loop.holdingEmptyTable()).isTrue();
        assertThat(Routes.target(table, "a.example.com", "/")).isEqualTo("alpaca:8080");

        advance(1);
        step();
        assertThat(loop.holdingEmptyTable()).isFalse();
        assertThat(Routes.target(table, "a.example.com", "/")).isEqualTo("404");
    }

    @Test
    void ingressBackDuringTheHold_isPublishedAfterTheQuietPeriod_beforeTheGraceEnds() {
        advance(10_000);
        loop.step(List.of(relistedDelete(ingress("default", "a", "a.example.com", "alpaca"))));
        advance(BuildPacing.QUIET_MILLIS);
        step();
        assertThat(loop.holdingEmptyTable()).isTrue();

        advance(1_000);
        step(ingress("default", "c", "c.example.com", "alpaca"));
        advance(BuildPacing.QUIET_MILLIS);
        step();
        assertThat(loop.holdingEmptyTable()).isFalse();
        assertThat(Routes.target(table, "c.example.com", "/")).isEqualTo("alpaca:8080");
        assertThat(Routes.target(table, "a.example.com", "/")).isEqualTo("404");
    }

    private void step(HasMetadata... objects) {
        loop.step(
                Arrays.stream(objects).map(o -> new Change(o, false, false, 0)).toList());
    }

    private static Change relistedDelete(HasMetadata object) {
        return new Change(object, true, true, 0);
    }

    private void advance(long millis) {
        now += TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
