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
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cluster thread's timers (debounce quiet period, maximum delay, grace of an emptied table) under a clock the test
 * advances: each step runs on the test thread at an exact time, so which timer fired is certain.
 */
final class ClusterLoopTest {

    private static final Duration GRACE = Duration.ofSeconds(5);

    private final RoutingTable table = new RoutingTable();
    private final SnapshotPublisher publisher = new SnapshotPublisher(table, null);
    private long now = 1_000_000_000L;
    // No informers: the loop counts as synced at its first step and starts from an empty cache.
    private final ClusterLoop loop = new ClusterLoop(
            new LinkedBlockingQueue<>(), List.of(), WatcherSettings.defaults(), publisher, null, GRACE, () -> now);

    @BeforeEach
    void firstSnapshotWithOneIngress() {
        step(ourClass(), service("default", "alpaca"), ingress("default", "a", "a.example.com", "alpaca"));
        assertThat(publisher.ready()).isTrue();
        advance(ClusterLoop.QUIET_MILLIS);
        step();
        assertThat(Routes.target(table, "a.example.com", "/")).isEqualTo("alpaca:8080");
    }

    @Test
    void change_isPublishedOnceNoOtherCameForTheQuietPeriod_notBefore() {
        advance(10_000);
        step(ingress("default", "b", "b.example.com", "alpaca"));
        advance(ClusterLoop.QUIET_MILLIS - 1);
        step();
        assertThat(Routes.target(table, "b.example.com", "/")).isEqualTo("404");

        advance(1);
        step();
        assertThat(Routes.target(table, "b.example.com", "/")).isEqualTo("alpaca:8080");
    }

    @Test
    void steadyTrickle_isPublishedAtTheMaximumDelay_thoughTheQuietPeriodNeverPasses() {
        advance(10_000);
        long step = ClusterLoop.QUIET_MILLIS - 10;
        int published = -1;
        for (int i = 0; i * step <= ClusterLoop.MAX_DELAY_MILLIS + step; i++) {
            step(ingress("default", "t" + i, "t" + i + ".example.com", "alpaca"));
            if (published < 0 && Routes.target(table, "t0.example.com", "/").equals("alpaca:8080")) {
                published = i;
            }
            advance(step);
        }
        // The first change was received at i = 0; the maximum delay ends at the first step at or after it.
        assertThat(published).isEqualTo((int) ((ClusterLoop.MAX_DELAY_MILLIS + step - 1) / step));
    }

    @Test
    void burstThatEmptiesTheTable_isHeldForTheGracePeriod_thenPublished() {
        step(ingress("default", "b", "b.example.com", "alpaca"));
        advance(ClusterLoop.QUIET_MILLIS);
        step();
        advance(10_000);
        // Deletes found by a relist weigh as a burst on their own.
        loop.step(List.of(
                relistedDelete(ingress("default", "a", "a.example.com", "alpaca")),
                relistedDelete(ingress("default", "b", "b.example.com", "alpaca"))));
        advance(ClusterLoop.QUIET_MILLIS);
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
        advance(ClusterLoop.QUIET_MILLIS);
        step();
        assertThat(loop.holdingEmptyTable()).isTrue();

        advance(1_000);
        step(ingress("default", "c", "c.example.com", "alpaca"));
        advance(ClusterLoop.QUIET_MILLIS);
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
