package dev.usher.k8s;

import static org.hamcrest.Matchers.equalTo;

import dev.usher.routing.Route;
import dev.usher.routing.RoutingTable;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.awaitility.Awaitility;

/** Awaiting the routing table: the sources publish from their own thread. */
final class Routes {

    static final Duration PATIENCE = Duration.ofSeconds(20);

    private Routes() {}

    /** Where {@code host} + {@code uri} goes now: {@code service:port}, or {@code 404}. */
    static String target(RoutingTable table, String host, String uri) {
        Route route = table.current().route(host, uri);
        if (route.isNotFound()) {
            return "404";
        }
        return route.backend().ref().service() + ":" + route.backend().ref().port();
    }

    /** Awaits until {@code host} + {@code uri} goes to {@code expected}; returns the last value seen. */
    static String await(RoutingTable table, String host, String uri, String expected) {
        return awaitValue(() -> target(table, host, uri), expected);
    }

    /** Awaits until the endpoints of the route are {@code expected} (in any order); returns them sorted. */
    static List<String> awaitEndpoints(RoutingTable table, String host, String uri, List<String> expected) {
        List<String> sorted = expected.stream().sorted().toList();
        return awaitValue(
                () -> {
                    Route route = table.current().route(host, uri);
                    return route.isNotFound()
                            ? List.<String>of()
                            : route.backend().endpoints().stream()
                                    .map(Object::toString)
                                    .sorted()
                                    .toList();
                },
                sorted);
    }

    /** Awaits {@code value} equal to {@code expected} (fails after {@link #PATIENCE}); returns the value matched. */
    static <T> T awaitValue(Supplier<T> value, T expected) {
        return Awaitility.await()
                .atMost(PATIENCE)
                .pollInterval(Duration.ofMillis(20))
                .until(value::get, equalTo(expected));
    }

    /** Samples {@code value} every 50 ms for {@code period}; returns every value seen, for a "stays so" assertion. */
    static <T> List<T> sample(Supplier<T> value, Duration period) {
        List<T> seen = new CopyOnWriteArrayList<>();
        Awaitility.await()
                .during(period)
                .atMost(period.plus(PATIENCE))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> seen.add(value.get()));
        return seen;
    }
}
