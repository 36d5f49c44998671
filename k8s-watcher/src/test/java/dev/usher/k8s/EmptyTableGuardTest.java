package dev.usher.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** When a rebuild that routes nothing may replace a table that routes something; times are injected nanos. */
final class EmptyTableGuardTest {

    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    private final EmptyTableGuard guard = new EmptyTableGuard(Duration.ofSeconds(5));

    @Test
    void singleIngressRemoval_emptyingTheTable_isPublishedAtOnce() {
        guard.removed(0, 1);
        assertThat(guard.withhold(1, 0, 0)).isFalse();
        assertThat(guard.holding()).isFalse();
    }

    @Test
    void burstOfRemovals_emptyingTheTable_isHeldForTheGracePeriod_thenPublished() {
        guard.removed(0, 1);
        guard.removed(SECOND / 10, 1);
        assertThat(guard.withhold(1, 0, SECOND / 5)).isTrue();
        assertThat(guard.holding()).isTrue();
        assertThat(guard.withhold(1, 0, 5 * SECOND)).isTrue();
        assertThat(guard.withhold(1, 0, SECOND / 5 + 5 * SECOND)).isFalse();
        assertThat(guard.holding()).isFalse();
    }

    @Test
    void heldEmptyTable_isReleasedAsSoonAsARebuildRoutesSomethingAgain() {
        guard.removed(0, 1);
        guard.removed(0, 1);
        assertThat(guard.withhold(3, 0, 0)).isTrue();
        assertThat(guard.withhold(3, 2, SECOND)).isFalse();
        assertThat(guard.holding()).isFalse();
    }

    @Test
    void ingressClassRemoval_orAnIngressRemovalFoundByARelist_emptyingTheTable_countsAsABurst() {
        guard.removed(0, EmptyTableGuard.BURST);
        assertThat(guard.withhold(4, 0, 0)).isTrue();
    }

    @Test
    void removalsOlderThanTheGracePeriod_doNotMakeABurst() {
        guard.removed(0, 1);
        guard.removed(6 * SECOND, 1);
        assertThat(guard.withhold(1, 0, 6 * SECOND)).isFalse();
    }

    @Test
    void rebuildThatStillRoutesSomething_orATableThatWasEmpty_isNeverHeld() {
        guard.removed(0, 1);
        guard.removed(0, 1);
        guard.removed(0, 1);
        assertThat(guard.withhold(5, 2, 0)).isFalse();
        assertThat(guard.withhold(0, 0, 0)).isFalse();
        assertThat(guard.holding()).isFalse();
    }
}
