package dev.usher.routing;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Per-Ingress behaviour taken from its annotations and {@code spec.tls}.
 *
 * <p>Build one with {@link #builder()} (or {@link #toBuilder()} to change a copy): a new option is one component, one
 * builder setter and its default, and no call site changes.
 *
 * @param rewriteTarget the {@code usher.dev/rewrite-target} value, or {@code null} to forward the path unchanged
 * @param tlsHosts hosts listed in the Ingress's {@code spec.tls}, lower-case
 * @param sslRedirect whether plain-HTTP requests for a host in {@code tlsHosts} get a 308 to HTTPS
 * @param requestBuffering whether the proxy reads a request body whole before it opens an origin connection
 *     ({@code usher.dev/request-buffering}, on by default, like nginx's {@code proxy_request_buffering}); off streams
 *     the body to the origin as it arrives
 * @param nginxPaths ingress-nginx's {@code use-regex} and {@code rewrite-target} (regex paths, capture rewrites)
 * @param maxRequestBodyBytes the request body limit ({@code proxy-body-size}); {@link #GLOBAL_BODY_LIMIT} keeps the
 *     proxy's own, 0 is unlimited
 * @param timeouts origin timeouts overriding the proxy's ({@code proxy-*-timeout})
 * @param forceSslRedirect plain-HTTP requests get a 308 to HTTPS even for hosts without {@code spec.tls}
 *     ({@code force-ssl-redirect}); wins over {@code sslRedirect: false}
 * @param redirect answered for every request instead of proxying ({@code permanent-redirect},
 *     {@code temporal-redirect}), or {@code null}
 * @param appRoot where a request for {@code /} is redirected (302, {@code app-root}), or {@code null}
 * @param upstreamVhost the {@code Host} sent to the origin ({@code upstream-vhost}), or {@code null} for the client's
 * @param forwardedPrefix the {@code X-Forwarded-Prefix} sent to the origin ({@code x-forwarded-prefix}), or
 *     {@code null}
 * @param sourceRanges which client addresses may pass (403 otherwise)
 * @param basicAuth credentials required (401 otherwise), or {@code null}
 * @param denied why every request of this Ingress gets 503 instead of reaching the origin (an access-control
 *     annotation that could not be read fails closed, as in ingress-nginx), or {@code null}
 * @param upstreams how each backend of this Ingress is reached (protocol, TLS to the origin); a backend missing here
 *     speaks {@link Upstream#HTTP}. Per Ingress, so two Ingresses naming one Service with different protocols each
 *     get their own (the translator's {@code OriginProtocols} fills it in)
 * @param retry when a failed attempt is tried again on the next endpoint (ingress-nginx's
 *     {@code proxy-next-upstream}, {@code -tries}, {@code -timeout}); {@link RetryPolicy#INHERIT} by default, so the
 *     data plane's flags apply
 * @param cors ingress-nginx's CORS options ({@code enable-cors: "true"}), or {@code null} for none
 * @param affinity cookie session affinity ({@code affinity: cookie}), or {@code null} for none
 * @param rateLimit per-client request limits ({@code limit-rps}, {@code limit-rpm}, {@code limit-connections}), or
 *     {@code null} for none
 * @param canary this Ingress is the canary of the main routes with its hosts and paths ({@code canary: "true"}):
 *     its traffic shaping, or {@code null} for an ordinary Ingress
 * @param clientCertificateAuth client-certificate authentication of this Ingress's hosts ({@code auth-tls-*}), or
 *     {@code null} for none
 * @param sslPassthrough TLS connections whose SNI names one of this Ingress's exact hosts are passed to the host's
 *     {@code /} backend unopened ({@code ssl-passthrough: "true"}, which the translator sets only under
 *     {@code --enable-ssl-passthrough}); see {@link RoutingSnapshot#passthrough}
 * @param externalAuth the auth service every request must pass first ({@code auth-url}), or {@code null} for none
 * @param balancing the Ingress's own load balancing ({@code load-balance}, {@code upstream-hash-by}), or {@code null}
 *     for the data plane's
 * @param fromToWwwRedirect requests for {@code www.<host>} (or, for a {@code www.} host, the name without it) are
 *     redirected to the Ingress's host ({@code from-to-www-redirect}; see {@link RoutingSnapshot#wwwRedirect})
 * @param accessLog whether the requests of this Ingress's routes get access-log lines ({@code enable-access-log:
 *     "false"} turns them off; metrics still count them)
 * @param customErrors ingress-nginx's {@code custom-http-errors} and {@code default-backend}, or {@code null} for none
 * @param responseRewrites edits of the origin's {@code Location}, {@code Refresh} and {@code Set-Cookie} fields
 *     ({@code proxy-redirect-from}/{@code -to}, {@code proxy-cookie-domain}, {@code proxy-cookie-path}), or
 *     {@code null} for none
 * @param serverAliases more host names served exactly as this Ingress's hosts ({@code server-alias}): lower-case DNS
 *     names or {@code *.} wildcards, validated by the translator; which host an alias joins is decided across
 *     Ingresses by {@link ServerAliases}
 * @param preserveTrailingSlash whether the HTTPS redirect keeps a trailing {@code /} of the request target (Usher's
 *     default); {@code false} ({@code preserve-trailing-slash: "false"}, ingress-nginx's default) drops its last byte
 *     when it is a {@code /}, as ingress-nginx's {@code lua_ingress.rewrite}
 * @param mirror where each request is also sent, its response discarded ({@code mirror-target}), or {@code null}
 * @param responseRate the pace of each response body to the client ({@code limit-rate}, {@code limit-rate-after}), or
 *     {@code null} for full speed
 * @param satisfyAny ingress-nginx's {@code satisfy: "any"}: a client address the allowlist names, or one passing
 *     authentication (Basic, then external), is enough; {@code false} (nginx's {@code all}, the default) needs the
 *     address check and every authentication to pass
 * @param headerEdits edits of the origin's response fields, in order, after every other field Usher sets: the header
 *     directives of ingress-nginx's {@code configuration-snippet} ({@link HeaderEdit})
 * @param requestHeaderEdits edits of the request's fields sent to the origin ({@link HeaderEdit.Mode#SET} or
 *     {@link HeaderEdit.Mode#CLEAR}, never {@code Host}), in order, after Usher's forwarding fields: the
 *     {@code proxy_set_header}, {@code more_set_input_headers} and {@code more_clear_input_headers} of the snippet
 */
public record RouteOptions(
        @Nullable String rewriteTarget,
        Set<String> tlsHosts,
        boolean sslRedirect,
        boolean requestBuffering,
        NginxPaths nginxPaths,
        long maxRequestBodyBytes,
        RouteTimeouts timeouts,
        boolean forceSslRedirect,
        @Nullable LocalRedirect redirect,
        @Nullable String appRoot,
        @Nullable String upstreamVhost,
        @Nullable String forwardedPrefix,
        SourceRanges sourceRanges,
        @Nullable BasicAuth basicAuth,
        @Nullable String denied,
        Map<BackendRef, Upstream> upstreams,
        RetryPolicy retry,
        @Nullable Cors cors,
        @Nullable SessionAffinity affinity,
        @Nullable RateLimit rateLimit,
        @Nullable CanaryRule canary,
        @Nullable ClientCertificateAuth clientCertificateAuth,
        boolean sslPassthrough,
        @Nullable ExternalAuth externalAuth,
        @Nullable Balancing balancing,
        boolean accessLog,
        boolean fromToWwwRedirect,
        @Nullable CustomErrors customErrors,
        @Nullable ResponseRewrites responseRewrites,
        List<String> serverAliases,
        boolean preserveTrailingSlash,
        @Nullable Mirror mirror,
        @Nullable ResponseRate responseRate,
        boolean satisfyAny,
        List<HeaderEdit> headerEdits,
        List<HeaderEdit> requestHeaderEdits) {

    /** {@link #maxRequestBodyBytes()} that keeps the proxy's global limit. */
    public static final long GLOBAL_BODY_LIMIT = -1;

    public static final RouteOptions DEFAULT = builder().build();

    public RouteOptions {
        Objects.requireNonNull(tlsHosts, "tlsHosts");
        tlsHosts = Set.copyOf(tlsHosts);
        Objects.requireNonNull(nginxPaths, "nginxPaths");
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(sourceRanges, "sourceRanges");
        upstreams = Map.copyOf(Objects.requireNonNull(upstreams, "upstreams"));
        Objects.requireNonNull(retry, "retry");
        serverAliases = List.copyOf(Objects.requireNonNull(serverAliases, "serverAliases"));
        headerEdits = List.copyOf(Objects.requireNonNull(headerEdits, "headerEdits"));
        requestHeaderEdits = List.copyOf(Objects.requireNonNull(requestHeaderEdits, "requestHeaderEdits"));
        for (HeaderEdit edit : requestHeaderEdits) {
            if (edit.mode() != HeaderEdit.Mode.SET && edit.mode() != HeaderEdit.Mode.CLEAR) {
                throw new IllegalArgumentException("a request field is set or cleared, not " + edit.mode());
            }
        }
        if (maxRequestBodyBytes < GLOBAL_BODY_LIMIT) {
            throw new IllegalArgumentException("maxRequestBodyBytes must be >= -1, got " + maxRequestBodyBytes);
        }
    }

    /** How this Ingress reaches {@code backend}. */
    public Upstream upstream(BackendRef backend) {
        return upstreams.getOrDefault(backend, Upstream.HTTP);
    }

    /** The body limit in force: this Ingress's, else {@code global} (0 = unlimited either way). */
    public long maxRequestBodyBytes(long global) {
        return maxRequestBodyBytes == GLOBAL_BODY_LIMIT ? global : maxRequestBodyBytes;
    }

    /**
     * A builder holding the defaults: no rewrite, no TLS hosts, redirect on, request buffering on, no ingress-nginx
     * regex paths, the global body limit and timeouts, no forced redirect, no local redirect, app root, upstream vhost
     * or forwarded prefix, every client admitted, no authentication, not denied, HTTP upstreams,
     * retries as the data plane's flags say, no CORS, no session affinity, no rate limit, not a canary, no client
     * certificates, no TLS passthrough, no external authentication, the data plane's load balancing, access-log
     * lines, no www redirect, no custom errors, no response rewrites, no server aliases, trailing slashes kept by the
     * HTTPS redirect, no mirror, responses at full speed, {@code satisfy all}, no header edits either way.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options. */
    public Builder toBuilder() {
        return new Builder()
                .rewriteTarget(rewriteTarget)
                .tlsHosts(tlsHosts)
                .sslRedirect(sslRedirect)
                .requestBuffering(requestBuffering)
                .nginxPaths(nginxPaths)
                .maxRequestBodyBytes(maxRequestBodyBytes)
                .timeouts(timeouts)
                .forceSslRedirect(forceSslRedirect)
                .redirect(redirect)
                .appRoot(appRoot)
                .upstreamVhost(upstreamVhost)
                .forwardedPrefix(forwardedPrefix)
                .sourceRanges(sourceRanges)
                .basicAuth(basicAuth)
                .denied(denied)
                .upstreams(upstreams)
                .retry(retry)
                .cors(cors)
                .affinity(affinity)
                .rateLimit(rateLimit)
                .canary(canary)
                .clientCertificateAuth(clientCertificateAuth)
                .sslPassthrough(sslPassthrough)
                .externalAuth(externalAuth)
                .balancing(balancing)
                .accessLog(accessLog)
                .fromToWwwRedirect(fromToWwwRedirect)
                .customErrors(customErrors)
                .responseRewrites(responseRewrites)
                .serverAliases(serverAliases)
                .preserveTrailingSlash(preserveTrailingSlash)
                .mirror(mirror)
                .responseRate(responseRate)
                .satisfyAny(satisfyAny)
                .headerEdits(headerEdits)
                .requestHeaderEdits(requestHeaderEdits);
    }

    /** Collects the options; every setter has the default documented on {@link #builder()}. */
    public static final class Builder {
        private @Nullable String rewriteTarget;
        private Set<String> tlsHosts = Set.of();
        private boolean sslRedirect = true;
        private boolean requestBuffering = true;
        private NginxPaths nginxPaths = NginxPaths.NONE;
        private long maxRequestBodyBytes = GLOBAL_BODY_LIMIT;
        private RouteTimeouts timeouts = RouteTimeouts.NONE;
        private boolean forceSslRedirect;
        private @Nullable LocalRedirect redirect;
        private @Nullable String appRoot;
        private @Nullable String upstreamVhost;
        private @Nullable String forwardedPrefix;
        private SourceRanges sourceRanges = SourceRanges.ANY;
        private @Nullable BasicAuth basicAuth;
        private @Nullable String denied;
        private Map<BackendRef, Upstream> upstreams = Map.of();
        private RetryPolicy retry = RetryPolicy.INHERIT;
        private @Nullable Cors cors;
        private @Nullable SessionAffinity affinity;
        private @Nullable RateLimit rateLimit;
        private @Nullable CanaryRule canary;
        private @Nullable ClientCertificateAuth clientCertificateAuth;
        private boolean sslPassthrough;
        private @Nullable ExternalAuth externalAuth;
        private @Nullable Balancing balancing;
        private boolean accessLog = true;
        private boolean fromToWwwRedirect;
        private @Nullable CustomErrors customErrors;
        private @Nullable ResponseRewrites responseRewrites;
        private List<String> serverAliases = List.of();
        private boolean preserveTrailingSlash = true;
        private @Nullable Mirror mirror;
        private @Nullable ResponseRate responseRate;
        private boolean satisfyAny;
        private List<HeaderEdit> headerEdits = List.of();
        private List<HeaderEdit> requestHeaderEdits = List.of();

        private Builder() {}

        public Builder rewriteTarget(@Nullable String rewriteTarget) {
            this.rewriteTarget = rewriteTarget;
            return this;
        }

        public Builder tlsHosts(Set<String> tlsHosts) {
            this.tlsHosts = tlsHosts;
            return this;
        }

        public Builder sslRedirect(boolean sslRedirect) {
            this.sslRedirect = sslRedirect;
            return this;
        }

        public Builder requestBuffering(boolean requestBuffering) {
            this.requestBuffering = requestBuffering;
            return this;
        }

        public Builder nginxPaths(NginxPaths nginxPaths) {
            this.nginxPaths = nginxPaths;
            return this;
        }

        public Builder maxRequestBodyBytes(long maxRequestBodyBytes) {
            this.maxRequestBodyBytes = maxRequestBodyBytes;
            return this;
        }

        public Builder timeouts(RouteTimeouts timeouts) {
            this.timeouts = timeouts;
            return this;
        }

        public Builder forceSslRedirect(boolean forceSslRedirect) {
            this.forceSslRedirect = forceSslRedirect;
            return this;
        }

        public Builder redirect(@Nullable LocalRedirect redirect) {
            this.redirect = redirect;
            return this;
        }

        public Builder appRoot(@Nullable String appRoot) {
            this.appRoot = appRoot;
            return this;
        }

        public Builder upstreamVhost(@Nullable String upstreamVhost) {
            this.upstreamVhost = upstreamVhost;
            return this;
        }

        public Builder forwardedPrefix(@Nullable String forwardedPrefix) {
            this.forwardedPrefix = forwardedPrefix;
            return this;
        }

        public Builder sourceRanges(SourceRanges sourceRanges) {
            this.sourceRanges = sourceRanges;
            return this;
        }

        public Builder basicAuth(@Nullable BasicAuth basicAuth) {
            this.basicAuth = basicAuth;
            return this;
        }

        public Builder denied(@Nullable String denied) {
            this.denied = denied;
            return this;
        }

        public Builder upstreams(Map<BackendRef, Upstream> upstreams) {
            this.upstreams = upstreams;
            return this;
        }

        public Builder retry(RetryPolicy retry) {
            this.retry = retry;
            return this;
        }

        public Builder cors(@Nullable Cors cors) {
            this.cors = cors;
            return this;
        }

        public Builder affinity(@Nullable SessionAffinity affinity) {
            this.affinity = affinity;
            return this;
        }

        public Builder rateLimit(@Nullable RateLimit rateLimit) {
            this.rateLimit = rateLimit;
            return this;
        }

        public Builder canary(@Nullable CanaryRule canary) {
            this.canary = canary;
            return this;
        }

        public Builder clientCertificateAuth(@Nullable ClientCertificateAuth clientCertificateAuth) {
            this.clientCertificateAuth = clientCertificateAuth;
            return this;
        }

        public Builder sslPassthrough(boolean sslPassthrough) {
            this.sslPassthrough = sslPassthrough;
            return this;
        }

        public Builder externalAuth(@Nullable ExternalAuth externalAuth) {
            this.externalAuth = externalAuth;
            return this;
        }

        public Builder balancing(@Nullable Balancing balancing) {
            this.balancing = balancing;
            return this;
        }

        public Builder accessLog(boolean accessLog) {
            this.accessLog = accessLog;
            return this;
        }

        public Builder fromToWwwRedirect(boolean fromToWwwRedirect) {
            this.fromToWwwRedirect = fromToWwwRedirect;
            return this;
        }

        public Builder customErrors(@Nullable CustomErrors customErrors) {
            this.customErrors = customErrors;
            return this;
        }

        public Builder responseRewrites(@Nullable ResponseRewrites responseRewrites) {
            this.responseRewrites = responseRewrites;
            return this;
        }

        public Builder serverAliases(List<String> serverAliases) {
            this.serverAliases = serverAliases;
            return this;
        }

        public Builder preserveTrailingSlash(boolean preserveTrailingSlash) {
            this.preserveTrailingSlash = preserveTrailingSlash;
            return this;
        }

        public Builder mirror(@Nullable Mirror mirror) {
            this.mirror = mirror;
            return this;
        }

        public Builder responseRate(@Nullable ResponseRate responseRate) {
            this.responseRate = responseRate;
            return this;
        }

        public Builder satisfyAny(boolean satisfyAny) {
            this.satisfyAny = satisfyAny;
            return this;
        }

        public Builder headerEdits(List<HeaderEdit> headerEdits) {
            this.headerEdits = headerEdits;
            return this;
        }

        public Builder requestHeaderEdits(List<HeaderEdit> requestHeaderEdits) {
            this.requestHeaderEdits = requestHeaderEdits;
            return this;
        }

        public RouteOptions build() {
            return new RouteOptions(
                    rewriteTarget,
                    tlsHosts,
                    sslRedirect,
                    requestBuffering,
                    nginxPaths,
                    maxRequestBodyBytes,
                    timeouts,
                    forceSslRedirect,
                    redirect,
                    appRoot,
                    upstreamVhost,
                    forwardedPrefix,
                    sourceRanges,
                    basicAuth,
                    denied,
                    upstreams,
                    retry,
                    cors,
                    affinity,
                    rateLimit,
                    canary,
                    clientCertificateAuth,
                    sslPassthrough,
                    externalAuth,
                    balancing,
                    accessLog,
                    fromToWwwRedirect,
                    customErrors,
                    responseRewrites,
                    serverAliases,
                    preserveTrailingSlash,
                    mirror,
                    responseRate,
                    satisfyAny,
                    headerEdits,
                    requestHeaderEdits);
        }
    }
}
