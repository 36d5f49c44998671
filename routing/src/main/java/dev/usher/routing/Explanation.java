package dev.usher.routing;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How one request would be routed, for {@code /debug/explain}.
 *
 * @param host the normalised host the lookup used, or {@code null} when the request carried none
 * @param path the path the lookup matched (the request target without its query string)
 * @param winner the route {@link RoutingSnapshot#route} returns for the same request
 * @param upstreamUri the request target the backend would receive
 * @param losers every other route that matched, each with the reason it lost
 */
public record Explanation(
        @Nullable String host, String path, Route winner, String upstreamUri, List<Candidate> losers) {

    public Explanation {
        Objects.requireNonNull(winner, "winner");
        Objects.requireNonNull(upstreamUri, "upstreamUri");
        losers = List.copyOf(losers);
    }
}
