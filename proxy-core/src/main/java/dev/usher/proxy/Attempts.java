package dev.usher.proxy;

import dev.usher.routing.BackendRef;
import dev.usher.routing.Endpoint;
import dev.usher.routing.RetryOn;
import dev.usher.routing.RetryPolicy;
import dev.usher.routing.Route;
import dev.usher.routing.Upstream;
import io.netty.channel.Channel;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The endpoints one {@link Exchange} tries, in order, and whether a failed attempt is followed by another: the retry
 * policy (ingress-nginx's {@code proxy-next-upstream}, {@code -tries}, {@code -timeout}: the route's, else the
 * flags') and the backend's {@link RetryBudget}.
 *
 * <p>The first endpoint is the load balancer's pick among those not ejected ({@link Outliers#available}); each further
 * attempt takes the next one in that list, so no endpoint is tried twice while another is left, and there are never
 * more attempts than endpoints. A failed attempt is retried only when all of these hold:
 * <ul>
 *   <li>the policy lists its failure ({@link RetryOn});</li>
 *   <li>no byte of the response reached the client (the exchange asks only then);</li>
 *   <li>if any byte of the request went out, the request can be sent again (body-less or buffered whole, not an
 *       upgrade) and its method is idempotent, or the policy lists {@code non_idempotent};</li>
 *   <li>fewer than {@code tries} attempts were made (0: every endpoint once, at most {@link #MAX_TRIES}), and for
 *       connect failures fewer than {@link ProxySettings#connectAttempts()};</li>
 *   <li>the policy's timeout has not passed since the first attempt;</li>
 *   <li>the backend's retry budget has room, unless the attempt failed to connect: a refused or timed-out connect did
 *       no work on the origin, so it is never refused by the budget.</li>
 * </ul>
 * A reused pooled connection that the origin had closed is a case apart ({@link #staleRetry}): not a failure of the
 * endpoint, so it is tried once more on a fresh connection to the same endpoint, outside tries and budget, like
 * nginx's extra try for a cached connection; so is an HTTP/2 stream the origin refused unprocessed
 * ({@link #refusedRetry}). Every outcome is reported to the loop's {@link Outliers}. Confined to
 * the exchange's event loop.
 */
final class Attempts {

    /** The most attempts of one request when {@code tries} is 0 (nginx's "unlimited"). */
    static final int MAX_TRIES = 10;

    private final Exchange exchange;
    private final RequestRecord record;
    private final OriginPools pools;
    private final ProxyMetrics metrics;
    private final BackendRef backend;
    private final Upstream upstream; // how the origin is spoken to (cleartext or TLS, HTTP/1.1 or HTTP/2)
    private final @Nullable Duration connectTimeout; // the route's proxy-connect-timeout, or null for the pool's
    private final List<Endpoint> all; // the backend's endpoints, for the outlier ejection limit
    private final List<Endpoint> endpoints; // the ones not ejected (all if every one is), walked by retries
    private final int first;
    private final int connectAttempts;
    private final Set<RetryOn> on;
    private final int maxAttempts;
    private final long timeoutNanos;
    private final long start;
    private final boolean replayable;
    private final boolean idempotentReplay;
    private int attempt;
    private boolean staleRetried;
    private boolean refusedRetried;

    /**
     * @param balancer picks the first endpoint: the proxy's, or the route's {@link CookieAffinity}
     * @param all the backend's endpoints as Admission read them, never empty
     * @param idempotentReplay the request can be sent again and its method is idempotent
     * @param replayable the request can be sent again: body-less or buffered whole, not an upgrade
     */
    Attempts(
            Exchange exchange,
            ProxyContext context,
            LoadBalancer balancer,
            OriginPools pools,
            RequestRecord record,
            Route route,
            List<Endpoint> all,
            boolean idempotentReplay,
            boolean replayable) {
        this.idempotentReplay = idempotentReplay;
        this.replayable = replayable;
        this.exchange = exchange;
        this.record = record;
        this.pools = pools;
        this.metrics = context.metrics();
        this.backend = Objects.requireNonNull(route.backend(), "a proxied route has a backend")
                .ref();
        this.upstream = route.upstream();
        this.connectTimeout = route.options().timeouts().connect();
        this.all = all;
        this.endpoints = pools.outliers().available(all);
        this.first = balancer.pick(backend, endpoints, pools); // the proxy's, or the route's cookie affinity
        ProxySettings settings = context.settings();
        this.connectAttempts = settings.connectAttempts();
        RetryPolicy own = route.retry();
        this.on = own.on() != null ? own.on() : settings.retryOn();
        int tries = own.tries() != null ? own.tries() : settings.retryTries();
        this.maxAttempts = Math.min(tries == 0 ? MAX_TRIES : tries, endpoints.size());
        Duration timeout = own.timeout() != null ? own.timeout() : settings.retryTimeout();
        this.timeoutNanos = timeout.toNanos();
        this.start = pools.now();
        pools.retryBudget(backend).request(start);
    }

    /** The endpoint of the current attempt. */
    Endpoint endpoint() {
        return endpoints.get((first + attempt) % endpoints.size());
    }

    /** Acquires a connection to the current endpoint; {@code fresh} skips the pooled ones (a stale-retry). */
    void connect(boolean fresh) {
        Endpoint endpoint = endpoint();
        OriginPool target = pools.pool(endpoint, upstream);
        record.endpoint(endpoint);
        Channel pooled = fresh ? null : target.pollIdle();
        if (pooled != null) {
            exchange.attached(pooled, target, endpoint); // the exchange is connecting: nothing ran in between
            return;
        }
        Future<Channel> acquired = target.acquire(fresh, connectTimeout);
        if (acquired.isDone()) {
            connected(acquired, target);
        } else {
            acquired.addListener(f -> connected(acquired, target));
        }
    }

    private void connected(Future<Channel> acquired, OriginPool from) {
        if (exchange.state() != ExchangeState.CONNECTING) { // the exchange ended meanwhile (the client left)
            if (acquired.isSuccess()) {
                from.release(acquired.getNow()); // this connection is unused and clean
            }
        } else if (acquired.isSuccess()) {
            exchange.attached(acquired.getNow(), from, from.endpoint());
        } else if (connectFailed(from.endpoint(), acquired.cause())) {
            exchange.connect(false);
        } else if (acquired.cause() instanceof OriginPool.Exhausted) {
            exchange.fail(HttpResponseStatus.SERVICE_UNAVAILABLE, "origin connection limit reached");
        } else {
            exchange.fail(HttpResponseStatus.BAD_GATEWAY, "origin unreachable");
        }
    }

    /**
     * The current attempt could not get a connection ({@code cause}: {@link OriginPool.Exhausted} when the connection
     * limit was hit, which is never retried: every endpoint of the loop would be as full). Returns whether to try the
     * next endpoint; nothing of the request went out.
     */
    private boolean connectFailed(Endpoint failed, Throwable cause) {
        if (cause instanceof OriginPool.Exhausted) {
            metrics.upstreamError(ProxyMetrics.UpstreamError.POOL_EXHAUSTED);
            return false;
        }
        boolean timedOut = cause instanceof ConnectTimeoutException;
        metrics.upstreamError(
                timedOut ? ProxyMetrics.UpstreamError.CONNECT_TIMEOUT : ProxyMetrics.UpstreamError.CONNECT_FAILED);
        pools.outliers().failure(backend, all, failed, Outliers.Reason.CONNECT_FAILED);
        return attempt + 1 < connectAttempts && next(timedOut ? RetryOn.TIMEOUT : RetryOn.ERROR, false);
    }

    /**
     * Whether the current attempt, which failed with {@code failure} after its request head went out and before any
     * response byte reached the client, is followed by another (on the next endpoint); counts the retry when it is.
     */
    boolean retry(RetryOn failure) {
        if (!mayResend()) {
            return false;
        }
        Endpoint failed = endpoint();
        if (!next(failure, true)) {
            return false;
        }
        if (failure == RetryOn.HTTP_502 || failure == RetryOn.HTTP_503 || failure == RetryOn.HTTP_504) {
            pools.outliers().failure(backend, all, failed, Outliers.Reason.GATEWAY_ERROR); // discarded unseen
        }
        return true;
    }

    /** Whether bytes of this request may go out again: replayable, and idempotent unless non_idempotent is listed. */
    private boolean mayResend() {
        return idempotentReplay || replayable && on.contains(RetryOn.NON_IDEMPOTENT);
    }

    /** The policy's part common to every failure: listed, tries, timeout and (when {@code budgeted}) budget. */
    private boolean next(RetryOn failure, boolean budgeted) {
        if (!on.contains(failure) || attempt + 1 >= maxAttempts) {
            return false;
        }
        long now = pools.now();
        if (timeoutNanos > 0 && now - start >= timeoutNanos) {
            return false;
        }
        if (budgeted && !pools.retryBudget(backend).tryRetry(now)) {
            metrics.retryBudgetExhausted(backend);
            return false;
        }
        attempt++;
        metrics.retry(backend, failure.toString());
        return true;
    }

    /**
     * A reused pooled connection closed before the response: whether to try once more on a fresh connection to the
     * same endpoint (RFC 9110 §9.2.2), for a request that may be sent again.
     */
    boolean staleRetry() {
        if (mayResend() && !staleRetried) {
            staleRetried = true;
            metrics.retry(backend, "stale_connection");
            return true;
        }
        return false;
    }

    /**
     * The origin refused the HTTP/2 stream unprocessed ({@code RST_STREAM REFUSED_STREAM}, or a GOAWAY below it):
     * whether to send the request once more, for any request that can be sent again, whatever its method (RFC 9113
     * §8.7: nothing was processed). The next endpoint is taken when one is left untried, else the same one (its pool
     * opens the stream on a connection that is not going away). Outside tries and budget, like {@link #staleRetry}:
     * the origin did no work.
     */
    boolean refusedRetry() {
        if (!replayable || refusedRetried) {
            return false;
        }
        refusedRetried = true;
        if (attempt + 1 < endpoints.size()) {
            attempt++;
        }
        metrics.retry(backend, "refused_stream");
        return true;
    }

    /** The current endpoint failed (reset, or a gateway error as the response). */
    void failed(Outliers.Reason reason) {
        pools.outliers().failure(backend, all, endpoint(), reason);
    }

    /** The current endpoint answered with anything but a gateway error. */
    void succeeded() {
        pools.outliers().success(endpoint());
    }
}
