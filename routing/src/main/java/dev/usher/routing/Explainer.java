package dev.usher.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** Builds an {@link Explanation}: replays {@link RoutingSnapshot#route} and says why every other match lost. */
final class Explainer {

    private final RoutingSnapshot snapshot;

    Explainer(RoutingSnapshot snapshot) {
        this.snapshot = snapshot;
    }

    Explanation explain(@Nullable String rawHost, String uri) {
        Route winner = snapshot.route(rawHost, uri);
        int pathStart = RequestTarget.pathStart(uri);
        int pathEnd = RequestTarget.pathEnd(uri, pathStart);
        String path = pathStart == pathEnd ? "/" : uri.substring(pathStart, pathEnd);
        String hostText = rawHost;
        long region = pathStart > 0 ? RequestTarget.authorityHost(uri) : HostNormalizer.NO_HOST;
        if (region != HostNormalizer.NO_HOST) {
            hostText = uri;
        } else {
            region = HostNormalizer.region(rawHost);
        }
        String host = HostNormalizer.toString(hostText, region);
        HostEntry selected = snapshot.select(hostText, region);

        List<Candidate> losers = new ArrayList<>();
        for (HostEntry entry : applicable(hostText, region)) {
            for (Route rule : entry.rules()) {
                if (rule != winner && rule.matches(path, 0, path.length())) {
                    losers.add(new Candidate(rule, reason(entry, selected, rule, winner)));
                }
            }
        }
        for (SnapshotCompiler.Shadowed shadow : snapshot.shadowed()) {
            Route loser = shadow.candidate().route();
            boolean applies =
                    switch (loser.source()) {
                        case RULE ->
                            HostPatterns.matches(shadow.pattern(), host) && loser.matches(path, 0, path.length());
                        case INGRESS_DEFAULT ->
                            winner.source() == RouteSource.INGRESS_DEFAULT
                                    && selected != null
                                    && Objects.equals(shadow.pattern(), selected.pattern());
                        case CATCH_ALL_DEFAULT -> winner.source() == RouteSource.CATCH_ALL_DEFAULT;
                        default -> false;
                    };
            if (applies) {
                losers.add(shadow.candidate());
            }
        }
        return new Explanation(host, path, winner, winner.upstreamUri(uri), losers);
    }

    private List<HostEntry> applicable(@Nullable String text, long region) {
        List<HostEntry> entries = new ArrayList<>(3);
        if (region != HostNormalizer.NO_HOST && text != null) { // a region is one of text's, never of no text
            int start = HostNormalizer.start(region);
            int end = HostNormalizer.end(region);
            HostEntry exact = snapshot.exactHosts().get(text, start, end);
            if (exact != null) {
                entries.add(exact);
            }
            int dot = HostNormalizer.indexOf(text, '.', start, end);
            HostEntry wildcard =
                    dot > start && dot + 1 < end ? snapshot.wildcardHosts().get(text, dot + 1, end) : null;
            if (wildcard != null) {
                entries.add(wildcard);
            }
        }
        if (snapshot.hostless() != null) {
            entries.add(snapshot.hostless());
        }
        return entries;
    }

    private static String reason(HostEntry entry, @Nullable HostEntry selected, Route rule, Route winner) {
        if (entry != selected) {
            // entry applies, so some entry is selected (select and applicable look up the same hosts)
            String chosen = Objects.requireNonNull(selected, "selected").pattern();
            return "host " + chosen + " has rules of its own, so " + describe(entry.pattern())
                    + " rules are not tried for it";
        }
        if (entry.regex()) {
            return "regex paths are tried longest first and the first match wins (ingress-nginx's order): "
                    + winner.regex() + " comes before " + rule.regex();
        }
        if (rule.matchLength() < winner.matchLength()) {
            return "shorter rule path than " + winner.path();
        }
        return winner.pathType() + " beats " + rule.pathType() + " on a path of equal length";
    }

    private static String describe(@Nullable String pattern) {
        return pattern == null ? "host-less" : pattern;
    }
}
