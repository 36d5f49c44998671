package dev.usher.proxy;

import dev.usher.routing.BackendRef;
import dev.usher.routing.Endpoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * One event loop's passive health state (Envoy's outlier detection, {@link OutlierDetection}): failures in a row per
 * endpoint and which endpoints are ejected until when.
 *
 * <p>Used only from its loop, like {@link OriginPools}, so plain fields: each loop learns about a failing endpoint
 * from its own requests (as each Envoy worker does not, but as nginx workers do with {@code max_fails}), at the price
 * of up to {@code consecutiveFailures} failures per loop. Rules:
 * <ul>
 *   <li>a connect failure, a reset before the response completed, or a 502/503/504 from the origin counts one
 *       failure; any other complete response resets the count;</li>
 *   <li>at the threshold the endpoint is ejected for {@code baseEjectionTime} times the number of its ejections (at
 *       most {@link OutlierDetection#MAX_MULTIPLIER}), unless the backend already has its share ejected
 *       ({@code maxEjectionPercent}, rounded down, but at least one) or it is the last endpoint not ejected;</li>
 *   <li>when its time is over the endpoint is tried again with its count at the threshold minus one, so a single
 *       further failure ejects it again, for longer; one base ejection time of good answers after its return forgets
 *       its past ejections;</li>
 *   <li>when every endpoint of a backend is ejected, all of them are tried (better a likely failure than a sure
 *       503).</li>
 * </ul>
 */
final class Outliers {

    /** The failure that counted; the {@code reason} tag of {@code usher_endpoint_ejections_total}. */
    enum Reason {
        CONNECT_FAILED("connect_failed"),
        RESET("reset"),
        GATEWAY_ERROR("gateway_error");

        final String tag;

        Reason(String tag) {
            this.tag = tag;
        }
    }

    /** Entries kept before idle ones (not ejected) are dropped: endpoints come and go, often failing as they go. */
    static final int MAX_TRACKED = 1024;

    private static final class State {
        int failures;
        int ejections;
        boolean ejected;
        long until; // nanos: end of the current or last ejection
    }

    private final OutlierDetection config;
    private final LongSupplier clock;
    private final ProxyMetrics metrics;
    private final long baseNanos;
    private final Map<Endpoint, State> states = new HashMap<>();
    private int ejectedCount;

    Outliers(OutlierDetection config, LongSupplier nanoClock, ProxyMetrics metrics) {
        this.config = config;
        this.clock = nanoClock;
        this.metrics = metrics;
        this.baseNanos = config.baseEjectionTime().toNanos();
    }

    /**
     * The endpoints a request may go to: {@code endpoints} itself when none is ejected (the usual case, no
     * allocation), else those not ejected, or all when every one is.
     */
    List<Endpoint> available(List<Endpoint> endpoints) {
        if (ejectedCount == 0) {
            return endpoints;
        }
        long now = clock.getAsLong();
        List<Endpoint> out = null;
        for (int i = 0; i < endpoints.size(); i++) {
            Endpoint e = endpoints.get(i);
            if (ejected(e, now)) {
                if (out == null) {
                    out = new ArrayList<>(endpoints.subList(0, i));
                }
            } else if (out != null) {
                out.add(e);
            }
        }
        return out == null || out.isEmpty() ? endpoints : out;
    }

    /** Whether {@code endpoint} is ejected now on this loop (a read-only view for tests and debugging). */
    boolean isEjected(Endpoint endpoint) {
        State s = states.get(endpoint);
        return s != null && s.ejected && clock.getAsLong() - s.until < 0;
    }

    /** A complete response other than 502/503/504. */
    void success(Endpoint endpoint) {
        if (states.isEmpty()) {
            return;
        }
        State s = states.get(endpoint);
        if (s == null || s.ejected) {
            return; // an ejected endpoint's request that was under way: its return is decided by the clock
        }
        s.failures = 0;
        if (s.ejections == 0 || clock.getAsLong() - s.until >= baseNanos) {
            states.remove(endpoint);
        }
    }

    /** A failure of {@code endpoint}, one of {@code all}, the endpoints of {@code backend}. */
    void failure(BackendRef backend, List<Endpoint> all, Endpoint endpoint, Reason reason) {
        if (!config.enabled()) {
            return;
        }
        long now = clock.getAsLong();
        State s = states.get(endpoint);
        if (s == null) {
            if (states.size() >= MAX_TRACKED) {
                forgetIdle(now);
            }
            s = new State();
            states.put(endpoint, s);
        }
        if (ejected(endpoint, now) || ++s.failures < config.consecutiveFailures()) {
            return;
        }
        int ejectedHere = 0;
        for (Endpoint e : all) {
            if (ejected(e, now)) {
                ejectedHere++;
            }
        }
        int allowed = Math.max(1, all.size() * config.maxEjectionPercent() / 100);
        if (ejectedHere >= allowed || ejectedHere + 1 >= all.size()) {
            return; // stays at the threshold: ejected on its next failure once the backend has room
        }
        s.ejected = true;
        s.ejections = Math.min(s.ejections + 1, OutlierDetection.MAX_MULTIPLIER);
        s.until = now + baseNanos * s.ejections;
        s.failures = 0;
        ejectedCount++;
        metrics.endpointEjected(backend, reason.tag);
    }

    /** Ends an ejection whose time is over; the endpoint comes back one failure short of the threshold. */
    private boolean ejected(Endpoint endpoint, long now) {
        State s = states.get(endpoint);
        if (s == null || !s.ejected) {
            return false;
        }
        if (now - s.until < 0) {
            return true;
        }
        s.ejected = false;
        s.failures = config.consecutiveFailures() - 1;
        ejectedCount--;
        return false;
    }

    private void forgetIdle(long now) {
        for (Iterator<Map.Entry<Endpoint, State>> it = states.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Endpoint, State> entry = it.next();
            if (!ejected(entry.getKey(), now)) {
                it.remove();
            }
        }
    }
}
