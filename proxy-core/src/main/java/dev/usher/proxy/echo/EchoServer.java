package dev.usher.proxy.echo;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * An HTTP/1.1 origin that answers every request with JSON describing what it received.
 *
 * <p>Every path answers {@code 200} with a JSON object: {@code name}, {@code namespace}, {@code ingress},
 * {@code service}, {@code pod} (as configured), {@code method}, {@code uri} (the raw request target with its query),
 * {@code protocol}, {@code host}, {@code headers} (lower-cased names, every value kept in order), {@code bodyLength}
 * (request body bytes received) and {@code connection} (a per-server sequence number of the TCP connection, so a test
 * can see keep-alive reuse). Replies always carry {@code Content-Length} (except 204) and never a {@code Server}
 * header. Special requests:
 * <ul>
 *   <li>{@code /health} answers {@code 200 ok} as text;</li>
 *   <li>{@code /status/NNN} answers with that status (200-599) and the usual JSON (no body for 204 and 304);</li>
 *   <li>{@code ?delay=MS} holds the reply back for that many milliseconds (scheduled, never sleeping);</li>
 *   <li>{@code ?size=N} (or {@link Builder#responseSize}) pads the body with spaces to at least N bytes;</li>
 *   <li>each {@code X-Echo-Response-Header: Name: value} request header adds that response header verbatim, even a
 *       framing one, so tests can provoke malformed origin replies;</li>
 *   <li>{@code GET /ws} with {@code Upgrade: websocket} becomes a WebSocket that echoes every data frame.</li>
 * </ul>
 */
public final class EchoServer implements AutoCloseable {

    private final String bindAddress;
    private final int requestedPort;
    private final int eventLoops;
    private final EchoIdentity identity;
    private final long responseSize;
    private final AtomicLong connections = new AtomicLong();
    private final ByteBufAllocator allocator;
    private final boolean nio;
    /** Open connections, closed by {@link #close()} while the loops run so their decoders release what they hold. */
    private final ChannelGroup open = new DefaultChannelGroup("echo", GlobalEventExecutor.INSTANCE);

    private @Nullable EventLoopGroup group;
    private @Nullable Channel serverChannel;

    private EchoServer(Builder builder) {
        this.bindAddress = builder.bindAddress;
        this.requestedPort = builder.port;
        this.eventLoops = builder.eventLoops;
        this.responseSize = builder.responseSize;
        this.allocator = builder.allocator;
        this.nio = builder.nio;
        this.identity = new EchoIdentity(
                builder.name,
                builder.namespace,
                builder.ingress,
                builder.service == null ? builder.name : builder.service,
                builder.pod == null ? builder.name : builder.pod);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds and starts serving; returns once the port is bound.
     *
     * @throws UncheckedIOException when the address cannot be bound (the message names it)
     * @throws IllegalStateException when already started
     */
    public synchronized EchoServer start() {
        if (group != null) {
            throw new IllegalStateException("echo server " + identity.name() + " already started");
        }
        group = new MultiThreadIoEventLoopGroup(
                eventLoops, new DefaultThreadFactory("echo-" + identity.name()), Transports.ioHandlerFactory(nio));
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(Transports.serverChannel(nio))
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, allocator)
                .childHandler(new EchoInitializer(identity, responseSize, connections, open));
        try {
            serverChannel = bootstrap
                    .bind(bindAddress, requestedPort)
                    .syncUninterruptibly()
                    .channel();
        } catch (Exception e) { // Netty rethrows the bind failure (a checked IOException) unchecked
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            group = null;
            BindException bind = new BindException("echo server " + identity.name() + " cannot bind " + bindAddress
                    + ":" + requestedPort + ": " + e.getMessage());
            bind.initCause(e);
            throw new UncheckedIOException(bind);
        }
        return this;
    }

    /** The bound port (the actual one when built with port 0). */
    public int port() {
        Channel channel = serverChannel;
        if (channel == null) {
            throw new IllegalStateException("echo server " + identity.name() + " is not started");
        }
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** The configured name, also the default service and pod name. */
    public String name() {
        return identity.name();
    }

    /** How many TCP connections this server has accepted so far (for keep-alive and pool-reuse tests). */
    public long connectionsAccepted() {
        return connections.get();
    }

    /** Stops listening, closes every connection and waits (briefly) for the event loops to stop. */
    @Override
    public synchronized void close() {
        if (group == null) {
            return;
        }
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
            serverChannel = null;
        }
        open.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        group = null;
    }

    /** Configures an {@link EchoServer}; every setting has a default. */
    public static final class Builder {
        private String bindAddress = "127.0.0.1";
        private int port;
        private int eventLoops = 1;
        private String name = "echo";
        private String namespace = "default";
        private @Nullable String ingress;
        private @Nullable String service;
        private @Nullable String pod;
        private long responseSize;
        private ByteBufAllocator allocator = ByteBufAllocator.DEFAULT;
        private boolean nio;

        private Builder() {}

        /** Address to bind; default {@code 127.0.0.1}. */
        public Builder bindAddress(String bindAddress) {
            this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
            return this;
        }

        /** Port to bind; default 0 (ephemeral, read it back with {@link EchoServer#port()}). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0-65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /** Event loop threads; default 1 (benchmarks raise it). */
        public Builder eventLoops(int eventLoops) {
            if (eventLoops < 1) {
                throw new IllegalArgumentException("eventLoops must be at least 1, got " + eventLoops);
            }
            this.eventLoops = eventLoops;
            return this;
        }

        /** Name reported in every reply; default {@code echo}. Also the service and pod name unless set. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        public Builder namespace(String namespace) {
            this.namespace = Objects.requireNonNull(namespace, "namespace");
            return this;
        }

        /** Ingress name to report; default none (JSON null). */
        public Builder ingress(String ingress) {
            this.ingress = ingress;
            return this;
        }

        public Builder service(String service) {
            this.service = service;
            return this;
        }

        public Builder pod(String pod) {
            this.pod = pod;
            return this;
        }

        /** Minimum body size of JSON replies, padded with spaces; default 0 (no padding). */
        public Builder responseSize(long responseSize) {
            if (responseSize < 0) {
                throw new IllegalArgumentException("responseSize must be 0 or more, got " + responseSize);
            }
            this.responseSize = responseSize;
            return this;
        }

        /** Where connections take their buffers (default Netty's; tests count what is still held after a close). */
        Builder allocator(ByteBufAllocator allocator) {
            this.allocator = Objects.requireNonNull(allocator, "allocator");
            return this;
        }

        /** NIO even where epoll loads, as the echo origin runs where it does not (tests). */
        Builder nio() {
            this.nio = true;
            return this;
        }

        public EchoServer build() {
            return new EchoServer(this);
        }
    }
}
