package dev.usher.proxy;

import dev.usher.routing.BackendProtocol;
import dev.usher.routing.BackendRef;
import dev.usher.routing.Endpoint;
import dev.usher.routing.OriginTls;
import dev.usher.routing.Upstream;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.NameResolver;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsNameResolverChannelStrategy;
import io.netty.resolver.dns.DnsServerAddressStreamProvider;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Everything one event loop keeps about origins: its pool per endpoint, its round-robin cursor per backend and its
 * passive health state ({@link Outliers}).
 *
 * <p>One instance per event loop, used only from that loop (per-loop pools as in Netflix Zuul), so plain
 * {@link HashMap}s and no locks: a request borrows from the pools of the loop its client connection lives on, and the
 * origin channel is registered on that same loop, so no byte crosses threads.
 */
final class OriginPools {

    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

    private static final int MAX_BACKENDS = 4096;

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final ProxySettings settings;
    private final ProxyMetrics metrics;
    private final Map<Endpoint, OriginPool> pools = new HashMap<>();
    private final Outliers outliers;
    private final AllocationGuard guard;
    /** HTTP/1.1 over TLS: a bootstrap and pools per {@link OriginTls}; HTTP/2 over TLS the same; h2c one. */
    private final Map<OriginTls, Flavour> tlsPools = new HashMap<>();

    private final Map<OriginTls, Flavour> h2Pools = new HashMap<>();
    private @Nullable Flavour h2c;
    private final List<Flavour> flavours = new ArrayList<>();

    /** The origin connections of one protocol and TLS setting: their bootstrap and pools by endpoint. */
    private record Flavour(Bootstrap bootstrap, boolean http2, boolean tls, Map<Endpoint, OriginPool> pools) {
        Flavour(Bootstrap bootstrap, boolean http2, boolean tls) {
            this(bootstrap, http2, tls, new HashMap<>());
        }
    }

    private final LongSupplier nanoClock;
    private @Nullable Bootstrap raw;
    private final Map<BackendRef, BackendState> backends = new HashMap<>();
    /**
     * The backend looked up last and its state: a snapshot's routes share one {@link BackendRef} instance, so the
     * round-robin pick and the retry budget of one request, and most requests after it, find it without hashing.
     */
    private @Nullable BackendRef lastBackend;

    private @Nullable BackendState lastState;
    private @Nullable Bootstrap authBootstrap; // built on the first auth-url subrequest of this loop
    private int mirrorsInFlight; // mirror-target requests of this loop not ended yet

    /**
     * @param allocator the buffer allocator of origin connections, {@code null} for Netty's default
     * @param resolvers how every connection of this loop (origins, {@code auth-url}, mirrors) resolves a host name:
     *     {@link #resolvers}
     * @param origins every connection this loop opens (to origins, {@code auth-url}, mirrors, passthrough) joins it,
     *     so the proxy can close them all while its event loops still run: a mirror or an auth call belongs to no
     *     client connection, and a loop's own shutdown may close a socket without its decoder releasing what it holds
     */
    OriginPools(
            EventLoop loop,
            Transports transports,
            ProxySettings settings,
            ProxyMetrics metrics,
            @Nullable ByteBufAllocator allocator,
            AllocationGuard guard,
            LongSupplier nanoClock,
            AddressResolverGroup<InetSocketAddress> resolvers,
            ChannelGroup origins) {
        this.loop = loop;
        this.guard = guard;
        this.nanoClock = nanoClock;
        this.outliers = new Outliers(settings.outlierDetection(), nanoClock, metrics);
        this.settings = settings;
        this.metrics = metrics;
        ChannelFactory<? extends Channel> sockets = new ReflectiveChannelFactory<>(transports.socketChannel());
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channelFactory(
                        () -> { // every clone below keeps it
                            Channel channel = sockets.newChannel();
                            origins.add(channel); // and leaves the group when closed
                            return channel;
                        })
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis()))
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .resolver(resolvers)
                .handler(new OriginInitializer(guard));
        if (allocator != null) {
            bootstrap.option(ChannelOption.ALLOCATOR, allocator);
        }
    }

    /**
     * A bootstrap for a raw TCP connection on this loop with the origin connections' options (connect timeout,
     * auto-read off, water marks, allocator), half-closure allowed and no handler yet: the TLS passthrough splice
     * ({@link PassthroughSplice}) adds its own once connected, so a failed attempt leaves nothing behind.
     */
    Bootstrap rawBootstrap() {
        Bootstrap b = raw;
        if (b == null) {
            b = bootstrap
                    .clone()
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .handler(
                            new ChannelInitializer<Channel>() { // @Sharable; leaves an empty pipeline
                                @Override
                                protected void initChannel(Channel ch) {}
                            });
            raw = b;
        }
        return b;
    }

    /** The guard every origin pipeline carries, for pipelines built outside {@link OriginInitializer}. */
    AllocationGuard guard() {
        return guard;
    }

    OriginPool pool(Endpoint endpoint) {
        return pools.computeIfAbsent(
                endpoint,
                e -> new OriginPool(
                        e, loop, bootstrap, settings, metrics, empty -> pools.remove(empty.endpoint(), empty)));
    }

    /**
     * The pool of {@code endpoint} spoken to as {@code upstream} says: the HTTP/1.1 cleartext one, or the one of its
     * protocol and TLS settings (two routes with the same settings share connections, different ones never do).
     */
    OriginPool pool(Endpoint endpoint, Upstream upstream) {
        if (upstream.protocol() == BackendProtocol.HTTP) {
            return pool(endpoint);
        }
        Flavour flavour = flavour(upstream);
        OriginPool pool = flavour.pools.get(endpoint);
        if (pool == null) {
            Consumer<OriginPool> remove = empty -> flavour.pools.remove(empty.endpoint(), empty);
            pool = flavour.http2
                    ? new Http2OriginPool(
                            endpoint, loop, flavour.bootstrap, flavour.tls, settings, metrics, guard, remove)
                    : new OriginPool(endpoint, loop, flavour.bootstrap, settings, metrics, remove);
            flavour.pools.put(endpoint, pool);
        }
        return pool;
    }

    private Flavour flavour(Upstream upstream) {
        OriginTls tls = upstream.tls();
        boolean http2 = upstream.protocol().http2();
        if (tls == null) { // h2c; HTTP/1.1 cleartext never comes here
            if (h2c == null) {
                h2c = add(new Flavour(Http2OriginInitializer.bootstrap(bootstrap, null, null, settings), true, false));
            }
            return h2c;
        }
        Map<OriginTls, Flavour> byTls = http2 ? h2Pools : tlsPools;
        Flavour flavour = byTls.get(tls);
        if (flavour == null) {
            Bootstrap tlsBootstrap = http2
                    ? Http2OriginInitializer.bootstrap(
                            bootstrap, OriginTlsContexts.http2(tls), tls.serverName(), settings)
                    : bootstrap
                            .clone()
                            .handler(new OriginInitializer(
                                    guard, OriginTlsContexts.of(tls), tls.serverName(), settings.connectTimeout()));
            flavour = add(new Flavour(tlsBootstrap, http2, true));
            byTls.put(tls, flavour);
        }
        return flavour;
    }

    private Flavour add(Flavour flavour) {
        flavours.add(flavour);
        return flavour;
    }

    /**
     * The bootstrap of this loop's {@code auth-url} subrequests ({@link AuthCall}) and mirror requests: origin
     * connections' options and resolver, with auto-read on.
     */
    Bootstrap authBootstrap() {
        if (authBootstrap == null) {
            authBootstrap = bootstrap.clone().option(ChannelOption.AUTO_READ, true);
        }
        return authBootstrap;
    }

    /**
     * Whether {@code auth-url} subrequests and mirrors may go to this host or its link (loopback, unspecified,
     * link-local): {@link ProxySettings#localOriginNames()}. Names answering such an address are refused by the
     * resolver ({@link NonLocalNameResolver}); {@link AuthCall} refuses such an address written out.
     */
    boolean localTargets() {
        return settings.localOriginNames();
    }

    /**
     * How every connection Usher opens resolves a host name (an ExternalName Service's external name, an endpoint
     * named in a manifests folder, an {@code auth-url} or mirror host): Netty's asynchronous DNS resolver, never a
     * blocking lookup on an event loop, where a name server that does not answer would stall every connection of the
     * loop (the JDK's resolver blocks its caller for the system's timeouts, up to tens of seconds with a pod's search
     * domains). {@code /etc/hosts} first, then the name servers, search domains and {@code ndots} of
     * {@code /etc/resolv.conf} (or {@code servers}), each query given up after the connect timeout; answers cached
     * for their TTL, shared by all loops; a name that resolves to this host or its link refused unless
     * {@link ProxySettings#localOriginNames()} ({@link NonLocalNameResolver}). IP literals are not looked up. Each
     * lookup uses a UDP socket of its own, so its source port is random as with the C library's resolver: with
     * Netty's default (one socket per loop) a forged answer would have only the 16-bit query id to guess. Close it
     * when the loops stop.
     */
    static AddressResolverGroup<InetSocketAddress> resolvers(
            Transports transports, ProxySettings settings, @Nullable DnsServerAddressStreamProvider servers) {
        DnsNameResolverBuilder builder = new DnsNameResolverBuilder()
                .datagramChannelType(transports.datagramChannel())
                .queryTimeoutMillis(settings.connectTimeout().toMillis())
                .datagramChannelStrategy(DnsNameResolverChannelStrategy.ChannelPerResolution);
        if (servers != null) {
            builder.nameServerProvider(servers);
        }
        return settings.localOriginNames() ? new DnsAddressResolverGroup(builder) : new NonLocalNames(builder);
    }

    /** The resolvers of {@link #resolvers} when names may not resolve to this host: {@link NonLocalNameResolver}. */
    private static final class NonLocalNames extends DnsAddressResolverGroup {
        NonLocalNames(DnsNameResolverBuilder builder) {
            super(builder);
        }

        @Override
        protected AddressResolver<InetSocketAddress> newAddressResolver(
                EventLoop eventLoop, NameResolver<InetAddress> resolver) {
            return new NonLocalNameResolver(eventLoop, resolver).asAddressResolver();
        }
    }

    /**
     * Takes one of this loop's {@link ProxySettings#mirrorMaxInFlight()} mirror slots; {@code false} when none is
     * left (the mirror request is dropped). Each slot taken is given back by {@link #mirrorEnded()}.
     */
    boolean mirrorStarts() {
        if (mirrorsInFlight >= settings.mirrorMaxInFlight()) {
            return false;
        }
        mirrorsInFlight++;
        return true;
    }

    void mirrorEnded() {
        mirrorsInFlight--;
    }

    /** Mirror requests of this loop in flight. */
    int mirrorsInFlight() {
        return mirrorsInFlight;
    }

    /** This loop's passive health state. */
    Outliers outliers() {
        return outliers;
    }

    /** A backend's state on this loop: its retry budget and its round-robin position. */
    private static final class BackendState {
        final RetryBudget budget;
        int cursor;

        BackendState(RetryBudget budget) {
            this.budget = budget;
        }
    }

    private BackendState state(BackendRef backend) {
        BackendState state = lastState;
        if (backend == lastBackend && state != null) {
            return state;
        }
        state = backends.get(backend);
        if (state == null) {
            if (backends.size() >= MAX_BACKENDS) {
                backends.clear(); // backends come and go; a fresh budget starts with its minimum
            }
            state = new BackendState(
                    new RetryBudget(settings.retryBudgetPercent(), settings.retryBudgetMinPerSecond()));
            backends.put(backend, state);
        }
        lastBackend = backend;
        lastState = state;
        return state;
    }

    /** This loop's retry budget for {@code backend}. */
    RetryBudget retryBudget(BackendRef backend) {
        return state(backend).budget;
    }

    /** The clock of ejections and retry budgets, in nanoseconds like {@link System#nanoTime()}. */
    long now() {
        return nanoClock.getAsLong();
    }

    /** Requests in flight from this loop to {@code endpoint}. */
    int inFlight(Endpoint endpoint) {
        OriginPool pool = pools.get(endpoint);
        int busy = pool == null ? 0 : pool.inFlight();
        for (int i = 0; i < flavours.size(); i++) {
            OriginPool other = flavours.get(i).pools.get(endpoint);
            busy += other == null ? 0 : other.inFlight();
        }
        return busy;
    }

    /** This loop's next round-robin position for {@code backend}, never negative. */
    int nextCursor(BackendRef backend) {
        BackendState state = state(backend);
        int value = state.cursor;
        state.cursor = (value + 1) & Integer.MAX_VALUE;
        return value;
    }
}
