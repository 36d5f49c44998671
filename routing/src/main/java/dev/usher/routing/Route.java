package dev.usher.routing;

import com.google.re2j.Matcher;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of routing one request: a compiled rule or default backend, or {@link #isNotFound() not found}.
 *
 * <p>Routes are built once per snapshot and shared by every request they match, so routing allocates nothing;
 * {@link #upstreamUri(String)} allocates only when the owning Ingress asks for a rewrite.
 */
public final class Route {

    private static final int RANK_EXACT = PathType.EXACT.ordinal();
    private static final int RANK_PREFIX = PathType.PREFIX.ordinal();
    private static final int RANK_DEFAULT = PathType.values().length;

    private static final Route NOT_FOUND =
            new Route(RouteSource.NOT_FOUND, null, null, null, null, null, null, null, false);

    private final RouteSource source;
    private final @Nullable Backend backend;
    private final @Nullable String host;
    private final @Nullable String path;
    private final @Nullable PathType pathType;
    private final @Nullable String namespace;
    private final @Nullable String ingress;
    private final boolean httpsRedirect;
    private final boolean requestBuffering;
    private final RouteOptions options;
    private final Upstream upstream;
    /** What a request path is compared with: Prefix paths lose trailing slashes; Exact and plain paths are as-is. */
    private final @Nullable String key;
    /** Characters of the request path a rewrite replaces: the rule path without trailing slashes. */
    private final int matchedLength;
    /** {@link #typeRank()}, cached. */
    private final int rank;

    private final MeterKey meterKey;

    private final @Nullable String exactTarget;
    private final @Nullable String prefixTarget;
    /**
     * The compiled regex when the route's host is in regex mode, and the owner's nginx rewrite-target; set once by
     * {@link #regex(RegexPath, String)} while the snapshot is compiled, before it is published (a volatile write).
     */
    private @Nullable RegexPath regex;

    private @Nullable NginxRewriteTarget nginxTarget;
    /** The canary of this main route; set once by the snapshot compiler, before publication. */
    private @Nullable Canary canary;
    /** This route to the error backend ({@link #errorRoute()}); set once by the snapshot compiler. */
    private @Nullable Route errorRoute;

    Route(
            RouteSource source,
            @Nullable Backend backend,
            @Nullable String host,
            @Nullable String path,
            @Nullable PathType pathType,
            @Nullable String namespace,
            @Nullable String ingress,
            @Nullable String rewriteTarget,
            boolean httpsRedirect) {
        this(source, backend, host, path, pathType, namespace, ingress, rewriteTarget, httpsRedirect, true);
    }

    Route(
            RouteSource source,
            @Nullable Backend backend,
            @Nullable String host,
            @Nullable String path,
            @Nullable PathType pathType,
            @Nullable String namespace,
            @Nullable String ingress,
            @Nullable String rewriteTarget,
            boolean httpsRedirect,
            boolean requestBuffering) {
        this(
                source,
                backend,
                host,
                path,
                pathType,
                namespace,
                ingress,
                rewriteTarget,
                httpsRedirect,
                requestBuffering,
                RouteOptions.DEFAULT,
                Upstream.HTTP);
    }

    Route(
            RouteSource source,
            @Nullable Backend backend,
            @Nullable String host,
            @Nullable String path,
            @Nullable PathType pathType,
            @Nullable String namespace,
            @Nullable String ingress,
            @Nullable String rewriteTarget,
            boolean httpsRedirect,
            boolean requestBuffering,
            RouteOptions options,
            Upstream upstream) {
        this.options = Objects.requireNonNull(options, "options");
        this.requestBuffering = requestBuffering;
        this.upstream = upstream;
        this.source = source;
        this.backend = backend;
        this.host = host;
        this.path = path;
        this.pathType = pathType;
        this.namespace = namespace;
        this.ingress = ingress;
        this.httpsRedirect = httpsRedirect;
        String trimmed = path == null ? null : Rewrite.stripTrailingSlashes(path);
        this.key = pathType == PathType.PREFIX ? trimmed : path;
        this.matchedLength = trimmed == null ? 0 : trimmed.length();
        this.rank = pathType == null ? RANK_DEFAULT : pathType.ordinal();
        this.meterKey = source == RouteSource.NOT_FOUND ? MeterKey.UNROUTED : MeterKey.of(namespace, ingress, backend);
        String rewrites = path == null ? null : rewriteTarget;
        this.exactTarget = rewrites != null && pathType == PathType.EXACT ? Rewrite.exactTarget(rewrites) : null;
        this.prefixTarget = rewrites != null && pathType != PathType.EXACT ? Rewrite.prefixTarget(rewrites) : null;
    }

    /** Puts this rule in regex mode; only the snapshot compiler calls this, before publication. */
    void regex(RegexPath path, @Nullable String rewriteTarget) {
        this.regex = path;
        NginxRewriteTarget parsed = null;
        if (rewriteTarget != null) {
            try {
                parsed = NginxRewriteTarget.parse(rewriteTarget);
            } catch (IllegalArgumentException e) {
                parsed = null; // the translator reports and drops such a target; a hand-built one rewrites nothing
            }
        }
        this.nginxTarget = parsed;
    }

    /**
     * The rule's regex as nginx would write it ({@code ~* "^/api(/|$)(.*)"}) when its host is in regex mode,
     * else {@code null}.
     */
    public @Nullable String regex() {
        return regex == null ? null : regex.expression();
    }

    /**
     * This route with {@code backend} instead, owned by the Ingress {@code namespace/name}: what a canary's requests
     * take (same host, path, rewrite, options and upstream, as ingress-nginx merges a canary into the main location).
     */
    Route alternative(Backend alternative, String ns, String name) {
        return alternative(alternative, ns, name, options);
    }

    /** As {@link #alternative(Backend, String, String)} with other options (a legacy canary's: no affinity). */
    Route alternative(Backend alternative, String ns, String name, RouteOptions options) {
        Route route = new Route(
                source,
                alternative,
                host,
                path,
                pathType,
                ns,
                name,
                source == RouteSource.RULE ? options.rewriteTarget() : null,
                httpsRedirect,
                requestBuffering,
                options,
                upstream);
        route.regex = regex;
        route.nginxTarget = nginxTarget;
        route.errorRoute = errorRoute;
        return route;
    }

    /** Gives this route its error backend; only the snapshot compiler calls this, before publication. */
    void errorBackend(Backend errors) {
        this.errorRoute =
                alternative(errors, Objects.requireNonNullElse(namespace, ""), Objects.requireNonNullElse(ingress, ""));
    }

    /**
     * This route with the backend of its Ingress's error pages instead (ingress-nginx's {@code default-backend}
     * annotation, else, for {@code custom-http-errors}, the controller's default backend), or {@code null} when it has
     * none: what serves a request whose backend has no ready endpoint, and the custom errors.
     */
    public @Nullable Route errorRoute() {
        return errorRoute;
    }

    /** Gives this main route its canary; only the snapshot compiler calls this, before publication. */
    void canary(Canary alternative) {
        this.canary = alternative;
    }

    /**
     * The canary that may take this route's requests (ingress-nginx's {@code canary: "true"} Ingress with the same
     * host, path and type), or {@code null}.
     */
    public @Nullable Canary canary() {
        return canary;
    }

    /** The compiled regex, or {@code null} outside regex mode. */
    @Nullable
    RegexPath regexPath() {
        return regex;
    }

    static Route notFound() {
        return NOT_FOUND;
    }

    /** True when nothing matched and no default backend exists: the proxy answers 404. */
    public boolean isNotFound() {
        return source == RouteSource.NOT_FOUND;
    }

    /** Whom this route's requests count under in metrics; the same object for every request it matches. */
    public MeterKey meterKey() {
        return meterKey;
    }

    /** The backend to proxy to; {@code null} only when {@link #isNotFound()}. */
    public @Nullable Backend backend() {
        return backend;
    }

    public RouteSource source() {
        return source;
    }

    /** The rule's normalised host pattern ({@code foo.com} or {@code *.foo.com}); {@code null} for host-less rules
     * and for defaults. */
    public @Nullable String host() {
        return host;
    }

    /** The rule's path as written in the Ingress (escapes in canonical form); {@code null} for defaults. */
    public @Nullable String path() {
        return path;
    }

    /** The rule's path type; {@code null} for defaults. */
    public @Nullable PathType pathType() {
        return pathType;
    }

    /** The owning Ingress's namespace; {@code null} for {@link RouteSource#FLAG_DEFAULT} and not found. */
    public @Nullable String namespace() {
        return namespace;
    }

    /** The owning Ingress's name; {@code null} for {@link RouteSource#FLAG_DEFAULT} and not found. */
    public @Nullable String ingress() {
        return ingress;
    }

    /** The owning Ingress; {@code null} for {@link RouteSource#FLAG_DEFAULT} and not found. */
    public @Nullable ObjectRef ingressRef() {
        return namespace == null ? null : new ObjectRef(namespace, Objects.requireNonNull(ingress, "ingress"));
    }

    /**
     * The request target to send upstream: {@code uri} itself (the same instance) when the owning Ingress has no
     * rewrite, else the rewritten path followed by the original query string.
     *
     * @param uri the request target this route was chosen for
     */
    public String upstreamUri(String uri) {
        return upstreamUri(uri, Route::placeholder);
    }

    /**
     * {@link #upstreamUri(String)} with the nginx variables of the rewrite target taken from {@code variables}
     * (called only when {@link #rewriteVariables()}).
     */
    public String upstreamUri(String uri, Function<NginxTemplate.Variable, String> variables) {
        Objects.requireNonNull(uri, "uri");
        if (regex != null && (nginxTarget != null || exactTarget != null || prefixTarget != null)) {
            return regexUpstreamUri(uri, variables);
        }
        if (exactTarget == null && prefixTarget == null) {
            return uri;
        }
        return Rewrite.apply(uri, matchedLength, exactTarget, prefixTarget);
    }

    /**
     * True when plain-HTTP requests get a 308 to HTTPS: the matched host is in the owning Ingress's {@code spec.tls}
     * hosts and ssl-redirect is on, or the Ingress forces it ({@link RouteOptions#forceSslRedirect()}).
     */
    public boolean httpsRedirect() {
        return httpsRedirect;
    }

    /**
     * Whether the proxy reads a request body whole before it opens an origin connection (the owning Ingress's
     * {@link RouteOptions#requestBuffering()}; true for the flag default).
     */
    public boolean requestBuffering() {
        return requestBuffering;
    }

    /**
     * A regex route's rewrite. Usher's own {@code usher.dev/rewrite-target} wins and replaces what the regex matched;
     * else nginx's rewrite-target replaces the whole path, {@code $n} taken from the match, the result normalised
     * without ever climbing above {@code /}. The query string is kept. {@code uri} is the target the route was chosen
     * for; were the regex not to match it, a target that needs the match would leave it unchanged.
     */
    private String regexUpstreamUri(String uri, Function<NginxTemplate.Variable, String> variables) {
        int pathStart = RequestTarget.pathStart(uri);
        int pathEnd = RequestTarget.pathEnd(uri, pathStart);
        if (exactTarget == null && prefixTarget == null && nginxTarget != null) {
            if (nginxTarget.redirect()) {
                return uri; // answered by the proxy (redirectLocation), never sent upstream
            }
            if (!nginxTarget.captures()) {
                // no capture to substitute: the route was chosen by this regex, the target replaces the whole path
                return PathNormalizer.normalizeRewritten(nginxTarget.path(null, variables)) + uri.substring(pathEnd);
            }
        }
        // upstreamUri calls this in regex mode only
        Matcher match = Objects.requireNonNull(regex, "regex")
                .match(pathStart == pathEnd ? "/" : uri.subSequence(pathStart, pathEnd));
        if (match == null) {
            return uri;
        }
        if (exactTarget != null || prefixTarget != null) {
            return Rewrite.apply(uri, match.end(), exactTarget, prefixTarget);
        }
        // upstreamUri saw a target and it is not Usher's, so it is nginx's
        NginxRewriteTarget target = Objects.requireNonNull(nginxTarget, "nginxTarget");
        return PathNormalizer.normalizeRewritten(target.path(match, variables)) + uri.substring(pathEnd);
    }

    /** Whether the nginx rewrite target holds nginx variables, so the proxy must give their values. */
    public boolean rewriteVariables() {
        return nginxTarget != null && nginxTarget.variables();
    }

    /**
     * Whether the owner's nginx rewrite-target is an absolute URL: nginx's {@code rewrite} then answers 302 with
     * {@link #redirectLocation}, and the origin is never contacted. Usher's own rewrite-target, when set, wins.
     */
    public boolean nginxRedirect() {
        return regex != null
                && nginxTarget != null
                && nginxTarget.redirect()
                && exactTarget == null
                && prefixTarget == null;
    }

    /**
     * The {@code Location} of an {@link #nginxRedirect()} route for the request target {@code uri}: captures from
     * the path's match, variables from {@code variables}, the request's query appended as nginx does; {@code null}
     * when the expansion is not a valid absolute URL (or this is no redirect).
     */
    public @Nullable String redirectLocation(String uri, Function<NginxTemplate.Variable, String> variables) {
        if (!nginxRedirect()) {
            return null;
        }
        NginxRewriteTarget target = Objects.requireNonNull(nginxTarget, "nginxTarget");
        int pathStart = RequestTarget.pathStart(uri);
        int pathEnd = RequestTarget.pathEnd(uri, pathStart);
        Matcher match = null;
        if (target.captures()) {
            match = Objects.requireNonNull(regex, "regex")
                    .match(pathStart == pathEnd ? "/" : uri.subSequence(pathStart, pathEnd));
            if (match == null) {
                return null;
            }
        }
        String query = pathEnd < uri.length() ? uri.substring(pathEnd + 1) : "";
        return target.location(match, variables, query);
    }

    /** What an expansion shows without a request: {@code $name}. */
    private static String placeholder(NginxTemplate.Variable variable) {
        return "$" + variable.nginxName();
    }

    /**
     * The owning Ingress's options (its annotations, parsed once by the translator); {@link RouteOptions#DEFAULT} for
     * the flag default and not found.
     */
    public RouteOptions options() {
        return options;
    }

    /** The owning Ingress's retry settings; {@link RetryPolicy#INHERIT} for the flag default. */
    public RetryPolicy retry() {
        return options.retry();
    }

    /** How the proxy reaches this route's origins ({@link Upstream#HTTP} for defaults set by flag). */
    public Upstream upstream() {
        return upstream;
    }

    /** Whether this rule matches the path {@code [start, end)} of {@code uri}; defaults match nothing. */
    boolean matches(String uri, int start, int end) {
        if (key == null) {
            return false;
        }
        if (regex != null) {
            return regex.matches(uri, start, end);
        }
        int length = end - start;
        int keyLength = key.length();
        if (length < keyLength || !uri.regionMatches(start, key, 0, keyLength)) {
            return false;
        }
        // rank, not a switch on the enum: one int compare instead of a synthetic switch-map array load
        return rank == RANK_PREFIX
                ? length == keyLength || uri.charAt(start + keyLength) == '/'
                : rank != RANK_EXACT || length == keyLength;
    }

    /** What a request path is compared with; {@code null} for defaults. */
    @Nullable
    String matchKey() {
        return key;
    }

    /** Length used for "longest rule path wins": a Prefix rule's trailing slash does not count. */
    int matchLength() {
        return key == null ? -1 : key.length();
    }

    /** On equal length, Exact beats Prefix beats ImplementationSpecific. */
    int typeRank() {
        return rank;
    }

    @Override
    public String toString() {
        if (isNotFound()) {
            return "NOT_FOUND";
        }
        StringBuilder text = new StringBuilder(source.name());
        if (path != null) {
            text.append(' ')
                    .append(host == null ? "*" : host)
                    .append(' ')
                    .append(pathType)
                    .append(' ')
                    .append(regex == null ? path : regex.expression());
        }
        if (namespace != null) {
            text.append(" (").append(ingressRef()).append(')');
        }
        // only not found has no backend
        text.append(" -> ").append(Objects.requireNonNull(backend, "backend").ref());
        if (canary != null) {
            text.append(" | canary ").append(canary);
        }
        return text.toString();
    }
}
