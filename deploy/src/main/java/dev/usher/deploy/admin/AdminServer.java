package dev.usher.deploy.admin;

import dev.usher.k8s.SnapshotPublisher;
import dev.usher.tls.CertificateStore;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The admin HTTP server: {@code /healthz}, {@code /readyz}, {@code /metrics}; and the debug surface:
 * {@code /debug/routes}, {@code /debug/explain?host=H&path=P}, {@code /debug/stats} and the page at {@code /}.
 *
 * <p>Probes and scrapes ({@code /healthz}, {@code /readyz}, {@code /metrics}) answer everyone who reaches the port;
 * every other path answers only clients {@link DebugAccess} allows, and only when the request's {@code Host} is an IP
 * address or {@code localhost}; others get 403.
 *
 * <p>{@code /readyz} answers 503 until the publisher has published its first complete load and
 * {@code listenersBound} says the proxy listens; then 200. Requests are served one at a time on a single Netty event
 * loop: the admin port is for probes, scrapes and people, not for load. Requests are read without blocking that
 * thread, and a connection that sends nothing for {@value #READ_TIMEOUT_SECONDS} s is closed: anyone who reaches the
 * port (every pod, by default) could otherwise hold a thread that blocks reading an unfinished request, and the
 * kubelet's probes would time out and restart the replica (the JDK's {@code HttpServer} did exactly that).
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    private static final String JSON = "application/json; charset=utf-8";
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

    /** A connection that sends nothing for this long is closed (a probe or a scrape sends its request at once). */
    static final int READ_TIMEOUT_SECONDS = 10;
    /** The largest request head and body read; the admin port takes only GET and HEAD. */
    private static final int MAX_REQUEST_BYTES = 16 * 1024;

    private final EventLoopGroup group;
    /**
     * Open connections: {@link #close()} closes them while the event loop still runs, so each one's channelInactive
     * releases what its decoder holds (a half-sent request head) before the loop shuts down.
     */
    private final ChannelGroup connections = new DefaultChannelGroup("usher-admin", GlobalEventExecutor.INSTANCE);
    /** The listening channel, set once bound. */
    private final java.util.concurrent.atomic.AtomicReference<Channel> server =
            new java.util.concurrent.atomic.AtomicReference<>();

    private final SnapshotPublisher publisher;
    private final AdminMetrics metrics;
    private final BooleanSupplier listenersBound;
    private final DebugAccess debugAccess;
    private final CertificateStore certificates;
    private final DebugStats stats;
    private final PageFiles page;
    private final StateGauges gauges;

    private AdminServer(Builder builder, PageFiles page, EventLoopGroup group) {
        this.group = group;
        this.publisher = builder.publisher;
        this.metrics = builder.metrics;
        this.listenersBound = builder.listenersBound;
        this.debugAccess = builder.debugAccess;
        this.certificates = builder.certificates;
        this.stats = new DebugStats(metrics.registry(), builder.nanoTime);
        this.page = page;
        this.gauges = new StateGauges(metrics.registry(), publisher.table(), certificates);
    }

    /**
     * Binds {@code bindAddress:port} (0 = ephemeral) and starts serving, debug views for loopback clients only.
     *
     * @throws IOException when the port cannot be bound
     */
    public static AdminServer start(
            String bindAddress,
            int port,
            SnapshotPublisher publisher,
            AdminMetrics metrics,
            BooleanSupplier listenersBound)
            throws IOException {
        return builder()
                .bind(bindAddress, port)
                .publisher(publisher)
                .metrics(metrics)
                .listenersBound(listenersBound)
                .start();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The bound port (the actual one when started with port 0). */
    public int port() {
        return ((InetSocketAddress) server.get().localAddress()).getPort();
    }

    /** True once the first full load is published and the listeners are bound: what {@code /readyz} reports. */
    public boolean ready() {
        return publisher.ready() && listenersBound.getAsBoolean();
    }

    /** One request and what is answered to it. */
    private static final class Exchange {
        final String method;
        final URI uri;
        final InetAddress client;
        final HttpHeaders requestHeaders;
        final Map<String, String> responseHeaders = new java.util.LinkedHashMap<>();
        int status = 500;
        byte[] body = new byte[0];

        Exchange(String method, URI uri, InetAddress client, HttpHeaders requestHeaders) {
            this.method = method;
            this.uri = uri;
            this.client = client;
            this.requestHeaders = requestHeaders;
        }
    }

    /** Answers {@code request} on the event loop; never throws. */
    private FullHttpResponse handle(FullHttpRequest request, InetAddress client) {
        Exchange exchange = null;
        try {
            if (request.decoderResult().isFailure()) {
                throw new IllegalArgumentException("malformed request");
            }
            exchange = new Exchange(request.method().name(), URI.create(request.uri()), client, request.headers());
            dispatch(exchange);
        } catch (IllegalArgumentException e) {
            exchange = exchange != null ? exchange : new Exchange("GET", URI.create("/"), client, request.headers());
            exchange.responseHeaders.clear();
            send(exchange, 400, TEXT, "bad request: " + e.getMessage() + "\n");
        } catch (RuntimeException e) {
            LOG.warn("admin request {} failed", request.uri(), e);
            exchange = exchange != null ? exchange : new Exchange("GET", URI.create("/"), client, request.headers());
            exchange.responseHeaders.clear();
            send(exchange, 500, TEXT, "internal error: " + e + "\n");
        }
        boolean head = exchange.method.equals("HEAD");
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(exchange.status),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(exchange.body));
        exchange.responseHeaders.forEach(response.headers()::set);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, exchange.body.length);
        return response;
    }

    private void dispatch(Exchange exchange) {
        String method = exchange.method;
        if (!method.equals("GET") && !method.equals("HEAD")) {
            exchange.responseHeaders.put("Allow", "GET, HEAD");
            send(exchange, 405, TEXT, "method not allowed\n");
            return;
        }
        URI uri = exchange.uri;
        String path = uri.getPath() == null ? "" : uri.getPath();
        switch (path) {
            case "/healthz" -> send(exchange, 200, TEXT, "ok\n");
            case "/readyz" -> readyz(exchange);
            case "/metrics" -> {
                gauges.refresh();
                send(exchange, 200, PROMETHEUS, metrics.scrape());
            }
            default -> {
                InetAddress client = exchange.client;
                if (!debugAccess.allows(client)) {
                    send(
                            exchange,
                            403,
                            TEXT,
                            "forbidden: the debug views answer loopback clients only (use kubectl "
                                    + "port-forward) or the addresses of --debug-from; /healthz /readyz /metrics answer "
                                    + "everyone\n");
                } else if (!DebugAccess.safeHost(exchange.requestHeaders.get("Host"))) {
                    send(
                            exchange,
                            403,
                            TEXT,
                            "forbidden: the debug views answer only requests addressed to an IP "
                                    + "address or localhost (a guard against DNS rebinding)\n");
                } else {
                    debug(exchange, uri);
                }
            }
        }
    }

    /** The debug surface: only for clients {@link DebugAccess} allows. */
    private void debug(Exchange exchange, URI uri) {
        String path = uri.getPath() == null ? "" : uri.getPath();
        switch (path) {
            case "/debug/routes" -> routes(exchange);
            case "/debug/explain" -> explain(exchange, uri);
            case "/debug/stats" -> send(exchange, 200, JSON, RoutesJson.write(stats.stats(RoutesJson.MAPPER)));
            default -> {
                PageFiles.File file = page.get(path);
                if (file != null) {
                    PageFiles.secureHeaders(exchange.responseHeaders::put);
                    send(exchange, 200, file.contentType(), file.bytes());
                } else {
                    send(
                            exchange,
                            404,
                            TEXT,
                            "not found; try / /healthz /readyz /metrics /debug/routes "
                                    + "/debug/explain?host=H&path=P /debug/stats\n");
                }
            }
        }
    }

    /** Routes and problems of one build: one read of {@link SnapshotPublisher#published()}. */
    private void routes(Exchange exchange) {
        SnapshotPublisher.Published published = publisher.published();
        send(
                exchange,
                200,
                JSON,
                RoutesJson.write(RoutesJson.routes(published.snapshot(), published.problems(), ready(), certificates)));
    }

    private void readyz(Exchange exchange) {
        if (!publisher.ready()) {
            send(exchange, 503, TEXT, "not ready: the first routing load is not published yet\n");
        } else if (!listenersBound.getAsBoolean()) {
            send(exchange, 503, TEXT, "not ready: the proxy listeners are not bound yet\n");
        } else {
            send(exchange, 200, TEXT, "ready\n");
        }
    }

    private void explain(Exchange exchange, URI uri) {
        Map<String, String> query = query(uri.getRawQuery());
        String path = query.getOrDefault("path", "/");
        if (!path.startsWith("/")) {
            ObjectNode error = RoutesJson.error("path must start with '/', got '" + path + "'");
            send(exchange, 400, JSON, RoutesJson.write(error));
            return;
        }
        String host = query.get("host");
        send(
                exchange,
                200,
                JSON,
                RoutesJson.write(RoutesJson.explain(publisher.table().current(), host, path)));
    }

    /** Decodes {@code a=1&b=2}; the first value of a repeated name wins. */
    static Map<String, String> query(String rawQuery) {
        Map<String, String> values = new HashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return values;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            values.putIfAbsent(name, value);
        }
        return values;
    }

    private static void send(Exchange exchange, int status, String contentType, String body) {
        send(exchange, status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(Exchange exchange, int status, String contentType, byte[] bytes) {
        exchange.responseHeaders.put("Content-Type", contentType);
        exchange.responseHeaders.put("Cache-Control", "no-store");
        exchange.status = status;
        exchange.body = bytes;
    }

    /** Reads whole requests (at most {@link #MAX_REQUEST_BYTES}) and answers each on the event loop. */
    private final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            InetAddress client = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
            FullHttpResponse response = handle(request, client);
            boolean keepAlive =
                    HttpUtil.isKeepAlive(request) && !request.decoderResult().isFailure();
            if (keepAlive) {
                if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
                    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                }
                ctx.writeAndFlush(response);
            } else {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a read timeout, a reset or a request too large: only this connection ends
        }
    }

    /** Stops serving at once; probes in flight are cut. */
    @Override
    public void close() {
        Channel channel = server.get();
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** What the admin server serves from; {@link #start()} binds and serves. */
    public static final class Builder {
        private String bindAddress = "127.0.0.1";
        private int port;
        private SnapshotPublisher publisher;
        private AdminMetrics metrics;
        private BooleanSupplier listenersBound = () -> true;
        private DebugAccess debugAccess = DebugAccess.loopbackOnly();
        private CertificateStore certificates;
        private LongSupplier nanoTime = System::nanoTime;
        private ByteBufAllocator allocator = ByteBufAllocator.DEFAULT;

        private Builder() {}

        /** The address and port to bind (0 = ephemeral); default {@code 127.0.0.1:0}. */
        public Builder bind(String bindAddress, int port) {
            this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
            this.port = port;
            return this;
        }

        /** Required: the routing state shown and the readiness source. */
        public Builder publisher(SnapshotPublisher publisher) {
            this.publisher = Objects.requireNonNull(publisher, "publisher");
            return this;
        }

        /** Required: the registry {@code /metrics} scrapes and {@code /debug/stats} reads. */
        public Builder metrics(AdminMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /** Whether the proxy listens; {@code /readyz} waits for it (default: always true). */
        public Builder listenersBound(BooleanSupplier listenersBound) {
            this.listenersBound = Objects.requireNonNull(listenersBound, "listenersBound");
            return this;
        }

        /** Who may read the debug surface (default: loopback only). */
        public Builder debugAccess(DebugAccess debugAccess) {
            this.debugAccess = Objects.requireNonNull(debugAccess, "debugAccess");
            return this;
        }

        /** The SNI store whose certificates the routes show; {@code null} (the default) without HTTPS. */
        public Builder certificates(CertificateStore certificates) {
            this.certificates = certificates;
            return this;
        }

        /** The clock of {@code /debug/stats}'s rates (default {@link System#nanoTime()}; tests step it). */
        Builder nanoTime(LongSupplier nanoTime) {
            this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
            return this;
        }

        /** Where connections take their buffers (default Netty's; tests count what is still held after a close). */
        Builder allocator(ByteBufAllocator allocator) {
            this.allocator = Objects.requireNonNull(allocator, "allocator");
            return this;
        }

        /**
         * Binds and starts serving.
         *
         * @throws IOException when the port cannot be bound
         */
        public AdminServer start() throws IOException {
            Objects.requireNonNull(publisher, "publisher");
            Objects.requireNonNull(metrics, "metrics");
            PageFiles page = PageFiles.load();
            EventLoopGroup group = new MultiThreadIoEventLoopGroup(
                    1, new DefaultThreadFactory("usher-admin", true), NioIoHandler.newFactory());
            AdminServer admin = new AdminServer(this, page, group);
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.ALLOCATOR, allocator)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            admin.connections.add(channel);
                            channel.pipeline()
                                    .addLast(new ReadTimeoutHandler(READ_TIMEOUT_SECONDS))
                                    .addLast(new HttpServerCodec(4096, MAX_REQUEST_BYTES, MAX_REQUEST_BYTES))
                                    .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                                    .addLast(admin.new RequestHandler());
                        }
                    });
            try {
                Channel channel = bootstrap
                        .bind(new InetSocketAddress(bindAddress, port))
                        .syncUninterruptibly()
                        .channel();
                admin.server.set(channel);
            } catch (Exception e) { // Netty rethrows the bind failure (a checked IOException) unchecked
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                BindException bind = new BindException(
                        "admin server cannot bind " + bindAddress + ":" + port + ": " + e.getMessage());
                bind.initCause(e);
                throw bind;
            }
            return admin;
        }
    }
}
