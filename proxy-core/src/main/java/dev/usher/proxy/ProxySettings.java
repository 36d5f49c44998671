package dev.usher.proxy;

import dev.usher.routing.HeaderEdit;
import dev.usher.routing.RetryOn;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Timeouts, limits and pool knobs of the data plane; {@link #defaults()} gives the documented defaults.
 *
 * <p>Pool limits apply per event loop and per endpoint, because each event loop owns its own origin pools.
 *
 * <p>A new setting is a component here (with its {@code @param}, check, builder default and setter), a row in the
 * settings table of proxy-core/README.md and one entry in deploy's {@code ProxyOptions.FLAGS}, which gives it its
 * flag, help text and help default; tests fail when the README table or the flag table misses a component.
 *
 * @param connectTimeout origin TCP connect timeout (5 s)
 * @param responseTimeout time from the request being fully sent to the first byte of the response (60 s); 504 after
 * @param clientIdleTimeout a keep-alive client connection with no request under way is closed after this (60 s); a
 *     client that sends no body bytes, or reads no response bytes, for this long mid-exchange gets 408 or is closed
 * @param requestHeaderTimeout the request head must be complete this long after its first byte (10 s, slow-loris)
 * @param tunnelIdleTimeout an upgraded (WebSocket) tunnel with no bytes either way is closed after this (10 min)
 * @param poolIdleTimeout an origin connection idle in the pool is closed after this (60 s)
 * @param maxConnectionsPerEndpoint open origin connections per endpoint and event loop; beyond it 503 (1024)
 * @param maxIdlePerEndpoint idle origin connections kept per endpoint and event loop (1024, as many as may be open:
 *     a lower cap closes and reopens connections whenever more requests are in flight than it allows)
 * @param maxInitialLineLength request line limit in bytes; longer gets 414 (8 KiB)
 * @param maxHeaderSize total request header limit in bytes; larger gets 431 (16 KiB)
 * @param maxRequestBodyBytes request body limit; larger gets 413; {@code 0} means unlimited (1 MiB, like
 *     ingress-nginx's {@code proxy-body-size}; a body of exactly this size passes)
 * @param connectAttempts endpoints tried when connects fail, each at most once (3)
 * @param loadBalancing how an endpoint is picked ({@link LoadBalancing#ROUND_ROBIN})
 * @param accessLog access log format on the {@code dev.usher.access} logger ({@link AccessLogFormat#TEXT})
 * @param hsts the {@code Strict-Transport-Security} value added to HTTPS responses whose origin sent none, e.g.
 *     {@code max-age=31536000; includeSubDomains}; {@code null} (the default) adds nothing
 * @param trustedProxies peers whose {@code X-Forwarded-*} headers are believed and whose {@code X-Forwarded-For}
 *     chain names the client ({@link TrustedProxies#none()}, the default: every client's forwarding headers are
 *     replaced)
 * @param proxyProtocol every connection to the HTTP and HTTPS listeners starts with a PROXY protocol v1 or v2 header
 *     that names the client, as a load balancer in front sends it; a connection without a valid one within
 *     {@code requestHeaderTimeout} is closed ({@code false})
 * @param underscoresInHeaders forward request header fields whose names contain {@code _} ({@code false}: they are
 *     dropped, as nginx's {@code underscores_in_headers off} and ingress-nginx's default do)
 * @param upgradeProtocols the {@code Upgrade} protocols tunnelled after a 101, lower case ({@code websocket}); any
 *     other upgrade goes on as a plain request. {@code h2c} is never allowed
 * @param clientBodyTimeout longest pause between two reads of a request body (60 s, nginx's
 *     {@code client_body_timeout}); then 408
 * @param clientBodyBufferSize a buffered request body up to this size stays in memory, a larger one goes to a
 *     temporary file (16 KiB, nginx's {@code client_body_buffer_size} on 64-bit platforms)
 * @param clientBodyTempDir where request bodies larger than {@code clientBodyBufferSize} are buffered (the JVM's
 *     {@code java.io.tmpdir}); each file is deleted when its exchange ends
 * @param clientBodyTempMaxBytes the most bytes all those files may hold together (512 MiB); a body that would pass
 *     it gets 503; {@code 0} means no limit
 * @param outlierConsecutiveFailures passive health: connect failures, resets or 502/503/504 in a row that eject an
 *     endpoint (5, Envoy's {@code consecutive_5xx}); {@code 0} turns ejection off (see {@link OutlierDetection})
 * @param outlierBaseEjectionTime how long a first ejection lasts; each further one lasts that many times longer, at
 *     most 10 times (30 s)
 * @param outlierMaxEjectionPercent the most endpoints of a backend ejected at once, in percent, but at least one while
 *     another is not ejected (10)
 * @param http2MaxConcurrentStreams streams an HTTP/2 client may have open at once on one connection (100, as nginx's
 *     {@code http2_max_concurrent_streams}); more are refused with {@code RST_STREAM REFUSED_STREAM}
 * @param retryOn the failures after which a request is tried again on the next endpoint (ingress-nginx's
 *     {@code proxy-next-upstream}: {@code error timeout}); empty is {@code off}. See {@link RetryPolicy}
 * @param retryTries the most attempts per request, the first included (3, {@code proxy-next-upstream-tries}); 0 means
 *     every endpoint once, at most {@link RetryPolicy#MAX_TRIES}
 * @param retryTimeout no retry starts once this much time passed since the first attempt (0 = no limit, the default;
 *     {@code proxy-next-upstream-timeout})
 * @param retryBudgetPercent retries of a backend, beyond the minimum, may be at most this share of its requests
 *     (20, Envoy's and Finagle's retry budget), counted per event loop over 10 s
 * @param retryBudgetMinPerSecond retries per second each event loop may make to a backend whatever its traffic (10,
 *     Finagle's minimum), so a quiet backend still gets its retries
 * @param limitReqStatusCode the status of a request refused by an Ingress's {@code limit-rps}/{@code limit-rpm} (503,
 *     ingress-nginx's {@code limit-req-status-code}; 400-599)
 * @param limitConnStatusCode the status of a request refused by an Ingress's {@code limit-connections} (503,
 *     ingress-nginx's {@code limit-conn-status-code}; 400-599)
 * @param enableSslPassthrough the HTTPS listener reads each ClientHello's server name and passes the connection
 *     unopened to the backend of a host whose Ingress says {@code ssl-passthrough: "true"} ({@code false}, as
 *     ingress-nginx's {@code --enable-ssl-passthrough}); other server names are terminated as usual
 * @param mirrorMaxInFlight mirror requests (ingress-nginx's {@code mirror-target}) each event loop may have in flight
 *     at once (100); a request that would pass it is not mirrored, and counted ({@code usher_mirror_requests_total}
 *     {@code result="dropped"}), so a slow mirror holds a bounded number of connections and bodies; 0 turns mirroring
 *     off
 * @param localOriginNames a host name of an origin (an ExternalName Service's name), {@code auth-url} or mirror target
 *     may resolve to an address of this host or its link: loopback, unspecified or link-local ({@code false}: such a
 *     name is refused, 502, so a Service cannot point Usher at its own admin port, whose debug views answer loopback
 *     clients, or at a cloud metadata address; {@code usher run --manifests} sets it, the folder being the operator's
 *     own). An {@code auth-url} or mirror target written as such an address is refused the same way; origins' IP
 *     literals (EndpointSlice addresses, the folder's Endpoints) are not affected
 * @param addHeaders fields set on every response, before an Ingress's own header edits (ingress-nginx's
 *     {@code add-headers} ConfigMap: {@code more_set_headers} for every server); set or, without a value, cleared
 *     ({@link HeaderEdit.Mode#SET}, {@link HeaderEdit.Mode#CLEAR}), values sent as written; none by default
 * @param proxySetHeaders fields set on every request sent to an origin, after Usher's forwarding fields and before an
 *     Ingress's own ({@code proxy-set-headers}); set or cleared, never {@code Host}; none by default
 */
public record ProxySettings(
        Duration connectTimeout,
        Duration responseTimeout,
        Duration clientIdleTimeout,
        Duration requestHeaderTimeout,
        Duration tunnelIdleTimeout,
        Duration poolIdleTimeout,
        int maxConnectionsPerEndpoint,
        int maxIdlePerEndpoint,
        int maxInitialLineLength,
        int maxHeaderSize,
        long maxRequestBodyBytes,
        int connectAttempts,
        LoadBalancing loadBalancing,
        AccessLogFormat accessLog,
        @Nullable String hsts,
        TrustedProxies trustedProxies,
        boolean proxyProtocol,
        boolean underscoresInHeaders,
        Set<String> upgradeProtocols,
        Duration clientBodyTimeout,
        int clientBodyBufferSize,
        Path clientBodyTempDir,
        long clientBodyTempMaxBytes,
        int outlierConsecutiveFailures,
        Duration outlierBaseEjectionTime,
        int outlierMaxEjectionPercent,
        int http2MaxConcurrentStreams,

        Set<RetryOn> retryOn,
        int retryTries,
        Duration retryTimeout,
        int retryBudgetPercent,
        int retryBudgetMinPerSecond,
        int limitReqStatusCode,
        int limitConnStatusCode,
        boolean enableSslPassthrough,
        int mirrorMaxInFlight,
        boolean localOriginNames,
        List<HeaderEdit> addHeaders,
        List<HeaderEdit> proxySetHeaders) {

    private static List<HeaderEdit> setOrClear(List<HeaderEdit> edits, String name) {
        for (HeaderEdit edit : Objects.requireNonNull(edits, name)) {
            if (edit.mode() != HeaderEdit.Mode.SET && edit.mode() != HeaderEdit.Mode.CLEAR) {
                throw new IllegalArgumentException(name + ": a field is set or cleared, not " + edit.mode());
            }
        }
        return List.copyOf(edits);
    }

    /** How an endpoint of a backend is chosen for a request. */
    public enum LoadBalancing {
        /** Each event loop walks the endpoints of a backend in turn. */
        ROUND_ROBIN,
        /** Power of two choices: of two random endpoints, the one with fewer requests in flight on this loop. */
        LEAST_REQUEST
    }

    /** The format of the per-request line on the {@code dev.usher.access} logger. */
    public enum AccessLogFormat {
        TEXT,
        JSON,
        OFF
    }

    public ProxySettings {
        positive(connectTimeout, "connectTimeout");
        positive(responseTimeout, "responseTimeout");
        positive(clientIdleTimeout, "clientIdleTimeout");
        positive(requestHeaderTimeout, "requestHeaderTimeout");
        positive(tunnelIdleTimeout, "tunnelIdleTimeout");
        positive(poolIdleTimeout, "poolIdleTimeout");
        atLeast(maxConnectionsPerEndpoint, 1, "maxConnectionsPerEndpoint");
        atLeast(maxIdlePerEndpoint, 0, "maxIdlePerEndpoint");
        atLeast(maxInitialLineLength, 64, "maxInitialLineLength");
        atLeast(maxHeaderSize, 256, "maxHeaderSize");
        if (maxRequestBodyBytes < 0) {
            throw new IllegalArgumentException(
                    "maxRequestBodyBytes must be >= 0 (0 = unlimited): " + maxRequestBodyBytes);
        }
        atLeast(connectAttempts, 1, "connectAttempts");
        Objects.requireNonNull(loadBalancing, "loadBalancing");
        Objects.requireNonNull(accessLog, "accessLog");
        if (hsts != null && (hsts.isBlank() || hsts.chars().anyMatch(c -> c < 0x20 || c == 0x7f))) {
            throw new IllegalArgumentException(
                    "hsts must be a header value such as 'max-age=31536000': '" + hsts + "'");
        }
        Objects.requireNonNull(trustedProxies, "trustedProxies");
        upgradeProtocols = Set.copyOf(Objects.requireNonNull(upgradeProtocols, "upgradeProtocols"));
        for (String p : upgradeProtocols) {
            if (p.isEmpty()
                    || !p.equals(p.toLowerCase(Locale.ROOT))
                    || !p.chars().allMatch(ProxySettings::tokenChar)) {
                throw new IllegalArgumentException("upgradeProtocols must be lower-case protocol names: '" + p + "'");
            }
            if (p.equals("h2c")) {
                throw new IllegalArgumentException("upgradeProtocols: h2c is never tunnelled");
            }
        }
        positive(clientBodyTimeout, "clientBodyTimeout");
        atLeast(clientBodyBufferSize, 0, "clientBodyBufferSize");
        Objects.requireNonNull(clientBodyTempDir, "clientBodyTempDir");
        atLeast(clientBodyTempMaxBytes, 0, "clientBodyTempMaxBytes");
        new OutlierDetection(outlierConsecutiveFailures, outlierBaseEjectionTime, outlierMaxEjectionPercent);
        atLeast(http2MaxConcurrentStreams, 1, "http2MaxConcurrentStreams");
        retryOn = Set.copyOf(Objects.requireNonNull(retryOn, "retryOn"));
        atLeast(retryTries, 0, "retryTries");
        Objects.requireNonNull(retryTimeout, "retryTimeout");
        if (retryTimeout.isNegative()) {
            throw new IllegalArgumentException("retryTimeout must be >= 0 (0 = no limit): " + retryTimeout);
        }
        atLeast(retryBudgetPercent, 0, "retryBudgetPercent");
        atLeast(retryBudgetMinPerSecond, 0, "retryBudgetMinPerSecond");
        errorStatus(limitReqStatusCode, "limitReqStatusCode");
        errorStatus(limitConnStatusCode, "limitConnStatusCode");
        atLeast(mirrorMaxInFlight, 0, "mirrorMaxInFlight");
        addHeaders = setOrClear(addHeaders, "addHeaders");
        proxySetHeaders = setOrClear(proxySetHeaders, "proxySetHeaders");
        for (HeaderEdit edit : proxySetHeaders) {
            if (edit.name().equals("host")) {
                throw new IllegalArgumentException("proxySetHeaders: the origin's Host is routing's, not a flag's");
            }
        }
    }

    /** The three outlier settings as one value, for {@code Outliers} (built once per event loop). */
    public OutlierDetection outlierDetection() {
        return new OutlierDetection(outlierConsecutiveFailures, outlierBaseEjectionTime, outlierMaxEjectionPercent);
    }

    /** The defaults listed on each component. */
    public static ProxySettings defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.connectTimeout = connectTimeout;
        b.responseTimeout = responseTimeout;
        b.clientIdleTimeout = clientIdleTimeout;
        b.requestHeaderTimeout = requestHeaderTimeout;
        b.tunnelIdleTimeout = tunnelIdleTimeout;
        b.poolIdleTimeout = poolIdleTimeout;
        b.maxConnectionsPerEndpoint = maxConnectionsPerEndpoint;
        b.maxIdlePerEndpoint = maxIdlePerEndpoint;
        b.maxInitialLineLength = maxInitialLineLength;
        b.maxHeaderSize = maxHeaderSize;
        b.maxRequestBodyBytes = maxRequestBodyBytes;
        b.connectAttempts = connectAttempts;
        b.loadBalancing = loadBalancing;
        b.accessLog = accessLog;
        b.hsts = hsts;
        b.trustedProxies = trustedProxies;
        b.proxyProtocol = proxyProtocol;
        b.underscoresInHeaders = underscoresInHeaders;
        b.upgradeProtocols = upgradeProtocols;
        b.clientBodyTimeout = clientBodyTimeout;
        b.clientBodyBufferSize = clientBodyBufferSize;
        b.clientBodyTempDir = clientBodyTempDir;
        b.clientBodyTempMaxBytes = clientBodyTempMaxBytes;
        b.outlierDetection(outlierDetection());
        b.http2MaxConcurrentStreams = http2MaxConcurrentStreams;
        b.retryOn = retryOn;
        b.retryTries = retryTries;
        b.retryTimeout = retryTimeout;
        b.retryBudgetPercent = retryBudgetPercent;
        b.retryBudgetMinPerSecond = retryBudgetMinPerSecond;
        b.limitReqStatusCode = limitReqStatusCode;
        b.limitConnStatusCode = limitConnStatusCode;
        b.enableSslPassthrough = enableSslPassthrough;
        b.mirrorMaxInFlight = mirrorMaxInFlight;
        b.localOriginNames = localOriginNames;
        b.addHeaders = addHeaders;
        b.proxySetHeaders = proxySetHeaders;
        return b;
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }

    /** RFC 9110 §5.6.2 tchar, the characters of a protocol name. */
    private static boolean tokenChar(int c) {
        return (c >= 'a' && c <= 'z')
                || (c >= '0' && c <= '9')
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0
                || (c >= 'A' && c <= 'Z');
    }

    /** nginx's {@code limit_req_status} and {@code limit_conn_status} take 400 to 599. */
    private static void errorStatus(int status, String name) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException(name + " must be 400-599: " + status);
        }
    }

    private static void atLeast(long value, long min, String name) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be >= " + min + ": " + value);
        }
    }

    /** Mutable builder for {@link ProxySettings}; starts from the defaults. */
    public static final class Builder {
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration responseTimeout = Duration.ofSeconds(60);
        private Duration clientIdleTimeout = Duration.ofSeconds(60);
        private Duration requestHeaderTimeout = Duration.ofSeconds(10);
        private Duration tunnelIdleTimeout = Duration.ofMinutes(10);
        private Duration poolIdleTimeout = Duration.ofSeconds(60);
        private int maxConnectionsPerEndpoint = 1024;
        private int maxIdlePerEndpoint = 1024;
        private int maxInitialLineLength = 8 * 1024;
        private int maxHeaderSize = 16 * 1024;
        private long maxRequestBodyBytes = 1024 * 1024;
        private int connectAttempts = 3;
        private LoadBalancing loadBalancing = LoadBalancing.ROUND_ROBIN;
        private AccessLogFormat accessLog = AccessLogFormat.TEXT;
        private @Nullable String hsts;
        private TrustedProxies trustedProxies = TrustedProxies.none();
        private boolean proxyProtocol;
        private boolean underscoresInHeaders;
        private Set<String> upgradeProtocols = Set.of("websocket");
        private Duration clientBodyTimeout = Duration.ofSeconds(60);
        private int clientBodyBufferSize = 16 * 1024;
        private Path clientBodyTempDir = Path.of(System.getProperty("java.io.tmpdir"));
        private long clientBodyTempMaxBytes = 512L * 1024 * 1024;
        private int outlierConsecutiveFailures = OutlierDetection.DEFAULTS.consecutiveFailures();
        private Duration outlierBaseEjectionTime = OutlierDetection.DEFAULTS.baseEjectionTime();
        private int outlierMaxEjectionPercent = OutlierDetection.DEFAULTS.maxEjectionPercent();
        private int http2MaxConcurrentStreams = 100;
        private Set<RetryOn> retryOn = Set.of(RetryOn.ERROR, RetryOn.TIMEOUT);
        private int retryTries = 3;
        private Duration retryTimeout = Duration.ZERO;
        private int retryBudgetPercent = 20;
        private int retryBudgetMinPerSecond = 10;
        private int limitReqStatusCode = 503;
        private int limitConnStatusCode = 503;
        private boolean enableSslPassthrough;
        private int mirrorMaxInFlight = 100;
        private boolean localOriginNames;
        private List<HeaderEdit> addHeaders = List.of();
        private List<HeaderEdit> proxySetHeaders = List.of();

        private Builder() {}

        public Builder connectTimeout(Duration v) {
            connectTimeout = v;
            return this;
        }

        public Builder responseTimeout(Duration v) {
            responseTimeout = v;
            return this;
        }

        public Builder clientIdleTimeout(Duration v) {
            clientIdleTimeout = v;
            return this;
        }

        public Builder requestHeaderTimeout(Duration v) {
            requestHeaderTimeout = v;
            return this;
        }

        public Builder tunnelIdleTimeout(Duration v) {
            tunnelIdleTimeout = v;
            return this;
        }

        public Builder poolIdleTimeout(Duration v) {
            poolIdleTimeout = v;
            return this;
        }

        public Builder maxConnectionsPerEndpoint(int v) {
            maxConnectionsPerEndpoint = v;
            return this;
        }

        public Builder maxIdlePerEndpoint(int v) {
            maxIdlePerEndpoint = v;
            return this;
        }

        public Builder maxInitialLineLength(int v) {
            maxInitialLineLength = v;
            return this;
        }

        public Builder maxHeaderSize(int v) {
            maxHeaderSize = v;
            return this;
        }

        public Builder maxRequestBodyBytes(long v) {
            maxRequestBodyBytes = v;
            return this;
        }

        public Builder connectAttempts(int v) {
            connectAttempts = v;
            return this;
        }

        public Builder loadBalancing(LoadBalancing v) {
            loadBalancing = v;
            return this;
        }

        public Builder accessLog(AccessLogFormat v) {
            accessLog = v;
            return this;
        }

        public Builder hsts(@Nullable String v) {
            hsts = v;
            return this;
        }

        public Builder trustedProxies(TrustedProxies v) {
            trustedProxies = v;
            return this;
        }

        public Builder proxyProtocol(boolean v) {
            proxyProtocol = v;
            return this;
        }

        public Builder underscoresInHeaders(boolean v) {
            underscoresInHeaders = v;
            return this;
        }

        public Builder upgradeProtocols(Set<String> v) {
            upgradeProtocols = v;
            return this;
        }

        public Builder clientBodyTimeout(Duration v) {
            clientBodyTimeout = v;
            return this;
        }

        public Builder clientBodyBufferSize(int v) {
            clientBodyBufferSize = v;
            return this;
        }

        public Builder clientBodyTempDir(Path v) {
            clientBodyTempDir = v;
            return this;
        }

        public Builder clientBodyTempMaxBytes(long v) {
            clientBodyTempMaxBytes = v;
            return this;
        }

        /** Sets the three outlier settings at once. */
        public Builder outlierDetection(OutlierDetection v) {
            outlierConsecutiveFailures = v.consecutiveFailures();
            outlierBaseEjectionTime = v.baseEjectionTime();
            outlierMaxEjectionPercent = v.maxEjectionPercent();
            return this;
        }

        public Builder outlierConsecutiveFailures(int v) {
            outlierConsecutiveFailures = v;
            return this;
        }

        public Builder outlierBaseEjectionTime(Duration v) {
            outlierBaseEjectionTime = v;
            return this;
        }

        public Builder outlierMaxEjectionPercent(int v) {
            outlierMaxEjectionPercent = v;
            return this;
        }

        public Builder http2MaxConcurrentStreams(int v) {
            http2MaxConcurrentStreams = v;
            return this;
        }

        public Builder retryOn(Set<RetryOn> v) {
            retryOn = v;
            return this;
        }

        public Builder retryTries(int v) {
            retryTries = v;
            return this;
        }

        public Builder retryTimeout(Duration v) {
            retryTimeout = v;
            return this;
        }

        public Builder retryBudgetPercent(int v) {
            retryBudgetPercent = v;
            return this;
        }

        public Builder retryBudgetMinPerSecond(int v) {
            retryBudgetMinPerSecond = v;
            return this;
        }

        public Builder limitReqStatusCode(int v) {
            limitReqStatusCode = v;
            return this;
        }

        public Builder limitConnStatusCode(int v) {
            limitConnStatusCode = v;
            return this;
        }

        public Builder enableSslPassthrough(boolean v) {
            enableSslPassthrough = v;
            return this;
        }

        public Builder mirrorMaxInFlight(int v) {
            mirrorMaxInFlight = v;
            return this;
        }

        public Builder localOriginNames(boolean v) {
            localOriginNames = v;
            return this;
        }

        public Builder addHeaders(List<HeaderEdit> v) {
            addHeaders = v;
            return this;
        }

        public Builder proxySetHeaders(List<HeaderEdit> v) {
            proxySetHeaders = v;
            return this;
        }

        /** Validates and builds; throws {@link IllegalArgumentException} naming the bad setting. */
        public ProxySettings build() {
            return new ProxySettings(
                    connectTimeout,
                    responseTimeout,
                    clientIdleTimeout,
                    requestHeaderTimeout,
                    tunnelIdleTimeout,
                    poolIdleTimeout,
                    maxConnectionsPerEndpoint,
                    maxIdlePerEndpoint,
                    maxInitialLineLength,
                    maxHeaderSize,
                    maxRequestBodyBytes,
                    connectAttempts,
                    loadBalancing,
                    accessLog,
                    hsts,
                    trustedProxies,
                    proxyProtocol,
                    underscoresInHeaders,
                    upgradeProtocols,
                    clientBodyTimeout,
                    clientBodyBufferSize,
                    clientBodyTempDir,
                    clientBodyTempMaxBytes,
                    outlierConsecutiveFailures,
                    outlierBaseEjectionTime,
                    outlierMaxEjectionPercent,
                    http2MaxConcurrentStreams,
                    retryOn,
                    retryTries,
                    retryTimeout,
                    retryBudgetPercent,
                    retryBudgetMinPerSecond,
                    limitReqStatusCode,
                    limitConnStatusCode,
                    enableSslPassthrough,
                    mirrorMaxInFlight,
                    localOriginNames,
                    addHeaders,
                    proxySetHeaders);
        }
    }
}
