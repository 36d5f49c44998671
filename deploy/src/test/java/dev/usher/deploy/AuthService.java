package dev.usher.deploy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

/**
 * An external-auth service for the launcher tests: a JDK {@code HttpServer} on loopback that answers 200 with an
 * {@code X-Auth-Request-User} field for {@code Authorization: Bearer good} and 401 otherwise, and records each check
 * as {@code "<request URI> <X-Original-URL>"}, and its header fields (lower-case names) in {@link #heads}.
 */
final class AuthService implements AutoCloseable {

    /** What the service saw, in order. */
    final Queue<String> saw = new ConcurrentLinkedQueue<>();

    /** The header fields of each check, names in lower case, in order. */
    final Queue<Map<String, List<String>>> heads = new ConcurrentLinkedQueue<>();

    private final HttpServer server;

    /** @param user the identity a good token gets, from the URI the check was sent to */
    AuthService(Function<URI, String> user) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            URI uri = exchange.getRequestURI();
            Map<String, List<String>> head = new TreeMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> head.put(name.toLowerCase(Locale.ROOT), values));
            heads.add(head);
            saw.add(uri + " " + exchange.getRequestHeaders().getFirst("X-Original-URL"));
            boolean good = "Bearer good".equals(exchange.getRequestHeaders().getFirst("Authorization"));
            if (good) {
                exchange.getResponseHeaders().add("X-Auth-Request-User", user.apply(uri));
            }
            exchange.sendResponseHeaders(good ? 200 : 401, -1);
            exchange.close();
        });
        server.start();
    }

    /** {@code http://127.0.0.1:<port>}. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
