package dev.usher.proxy;

import io.netty.resolver.InetNameResolver;
import io.netty.resolver.NameResolver;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A name resolver that refuses a host name resolving to this host or its link: a loopback, unspecified or link-local
 * address. Such an answer fails the lookup, so the request gets 502 and no connection is opened.
 *
 * <p>Why: in a cluster, an ExternalName Service's name is chosen by whoever may create Services, and the admin port
 * shows its debug views (every route, Service and endpoint of every namespace) to loopback clients. A Service named
 * {@code localhost}, or any DNS name answering 127.0.0.1, would make Usher fetch them for an outside client; a
 * link-local answer reaches the cloud's metadata address (169.254.169.254) from the pod. Contour refused ExternalName
 * Services for the same reason (GHSA-5ph6-qq5x-7jwc). IP literals pass unchanged: they come from EndpointSlices,
 * whose addresses the API server validates, or from the operator's own files.
 */
final class NonLocalNameResolver extends InetNameResolver {

    private static final Logger LOG = LoggerFactory.getLogger(NonLocalNameResolver.class);
    private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final AtomicLong LAST_LOGGED = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);

    private final NameResolver<InetAddress> names;

    NonLocalNameResolver(EventExecutor executor, NameResolver<InetAddress> names) {
        super(executor);
        this.names = names;
    }

    /** Whether {@code address} is this host or its link: loopback, unspecified ({@code 0.0.0.0}, {@code ::}), link-local. */
    static boolean local(InetAddress address) {
        return address.isLoopbackAddress() || address.isAnyLocalAddress() || address.isLinkLocalAddress();
    }

    private static boolean literal(String host) {
        return NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host);
    }

    @Override
    protected void doResolve(String host, Promise<InetAddress> promise) {
        names.resolve(host).addListener((Future<InetAddress> f) -> {
            if (!f.isSuccess()) {
                promise.tryFailure(f.cause());
            } else if (!literal(host) && local(f.getNow())) {
                promise.tryFailure(refused(host, f.getNow()));
            } else {
                promise.trySuccess(f.getNow());
            }
        });
    }

    @Override
    protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
        names.resolveAll(host).addListener((Future<List<InetAddress>> f) -> {
            if (!f.isSuccess()) {
                promise.tryFailure(f.cause());
                return;
            }
            if (literal(host)) {
                promise.trySuccess(f.getNow());
                return;
            }
            List<InetAddress> kept = new ArrayList<>();
            for (InetAddress address : f.getNow()) {
                if (!local(address)) {
                    kept.add(address);
                }
            }
            if (kept.isEmpty() && !f.getNow().isEmpty()) {
                promise.tryFailure(refused(host, f.getNow().get(0)));
            } else {
                promise.trySuccess(kept);
            }
        });
    }

    private static UnknownHostException refused(String host, InetAddress address) {
        return new UnknownHostException(refusal(host, address));
    }

    /** Why {@code host} answering {@code address} is refused; logged at most every 10 seconds. */
    static String refusal(String host, InetAddress address) {
        String message = (literal(host)
                        ? "origin address " + host
                        : "origin name " + host.replaceAll("[^A-Za-z0-9._:-]", "?") + " resolves to "
                                + address.getHostAddress())
                + ", an address of this host or its link (loopback, unspecified or link-local): refused";
        long now = System.nanoTime();
        long last = LAST_LOGGED.get();
        if (now - last >= LOG_EVERY_NANOS && LAST_LOGGED.compareAndSet(last, now)) {
            LOG.warn("{} (logged at most every 10 s)", message);
        }
        return message;
    }

    @Override
    public void close() {
        names.close();
    }
}
