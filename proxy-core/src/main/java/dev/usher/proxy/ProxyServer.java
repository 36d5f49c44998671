package dev.usher.proxy;

import dev.usher.routing.RoutingTable;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.dns.DnsServerAddressStreamProvider;
import io.netty.util.AsyncMapping;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Usher's HTTP (and optionally HTTPS) listeners: a streaming reverse proxy routed by a {@link RoutingTable}, HTTP/1.1
 * and HTTP/2 to clients (h2 by ALPN, h2c with prior knowledge), HTTP/1.1 to origins.
 *
 * <p>Built with {@link #builder()}; {@link #start()} binds, {@link #drain(Duration)} stops gracefully,
 * {@link #close()} stops at once. Thread-safe: start, drain and close may be called from any thread.
 */
public final class ProxyServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProxyServer.class);
    /** Threads writing buffered request bodies to disk: few, since one write per connection is in flight at most. */
    private static final int SPOOL_THREADS = 2;

    private final RoutingTable table;
    private final String bindAddress;
    private final int requestedHttpPort;
    private final int requestedHttpsPort;
    private final @Nullable AsyncMapping<String, SslContext> sni;
    private final int eventLoops;
    private final ProxySettings settings;
    private final MeterRegistry registry;
    private final @Nullable ByteBufAllocator allocator;
    private final @Nullable LongSupplier nanoClock; // null: each loop's batch clock, System.nanoTime elsewhere
    private final IntUnaryOperator canaryRandom;
    private final PasswordChecks passwordChecks;
    private final Transports transports;
    private final @Nullable DnsServerAddressStreamProvider dnsServers;
    private @Nullable AddressResolverGroup<InetSocketAddress> resolvers; // set by start()
    private final ProxyContext.DrainFlag drainFlag = new ProxyContext.DrainFlag();
    private @Nullable EventLoopGroup group; // the listeners' and connections' state: set by start()
    private @Nullable ChannelGroup connections;
    private @Nullable ChannelGroup origins; // every connection the loops opened: origins, mirrors, auth calls
    private @Nullable AccessLog accessLog;
    private @Nullable BodySpool spool;
    private @Nullable ProxyContext context;
    private volatile @Nullable Channel httpChannel;
    private volatile @Nullable Channel httpsChannel;
    private boolean started;
    private boolean closed;

    private ProxyServer(Builder b) {
        this.table = Objects.requireNonNull(b.table, "routingTable");
        this.bindAddress = b.bindAddress;
        this.requestedHttpPort = b.httpPort;
        this.requestedHttpsPort = b.httpsPort;
        this.sni = b.sni;
        this.eventLoops = b.eventLoops;
        this.settings = b.settings;
        this.registry = b.registry != null ? b.registry : new SimpleMeterRegistry();
        this.allocator = b.allocator;
        this.nanoClock = b.nanoClock;
        this.canaryRandom = b.canaryRandom;
        this.passwordChecks = b.passwordChecks != null ? new PasswordChecks(b.passwordChecks) : new PasswordChecks();
        this.dnsServers = b.dnsServers;
        this.transports = Transports.of(b.transport);
    }

    /** The I/O transport the event loops use: {@code io_uring}, {@code epoll} or {@code nio}. */
    public String transportName() {
        return transports.name();
    }

    /** A builder; only {@link Builder#routingTable} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Binds the listeners; returns once bound, throws if a port cannot be bound (and then releases everything). */
    public synchronized void start() {
        if (started || closed) {
            throw new IllegalStateException(closed ? "closed" : "already started");
        }
        started = true;
        group = new BatchClockGroup(
                eventLoops, new DefaultThreadFactory("usher-proxy", true), transports.ioHandlerFactory());
        connections = new DefaultChannelGroup("usher-clients", GlobalEventExecutor.INSTANCE);
        origins = new DefaultChannelGroup("usher-origins", GlobalEventExecutor.INSTANCE);
        accessLog = new AccessLog(settings.accessLog());
        ProxyMetrics metrics = new ProxyMetrics(registry, connections);
        AllocationGuard guard = new AllocationGuard(metrics);
        resolvers = OriginPools.resolvers(transports, settings, dnsServers);
        Map<EventExecutor, OriginPools> pools = new IdentityHashMap<>();
        for (EventExecutor loop : group) {
            pools.put(
                    loop,
                    new OriginPools(
                            (EventLoop) loop,
                            transports,
                            settings,
                            metrics,
                            allocator,
                            guard,
                            nanoClock != null ? nanoClock : BatchClockGroup.nanoClock(loop),
                            resolvers,
                            origins));
        }
        try {
            spool = new BodySpool(settings.clientBodyTempDir(), SPOOL_THREADS, settings.clientBodyTempMaxBytes());
            context = new ProxyContext(
                    table,
                    settings,
                    metrics,
                    accessLog,
                    LoadBalancer.of(settings.loadBalancing()),
                    Map.copyOf(pools),
                    connections,
                    drainFlag,
                    spool,
                    guard,
                    new RateLimiter(nanoClock != null ? nanoClock : System::nanoTime),
                    canaryRandom,
                    passwordChecks);
            // HTTPS first: the plaintext listener's redirects name the port it actually got.
            if (sni != null) {
                httpsChannel = bind(requestedHttpsPort, new ClientInitializer(context, sni, -1));
            }
            httpChannel = bind(requestedHttpPort, new ClientInitializer(context, null, httpsPort()));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        LOG.info(
                "usher proxy listening on {}:{} (http){} with {} event loops ({})",
                bindAddress,
                httpPort(),
                httpsChannel == null ? "" : " and " + bindAddress + ":" + httpsPort() + " (https)",
                eventLoops,
                transports.note().isEmpty() ? transports.name() : transports.name() + "; " + transports.note());
    }

    private Channel bind(int port, ChannelHandler initializer) {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transports.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, OriginPools.WATER_MARK)
                .childHandler(initializer);
        if (allocator != null) {
            bootstrap.childOption(ChannelOption.ALLOCATOR, allocator);
        }
        try {
            return bootstrap
                    .bind(new InetSocketAddress(bindAddress, port))
                    .syncUninterruptibly()
                    .channel();
        } catch (Exception e) {
            throw new IllegalStateException("cannot bind " + bindAddress + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /** The bound HTTP port (the real one when 0 was asked for). */
    public int httpPort() {
        return port(httpChannel);
    }

    /** The bound HTTPS port, or {@code -1} without an HTTPS listener. */
    public int httpsPort() {
        return port(httpsChannel);
    }

    /** The limiter of the {@code limit-*} annotations (tests look at its state); only after {@link #start()}. */
    RateLimiter rateLimiter() {
        return Objects.requireNonNull(context, "started").rateLimiter();
    }

    private static int port(@Nullable Channel channel) {
        return channel == null ? -1 : ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /**
     * Graceful stop: closes the listeners, closes idle keep-alive connections, lets requests in flight finish (their
     * responses say {@code Connection: close}; an HTTP/2 connection gets {@code GOAWAY} and its open streams finish)
     * until {@code deadline}, then closes whatever is left. Blocks until done.
     */
    public void drain(Duration deadline) {
        Objects.requireNonNull(deadline, "deadline");
        ChannelGroup clients;
        synchronized (this) {
            if (!started || closed) {
                return;
            }
            drainFlag.draining = true;
            closeListeners();
            clients = Objects.requireNonNull(connections, "set by start");
        }
        long end = System.nanoTime() + deadline.toNanos();
        for (Channel ch : clients) {
            ch.eventLoop().execute(() -> {
                ClientHandler handler = ch.pipeline().get(ClientHandler.class);
                H2Connection h2 = ch.pipeline().get(H2Connection.class);
                if (handler != null) {
                    handler.drain();
                } else if (h2 != null) {
                    h2.drain(); // GOAWAY; open streams finish
                }
            });
        }
        while (!clients.isEmpty() && System.nanoTime() < end) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        close();
    }

    private void closeListeners() {
        if (httpChannel != null) {
            httpChannel.close().syncUninterruptibly();
        }
        if (httpsChannel != null) {
            httpsChannel.close().syncUninterruptibly();
        }
    }

    /** Immediate stop: listeners, client and origin connections closed, event loops shut down. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed || !started) {
            closed = true;
            passwordChecks.close();
            return;
        }
        closed = true;
        closeListeners();
        Objects.requireNonNull(connections, "set by start").close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        // then what no client connection owns (mirrors, auth calls, idle pooled connections), while the loops run
        Objects.requireNonNull(origins, "set by start").close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        Objects.requireNonNull(resolvers, "set by start").close(); // their UDP sockets, while the loops still run
        Objects.requireNonNull(group, "set by start")
                .shutdownGracefully(0, 2, TimeUnit.SECONDS)
                .awaitUninterruptibly(10, TimeUnit.SECONDS);
        passwordChecks.close();
        if (spool != null) {
            spool.close(); // after the loops: the last body files' deletions are queued by then
        }
        Objects.requireNonNull(accessLog, "set by start").close();
    }

    /** Configures a {@link ProxyServer}; see each method for its default. */
    public static final class Builder {
        private @Nullable RoutingTable table;
        private String bindAddress = "0.0.0.0";
        private int httpPort = 8080;
        private int httpsPort = 8443;
        private @Nullable AsyncMapping<String, SslContext> sni;
        private int eventLoops = Runtime.getRuntime().availableProcessors();
        private ProxySettings settings = ProxySettings.defaults();
        private @Nullable MeterRegistry registry;
        private @Nullable ByteBufAllocator allocator;
        private @Nullable LongSupplier nanoClock;
        private IntUnaryOperator canaryRandom = CanaryChoice.RANDOM;
        private @Nullable Executor passwordChecks;
        private Transport transport = Transport.AUTO;
        private @Nullable DnsServerAddressStreamProvider dnsServers;

        private Builder() {}

        /** The routes; read once per request. Required. */
        public Builder routingTable(RoutingTable routingTable) {
            this.table = Objects.requireNonNull(routingTable, "routingTable");
            return this;
        }

        /** Address to listen on; default {@code 0.0.0.0}. */
        public Builder bindAddress(String host) {
            this.bindAddress = Objects.requireNonNull(host, "host");
            return this;
        }

        /** HTTP port; default 8080; 0 picks a free port (see {@link ProxyServer#httpPort()}). */
        public Builder httpPort(int port) {
            this.httpPort = checkPort(port);
            return this;
        }

        /** Adds an HTTPS listener on {@code port} choosing its certificate by SNI; without this call, none. */
        public Builder https(int port, AsyncMapping<String, SslContext> sniMapping) {
            this.httpsPort = checkPort(port);
            this.sni = Objects.requireNonNull(sniMapping, "sniMapping");
            return this;
        }

        /** Event loop threads; default: available processors. */
        public Builder eventLoops(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("eventLoops must be >= 1: " + n);
            }
            this.eventLoops = n;
            return this;
        }

        /**
         * The event loops' I/O transport; default {@link Transport#AUTO}. {@link #build()} throws
         * {@link IllegalStateException} when one asked for by name is not available here.
         */
        public Builder transport(Transport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /** Timeouts and limits; default {@link ProxySettings#defaults()}. */
        public Builder settings(ProxySettings proxySettings) {
            this.settings = Objects.requireNonNull(proxySettings, "settings");
            return this;
        }

        /** Where meters go; default a private {@link SimpleMeterRegistry}. */
        public Builder meterRegistry(MeterRegistry meterRegistry) {
            this.registry = Objects.requireNonNull(meterRegistry, "meterRegistry");
            return this;
        }

        /**
         * The name servers that resolve host names of origins, {@code auth-url} and mirror targets; default those of
         * {@code /etc/resolv.conf}. A seam for tests.
         */
        public Builder dnsServers(DnsServerAddressStreamProvider servers) {
            this.dnsServers = Objects.requireNonNull(servers, "dnsServers");
            return this;
        }

        /** The buffer allocator of every client and origin connection; default Netty's. A seam for tests. */
        public Builder allocator(ByteBufAllocator byteBufAllocator) {
            this.allocator = Objects.requireNonNull(byteBufAllocator, "allocator");
            return this;
        }

        /**
         * The clock of outlier ejections, retry budgets, idle origin connections and rate limits ({@code limit-rps},
         * {@code limit-rpm}), in nanoseconds like {@link System#nanoTime()}; called from every event loop. Default:
         * {@link System#nanoTime()}, read once per batch of I/O events on each loop ({@link BatchClockGroup}). A seam
         * for tests, which advance it instead of sleeping.
         */
        public Builder nanoClock(LongSupplier clock) {
            this.nanoClock = Objects.requireNonNull(clock, "nanoClock");
            return this;
        }

        /**
         * The random source of canary weights: given a bound, an int in {@code [0, bound)}; called from every event
         * loop. Default: each loop's {@link java.util.concurrent.ThreadLocalRandom}. A seam for tests, which inject a
         * deterministic sequence instead of measuring a distribution.
         */
        public Builder canaryRandom(IntUnaryOperator random) {
            this.canaryRandom = Objects.requireNonNull(random, "canaryRandom");
            return this;
        }

        /**
         * Where Basic authentication's bcrypt checks run. Default: a few daemon threads of the server's own. A seam
         * for tests, which run the checks when they choose.
         */
        Builder passwordChecks(Executor executor) {
            this.passwordChecks = Objects.requireNonNull(executor, "passwordChecks");
            return this;
        }

        public ProxyServer build() {
            Objects.requireNonNull(table, "routingTable is required");
            return new ProxyServer(this);
        }

        private static int checkPort(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            return port;
        }
    }
}
