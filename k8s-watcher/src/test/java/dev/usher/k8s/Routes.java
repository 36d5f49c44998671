package dev.usher.k8s;

import dev.usher.routing.Route;
import dev.usher.routing.RoutingTable;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/** Bounded polling of the routing table: the sources publish from their own thread. */
final class Routes {

    static final long DEADLINE_MILLIS = 20_000;

    private Routes() {
    }

    /** Where {@code host} + {@code uri} goes now: {@code service:port}, or {@code 404}. */
    static String target(RoutingTable table, String host, String uri) {
        Route route = table.current().route(host, uri);
        if (route.isNotFound()) {
            return "404";
        }
        return route.backend().ref().service() + ":" + route.backend().ref().port();
    }

    /** Polls until {@code host} + {@code uri} goes to {@code expected}; returns the last value seen. */
    static String await(RoutingTable table, String host, String uri, String expected) {
        return awaitValue(() -> target(table, host, uri), expected);
    }

    /** Polls until the endpoints of the route are {@code expected} (in any order); returns them sorted. */
    static List<String> awaitEndpoints(RoutingTable table, String host, String uri, List<String> expected) {
        List<String> sorted = expected.stream().sorted().toList();
        return awaitValue(() -> {
            Route route = table.current().route(host, uri);
            return route.isNotFound() ? List.<String>of()
                    : route.backend().endpoints().stream().map(Object::toString).sorted().toList();
        }, sorted);
    }

    static <T> T awaitValue(Supplier<T> value, T expected) {
        long deadline = System.nanoTime() + DEADLINE_MILLIS * 1_000_000L;
        T last = value.get();
        while (!Objects.equals(last, expected) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return last;
            }
            last = value.get();
        }
        return last;
    }
}
