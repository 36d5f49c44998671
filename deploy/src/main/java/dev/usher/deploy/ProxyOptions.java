package dev.usher.deploy;

import dev.usher.proxy.ProxySettings;
import dev.usher.proxy.TrustedProxies;
import dev.usher.routing.HeaderEdit;
import dev.usher.routing.RetryOn;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The data plane's timeouts, limits and pool knobs as flags of {@code usher run} and {@code usher demo}; unset flags
 * keep {@link ProxySettings#defaults()}.
 *
 * <p>One source: {@link #FLAGS} is the only place a data-plane flag is declared. Each {@link ProxyFlag} names its
 * flag, the {@link ProxySettings} component it sets, its help text and parser, and how it goes onto the builder; the
 * default in {@code --help} is read from {@link ProxySettings#defaults()}, and validation stays in the record's
 * constructor. The flags are registered with picocli's programmatic API ({@link #addTo}), so there are no annotated
 * fields to keep in step, and the parsed values stay in the {@link OptionSpec}s until {@link #toSettings()}.
 * {@code CommandLineTest} fails when a setting has no flag or a flag no setting. A new setting: add the record
 * component (with its default and check) in proxy-core, one entry here, and a row in proxy-core/README.md.
 */
final class ProxyOptions {

    private static final Converters.DurationConverter DURATION = new Converters.DurationConverter();
    private static final Converters.SizeConverter SIZE = new Converters.SizeConverter();

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static final Class<List<String>> STRINGS = (Class) List.class;
    /** The split of a flag whose every value is one whole field (a field value holds commas): never splits. */
    private static final String ONE_PER_FLAG = "\\n";

    /** Every data-plane flag, in the order {@code --help} lists them. */
    static final List<ProxyFlag<?>> FLAGS = List.of(
            ProxyFlag.of(
                    "--connect-timeout",
                    "connectTimeout",
                    "DURATION",
                    Duration.class,
                    DURATION,
                    ProxySettings.Builder::connectTimeout,
                    "Origin TCP connect timeout (default: ${DEFAULT-VALUE})."),
            ProxyFlag.of(
                    "--response-timeout",
                    "responseTimeout",
                    "DURATION",
                    Duration.class,
                    DURATION,
                    ProxySettings.Builder::responseTimeout,
                    "Request fully sent to first response byte; 504 after (default: ${DEFAULT-VALUE})."),
            ProxyFlag.of(
                    "--client-idle-timeout",
                    "clientIdleTimeout",
                    "DURATION",
                    Duration.class,
                    DURATION,
                    ProxySettings.Builder::clientIdleTimeout,
                    "Idle keep-alive client connections close after (default: ${DEFAULT-VALUE})."),
            ProxyFlag.of(
                    "--request-header-timeout",
                    "requestHeaderTimeout",
                    "DURATION",
                    Duration.class,
                    DURATION,
                    ProxySettings.Builder::requestHeaderTimeout,
                    "A request head must arrive within (slow-loris guard; default: ${DEFAULT-VALUE})."),
            ProxyFlag.of(
                    "--tunnel-idle-timeout",
                    "tunnelIdleTimeout",
                    "DURATION",
                    Duration.class,
                    DURATION,
                    ProxySettings.Builder::tunnelIdleTimeout,
                    "Idle WebSocket/upgrade tunnels close after (default: ${DEFAULT-VALUE})."),
            ProxyFlag.of(
                    "--pool-idle-timeout",
                    "poolIdleTimeout",
                    "DURATION",
                    Duration.class,
                    DURATION,
                    ProxySettings.Builder::poolIdleTimeout,
                    "Pooled idle origin connections close after (default: ${DEFAULT-VALUE})."),
            ProxyFlag.of(
                    "--max-connections-per-endpoint",
                    "maxConnectionsPerEndpoint",
                    "N",
                    Integer.class,
                    null,
                    ProxySettings.Builder::maxConnectionsPerEndpoint,
                    "Origin connections per endpoint and event loop (default: ${DEFAULT-VALUE})."),
            ProxyFlag.of(
                    "--max-idle-per-endpoint",
                    "maxIdlePerEndpoint",
                    "N",
                    Integer.class,
                    null,
                    ProxySettings.Builder::maxIdlePerEndpoint,
                    "Idle pooled connections per endpoint and event loop (default: ${DEFAULT-VALUE})."),
            ProxyFlag.of(
                    "--max-initial-line-length",
                    "maxInitialLineLength",
                    "BYTES",
                    Long.class,
                    SIZE,
                    (b, v) -> b.maxInitialLineLength(Math.toIntExact(v)),
                    "Longest request line; longer gets 414 (default: ${DEFAULT-VALUE})."),
            ProxyFlag.of(
                    "--max-header-size",
                    "maxHeaderSize",
                    "BYTES",
                    Long.class,
                    SIZE,
                    (b, v) -> b.maxHeaderSize(Math.toIntExact(v)),
                    "Largest request header block; larger gets 431 (default: ${DEFAULT-VALUE})."),
            ProxyFlag.of(
                    "--max-request-body",
                    "maxRequestBodyBytes",
                    "BYTES",
                    Long.class,
                    SIZE,
                    ProxySettings.Builder::maxRequestBodyBytes,
                    "Largest request body, 0 = unlimited; larger gets 413 (default: ${DEFAULT-VALUE}, "
                            + "ingress-nginx's proxy-body-size)."),
            ProxyFlag.of(
                    "--connect-attempts",
                    "connectAttempts",
                    "N",
                    Integer.class,
                    null,
                    ProxySettings.Builder::connectAttempts,
                    "Endpoints tried when connects fail (default: ${DEFAULT-VALUE})."),
            ProxyFlag.of(
                    "--load-balancing",
                    "loadBalancing",
                    "round-robin|least-request",
                    ProxySettings.LoadBalancing.class,
                    new Converters.LoadBalancingConverter(),
                    ProxySettings.Builder::loadBalancing,
                    "How an endpoint is picked (default: ${DEFAULT-VALUE})."),
            ProxyFlag.of(
                    "--access-log",
                    "accessLog",
                    "text|json|off",
                    ProxySettings.AccessLogFormat.class,
                    new Converters.AccessLogConverter(),
                    ProxySettings.Builder::accessLog,
                    "Access log line format, on logger dev.usher.access (default: ${DEFAULT-VALUE})."),
            ProxyFlag.of(
                    "--hsts",
                    "hsts",
                    "VALUE",
                    String.class,
                    null,
                    ProxySettings.Builder::hsts,
                    "Strict-Transport-Security value added to HTTPS responses that lack one, "
                            + "e.g. 'max-age=31536000; includeSubDomains' (default: none)."),
            ProxyFlag.of(
                    "--trusted-proxies",
                    "trustedProxies",
                    "CIDR[,CIDR...]",
                    TrustedProxies.class,
                    new Converters.TrustedProxiesConverter(),
                    ProxySettings.Builder::trustedProxies,
                    "Peers (e.g. the load balancer's range) whose X-Forwarded-* headers are believed; the client "
                            + "is then the right-most X-Forwarded-For address that is not trusted. Anyone else's "
                            + "forwarding headers are replaced (default: ${DEFAULT-VALUE})."),
            ProxyFlag.onOff(
                    "--proxy-protocol",
                    "proxyProtocol",
                    ProxySettings.Builder::proxyProtocol,
                    "Every connection to the HTTP and HTTPS listeners starts with a PROXY protocol v1/v2 header "
                            + "naming the client, as a load balancer in front sends it; a connection without a valid "
                            + "one is closed. Off by default; turn it on only when nothing else can reach the "
                            + "listeners."),
            ProxyFlag.onOff(
                    "--enable-underscores-in-headers",
                    "underscoresInHeaders",
                    ProxySettings.Builder::underscoresInHeaders,
                    "Forward request header fields whose names contain '_' (dropped by default, as nginx does); an "
                            + "underscored twin of a field Usher sets (X_Forwarded_For, ssl_client_verify) is dropped "
                            + "either way."),
            new ProxyFlag<>(
                    "--add-header",
                    "addHeaders",
                    "'NAME: VALUE'",
                    "A field set on every response, replacing the origin's, before an Ingress's own snippet "
                            + "edits (repeatable; an empty value removes the field; ingress-nginx's add-headers "
                            + "ConfigMap).",
                    STRINGS,
                    null,
                    ONE_PER_FLAG,
                    (b, v) -> b.addHeaders(fields("--add-header", v))),
            new ProxyFlag<>(
                    "--proxy-set-header",
                    "proxySetHeaders",
                    "'NAME: VALUE'",
                    "A field set on every request sent to an origin, after Usher's forwarding fields and before "
                            + "an Ingress's own (repeatable; an empty value removes the field; not Host; "
                            + "ingress-nginx's proxy-set-headers ConfigMap).",
                    STRINGS,
                    null,
                    ONE_PER_FLAG,
                    (b, v) -> b.proxySetHeaders(fields("--proxy-set-header", v))),
            new ProxyFlag<>(
                    "--upgrade-protocols",
                    "upgradeProtocols",
                    "LIST",
                    "Upgrade protocols tunnelled after a 101; others, and always h2c, go on as plain requests "
                            + "(default: ${DEFAULT-VALUE}).",
                    STRINGS,
                    null,
                    ",",
                    (b, v) -> b.upgradeProtocols(v.stream()
                            .map(p -> p.trim().toLowerCase(Locale.ROOT))
                            .collect(Collectors.toSet()))),
            ProxyFlag.of(
                    "--client-body-timeout",
                    "clientBodyTimeout",
                    "DURATION",
                    Duration.class,
                    DURATION,
                    ProxySettings.Builder::clientBodyTimeout,
                    "Longest pause between two reads of a request body; 408 after (default: ${DEFAULT-VALUE})."),
            ProxyFlag.of(
                    "--client-body-buffer-size",
                    "clientBodyBufferSize",
                    "BYTES",
                    Long.class,
                    SIZE,
                    (b, v) -> b.clientBodyBufferSize(Math.toIntExact(v)),
                    "Request bodies up to this size are buffered in memory, larger ones in a temporary file "
                            + "(default: ${DEFAULT-VALUE})."),
            ProxyFlag.of(
                    "--client-body-temp-dir",
                    "clientBodyTempDir",
                    "DIR",
                    Path.class,
                    null,
                    ProxySettings.Builder::clientBodyTempDir,
                    "Where request bodies larger than the memory buffer are buffered (default: ${DEFAULT-VALUE})."),
            ProxyFlag.of(
                    "--client-body-temp-max",
                    "clientBodyTempMaxBytes",
                    "BYTES",
                    Long.class,
                    SIZE,
                    ProxySettings.Builder::clientBodyTempMaxBytes,
                    "Most bytes all buffered body files may hold, 0 = no limit; a body past it gets 503 "
                            + "(default: ${DEFAULT-VALUE})."),
            ProxyFlag.of(
                    "--outlier-consecutive-failures",
                    "outlierConsecutiveFailures",
                    "N",
                    Integer.class,
                    null,
                    ProxySettings.Builder::outlierConsecutiveFailures,
                    "Connect failures, resets or 502/503/504 in a row that eject an endpoint for a while, 0 = off "
                            + "(default: ${DEFAULT-VALUE})."),
            ProxyFlag.of(
                    "--outlier-base-ejection-time",
                    "outlierBaseEjectionTime",
                    "DURATION",
                    Duration.class,
                    DURATION,
                    ProxySettings.Builder::outlierBaseEjectionTime,
                    "How long a first ejection lasts; each further one lasts that many times longer, at most 10 "
                            + "times (default: ${DEFAULT-VALUE})."),
            ProxyFlag.of(
                    "--outlier-max-ejection-percent",
                    "outlierMaxEjectionPercent",
                    "PERCENT",
                    Integer.class,
                    null,
                    ProxySettings.Builder::outlierMaxEjectionPercent,
                    "Most endpoints of a Service ejected at once, in percent, but at least one while another is not "
                            + "ejected (default: ${DEFAULT-VALUE})."),
            ProxyFlag.of(
                    "--http2-max-concurrent-streams",
                    "http2MaxConcurrentStreams",
                    "N",
                    Integer.class,
                    null,
                    ProxySettings.Builder::http2MaxConcurrentStreams,
                    "Streams an HTTP/2 client may have open on one connection (default: ${DEFAULT-VALUE})."),
            new ProxyFlag<>(
                    "--proxy-next-upstream",
                    "retryOn",
                    "LIST",
                    "Failures after which a request is tried on the next endpoint, as ingress-nginx's "
                            + "proxy-next-upstream: error, timeout, invalid_header, http_500, http_502, http_503, "
                            + "http_504, http_403, http_404, http_429, non_idempotent, or off "
                            + "(default: ${DEFAULT-VALUE}).",
                    STRINGS,
                    null,
                    ",",
                    (b, v) -> b.retryOn(RetryOn.parse(String.join(",", v)))),
            ProxyFlag.of(
                    "--proxy-next-upstream-tries",
                    "retryTries",
                    "N",
                    Integer.class,
                    null,
                    ProxySettings.Builder::retryTries,
                    "Most attempts per request, the first included; 0 = every endpoint once "
                            + "(default: ${DEFAULT-VALUE})."),
            ProxyFlag.of(
                    "--proxy-next-upstream-timeout",
                    "retryTimeout",
                    "DURATION",
                    Duration.class,
                    DURATION,
                    ProxySettings.Builder::retryTimeout,
                    "No retry starts once this long has passed since the first attempt, 0 = no limit "
                            + "(default: ${DEFAULT-VALUE})."),
            ProxyFlag.of(
                    "--retry-budget-percent",
                    "retryBudgetPercent",
                    "PERCENT",
                    Integer.class,
                    null,
                    ProxySettings.Builder::retryBudgetPercent,
                    "Retries to a Service beyond the minimum, as a share of its requests, per event loop over 10 s "
                            + "(default: ${DEFAULT-VALUE})."),
            ProxyFlag.of(
                    "--retry-budget-min-per-second",
                    "retryBudgetMinPerSecond",
                    "N",
                    Integer.class,
                    null,
                    ProxySettings.Builder::retryBudgetMinPerSecond,
                    "Retries a second each event loop may make to a Service whatever its traffic "
                            + "(default: ${DEFAULT-VALUE})."),
            ProxyFlag.of(
                    "--limit-req-status-code",
                    "limitReqStatusCode",
                    "STATUS",
                    Integer.class,
                    null,
                    ProxySettings.Builder::limitReqStatusCode,
                    "Status of a request refused by an Ingress's limit-rps or limit-rpm, 400-599 "
                            + "(default: ${DEFAULT-VALUE}, as ingress-nginx's limit-req-status-code)."),
            ProxyFlag.of(
                    "--limit-conn-status-code",
                    "limitConnStatusCode",
                    "STATUS",
                    Integer.class,
                    null,
                    ProxySettings.Builder::limitConnStatusCode,
                    "Status of a request refused by an Ingress's limit-connections, 400-599 "
                            + "(default: ${DEFAULT-VALUE}, as ingress-nginx's limit-conn-status-code)."),
            ProxyFlag.onOff(
                    "--enable-ssl-passthrough",
                    "enableSslPassthrough",
                    ProxySettings.Builder::enableSslPassthrough,
                    "The HTTPS listener reads each TLS ClientHello and passes connections for hosts whose Ingress "
                            + "says nginx.ingress.kubernetes.io/ssl-passthrough: \"true\" to their backend unopened; "
                            + "other names are terminated as usual. Off by default, as in ingress-nginx."),
            ProxyFlag.of(
                    "--mirror-max-in-flight",
                    "mirrorMaxInFlight",
                    "N",
                    Integer.class,
                    null,
                    ProxySettings.Builder::mirrorMaxInFlight,
                    "Mirror requests (an Ingress's nginx.ingress.kubernetes.io/mirror-target) each event loop may "
                            + "have in flight; past it a request is not mirrored, and counted; 0 turns mirroring off "
                            + "(default: ${DEFAULT-VALUE})."),
            ProxyFlag.onOff(
                    "--allow-local-origin-names",
                    "localOriginNames",
                    ProxySettings.Builder::localOriginNames,
                    "Let host names of origins (ExternalName Services), auth-url and mirror targets resolve to "
                            + "loopback, unspecified or link-local addresses, and auth-url and mirror targets be "
                            + "such addresses. Off by default in cluster mode, so no "
                            + "Service can point Usher at its own admin port; always on with --manifests."));

    private final Map<ProxyFlag<?>, OptionSpec> options = new LinkedHashMap<>();

    /**
     * Adds every flag to {@code spec}. Called from the command's {@code @Spec} method, which picocli runs after the
     * command's annotated options and before its standard help options, so help lists them where the annotated
     * mixin used to be.
     */
    void addTo(CommandSpec spec) {
        for (ProxyFlag<?> flag : FLAGS) {
            OptionSpec option = flag.toOption();
            spec.addOption(option);
            options.put(flag, option);
        }
    }

    /**
     * {@code Name: value} fields of a repeatable flag: set, or cleared for an empty value; values are sent as written
     * ({@code $} is no variable here).
     */
    static List<HeaderEdit> fields(String flag, List<String> values) {
        List<HeaderEdit> edits = new ArrayList<>();
        for (String text : values) {
            int colon = text.indexOf(':');
            String name = colon < 0 ? "" : text.substring(0, colon).strip();
            String value = colon < 0 ? "" : text.substring(colon + 1).strip();
            String problem = colon <= 0 ? "expected 'Name: value'" : HeaderEdit.nameProblem(name);
            if (problem == null && !value.isEmpty()) {
                problem = HeaderEdit.valueProblem(value);
            }
            if (problem != null) {
                throw new IllegalArgumentException(
                        flag + " " + text.replaceAll("[^\\x20-\\x7e]", "?") + ": " + problem);
            }
            edits.add(new HeaderEdit(
                    name,
                    value.isEmpty() ? null : value,
                    value.isEmpty() ? HeaderEdit.Mode.CLEAR : HeaderEdit.Mode.SET));
        }
        return edits;
    }

    /** The defaults with every given flag applied; invalid values fail with the record's message. */
    ProxySettings toSettings() {
        ProxySettings.Builder b = ProxySettings.defaults().toBuilder();
        options.forEach((flag, option) -> flag.applyTo(b, option));
        return b.build();
    }
}
