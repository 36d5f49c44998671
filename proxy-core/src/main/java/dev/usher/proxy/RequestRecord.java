package dev.usher.proxy;

import dev.usher.routing.Backend;
import dev.usher.routing.Endpoint;
import dev.usher.routing.Route;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.concurrent.Ticker;
import org.jspecify.annotations.Nullable;

/**
 * What is known about one request for its metrics and access-log line; {@link #finish(int)} emits both exactly once.
 * Confined to the client's event loop.
 */
final class RequestRecord implements RateLimiter.SlotHolder {

    /** The access log's protocol of a request that came on an HTTP/2 stream (as nginx logs it). */
    static final String HTTP_2 = "HTTP/2.0";

    private final ProxyContext context;
    private final Ticker clock;
    private final long startNanos;
    private final String clientIp;
    private final String method;
    private final String uri;
    private final String protocol;
    private final boolean grpc;
    private @Nullable String host;
    private @Nullable Route route;
    private @Nullable Endpoint firstEndpoint; // the common single attempt: formatted only if logged
    private @Nullable String endpointsTried; // a retry's list, formatted as it happens
    private @Nullable CharSequence requestId;
    private long endpointNanos;
    private boolean endpointChosen;
    private long upstreamNanos = -1;
    private long bytesIn;
    private long bytesOut;
    private boolean finished;
    private RateLimiter.@Nullable Slot slot; // a limit-connections slot, released when the request ends

    /**
     * @param clock the client's event loop's ticker ({@link BatchClockGroup}: read once per batch of I/O events)
     * @param protocol as the access log names it: {@code HTTP/1.0}, {@code HTTP/1.1} or {@link #HTTP_2}
     */
    RequestRecord(ProxyContext context, Ticker clock, String clientIp, HttpRequest request, String protocol) {
        this.context = context;
        this.clock = clock;
        this.startNanos = clock.nanoTime();
        this.clientIp = clientIp;
        this.method = request.method().name();
        this.uri = request.uri();
        this.protocol = protocol;
        this.grpc = Grpc.isCall(request.headers());
    }

    /** A gRPC call: Usher's own errors are answered as gRPC statuses ({@link Grpc#trailersOnly}). */
    boolean grpc() {
        return grpc;
    }

    /** The client address this request is logged and forwarded with ({@link ClientConnection#clientAddress}). */
    String clientIp() {
        return clientIp;
    }

    void host(@Nullable String value) {
        this.host = value;
    }

    void route(Route value) {
        this.route = value;
    }

    /** The route the request took (the canary's or the error backend's when one served), or {@code null} before. */
    @Nullable
    Route route() {
        return route;
    }

    /**
     * The endpoint chosen for an attempt; starts the upstream clock (a retry restarts it). The access log names every
     * endpoint tried, in order, comma-separated (as nginx's {@code $upstream_addr} does).
     */
    void endpoint(Endpoint value) {
        Endpoint first = firstEndpoint;
        if (first == null) {
            firstEndpoint = value;
        } else {
            endpointsTried = (endpointsTried == null ? first.toString() : endpointsTried) + "," + value;
        }
        this.endpointNanos = clock.nanoTime();
        this.endpointChosen = true;
        this.upstreamNanos = -1;
    }

    /** The origin's response head arrived: the upstream latency is known. */
    void upstreamResponded() {
        if (endpointChosen && upstreamNanos < 0) {
            upstreamNanos = clock.nanoTime() - endpointNanos;
        }
    }

    /** The request's ID once decided (forwarded, sent to the auth service or expanded), else {@code null}. */
    @Nullable
    CharSequence requestId() {
        return requestId;
    }

    void requestId(CharSequence value) {
        this.requestId = value;
    }

    void bytesIn(long n) {
        bytesIn += n;
    }

    void bytesOut(long n) {
        bytesOut += n;
    }

    /** The request counts against its Ingress's {@code limit-connections} until {@link #finish}. */
    @Override
    public void hold(RateLimiter.Slot held) {
        this.slot = held;
    }

    /** Hands the request's connection slot over to whoever outlives the request (an upgrade's tunnel), or null. */
    RateLimiter.@Nullable Slot takeSlot() {
        RateLimiter.Slot held = slot;
        slot = null;
        return held;
    }

    /**
     * Records the outcome; {@code 499} means the client left before its response was complete (as nginx logs it).
     * Every end of a request comes here once (answered, failed, abandoned by its client, upgraded), so this is where a
     * connection slot is given back.
     */
    void finish(int status) {
        RateLimiter.Slot held = slot;
        if (held != null) {
            slot = null;
            held.release();
        }
        if (finished) {
            return;
        }
        finished = true;
        long nanos = clock.nanoTime() - startNanos;
        context.metrics()
                .route(route)
                .record(method, protocol == HTTP_2, status, nanos, upstreamNanos, bytesIn, bytesOut);
        AccessLog log = context.accessLog();
        if (log.enabled() && (route == null || route.options().accessLog())) { // enable-access-log: "false"
            Backend backend = route == null || route.isNotFound() ? null : route.backend();
            log.log(new AccessLog.Entry(
                    System.currentTimeMillis(),
                    clientIp,
                    method,
                    uri,
                    protocol,
                    host,
                    status,
                    bytesIn,
                    bytesOut,
                    nanos,
                    route == null ? null : route.namespace(),
                    route == null ? null : route.ingress(),
                    backend == null ? null : backend.ref().service(),
                    endpointsTried != null ? endpointsTried : firstEndpoint == null ? null : firstEndpoint.toString(),
                    requestId == null ? null : requestId.toString()));
        }
    }
}
