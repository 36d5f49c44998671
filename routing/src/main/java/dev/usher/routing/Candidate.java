package dev.usher.routing;

import java.util.Objects;

/**
 * A route that also matched a request but lost, with the rule that made it lose.
 *
 * @param route the losing route (for a conflict loser: the route it would have been)
 * @param reason why it lost
 */
public record Candidate(Route route, String reason) {

    public Candidate {
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(reason, "reason");
    }
}
