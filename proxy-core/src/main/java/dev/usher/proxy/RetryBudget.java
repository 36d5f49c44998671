package dev.usher.proxy;

/**
 * How many retries one event loop may still send to one backend (Envoy's {@code retry_budget}, Finagle's
 * {@code RetryBudget}): at most {@code percent} of the backend's requests, plus {@code minPerSecond} retries a second
 * whatever the traffic, so that a quiet backend still gets its retries while a failing busy one cannot have its load
 * multiplied.
 *
 * <p>Requests and retries are counted in windows of {@link #WINDOW_NANOS} (Finagle's 10 s); the previous window counts
 * with the share of it that still overlaps the last 10 s, so the budget slides instead of resetting at once. Plain
 * fields: used only from its event loop, on the clock of {@link OriginPools}.
 */
final class RetryBudget {

    static final long WINDOW_NANOS = 10_000_000_000L;

    private final int percent;
    private final double minPerWindow;
    private long windowStart;
    private boolean started;
    private long requests;
    private long retries;
    private long previousRequests;
    private long previousRetries;

    RetryBudget(int percent, int minPerSecond) {
        this.percent = percent;
        this.minPerWindow = minPerSecond * (WINDOW_NANOS / 1_000_000_000.0);
    }

    /** A request to the backend began (its first attempt): it adds {@code percent}% of a retry to the budget. */
    void request(long now) {
        roll(now);
        requests++;
    }

    /** Takes one retry from the budget; false, taking nothing, when it is spent. */
    boolean tryRetry(long now) {
        roll(now);
        double previousShare = 1.0 - (double) (now - windowStart) / WINDOW_NANOS;
        double recentRequests = requests + previousRequests * previousShare;
        double recentRetries = retries + previousRetries * previousShare;
        if (recentRetries + 1 > minPerWindow + recentRequests * percent / 100.0) {
            return false;
        }
        retries++;
        return true;
    }

    private void roll(long now) {
        if (!started) {
            started = true;
            windowStart = now;
            return;
        }
        long elapsed = now - windowStart;
        if (elapsed < WINDOW_NANOS) {
            return;
        }
        boolean adjacent = elapsed < 2 * WINDOW_NANOS;
        previousRequests = adjacent ? requests : 0;
        previousRetries = adjacent ? retries : 0;
        requests = 0;
        retries = 0;
        windowStart = adjacent ? windowStart + WINDOW_NANOS : now;
    }
}
