package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.proxy.RateLimiter.Limit;
import dev.usher.routing.AddressBlock;
import dev.usher.routing.RateLimit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The limiter alone, on an injected clock that the tests move: nginx's {@code limit_req burst=B nodelay} (B + 1
 * requests at once from a fresh client, then one per interval), per client and per Ingress, the exempt list, the
 * bounded bucket map and the connection slots that every end of a request gives back.
 */
final class RateLimiterTest {

    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong clock = new AtomicLong(-5 * SECOND); // nanoTime may be negative
    private final List<RateLimiter.Slot> held = new ArrayList<>();
    private final RateLimiter limiter = new RateLimiter(clock::get, 1_000, Runnable::run);

    private static RateLimit rps(int rps, int multiplier) {
        return new RateLimit(rps, 0, 0, multiplier, List.of());
    }

    private Limit admit(RateLimit limit, String ingress, String client) {
        return limiter.admit(limit, "default", ingress, client, held::add);
    }

    /** How many of {@code n} requests at the current instant pass. */
    private int passing(int n, RateLimit limit, String client) {
        int passed = 0;
        for (int i = 0; i < n; i++) {
            if (admit(limit, "web", client) == null) {
                passed++;
            }
        }
        return passed;
    }

    @Test
    void rps_letsBurstPlusOneThrough_thenOnePerInterval_asNginxNodelay() {
        RateLimit limit = rps(2, 5); // burst 10

        assertThat(passing(20, limit, "192.0.2.1")).isEqualTo(11);
        assertThat(admit(limit, "web", "192.0.2.1")).isEqualTo(Limit.RPS);

        clock.addAndGet(SECOND / 2 - 1);
        assertThat(passing(3, limit, "192.0.2.1")).isZero();
        clock.addAndGet(1);
        assertThat(passing(3, limit, "192.0.2.1")).isEqualTo(1);
        clock.addAndGet(2 * SECOND);
        assertThat(passing(10, limit, "192.0.2.1")).isEqualTo(4);
    }

    @Test
    void aRestedClient_getsItsWholeBurstBack() {
        RateLimit limit = rps(1, 2);
        assertThat(passing(5, limit, "192.0.2.1")).isEqualTo(3);

        clock.addAndGet(60 * SECOND);

        assertThat(passing(5, limit, "192.0.2.1")).isEqualTo(3);
    }

    @Test
    void burstMultiplierZero_allowsOneRequestPerInterval() {
        RateLimit limit = rps(10, 0);

        assertThat(passing(5, limit, "192.0.2.1")).isEqualTo(1);
        clock.addAndGet(SECOND / 10);
        assertThat(passing(5, limit, "192.0.2.1")).isEqualTo(1);
    }

    @Test
    void rpm_countsPerMinute() {
        RateLimit limit = new RateLimit(0, 6, 0, 1, List.of()); // one per 10 s, burst 6

        assertThat(passing(10, limit, "192.0.2.1")).isEqualTo(7);
        assertThat(admit(limit, "web", "192.0.2.1")).isEqualTo(Limit.RPM);
        clock.addAndGet(9 * SECOND);
        assertThat(passing(2, limit, "192.0.2.1")).isZero();
        clock.addAndGet(SECOND);
        assertThat(passing(2, limit, "192.0.2.1")).isEqualTo(1);
    }

    @Test
    void bothRates_aRequestTheMinuteRateRefuses_isNotChargedToTheSecondRate() {
        RateLimit limit = new RateLimit(10, 2, 0, 0, List.of()); // rps 10 burst 0, rpm 2 burst 0

        assertThat(admit(limit, "web", "192.0.2.1")).isNull();
        clock.addAndGet(SECOND / 10);
        assertThat(admit(limit, "web", "192.0.2.1")).isEqualTo(Limit.RPM); // rps passed it, rpm did not
        // had the refused request been charged to rps, this one (at the same instant) would fail on rps
        clock.addAndGet(30 * SECOND);
        assertThat(admit(limit, "web", "192.0.2.1")).isNull();
        assertThat(admit(limit, "web", "192.0.2.1")).isEqualTo(Limit.RPS);
    }

    @Test
    void clientsAndIngresses_haveTheirOwnBuckets() {
        RateLimit limit = rps(1, 1);

        assertThat(passing(5, limit, "192.0.2.1")).isEqualTo(2);
        assertThat(passing(5, limit, "2001:db8::1")).isEqualTo(2);
        assertThat(admit(limit, "other", "192.0.2.1")).isNull();
        assertThat(admit(limit, "other", "192.0.2.1")).isNull();
        assertThat(admit(limit, "other", "192.0.2.1")).isEqualTo(Limit.RPS);
    }

    @Test
    void exemptClients_areNeverLimited_othersAre() {
        RateLimit limit = new RateLimit(
                1, 0, 1, 0, List.of(AddressBlock.parse("10.0.0.0/8"), AddressBlock.parse("2001:db8::/32")));

        for (int i = 0; i < 50; i++) {
            assertThat(admit(limit, "web", "10.1.2.3")).isNull();
            assertThat(admit(limit, "web", "2001:db8::7")).isNull();
        }
        assertThat(held).isEmpty(); // an exempt request takes no connection slot either
        assertThat(admit(limit, "web", "192.0.2.1")).isNull();
        assertThat(admit(limit, "web", "192.0.2.1")).isEqualTo(Limit.RPS);
    }

    @Test
    void rotatingSourceAddresses_keepTheBucketMapBounded() {
        RateLimit limit = rps(1, 5);

        for (int i = 0; i < 20_000; i++) {
            assertThat(admit(limit, "web", "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255)))
                    .isNull();
        }

        assertThat(limiter.buckets()).isLessThanOrEqualTo(1_000);
    }

    @Test
    void idleBuckets_expireOnceEmpty_andNotBefore() {
        RateLimit limit = rps(1, 5); // empty 6 s after its last use at the latest
        for (int i = 0; i < 100; i++) {
            admit(limit, "web", "10.0.0." + i);
        }
        assertThat(limiter.buckets()).isEqualTo(100);

        clock.addAndGet(5 * SECOND);
        assertThat(limiter.buckets()).isEqualTo(100);
        clock.addAndGet(SECOND + 2 * SECOND); // + Caffeine's timer wheel granularity (2^30 ns)
        assertThat(limiter.buckets()).isZero();
    }

    @Test
    void connections_limitRequestsInProgress_andReleasingFreesTheSlot_andTheEntry() {
        RateLimit limit = new RateLimit(0, 0, 2, 5, List.of());

        assertThat(admit(limit, "web", "192.0.2.1")).isNull();
        assertThat(admit(limit, "web", "192.0.2.1")).isNull();
        assertThat(admit(limit, "web", "192.0.2.1")).isEqualTo(Limit.CONNECTIONS);
        assertThat(admit(limit, "web", "192.0.2.2")).isNull();
        assertThat(limiter.inProgress("default", "web", "192.0.2.1")).isEqualTo(2);

        held.remove(0).release();
        assertThat(admit(limit, "web", "192.0.2.1")).isNull();
        held.forEach(RateLimiter.Slot::release);
        held.clear();

        assertThat(limiter.inProgress("default", "web", "192.0.2.1")).isZero();
        assertThat(limiter.slotted()).isZero();
    }

    @Test
    void aRateRefusal_takesNoConnectionSlot() {
        RateLimit limit = new RateLimit(1, 0, 5, 0, List.of());

        assertThat(admit(limit, "web", "192.0.2.1")).isNull();
        assertThat(admit(limit, "web", "192.0.2.1")).isEqualTo(Limit.RPS);

        assertThat(held).hasSize(1);
        assertThat(limiter.inProgress("default", "web", "192.0.2.1")).isEqualTo(1);
    }

    @Test
    void slots_takenAndReleasedFromManyThreads_neverExceedTheLimit_andLeaveNothingBehind() throws Exception {
        RateLimit limit = new RateLimit(0, 0, 3, 5, List.of());
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        AtomicLong over = new AtomicLong();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < 20_000; i++) {
                        List<RateLimiter.Slot> mine = new ArrayList<>(1);
                        if (limiter.admit(limit, "default", "web", "192.0.2.1", mine::add) == null) {
                            if (limiter.inProgress("default", "web", "192.0.2.1") > 3) {
                                over.incrementAndGet();
                            }
                            mine.get(0).release();
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(over.get()).isZero();
        assertThat(limiter.slotted()).isZero();
    }
}
