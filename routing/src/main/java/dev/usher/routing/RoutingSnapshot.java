package dev.usher.routing;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * An immutable, compiled view of every Ingress rule: answers "where does this request go?" without locks and, on
 * hits, without allocating.
 *
 * <p><b>Semantics</b> (routing/README.md). The host is normalised (ASCII case, {@code :port}, one
 * trailing dot, IPv6 brackets) and the authority of an absolute-form target wins over the {@code Host} header.
 * One host pattern is then <em>selected</em>: an exact host if any Ingress has rules for it, else a one-label
 * wildcard ({@code *.foo.com}), else the host-less rules. Only the selected pattern's paths are tried (longest rule
 * path first, Exact before Prefix on a tie, query string ignored). When none matches, the request goes down the
 * fallback chain: the default backend of the oldest Ingress owning the selected pattern that declares one, the
 * oldest rule-less Ingress's default backend, the {@code --default-backend} flag, then {@link Route#isNotFound()}.
 *
 * <p><b>Choice:</b> "host-less rules apply after exact and wildcard hosts fail" means a host fails when no rule
 * names it, not when its rules have no matching path. A request for {@code foo.com/other}, where {@code foo.com}
 * has rules but none for {@code /other}, never reaches the host-less rules or a wildcard: it falls back as above.
 * This is what ingress-nginx (one server block per host) and Contour (one virtual host per name) do, and it keeps
 * one host's routing independent of rules written for other hosts.
 *
 * <p>Built only by {@link Builder}; conflicts (same host, path and type in two Ingresses, two catch-all default
 * backends, two default backends for one host) are resolved oldest {@code creationTimestamp} first, then
 * {@code namespace/name}, and every loser is listed in {@link #conflicts()}.
 */
public final class RoutingSnapshot {

    private static final RoutingSnapshot EMPTY = builder().build(ref -> {
        throw new AssertionError("an empty snapshot resolves no backend");
    });

    private final HostIndex exact;
    private final HostIndex wildcard;
    private final @Nullable HostEntry hostless;
    private final Route fallback;
    private final List<Route> routes;
    private final List<Conflict> conflicts;
    private final List<SnapshotCompiler.Shadowed> shadowed;
    private final Map<BackendRef, SnapshotCompiler.Resolved> resolved;
    private final Map<String, Passthrough> passthrough;
    private final Map<String, String> wwwRedirects;

    RoutingSnapshot(
            HostIndex exact,
            HostIndex wildcard,
            @Nullable HostEntry hostless,
            Route fallback,
            List<Route> routes,
            List<Conflict> conflicts,
            List<SnapshotCompiler.Shadowed> shadowed,
            Map<BackendRef, SnapshotCompiler.Resolved> resolved,
            Map<String, Passthrough> passthrough,
            Map<String, String> wwwRedirects) {
        this.exact = exact;
        this.wildcard = wildcard;
        this.hostless = hostless;
        this.fallback = fallback;
        // the compiler hands over collections it no longer touches: wrapping is enough, copying 50,000 routes is not
        this.routes = Collections.unmodifiableList(routes);
        this.conflicts = List.copyOf(conflicts);
        this.shadowed = List.copyOf(shadowed);
        this.resolved = resolved;
        this.passthrough = passthrough;
        this.wwwRedirects = wwwRedirects;
    }

    /** A snapshot that routes every request to {@link RouteSource#NOT_FOUND}. */
    public static RoutingSnapshot empty() {
        return EMPTY;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Routes one request; never returns {@code null}.
     *
     * @param host the raw {@code Host} header or absolute-form authority (any case, may carry {@code :port}, a
     *     trailing dot or an {@code [IPv6]} literal); may be {@code null} or empty
     * @param uri the request target, normally origin form ({@code /path?query}); absolute form is accepted and its
     *     authority then wins over {@code host}
     */
    public Route route(@Nullable String host, String uri) {
        Objects.requireNonNull(uri, "uri");
        int pathStart = RequestTarget.pathStart(uri);
        String hostText = host;
        long region = pathStart > 0 ? RequestTarget.authorityHost(uri) : HostNormalizer.NO_HOST;
        if (region != HostNormalizer.NO_HOST) {
            hostText = uri;
        } else {
            region = HostNormalizer.region(host);
        }
        HostEntry entry = select(hostText, region);
        if (entry == null) {
            return fallback;
        }
        int pathEnd = RequestTarget.pathEnd(uri, pathStart);
        return pathStart == pathEnd ? entry.route("/", 0, 1) : entry.route(uri, pathStart, pathEnd);
    }

    /** The host entry whose rules apply: exact, else one-label wildcard, else host-less; {@code null} if none. */
    @Nullable
    HostEntry select(@Nullable String text, long region) {
        if (region != HostNormalizer.NO_HOST && text != null) { // a region is one of text's, never of no text
            int start = HostNormalizer.start(region);
            int end = HostNormalizer.end(region);
            long hashes = HostNormalizer.hashes(text, start, end);
            HostEntry entry = exact.get(text, start, end, (int) (hashes >>> 32));
            if (entry != null) {
                return entry;
            }
            int dot = HostNormalizer.indexOf(text, '.', start, end);
            if (dot > start && dot + 1 < end) {
                entry = wildcard.get(text, dot + 1, end, (int) hashes);
                if (entry != null) {
                    return entry;
                }
            }
        }
        return hostless;
    }

    /**
     * How {@link #route} decides for this request, with every other matching route and why it lost. An origin-form
     * {@code uri} is {@link PathNormalizer#normalize normalised} first, as the data plane does before routing; one
     * that cannot be (the data plane answers 400) is explained as given.
     */
    public Explanation explain(@Nullable String host, String uri) {
        Objects.requireNonNull(uri, "uri");
        String normalized = uri.startsWith("/") ? PathNormalizer.normalize(uri) : null;
        return new Explainer(this).explain(host, normalized == null ? uri : normalized);
    }

    /**
     * The host whose TLS connections go to a backend unopened ({@code ssl-passthrough}) for this ClientHello server
     * name, or {@code null}: the connection is then terminated as usual. Exact hosts only, compared without case and
     * without one trailing dot; lock-free, and allocation-free for a lower-case name.
     *
     * @param serverName the SNI host name, or {@code null} when the ClientHello named none
     */
    public @Nullable Passthrough passthrough(@Nullable String serverName) {
        if (serverName == null || passthrough.isEmpty()) {
            return null;
        }
        Passthrough hit = passthrough.get(serverName);
        if (hit != null) {
            return hit;
        }
        String name = serverName.endsWith(".") ? serverName.substring(0, serverName.length() - 1) : serverName;
        return passthrough.get(name.toLowerCase(Locale.ROOT));
    }

    /**
     * The host a request for {@code host} is redirected to by {@code from-to-www-redirect} ({@link WwwRedirects}), or
     * {@code null}. Free when no Ingress asks for it.
     *
     * @param host the request's host as validated by the data plane, any case, may carry {@code :port} or a trailing
     *     dot; {@code null} for none
     */
    public @Nullable String wwwRedirect(@Nullable String host) {
        if (host == null || wwwRedirects.isEmpty()) {
            return null;
        }
        String name = host;
        int colon = name.lastIndexOf(':');
        if (colon >= 0 && name.indexOf(']', colon) < 0) {
            name = name.substring(0, colon);
        }
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        return wwwRedirects.get(name.toLowerCase(Locale.ROOT));
    }

    /** Every {@code ssl-passthrough} host, by host name, for debugging and {@code usher check}. */
    public Map<String, Passthrough> passthroughHosts() {
        return passthrough;
    }

    /** Every compiled route (rules per host, host default backends, catch-all, flag default), for debugging. */
    public List<Route> routes() {
        return routes;
    }

    /** Every rule that lost a conflict and is not routed. */
    public List<Conflict> conflicts() {
        return conflicts;
    }

    /** Whether any route of this snapshot sends traffic to {@code ref}. */
    public boolean refersTo(BackendRef ref) {
        SnapshotCompiler.Resolved entry = resolved.get(ref);
        return entry != null && entry.referenced;
    }

    HostIndex exactHosts() {
        return exact;
    }

    HostIndex wildcardHosts() {
        return wildcard;
    }

    @Nullable
    HostEntry hostless() {
        return hostless;
    }

    Route fallback() {
        return fallback;
    }

    List<SnapshotCompiler.Shadowed> shadowed() {
        return shadowed;
    }

    /**
     * Collects rule sets and compiles them; not thread-safe. Adding a rule set with the {@code namespace/name} of
     * one already added replaces it (it is the same Ingress, updated).
     */
    public static final class Builder {

        private final Map<String, IngressRuleSet> ruleSets = new LinkedHashMap<>();
        private @Nullable BackendRef flagDefault;

        private Builder() {}

        public Builder add(IngressRuleSet ruleSet) {
            Objects.requireNonNull(ruleSet, "ruleSet");
            ruleSets.put(ruleSet.id(), ruleSet);
            return this;
        }

        public Builder addAll(Collection<IngressRuleSet> all) {
            Objects.requireNonNull(all, "all").forEach(this::add);
            return this;
        }

        /** The {@code --default-backend} flag, used when nothing else matches; {@code null} for none. */
        public Builder defaultBackend(@Nullable BackendRef flagDefault) {
            this.flagDefault = flagDefault;
            return this;
        }

        /**
         * Compiles the snapshot.
         *
         * @param backends gives the shared holder of each backend the snapshot refers to; pass
         *     {@code table::backend} so that endpoint updates reach the snapshot without a rebuild
         */
        public RoutingSnapshot build(Function<BackendRef, Backend> backends) {
            Objects.requireNonNull(backends, "backends");
            return new SnapshotCompiler(backends, ruleSets.size()).compile(ruleSets.values(), flagDefault);
        }
    }
}
