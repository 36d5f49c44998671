package dev.usher.deploy;

import dev.usher.proxy.OutlierDetection;
import dev.usher.proxy.ProxySettings;
import dev.usher.proxy.TrustedProxies;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;

/** The data plane's timeouts, limits and pool knobs as flags; unset flags keep {@link ProxySettings#defaults()}. */
final class ProxyOptions {

    @Option(names = "--connect-timeout", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "Origin TCP connect timeout (default: ${DEFAULT-VALUE}).")
    Duration connectTimeout;

    @Option(names = "--response-timeout", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "Request fully sent to first response byte; 504 after (default: ${DEFAULT-VALUE}).")
    Duration responseTimeout;

    @Option(names = "--client-idle-timeout", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "Idle keep-alive client connections close after (default: ${DEFAULT-VALUE}).")
    Duration clientIdleTimeout;

    @Option(names = "--request-header-timeout", paramLabel = "DURATION",
            converter = Converters.DurationConverter.class,
            description = "A request head must arrive within (slow-loris guard; default: ${DEFAULT-VALUE}).")
    Duration requestHeaderTimeout;

    @Option(names = "--tunnel-idle-timeout", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "Idle WebSocket/upgrade tunnels close after (default: ${DEFAULT-VALUE}).")
    Duration tunnelIdleTimeout;

    @Option(names = "--pool-idle-timeout", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "Pooled idle origin connections close after (default: ${DEFAULT-VALUE}).")
    Duration poolIdleTimeout;

    @Option(names = "--max-connections-per-endpoint", paramLabel = "N",
            description = "Origin connections per endpoint and event loop (default: ${DEFAULT-VALUE}).")
    Integer maxConnectionsPerEndpoint;

    @Option(names = "--max-idle-per-endpoint", paramLabel = "N",
            description = "Idle pooled connections per endpoint and event loop (default: ${DEFAULT-VALUE}).")
    Integer maxIdlePerEndpoint;

    @Option(names = "--max-initial-line-length", paramLabel = "BYTES", converter = Converters.SizeConverter.class,
            description = "Longest request line; longer gets 414 (default: ${DEFAULT-VALUE}).")
    Long maxInitialLineLength;

    @Option(names = "--max-header-size", paramLabel = "BYTES", converter = Converters.SizeConverter.class,
            description = "Largest request header block; larger gets 431 (default: ${DEFAULT-VALUE}).")
    Long maxHeaderSize;

    @Option(names = "--max-request-body", paramLabel = "BYTES", converter = Converters.SizeConverter.class,
            description = "Largest request body, 0 = unlimited; larger gets 413 (default: ${DEFAULT-VALUE}, "
                    + "ingress-nginx's proxy-body-size).")
    Long maxRequestBody;

    @Option(names = "--connect-attempts", paramLabel = "N",
            description = "Endpoints tried when connects fail (default: ${DEFAULT-VALUE}).")
    Integer connectAttempts;

    @Option(names = "--load-balancing", paramLabel = "round-robin|least-request",
            converter = Converters.LoadBalancingConverter.class,
            description = "How an endpoint is picked (default: ${DEFAULT-VALUE}).")
    ProxySettings.LoadBalancing loadBalancing;

    @Option(names = "--access-log", paramLabel = "text|json|off", converter = Converters.AccessLogConverter.class,
            description = "Access log line format, on logger dev.usher.access (default: ${DEFAULT-VALUE}).")
    ProxySettings.AccessLogFormat accessLog;

    @Option(names = "--hsts", paramLabel = "VALUE",
            description = "Strict-Transport-Security value added to HTTPS responses that lack one, "
                    + "e.g. 'max-age=31536000; includeSubDomains' (default: none).")
    String hsts;

    @Option(names = "--trusted-proxies", paramLabel = "CIDR[,CIDR...]",
            converter = Converters.TrustedProxiesConverter.class,
            description = "Peers (e.g. the load balancer's range) whose X-Forwarded-* headers are believed; the client "
                    + "is then the right-most X-Forwarded-For address that is not trusted. Anyone else's forwarding "
                    + "headers are replaced (default: ${DEFAULT-VALUE}).")
    TrustedProxies trustedProxies;

    @Option(names = "--proxy-protocol",
            description = "Every connection to the HTTP and HTTPS listeners starts with a PROXY protocol v1/v2 header "
                    + "naming the client, as a load balancer in front sends it; a connection without a valid one "
                    + "is closed. Off by default; turn it on only when nothing else can reach the listeners.")
    boolean proxyProtocol;

    @Option(names = "--enable-underscores-in-headers",
            description = "Forward request header fields whose names contain '_' (dropped by default, as nginx does).")
    Boolean underscoresInHeaders;

    @Option(names = "--upgrade-protocols", paramLabel = "LIST", split = ",",
            description = "Upgrade protocols tunnelled after a 101; others, and always h2c, go on as plain requests "
                    + "(default: ${DEFAULT-VALUE}).")
    List<String> upgradeProtocols;

    @Option(names = "--client-body-timeout", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "Longest pause between two reads of a request body; 408 after (default: ${DEFAULT-VALUE}).")
    Duration clientBodyTimeout;

    @Option(names = "--client-body-buffer-size", paramLabel = "BYTES", converter = Converters.SizeConverter.class,
            description = "Request bodies up to this size are buffered in memory, larger ones in a temporary file "
                    + "(default: ${DEFAULT-VALUE}).")
    Long clientBodyBufferSize;

    @Option(names = "--client-body-temp-dir", paramLabel = "DIR",
            description = "Where request bodies larger than the memory buffer are buffered (default: ${DEFAULT-VALUE}).")
    Path clientBodyTempDir;

    @Option(names = "--client-body-temp-max", paramLabel = "BYTES", converter = Converters.SizeConverter.class,
            description = "Most bytes all buffered body files may hold, 0 = no limit; a body past it gets 503 "
                    + "(default: ${DEFAULT-VALUE}).")
    Long clientBodyTempMax;

    @Option(names = "--outlier-consecutive-failures", paramLabel = "N",
            description = "Connect failures, resets or 502/503/504 in a row that eject an endpoint for a while, "
                    + "0 = off (default: ${DEFAULT-VALUE}).")
    Integer outlierConsecutiveFailures;

    @Option(names = "--outlier-base-ejection-time", paramLabel = "DURATION",
            converter = Converters.DurationConverter.class,
            description = "How long a first ejection lasts; each further one lasts that many times longer, at most "
                    + "10 times (default: ${DEFAULT-VALUE}).")
    Duration outlierBaseEjectionTime;

    @Option(names = "--outlier-max-ejection-percent", paramLabel = "PERCENT",
            description = "Most endpoints of a Service ejected at once, in percent, but at least one while another "
                    + "is not ejected (default: ${DEFAULT-VALUE}).")
    Integer outlierMaxEjectionPercent;

    /** The defaults with every given flag applied; invalid values fail with the record's message. */
    ProxySettings toSettings() {
        ProxySettings.Builder b = ProxySettings.defaults().toBuilder();
        if (connectTimeout != null) {
            b.connectTimeout(connectTimeout);
        }
        if (responseTimeout != null) {
            b.responseTimeout(responseTimeout);
        }
        if (clientIdleTimeout != null) {
            b.clientIdleTimeout(clientIdleTimeout);
        }
        if (requestHeaderTimeout != null) {
            b.requestHeaderTimeout(requestHeaderTimeout);
        }
        if (tunnelIdleTimeout != null) {
            b.tunnelIdleTimeout(tunnelIdleTimeout);
        }
        if (poolIdleTimeout != null) {
            b.poolIdleTimeout(poolIdleTimeout);
        }
        if (maxConnectionsPerEndpoint != null) {
            b.maxConnectionsPerEndpoint(maxConnectionsPerEndpoint);
        }
        if (maxIdlePerEndpoint != null) {
            b.maxIdlePerEndpoint(maxIdlePerEndpoint);
        }
        if (maxInitialLineLength != null) {
            b.maxInitialLineLength(Math.toIntExact(maxInitialLineLength));
        }
        if (maxHeaderSize != null) {
            b.maxHeaderSize(Math.toIntExact(maxHeaderSize));
        }
        if (maxRequestBody != null) {
            b.maxRequestBodyBytes(maxRequestBody);
        }
        if (connectAttempts != null) {
            b.connectAttempts(connectAttempts);
        }
        if (loadBalancing != null) {
            b.loadBalancing(loadBalancing);
        }
        if (accessLog != null) {
            b.accessLog(accessLog);
        }
        if (hsts != null) {
            b.hsts(hsts);
        }
        if (trustedProxies != null) {
            b.trustedProxies(trustedProxies);
        }
        if (proxyProtocol) {
            b.proxyProtocol(true);
        }
        if (underscoresInHeaders != null) {
            b.underscoresInHeaders(underscoresInHeaders);
        }
        if (upgradeProtocols != null) {
            b.upgradeProtocols(upgradeProtocols.stream().map(p -> p.trim().toLowerCase(Locale.ROOT))
                    .collect(Collectors.toSet()));
        }
        if (clientBodyTimeout != null) {
            b.clientBodyTimeout(clientBodyTimeout);
        }
        if (clientBodyBufferSize != null) {
            b.clientBodyBufferSize(Math.toIntExact(clientBodyBufferSize));
        }
        if (clientBodyTempDir != null) {
            b.clientBodyTempDir(clientBodyTempDir);
        }
        if (clientBodyTempMax != null) {
            b.clientBodyTempMaxBytes(clientBodyTempMax);
        }
        OutlierDetection outliers = ProxySettings.defaults().outlierDetection();
        b.outlierDetection(new OutlierDetection(
                outlierConsecutiveFailures != null ? outlierConsecutiveFailures : outliers.consecutiveFailures(),
                outlierBaseEjectionTime != null ? outlierBaseEjectionTime : outliers.baseEjectionTime(),
                outlierMaxEjectionPercent != null ? outlierMaxEjectionPercent : outliers.maxEjectionPercent()));
        return b.build();
    }
}
