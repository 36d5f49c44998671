package dev.usher.routing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Compiles rule sets into a {@link RoutingSnapshot}: merges every Ingress's rules per host, resolves conflicts and
 * wires the fallback chain.
 *
 * <p>Rule sets are visited oldest first ({@link #AGE}), so the first rule seen for a host, path and type is the one
 * that wins and every later one is a reported {@link Conflict}. Two Prefix paths that differ only by a trailing
 * slash match the same requests, so they conflict too.
 */
final class SnapshotCompiler {

    /** Oldest {@code creationTimestamp} first, then namespace, then name: never random, never last-writer-wins. */
    static final Comparator<IngressRuleSet> AGE = Comparator.comparing(IngressRuleSet::creationTimestamp)
            .thenComparing(IngressRuleSet::namespace)
            .thenComparing(IngressRuleSet::name);

    private final Function<BackendRef, Backend> backends;
    /** Every backend a route points to, winners and losers, each asked of {@link #backends} once. */
    private final Map<BackendRef, Resolved> resolved;

    private final List<Conflict> conflicts = new ArrayList<>();
    private final List<Shadowed> shadowed = new ArrayList<>();
    /** Each regex path compiled once per snapshot, whatever the number of hosts and Ingresses that use it. */
    private final Map<String, RegexPath> regexes = new HashMap<>();

    private Set<String> regexHosts = Set.of();
    /** The controller's default backend, the error backend of {@code custom-http-errors} without its own. */
    private @Nullable BackendRef flagDefault;

    SnapshotCompiler(Function<BackendRef, Backend> backends, int ruleSets) {
        this.backends = backends;
        this.resolved = new HashMap<>(Math.max(16, ruleSets * 8));
    }

    RoutingSnapshot compile(Collection<IngressRuleSet> ruleSets, @Nullable BackendRef flagDefault) {
        List<IngressRuleSet> sorted = new ArrayList<>(ruleSets.size());
        List<IngressRuleSet> canaries = new ArrayList<>(0);
        for (IngressRuleSet ruleSet : ruleSets) {
            (ruleSet.options().canary() == null ? sorted : canaries).add(ruleSet); // a canary creates no route itself
        }
        sorted.sort(AGE);
        canaries.sort(AGE);
        this.flagDefault = flagDefault;

        Route global = Route.notFound();
        List<Route> tail = new ArrayList<>(2);
        if (flagDefault != null) {
            global = new Route(RouteSource.FLAG_DEFAULT, use(flagDefault), null, null, null, null, null, null, false);
            tail.add(global);
        }
        Route catchAll = catchAll(sorted);
        if (catchAll != null) {
            global = catchAll;
            tail.add(0, catchAll);
        }

        regexHosts = RegexHosts.of(sorted);
        Map<String, HostBuilder> hosts = new HashMap<>(Math.max(16, sorted.size() * 2));
        for (IngressRuleSet ruleSet : sorted) {
            for (HostRule hostRule : ruleSet.rules()) {
                String pattern = HostNormalizer.normalizeRuleHost(hostRule.host());
                hosts.computeIfAbsent(pattern, p -> new HostBuilder(p, regexHosts.contains(p)))
                        .add(ruleSet, hostRule.paths());
            }
        }

        new Canaries(hosts, catchAll).attach(canaries);

        Map<String, HostEntry> exact = new HashMap<>(hosts.size() * 2);
        Map<String, HostEntry> wildcard = new HashMap<>(hosts.size() * 2);
        HostEntry hostless = null;
        List<Route> routes = new ArrayList<>(hosts.size() * 6 + 2);
        List<String> patterns = new ArrayList<>(hosts.keySet());
        patterns.sort(Comparator.nullsLast(Comparator.naturalOrder()));
        PassthroughHosts passthrough = new PassthroughHosts(conflicts);
        for (String pattern : patterns) {
            HostBuilder host = Objects.requireNonNull(hosts.get(pattern)); // one of its keys
            HostEntry entry = host.build(global);
            passthrough.offer(pattern, host.owners, host.rules, entry.fallback());
            entry.addRulesTo(routes);
            if (entry.fallback() != global) {
                routes.add(entry.fallback());
            }
            if (pattern == null) {
                hostless = entry;
            } else if (isWildcard(pattern)) {
                wildcard.put(indexKey(pattern), entry);
            } else {
                exact.put(pattern, entry);
            }
        }
        ServerAliases.of(sorted, hosts.keySet(), conflicts).forEach((alias, host) -> {
            HostEntry entry = isWildcard(host) ? wildcard.get(indexKey(host)) : exact.get(host);
            if (entry != null) { // always: an alias's host is one of the patterns above
                (isWildcard(alias) ? wildcard : exact).put(indexKey(alias), entry.alias(indexKey(alias)));
            }
        });
        routes.addAll(tail);
        return new RoutingSnapshot(
                new HostIndex(exact),
                new HostIndex(wildcard),
                hostless,
                global,
                routes,
                conflicts,
                shadowed,
                resolved,
                passthrough.hosts(),
                WwwRedirects.of(sorted, hosts.keySet()));
    }

    /**
     * Gives main routes their canaries, oldest canary Ingress first: a canary path attaches to the main route with the
     * same host, type and path (compared as conflicts compare them), a canary's default backend to the catch-all. One
     * canary per main route; a younger one, or one without a main route, is listed in the conflicts and routes nothing.
     */
    private final class Canaries {
        private final Map<String, HostBuilder> hosts;
        private final @Nullable Route catchAll;
        /** Who owns each main route's canary, for the conflict report. */
        private final Map<Route, IngressRuleSet> owners = new IdentityHashMap<>();

        Canaries(Map<String, HostBuilder> hosts, @Nullable Route catchAll) {
            this.hosts = hosts;
            this.catchAll = catchAll;
        }

        void attach(List<IngressRuleSet> canaries) {
            for (IngressRuleSet canary : canaries) {
                BackendRef fallback = canary.defaultBackend();
                if (fallback != null) {
                    if (catchAll == null) {
                        conflicts.add(
                                new Conflict(
                                        null,
                                        null,
                                        null,
                                        canary.id(),
                                        canary.id(),
                                        "canary default backend "
                                                + "without a main catch-all default backend (an Ingress without rules): ignored"));
                    } else {
                        attach(null, catchAll, canary, fallback, "catch-all default backend");
                    }
                }
                for (HostRule hostRule : canary.rules()) {
                    String pattern = HostNormalizer.normalizeRuleHost(hostRule.host());
                    HostBuilder host = hosts.get(pattern);
                    for (PathRule rule : hostRule.paths()) {
                        Route main = host == null ? null : host.main(rule);
                        if (main == null) {
                            conflicts.add(new Conflict(
                                    pattern,
                                    rule.path(),
                                    rule.type(),
                                    canary.id(),
                                    canary.id(),
                                    "canary without a main route (no other Ingress routes this host, path and type):"
                                            + " ignored"));
                        } else {
                            attach(pattern, main, canary, rule.backend(), "host, path and type");
                        }
                    }
                }
            }
        }

        private void attach(
                @Nullable String pattern, Route main, IngressRuleSet canary, BackendRef backend, String what) {
            IngressRuleSet taken = owners.get(main);
            if (taken == null) {
                CanaryRule rule = Objects.requireNonNull(canary.options().canary());
                RouteOptions options = rule.legacyAffinity() && main.options().affinity() != null
                        ? main.options().toBuilder().affinity(null).build() // legacy: the canary ignores affinity
                        : main.options();
                main.canary(
                        new Canary(rule, main.alternative(use(backend), canary.namespace(), canary.name(), options)));
                owners.put(main, canary);
            } else {
                Route loser = main.alternative(resolve(backend), canary.namespace(), canary.name());
                lose(
                        pattern,
                        loser,
                        taken,
                        canary,
                        "two canaries for one " + what + " (one canary per route, as " + "ingress-nginx)");
            }
        }
    }

    /** The key a pattern is indexed under: the pattern, a wildcard's domain without {@code *.}, "" for none. */
    static String indexKey(@Nullable String pattern) {
        return pattern == null ? "" : isWildcard(pattern) ? pattern.substring(2) : pattern;
    }

    static boolean isWildcard(String pattern) {
        return pattern.length() > 2 && pattern.startsWith("*.");
    }

    /** The oldest rule-less Ingress's default backend; every younger one is a reported conflict. */
    private @Nullable Route catchAll(List<IngressRuleSet> sorted) {
        IngressRuleSet winner = null;
        Route route = null;
        for (IngressRuleSet ruleSet : sorted) {
            if (!ruleSet.rules().isEmpty() || ruleSet.defaultBackend() == null) {
                continue;
            }
            if (winner == null) {
                winner = ruleSet;
                route = defaultRoute(RouteSource.CATCH_ALL_DEFAULT, ruleSet, null, true);
            } else {
                Route loser = defaultRoute(RouteSource.CATCH_ALL_DEFAULT, ruleSet, null, false);
                lose(null, loser, winner, ruleSet, "two catch-all default backends (Ingresses without rules)");
            }
        }
        return route;
    }

    private Route defaultRoute(RouteSource source, IngressRuleSet owner, @Nullable String pattern, boolean wins) {
        BackendRef ref = Objects.requireNonNull(owner.defaultBackend(), "only owners with a default backend");
        Backend backend = wins ? use(ref) : resolve(ref);
        return errors(
                owner,
                wins,
                new Route(
                        source,
                        backend,
                        null,
                        null,
                        null,
                        owner.namespace(),
                        owner.name(),
                        null,
                        redirects(owner, pattern),
                        owner.options().requestBuffering(),
                        owner.options(),
                        owner.options().upstream(ref)));
    }

    /**
     * {@code route} with its Ingress's error backend ({@code default-backend}, else the flag's default backend when the
     * Ingress lists {@code custom-http-errors}); a winner's error backend is referenced, so its endpoints are kept.
     */
    private Route errors(IngressRuleSet owner, boolean wins, Route route) {
        CustomErrors errors = owner.options().customErrors();
        BackendRef ref = errors == null ? null : errors.backend() != null ? errors.backend() : flagDefault;
        if (ref != null
                && errors != null
                && (errors.backend() != null || !errors.codes().isEmpty())) {
            route.errorBackend(wins ? use(ref) : resolve(ref));
        }
        return route;
    }

    private void lose(
            @Nullable String pattern, Route loser, IngressRuleSet winner, IngressRuleSet loserSet, String what) {
        String reason = what + ": " + precedence(winner, loserSet);
        conflicts.add(new Conflict(pattern, loser.path(), loser.pathType(), winner.id(), loserSet.id(), reason));
        shadowed.add(new Shadowed(pattern, new Candidate(loser, "conflict: " + reason)));
    }

    static String precedence(IngressRuleSet winner, IngressRuleSet loser) {
        if (winner == loser) {
            return "the first one in " + winner.id() + " wins";
        }
        if (winner.creationTimestamp().equals(loser.creationTimestamp())) {
            return winner.id() + " wins over " + loser.id() + " (same creationTimestamp, namespace/name order)";
        }
        return winner.id() + " wins over " + loser.id() + " (older: created " + winner.creationTimestamp() + " before "
                + loser.creationTimestamp() + ")";
    }

    /** Whether plain-HTTP requests for {@code pattern} get redirected by {@code owner} (forced, or a TLS host). */
    static boolean redirects(IngressRuleSet owner, @Nullable String pattern) {
        RouteOptions options = owner.options();
        if (options.forceSslRedirect()) {
            return true; // ingress-nginx's force-ssl-redirect: whatever spec.tls and ssl-redirect say
        }
        if (pattern == null || !options.sslRedirect()) {
            return false;
        }
        for (String tlsHost : options.tlsHosts()) {
            String tls = HostNormalizer.normalizeRuleHost(tlsHost);
            if (pattern.equals(tls)
                    || (tls != null && isWildcard(tls) && !isWildcard(pattern) && HostPatterns.matches(tls, pattern))) {
                return true;
            }
        }
        return false;
    }

    /** Resolves a backend the snapshot routes to: it is then {@link RoutingSnapshot#refersTo referenced}. */
    private Backend use(BackendRef ref) {
        Resolved entry = entry(ref);
        entry.referenced = true;
        return entry.backend;
    }

    /** Resolves a backend only a conflict loser points to: kept for explanations, not referenced. */
    private Backend resolve(BackendRef ref) {
        return entry(ref).backend;
    }

    private Resolved entry(BackendRef ref) {
        Resolved entry = resolved.get(ref);
        if (entry == null) {
            Backend backend = backends.apply(ref);
            Objects.requireNonNull(backend, () -> "no backend for " + ref);
            entry = new Resolved(backend);
            resolved.put(ref, entry);
        }
        return entry;
    }

    /** A resolved backend and whether any winning route uses it; written only while compiling. */
    static final class Resolved {
        final Backend backend;
        boolean referenced;

        Resolved(Backend backend) {
            this.backend = backend;
        }
    }

    /** A route that lost a conflict, kept for {@code /debug/explain}. */
    record Shadowed(@Nullable String pattern, Candidate candidate) {}

    private record PathKey(PathType type, String key) {}

    /** Collects one host pattern's rules from every Ingress that has rules for it, oldest Ingress first. */
    private final class HostBuilder {
        /** Hosts rarely have many rules: below this, duplicates are found by a scan instead of a map. */
        private static final int SCAN_LIMIT = 8;

        private final @Nullable String pattern;
        /** ingress-nginx's regex mode: paths compared as written, each one a {@link RegexPath}. */
        private final boolean regex;

        private final List<IngressRuleSet> owners = new ArrayList<>(1);
        private final List<Route> rules = new ArrayList<>(8);
        private final List<IngressRuleSet> ruleOwners = new ArrayList<>(8);
        private @Nullable Map<PathKey, IngressRuleSet> ruleOwnerIndex;

        HostBuilder(@Nullable String pattern, boolean regex) {
            this.pattern = pattern;
            this.regex = regex;
        }

        void add(IngressRuleSet owner, List<PathRule> paths) {
            if (owners.isEmpty() || owners.get(owners.size() - 1) != owner) {
                owners.add(owner);
            }
            for (PathRule rule : paths) {
                String key = rule.type() == PathType.PREFIX && !regex
                        ? Rewrite.stripTrailingSlashes(rule.path())
                        : rule.path();
                RegexPath compiled = regex ? regex(owner, rule) : null;
                if (regex && compiled == null) {
                    continue;
                }
                IngressRuleSet winner = ownerOf(rule.type(), key);
                if (winner == null) {
                    Route route = route(owner, rule, use(rule.backend()));
                    if (compiled != null) {
                        route.regex(compiled, owner.options().nginxPaths().rewriteTarget());
                    }
                    errors(owner, true, route); // after the regex: the error route rewrites as this one
                    rules.add(route);
                    ruleOwners.add(owner);
                    if (ruleOwnerIndex != null) {
                        ruleOwnerIndex.put(new PathKey(rule.type(), key), owner);
                    }
                } else {
                    Route loser = route(owner, rule, resolve(rule.backend()));
                    if (compiled != null) {
                        // explained as it would have run
                        loser.regex(compiled, owner.options().nginxPaths().rewriteTarget());
                    }
                    lose(pattern, loser, winner, owner, "same host, path and type");
                }
            }
        }

        /**
         * The path compiled (once per snapshot), or {@code null} when RE2 refuses it: the path is skipped and listed in
         * the conflicts (the translator reports it as a problem before it gets here).
         */
        private @Nullable RegexPath regex(IngressRuleSet owner, PathRule rule) {
            RegexPath compiled = regexes.get(rule.path());
            if (compiled == null) {
                try {
                    compiled = RegexPath.compile(rule.path());
                    regexes.put(rule.path(), compiled);
                } catch (IllegalArgumentException e) {
                    // its own Ingress as "winner": readers of conflicts never meet a null
                    conflicts.add(new Conflict(
                            pattern,
                            rule.path(),
                            rule.type(),
                            owner.id(),
                            owner.id(),
                            "regex path does not compile (RE2 syntax): " + e.getMessage() + "; path skipped"));
                }
            }
            return compiled;
        }

        /** The routed (winning) rule a canary's {@code rule} would share: same type and match key, or null. */
        @Nullable
        Route main(PathRule rule) {
            String key =
                    rule.type() == PathType.PREFIX && !regex ? Rewrite.stripTrailingSlashes(rule.path()) : rule.path();
            for (Route taken : rules) {
                if (taken.pathType() == rule.type() && key.equals(taken.matchKey())) {
                    return taken;
                }
            }
            return null;
        }

        /** The owner of the rule already taken for this type and match key, or {@code null}. */
        private @Nullable IngressRuleSet ownerOf(PathType type, String key) {
            if (ruleOwnerIndex == null && rules.size() >= SCAN_LIMIT) {
                ruleOwnerIndex = new HashMap<>();
                for (int i = 0; i < rules.size(); i++) { // rules, not defaults: each has a type and a match key
                    ruleOwnerIndex.put(
                            new PathKey(
                                    Objects.requireNonNull(rules.get(i).pathType()),
                                    Objects.requireNonNull(rules.get(i).matchKey())),
                            ruleOwners.get(i));
                }
            }
            if (ruleOwnerIndex != null) {
                return ruleOwnerIndex.get(new PathKey(type, key));
            }
            for (int i = 0; i < rules.size(); i++) {
                Route taken = rules.get(i);
                if (taken.pathType() == type && key.equals(taken.matchKey())) {
                    return ruleOwners.get(i);
                }
            }
            return null;
        }

        private Route route(IngressRuleSet owner, PathRule rule, Backend backend) {
            return new Route(
                    RouteSource.RULE,
                    backend,
                    pattern,
                    rule.path(),
                    rule.type(),
                    owner.namespace(),
                    owner.name(),
                    owner.options().rewriteTarget(),
                    redirects(owner, pattern),
                    owner.options().requestBuffering(),
                    owner.options(),
                    owner.options().upstream(rule.backend()));
        }

        /** The oldest owner that declares a default backend wins; a different one from a younger owner is reported. */
        HostEntry build(Route global) {
            IngressRuleSet winner = null;
            Route fallback = global;
            for (IngressRuleSet owner : owners) {
                if (owner.defaultBackend() == null) {
                    continue;
                }
                if (winner == null) {
                    winner = owner;
                    fallback = defaultRoute(RouteSource.INGRESS_DEFAULT, owner, pattern, true);
                } else if (!owner.defaultBackend().equals(winner.defaultBackend())) {
                    Route loser = defaultRoute(RouteSource.INGRESS_DEFAULT, owner, pattern, false);
                    lose(pattern, loser, winner, owner, "two default backends for one host");
                }
            }
            return new HostEntry(pattern, indexKey(pattern), rules, fallback, regex);
        }
    }
}
