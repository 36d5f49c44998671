package dev.usher.proxy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.usher.routing.RateLimit;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * ingress-nginx's {@code limit-rps}, {@code limit-rpm} and {@code limit-connections} for the whole proxy: one state
 * per (Ingress, limit, client address), shared by every event loop, as one nginx zone is shared by its workers.
 *
 * <p>Rates are nginx's {@code limit_req burst=B nodelay}, kept as one {@code long} per bucket: the time at which the
 * bucket will be empty (a "theoretical arrival time"). A request at {@code now} moves it to
 * {@code max(now, tat + 1/rate)} and passes when that is at most {@code B/rate} ahead of {@code now}; this is exactly
 * nginx's {@code excess = max(0, excess - rate x elapsed + 1)} with {@code excess <= B}, so a fresh client gets
 * {@code B + 1} requests at once, then one per {@code 1/rate}. The update is a compare-and-set: no lock, and two
 * loops racing for one client's bucket retry once. A refused request changes nothing; with both rates set, a request
 * the second refuses is given back to the first, as nginx accounts a request only when every limit passed.
 *
 * <p>Buckets live in a Caffeine cache bounded to {@code maxBuckets} (W-TinyLFU: an attacker rotating source addresses
 * makes one-hit entries, which lose to the clients that come back). An entry expires when it has been idle long enough
 * to be empty ({@code (B + 1)/rate}): an empty bucket and no bucket mean the same, so expiry loses nothing, and only
 * eviction under pressure can forget a client (which then starts with a fresh bucket, as behind a new address).
 *
 * <p>Connection limits count requests in progress per (Ingress, client) in a plain concurrent map; an entry exists only
 * while a request holds it (the last release retires and removes it), so the map is bounded by the open connections
 * and streams, and it is never evicted under a request that holds it. Time is the injected clock (nanoseconds, like
 * {@link System#nanoTime()}), also the cache's ticker, so tests advance it instead of sleeping.
 */
final class RateLimiter {

    /** Buckets kept at most: a few hundred bytes each, so the worst case is some tens of MiB. */
    static final int DEFAULT_MAX_BUCKETS = 100_000;

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long MAX_EXPIRY = TimeUnit.DAYS.toNanos(1);
    private static final int RETIRED = Integer.MIN_VALUE;

    /** Which limit refused a request; its {@code limit} tag. */
    enum Limit {
        RPS("rps"),
        RPM("rpm"),
        CONNECTIONS("connections");

        final String tag;

        Limit(String tag) {
            this.tag = tag;
        }
    }

    /** Who keeps a connection slot until its request ends ({@link RequestRecord}, which releases it on finish). */
    interface SlotHolder {
        void hold(Slot slot);
    }

    /** A bucket's identity: the Ingress, the client and the rate (interval and allowance ahead, in nanoseconds). */
    private record BucketKey(String namespace, String ingress, String client, long interval, long ahead) {}

    private record SlotKey(String namespace, String ingress, String client) {}

    private final LongSupplier clock;
    private final Cache<BucketKey, AtomicLong> buckets;
    private final ConcurrentMap<SlotKey, Slot> slots = new ConcurrentHashMap<>();

    RateLimiter(LongSupplier clock) {
        this(clock, DEFAULT_MAX_BUCKETS, ForkJoinPool.commonPool());
    }

    /** @param maintenance where Caffeine's eviction work runs ({@code Runnable::run} in tests) */
    RateLimiter(LongSupplier clock, int maxBuckets, Executor maintenance) {
        this.clock = clock;
        this.buckets = Caffeine.newBuilder()
                .maximumSize(maxBuckets)
                .expireAfter(new Drained())
                .ticker(clock::getAsLong)
                .executor(maintenance)
                .build();
    }

    /**
     * Applies {@code limit} of the Ingress {@code namespace/ingress} to a request of {@code clientIp} (canonical, as
     * {@link ClientConnection#clientAddress} gives it): the rates first ({@code limit-rps}, then {@code limit-rpm}),
     * so a refused request never holds a connection slot, then {@code limit-connections}, whose slot goes to
     * {@code holder} until the request ends.
     *
     * @return {@code null} when the request may go on, else the limit that refused it
     */
    @Nullable
    Limit admit(
            RateLimit limit, @Nullable String namespace, @Nullable String ingress, String clientIp, SlotHolder holder) {
        if (!limit.exempt().isEmpty()) {
            InetAddress address = NetUtil.createInetAddressFromIpAddressString(clientIp);
            if (address != null && limit.exempts(address)) {
                return null;
            }
        }
        String ns = namespace == null ? "" : namespace;
        String name = ingress == null ? "" : ingress;
        long now = clock.getAsLong();
        AtomicLong perSecond = null;
        long secondInterval = 0;
        if (limit.rps() > 0) {
            secondInterval = Math.max(1, SECOND / limit.rps());
            perSecond = bucket(ns, name, clientIp, secondInterval, limit.burst(limit.rps()));
            if (!take(perSecond, secondInterval, ahead(secondInterval, limit.burst(limit.rps())), now)) {
                return Limit.RPS;
            }
        }
        if (limit.rpm() > 0) {
            long interval = Math.max(1, 60 * SECOND / limit.rpm());
            AtomicLong perMinute = bucket(ns, name, clientIp, interval, limit.burst(limit.rpm()));
            if (!take(perMinute, interval, ahead(interval, limit.burst(limit.rpm())), now)) {
                if (perSecond != null) {
                    perSecond.addAndGet(-secondInterval); // nginx accounts a request only when every limit passed
                }
                return Limit.RPM;
            }
        }
        if (limit.connections() > 0) {
            Slot slot = acquire(new SlotKey(ns, name, clientIp), limit.connections());
            if (slot == null) {
                return Limit.CONNECTIONS;
            }
            holder.hold(slot);
        }
        return null;
    }

    private AtomicLong bucket(String namespace, String ingress, String client, long interval, long burst) {
        BucketKey key = new BucketKey(namespace, ingress, client, interval, ahead(interval, burst));
        AtomicLong tat = buckets.getIfPresent(key);
        return tat != null ? tat : buckets.get(key, k -> new AtomicLong(Long.MIN_VALUE));
    }

    /** How far ahead of now the bucket may be: {@code burst} intervals, saturated. */
    private static long ahead(long interval, long burst) {
        return burst > MAX_EXPIRY / interval ? MAX_EXPIRY : burst * interval;
    }

    /** One request into the bucket whose empty time is {@code tat} ({@link Long#MIN_VALUE}: never used). */
    private static boolean take(AtomicLong tat, long interval, long ahead, long now) {
        while (true) {
            long current = tat.get();
            long next = current == Long.MIN_VALUE ? now : Math.max(now, current + interval);
            if (next - now > ahead) {
                return false;
            }
            if (tat.compareAndSet(current, next)) {
                return true;
            }
        }
    }

    private @Nullable Slot acquire(SlotKey key, int max) {
        while (true) {
            Slot slot = slots.computeIfAbsent(key, Slot::new);
            int held = slot.held.get();
            if (held == RETIRED) {
                slots.remove(key, slot); // its last holder is removing it: help, then take a fresh one
                continue;
            }
            if (held >= max) {
                return null;
            }
            if (slot.held.compareAndSet(held, held + 1)) {
                return slot;
            }
        }
    }

    /** Buckets kept now (after pending maintenance); for tests and the eviction bound. */
    long buckets() {
        buckets.cleanUp();
        return buckets.estimatedSize();
    }

    /** Clients holding connection slots now. */
    int slotted() {
        return slots.size();
    }

    /** Requests in progress of one client of one Ingress, as counted against {@code limit-connections}. */
    int inProgress(String namespace, String ingress, String client) {
        Slot slot = slots.get(new SlotKey(namespace, ingress, client));
        int held = slot == null ? 0 : slot.held.get();
        return held == RETIRED ? 0 : held;
    }

    /** A client's requests in progress on one Ingress; released once per request that held it. */
    final class Slot {
        private final SlotKey key;
        private final AtomicInteger held = new AtomicInteger();

        private Slot(SlotKey key) {
            this.key = key;
        }

        /** The request that held this slot ended (answered, failed or abandoned by its client). */
        void release() {
            if (held.decrementAndGet() == 0 && held.compareAndSet(0, RETIRED)) {
                slots.remove(key, this);
            }
        }
    }

    /** A bucket expires once idle long enough to be empty again: {@code ahead + interval} after its last use. */
    private static final class Drained implements Expiry<BucketKey, AtomicLong> {
        private static long span(BucketKey key) {
            return Math.min(MAX_EXPIRY, key.ahead() + key.interval());
        }

        @Override
        public long expireAfterCreate(BucketKey key, AtomicLong value, long currentTime) {
            return span(key);
        }

        @Override
        public long expireAfterUpdate(BucketKey key, AtomicLong value, long currentTime, long currentDuration) {
            return span(key);
        }

        @Override
        public long expireAfterRead(BucketKey key, AtomicLong value, long currentTime, long currentDuration) {
            return span(key);
        }
    }
}
