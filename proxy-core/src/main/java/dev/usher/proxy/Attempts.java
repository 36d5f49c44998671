package dev.usher.proxy;

import dev.usher.routing.BackendRef;
import dev.usher.routing.Endpoint;
import io.netty.channel.Channel;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.Future;
import java.util.List;

/**
 * The endpoints one {@link Exchange} tries, in order, and whether a failed attempt may be followed by another.
 *
 * <p>The first endpoint is the load balancer's pick among those not ejected ({@link Outliers#available}); each further
 * attempt takes the next one in that list, so no endpoint is tried twice while another is left. Every outcome is
 * reported to the event loop's {@link Outliers}. Confined to the exchange's event loop.
 */
final class Attempts {

    private final Exchange exchange;
    private final RequestRecord record;
    private final OriginPools pools;
    private final ProxyMetrics metrics;
    private final BackendRef backend;
    private final List<Endpoint> all; // the backend's endpoints, for the outlier ejection limit
    private final List<Endpoint> endpoints; // the ones not ejected (all if every one is), walked by retries
    private final int first;
    private final int connectAttempts;
    private int attempt;
    private boolean staleRetried;

    /** @param all the backend's endpoints as Admission read them, never empty */
    Attempts(Exchange exchange, ProxyContext context, OriginPools pools, RequestRecord record, BackendRef backend,
            List<Endpoint> all) {
        this.exchange = exchange;
        this.record = record;
        this.pools = pools;
        this.metrics = context.metrics();
        this.backend = backend;
        this.all = all;
        this.endpoints = pools.outliers().available(all);
        this.first = context.loadBalancer().pick(backend, endpoints, pools);
        this.connectAttempts = context.settings().connectAttempts();
    }

    /** The endpoint of the current attempt. */
    Endpoint endpoint() {
        return endpoints.get((first + attempt) % endpoints.size());
    }

    /** Acquires a connection to the current endpoint; {@code fresh} skips the pooled ones (a stale-retry). */
    void connect(boolean fresh) {
        Endpoint endpoint = endpoint();
        OriginPool target = pools.pool(endpoint);
        record.endpoint(endpoint.toString());
        Future<Channel> acquired = target.acquire(fresh);
        if (acquired.isDone()) {
            connected(acquired, target);
        } else {
            acquired.addListener(f -> connected(acquired, target));
        }
    }

    private void connected(Future<Channel> acquired, OriginPool from) {
        if (!exchange.connecting()) { // the exchange ended meanwhile (the client left)
            if (acquired.isSuccess()) {
                from.release(acquired.getNow()); // this connection is unused and clean
            }
        } else if (acquired.isSuccess()) {
            exchange.attached(acquired.getNow(), from, from.endpoint());
        } else if (connectFailed(from.endpoint(), acquired.cause())) {
            exchange.nextAttempt();
        } else if (acquired.cause() instanceof OriginPool.Exhausted) {
            exchange.fail(HttpResponseStatus.SERVICE_UNAVAILABLE, "origin connection limit reached");
        } else {
            exchange.fail(HttpResponseStatus.BAD_GATEWAY, "origin unreachable");
        }
    }

    /**
     * The current attempt could not get a connection ({@code cause}: {@link OriginPool.Exhausted} when the connection
     * limit was hit). Returns whether to try the next endpoint: not after the connection limit (every endpoint of the
     * loop would be as full), and at most {@code connectAttempts} endpoints, each once.
     */
    private boolean connectFailed(Endpoint failed, Throwable cause) {
        if (cause instanceof OriginPool.Exhausted) {
            metrics.upstreamError(ProxyMetrics.UpstreamError.POOL_EXHAUSTED);
            return false;
        }
        metrics.upstreamError(cause instanceof ConnectTimeoutException ? ProxyMetrics.UpstreamError.CONNECT_TIMEOUT
                : ProxyMetrics.UpstreamError.CONNECT_FAILED);
        pools.outliers().failure(backend, all, failed, Outliers.Reason.CONNECT_FAILED);
        if (attempt + 1 < Math.min(connectAttempts, endpoints.size())) {
            attempt++;
            return true;
        }
        return false;
    }

    /**
     * A reused pooled connection closed before the response: whether to try once more on a fresh connection to the
     * same endpoint (RFC 9110 §9.2.2, an idempotent request whose body can be replayed), which is not a failure of
     * the endpoint.
     */
    boolean staleRetry(boolean replayable) {
        if (replayable && !staleRetried) {
            staleRetried = true;
            return true;
        }
        return false;
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
