package dev.usher.deploy.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.usher.k8s.SnapshotPublisher;
import dev.usher.tls.CertificateStore;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * {@code listenersBound} says the proxy listens; then 200. Requests are served one at a time on a single daemon
 * thread: the admin port is for probes, scrapes and people, not for load.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    private static final String JSON = "application/json; charset=utf-8";
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService executor;
    private final SnapshotPublisher publisher;
    private final AdminMetrics metrics;
    private final BooleanSupplier listenersBound;
    private final DebugAccess debugAccess;
    private final CertificateStore certificates;
    private final DebugStats stats;
    private final PageFiles page;
    private final StateGauges gauges;

    private AdminServer(Builder builder, PageFiles page, HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
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
        return server.getAddress().getPort();
    }

    /** True once the first full load is published and the listeners are bound: what {@code /readyz} reports. */
    public boolean ready() {
        return publisher.ready() && listenersBound.getAsBoolean();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            dispatch(exchange);
        } catch (IllegalArgumentException e) {
            send(exchange, 400, TEXT, "bad request: " + e.getMessage() + "\n");
        } catch (RuntimeException e) {
            LOG.warn("admin request {} failed", exchange.getRequestURI(), e);
            send(exchange, 500, TEXT, "internal error: " + e + "\n");
        } finally {
            exchange.close();
        }
    }

    private void dispatch(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            send(exchange, 405, TEXT, "method not allowed\n");
            return;
        }
        URI uri = exchange.getRequestURI();
        switch (uri.getPath()) {
            case "/healthz" -> send(exchange, 200, TEXT, "ok\n");
            case "/readyz" -> readyz(exchange);
            case "/metrics" -> {
                gauges.refresh();
                send(exchange, 200, PROMETHEUS, metrics.scrape());
            }
            default -> {
                InetAddress client = exchange.getRemoteAddress().getAddress();
                if (!debugAccess.allows(client)) {
                    send(
                            exchange,
                            403,
                            TEXT,
                            "forbidden: the debug views answer loopback clients only (use kubectl "
                                    + "port-forward) or the addresses of --debug-from; /healthz /readyz /metrics answer "
                                    + "everyone\n");
                } else if (!DebugAccess.safeHost(exchange.getRequestHeaders().getFirst("Host"))) {
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
    private void debug(HttpExchange exchange, URI uri) throws IOException {
        String path = uri.getPath();
        switch (path) {
            case "/debug/routes" -> routes(exchange);
            case "/debug/explain" -> explain(exchange, uri);
            case "/debug/stats" -> send(exchange, 200, JSON, RoutesJson.write(stats.stats(RoutesJson.MAPPER)));
            default -> {
                PageFiles.File file = page.get(path);
                if (file != null) {
                    PageFiles.secureHeaders(exchange.getResponseHeaders());
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
    private void routes(HttpExchange exchange) throws IOException {
        SnapshotPublisher.Published published = publisher.published();
        send(
                exchange,
                200,
                JSON,
                RoutesJson.write(RoutesJson.routes(published.snapshot(), published.problems(), ready(), certificates)));
    }

    private void readyz(HttpExchange exchange) throws IOException {
        if (!publisher.ready()) {
            send(exchange, 503, TEXT, "not ready: the first routing load is not published yet\n");
        } else if (!listenersBound.getAsBoolean()) {
            send(exchange, 503, TEXT, "not ready: the proxy listeners are not bound yet\n");
        } else {
            send(exchange, 200, TEXT, "ready\n");
        }
    }

    private void explain(HttpExchange exchange, URI uri) throws IOException {
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

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        send(exchange, status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] bytes) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** Stops serving at once; probes in flight are cut. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
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

        /**
         * Binds and starts serving.
         *
         * @throws IOException when the port cannot be bound
         */
        public AdminServer start() throws IOException {
            Objects.requireNonNull(publisher, "publisher");
            Objects.requireNonNull(metrics, "metrics");
            PageFiles page = PageFiles.load();
            HttpServer server;
            try {
                server = HttpServer.create(new InetSocketAddress(bindAddress, port), 64);
            } catch (IOException e) {
                throw new IOException(
                        "admin server cannot bind " + bindAddress + ":" + port + ": " + e.getMessage(), e);
            }
            ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> {
                Thread thread = new Thread(runnable, "usher-admin");
                thread.setDaemon(true);
                return thread;
            });
            AdminServer admin = new AdminServer(this, page, server, executor);
            server.createContext("/", admin::handle);
            server.setExecutor(executor);
            server.start();
            return admin;
        }
    }
}
