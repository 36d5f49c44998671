package dev.usher.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * ingress-nginx's controller ConfigMap read as {@code usher run} flags: each key's verdict (what Usher does with it, and
 * the flags that say so) and, in the end, the one command line that carries the whole ConfigMap over. Nothing is
 * silently dropped: a key Usher has no equivalent for is reported as such.
 *
 * <p>Pure translation: no flag value is checked here beyond its shape; {@link NginxConfigMapCommand} parses each key's
 * flags as {@code usher run} would, so a value {@code usher run} would refuse is reported as invalid.
 */
final class NginxConfigMap {

    /** What becomes of a key. */
    enum Status {
        /** Carried over by the key's flags. */
        HONOURED("honoured"),
        /** Usher already behaves so: no flag needed. */
        NO_EFFECT("no effect"),
        /** Usher has no equivalent: the setting is lost. */
        UNSUPPORTED("unsupported"),
        /** A snippet: Usher never reads configuration text. */
        REFUSED("refused"),
        /** The value cannot be read. */
        INVALID("invalid");

        final String label;

        Status(String label) {
            this.label = label;
        }

        /** Whether the setting is lost in the move. */
        boolean drops() {
            return this == UNSUPPORTED || this == REFUSED || this == INVALID;
        }
    }

    /** One key of the ConfigMap: its value, what becomes of it, the flags that carry it ({@code HONOURED}), why. */
    record Key(String key, @Nullable String value, Status status, List<String> args, String note) {

        Key invalid(String why) {
            return new Key(key, value, Status.INVALID, List.of(), why);
        }
    }

    /** Every key's verdict, in the ConfigMap's order (keys that only qualify another come with it). */
    record Result(List<Key> keys) {

        /** The {@code usher run} flags of every honoured key, in order. */
        List<String> args() {
            List<String> args = new ArrayList<>();
            for (Key k : keys) {
                if (k.status() == Status.HONOURED) {
                    args.addAll(k.args());
                }
            }
            return args;
        }

        boolean dropsAnything() {
            return keys.stream().anyMatch(k -> k.status().drops());
        }
    }

    /** ingress-nginx's defaults of the HSTS keys: it sends the header unless told {@code hsts: "false"}. */
    static final String HSTS_MAX_AGE = "15724800";

    private static final Pattern SECONDS = Pattern.compile("\\d{1,9}");
    private static final Pattern NGINX_TIME = Pattern.compile("\\d{1,9}(ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("\\d{1,12}[kKmMgG]?");
    private static final Pattern BUFFERS = Pattern.compile("(\\d{1,4})\\s+(\\d{1,9}[kKmM]?)");
    private static final String RETRY_NON_IDEMPOTENT = "retry-non-idempotent";
    private static final String NGINX_TUNING = "tunes nginx itself; Usher has nothing to tune there";
    private static final String STREAMS = "Usher streams responses without buffering them";

    /** Keys whose value maps straight onto one flag, through {@code value -> flag value} (null: invalid). */
    private record Direct(String flag, Function<String, @Nullable String> convert, String note) {}

    private static final Map<String, Direct> DIRECT = Map.ofEntries(
            Map.entry("proxy-body-size", new Direct("--max-request-body", NginxConfigMap::size, "")),
            Map.entry("client-body-buffer-size", new Direct("--client-body-buffer-size", NginxConfigMap::size, "")),
            Map.entry("client-body-timeout", new Direct("--client-body-timeout", NginxConfigMap::time, "")),
            Map.entry("client-header-timeout", new Direct("--request-header-timeout", NginxConfigMap::time, "")),
            Map.entry("proxy-connect-timeout", new Direct("--connect-timeout", NginxConfigMap::time, "")),
            Map.entry(
                    "proxy-read-timeout",
                    new Direct(
                            "--response-timeout",
                            NginxConfigMap::time,
                            "Usher's bounds the wait for the first response byte; nginx's each read")),
            Map.entry("keep-alive", new Direct("--client-idle-timeout", NginxConfigMap::time, "")),
            Map.entry("upstream-keepalive-timeout", new Direct("--pool-idle-timeout", NginxConfigMap::time, "")),
            Map.entry("worker-shutdown-timeout", new Direct("--drain-timeout", NginxConfigMap::time, "")),
            Map.entry(
                    "http2-max-concurrent-streams",
                    new Direct("--http2-max-concurrent-streams", NginxConfigMap::number, "")),
            Map.entry(
                    "proxy-next-upstream-tries", new Direct("--proxy-next-upstream-tries", NginxConfigMap::number, "")),
            Map.entry(
                    "proxy-next-upstream-timeout",
                    new Direct("--proxy-next-upstream-timeout", NginxConfigMap::time, "")),
            Map.entry("limit-req-status-code", new Direct("--limit-req-status-code", NginxConfigMap::number, "")),
            Map.entry("limit-conn-status-code", new Direct("--limit-conn-status-code", NginxConfigMap::number, "")),
            Map.entry(
                    "load-balance",
                    new Direct(
                            "--load-balancing",
                            v -> switch (v) {
                                case "round_robin" -> "round-robin";
                                case "ewma" -> "least-request";
                                default -> null;
                            },
                            "ewma becomes least-request, as for the load-balance annotation")),
            Map.entry("global-auth-url", new Direct("--global-auth-url", v -> v, "")),
            Map.entry("global-auth-method", new Direct("--global-auth-method", v -> v, "")),
            Map.entry("global-auth-signin", new Direct("--global-auth-signin", v -> v, "")),
            Map.entry(
                    "global-auth-signin-redirect-param", new Direct("--global-auth-signin-redirect-param", v -> v, "")),
            Map.entry("global-auth-response-headers", new Direct("--global-auth-response-headers", v -> v, "")),
            Map.entry("global-auth-request-redirect", new Direct("--global-auth-request-redirect", v -> v, "")),
            Map.entry("global-auth-always-set-cookie", new Direct("--global-auth-always-set-cookie", v -> v, "")),
            Map.entry("global-auth-cache-key", new Direct("--global-auth-cache-key", v -> v, "")),
            Map.entry("global-auth-cache-duration", new Direct("--global-auth-cache-duration", v -> v, "")),
            Map.entry(
                    "global-allowed-response-headers",
                    new Direct("--global-allowed-response-headers", v -> v, "the fields custom-headers may set")));

    /** Keys that ask for what Usher does anyway, or tune what Usher does not have: {@code key -> why}. */
    private static final Map<String, String> NO_EFFECT = Map.ofEntries(
            Map.entry(
                    "allow-snippet-annotations",
                    "Usher reads no snippet but a configuration-snippet of header " + "directives, whatever this says"),
            Map.entry("annotations-risk-level", "Usher's annotation rules are fixed: snippets refused, values checked"),
            Map.entry("annotation-value-word-blocklist", "Usher never turns an annotation value into configuration"),
            Map.entry("strict-validate-path-type", "Usher checks every path against its pathType"),
            Map.entry("enable-annotation-validation", "Usher checks every annotation value"),
            Map.entry("generate-request-id", "Usher sends every request an X-Request-ID"),
            Map.entry("compute-full-forwarded-for", "Usher appends to a trusted proxy's X-Forwarded-For"),
            Map.entry(
                    "upstream-keepalive-connections",
                    "Usher bounds idle origin connections per endpoint "
                            + "(--max-idle-per-endpoint) instead of per worker"),
            Map.entry("proxy-buffering", STREAMS),
            Map.entry("proxy-buffer-size", STREAMS),
            Map.entry("proxy-buffers-number", STREAMS),
            Map.entry("proxy-busy-buffers-size", STREAMS),
            Map.entry("proxy-max-temp-file-size", STREAMS),
            Map.entry("proxy-http-version", "Usher speaks HTTP/1.1 to origins"),
            Map.entry("worker-connections", NGINX_TUNING),
            Map.entry("max-worker-connections", NGINX_TUNING),
            Map.entry("max-worker-open-files", NGINX_TUNING),
            Map.entry("worker-cpu-affinity", NGINX_TUNING),
            Map.entry("reuse-port", NGINX_TUNING),
            Map.entry("server-name-hash-bucket-size", NGINX_TUNING),
            Map.entry("server-name-hash-max-size", NGINX_TUNING),
            Map.entry("proxy-headers-hash-bucket-size", NGINX_TUNING),
            Map.entry("proxy-headers-hash-max-size", NGINX_TUNING),
            Map.entry("variables-hash-bucket-size", NGINX_TUNING),
            Map.entry("variables-hash-max-size", NGINX_TUNING),
            Map.entry("map-hash-bucket-size", NGINX_TUNING),
            Map.entry("error-log-level", "Usher logs through slf4j (its own level)"),
            Map.entry("error-log-path", "Usher logs to standard output"),
            Map.entry("access-log-path", "Usher logs to standard output"));

    /** Keys Usher has no equivalent for: {@code key -> what it would take}. */
    private static final Map<String, String> UNSUPPORTED = Map.ofEntries(
            Map.entry("use-gzip", "Usher does not compress responses"),
            Map.entry("gzip-level", "Usher does not compress responses"),
            Map.entry("gzip-min-length", "Usher does not compress responses"),
            Map.entry("gzip-types", "Usher does not compress responses"),
            Map.entry("enable-brotli", "Usher does not compress responses"),
            Map.entry("brotli-level", "Usher does not compress responses"),
            Map.entry("brotli-types", "Usher does not compress responses"),
            Map.entry("ssl-ciphers", "Usher's TLS cipher suites are fixed"),
            Map.entry("ssl-ecdh-curve", "Usher's TLS groups are fixed"),
            Map.entry("ssl-dh-param", "Usher offers no finite-field Diffie-Hellman"),
            Map.entry("ssl-session-cache", "Usher's TLS session cache is fixed"),
            Map.entry("ssl-session-cache-size", "Usher's TLS session cache is fixed"),
            Map.entry("ssl-session-tickets", "Usher's TLS session tickets are fixed"),
            Map.entry("ssl-session-timeout", "Usher's TLS session cache is fixed"),
            Map.entry("ssl-buffer-size", "Usher's TLS record size is fixed"),
            Map.entry("enable-ocsp", "Usher does not staple OCSP responses"),
            Map.entry("proxy-send-timeout", "Usher has no timeout between two writes to the origin"),
            Map.entry("keep-alive-requests", "Usher keeps a client connection for any number of requests"),
            Map.entry("upstream-keepalive-requests", "Usher reuses an origin connection for any number of requests"),
            Map.entry("log-format-upstream", "Usher's access log lines have a fixed text or JSON form"),
            Map.entry("log-format-stream", "Usher's access log lines have a fixed text or JSON form"),
            Map.entry("skip-access-log-urls", "Usher logs every request, or none of an Ingress's"),
            Map.entry("hide-headers", "per Ingress, a configuration-snippet of more_clear_headers lines"),
            Map.entry("custom-http-errors", "per Ingress, the custom-http-errors annotation"),
            Map.entry("whitelist-source-range", "per Ingress, the allowlist-source-range annotation"),
            Map.entry("allowlist-source-range", "per Ingress, the allowlist-source-range annotation"),
            Map.entry("denylist-source-range", "per Ingress, the denylist-source-range annotation"),
            Map.entry("block-cidrs", "per Ingress, the denylist-source-range annotation"),
            Map.entry("block-user-agents", "Usher cannot refuse requests by User-Agent"),
            Map.entry("block-referers", "Usher cannot refuse requests by Referer"),
            Map.entry("enable-opentelemetry", "Usher exports no traces"),
            Map.entry("enable-modsecurity", "Usher has no web application firewall"),
            Map.entry("enable-owasp-modsecurity-crs", "Usher has no web application firewall"),
            Map.entry("server-tokens", "Usher sends no Server field of its own"),
            Map.entry("forwarded-for-header", "Usher reads and writes X-Forwarded-For"),
            Map.entry("default-ssl-certificate", "the --default-ssl-certificate flag"));

    private static final Set<String> SNIPPETS = Set.of(
            "main-snippet",
            "http-snippet",
            "server-snippet",
            "location-snippet",
            "stream-snippet",
            "global-auth-snippet");

    private NginxConfigMap() {}

    /**
     * The verdicts of {@code data} (the controller ConfigMap's), with {@code others} (more ConfigMaps, by
     * {@code namespace/name}) to resolve {@code add-headers} and {@code proxy-set-headers}.
     */
    static Result translate(Map<String, String> data, Map<String, Map<String, String>> others) {
        List<Key> keys = new ArrayList<>();
        boolean hstsSeen = false;
        for (Map.Entry<String, String> e : data.entrySet()) {
            String key = e.getKey();
            String value = e.getValue() == null ? "" : e.getValue().strip();
            Key verdict = key(key, value, data, others);
            if (verdict == null) {
                continue; // qualifies another key, reported with it
            }
            hstsSeen |= key.equals("hsts");
            keys.add(verdict);
        }
        if (!hstsSeen) {
            keys.add(hsts(null, data)); // on by default in ingress-nginx: carried over unless it said "false"
        }
        return new Result(List.copyOf(keys));
    }

    private static @Nullable Key key(
            String key, String value, Map<String, String> data, Map<String, Map<String, String>> others) {
        Direct direct = DIRECT.get(key);
        if (direct != null) {
            String flagValue = direct.convert().apply(value);
            return flagValue == null
                    ? new Key(key, value, Status.INVALID, List.of(), "not a value " + direct.flag() + " can take")
                    : new Key(key, value, Status.HONOURED, List.of(direct.flag(), flagValue), direct.note());
        }
        String noEffect = NO_EFFECT.get(key);
        if (noEffect != null) {
            return new Key(key, value, Status.NO_EFFECT, List.of(), noEffect);
        }
        String unsupported = UNSUPPORTED.get(key);
        if (unsupported != null) {
            return new Key(key, value, Status.UNSUPPORTED, List.of(), unsupported);
        }
        if (SNIPPETS.contains(key)) {
            return new Key(key, value, Status.REFUSED, List.of(), "Usher never reads nginx configuration text");
        }
        return switch (key) {
            case "hsts" -> hsts(value, data);
            case "hsts-max-age", "hsts-include-subdomains", "hsts-preload" -> null; // with hsts
            case "use-forwarded-headers" -> trustedProxies(value, data);
            case "proxy-real-ip-cidr" ->
                flag(data, "use-forwarded-headers") || flag(data, "use-proxy-protocol")
                        ? null // with use-forwarded-headers, or the PROXY protocol's peers
                        : new Key(key, value, Status.NO_EFFECT, List.of(), "used only with use-forwarded-headers");
            case "use-proxy-protocol" -> onOff(key, value, "--proxy-protocol");
            case "enable-underscores-in-headers" -> onOff(key, value, "--enable-underscores-in-headers");
            case "disable-access-log" ->
                switch (value) {
                    case "true" -> new Key(key, value, Status.HONOURED, List.of("--access-log", "off"), "");
                    case "false" -> new Key(key, value, Status.NO_EFFECT, List.of(), "Usher logs every request");
                    default -> new Key(key, value, Status.INVALID, List.of(), "expected \"true\" or \"false\"");
                };
            case "log-format-escape-json" ->
                switch (value) {
                    case "true" ->
                        flag(data, "disable-access-log")
                                ? new Key(key, value, Status.NO_EFFECT, List.of(), "the access log is off")
                                : new Key(key, value, Status.HONOURED, List.of("--access-log", "json"), "");
                    case "false" -> new Key(key, value, Status.NO_EFFECT, List.of(), "Usher's text lines");
                    default -> new Key(key, value, Status.INVALID, List.of(), "expected \"true\" or \"false\"");
                };
            case "proxy-next-upstream" -> {
                String list = String.join(",", value.split("\\s+"));
                boolean nonIdempotent = flag(data, RETRY_NON_IDEMPOTENT);
                yield value.isEmpty()
                        ? new Key(key, value, Status.INVALID, List.of(), "empty")
                        : new Key(
                                key,
                                value,
                                Status.HONOURED,
                                List.of("--proxy-next-upstream", nonIdempotent ? list + ",non_idempotent" : list),
                                nonIdempotent ? "with retry-non-idempotent" : "");
            }
            case RETRY_NON_IDEMPOTENT ->
                switch (value) {
                    case "true" ->
                        data.containsKey("proxy-next-upstream")
                                ? null // with proxy-next-upstream
                                : new Key(
                                        key,
                                        value,
                                        Status.HONOURED,
                                        List.of("--proxy-next-upstream", "error,timeout,non_idempotent"),
                                        "ingress-nginx's proxy-next-upstream default, with non_idempotent");
                    case "false" -> new Key(key, value, Status.NO_EFFECT, List.of(), "Usher retries no POST either");
                    default -> new Key(key, value, Status.INVALID, List.of(), "expected \"true\" or \"false\"");
                };
            case "large-client-header-buffers" -> headerBuffers(key, value);
            case "worker-processes" ->
                value.equals("auto")
                        ? new Key(key, value, Status.NO_EFFECT, List.of(), "Usher runs an event loop per processor")
                        : SECONDS.matcher(value).matches() && !value.equals("0")
                                ? new Key(key, value, Status.HONOURED, List.of("--event-loops", value), "")
                                : new Key(key, value, Status.INVALID, List.of(), "expected auto or a count");
            case "ssl-protocols" -> sslProtocols(key, value);
            case "use-http2" -> fixed(key, value, "true", "Usher offers HTTP/2 over TLS by ALPN, always");
            case "ssl-redirect" ->
                fixed(
                        key,
                        value,
                        "true",
                        "Usher redirects spec.tls hosts to HTTPS; per Ingress, nginx.ingress.kubernetes.io/"
                                + "ssl-redirect: \"false\" turns it off");
            case "http-redirect-code" -> fixed(key, value, "308", "Usher's HTTPS redirects are 308");
            case "ignore-invalid-headers" -> fixed(key, value, "true", "Usher forwards no invalid field name");
            case "add-headers" -> fields(key, value, others, "--add-header");
            case "proxy-set-headers" -> fields(key, value, others, "--proxy-set-header");
            default ->
                new Key(
                        key,
                        value,
                        Status.UNSUPPORTED,
                        List.of(),
                        "not carried over (not a key Usher knows of ingress-nginx's ConfigMap)");
        };
    }

    /** {@code hsts} with its three companions; {@code value} null when the ConfigMap does not say (on, then). */
    private static Key hsts(@Nullable String value, Map<String, String> data) {
        String shown = value == null ? "(not set: on in ingress-nginx)" : value;
        if ("false".equals(value)) {
            return new Key("hsts", shown, Status.NO_EFFECT, List.of(), "Usher sends no HSTS unless --hsts says so");
        }
        if (value != null && !value.equals("true")) {
            return new Key("hsts", shown, Status.INVALID, List.of(), "expected \"true\" or \"false\"");
        }
        String maxAge = data.getOrDefault("hsts-max-age", HSTS_MAX_AGE).strip();
        if (!SECONDS.matcher(maxAge).matches()) {
            return new Key("hsts", shown, Status.INVALID, List.of(), "hsts-max-age is not a number of seconds");
        }
        StringBuilder header = new StringBuilder("max-age=").append(maxAge);
        if (!"false".equals(data.getOrDefault("hsts-include-subdomains", "true").strip())) {
            header.append("; includeSubDomains");
        }
        if ("true".equals(data.getOrDefault("hsts-preload", "false").strip())) {
            header.append("; preload");
        }
        return new Key(
                "hsts",
                shown,
                Status.HONOURED,
                List.of("--hsts", header.toString()),
                "with hsts-max-age, hsts-include-subdomains and hsts-preload");
    }

    /** {@code use-forwarded-headers} with {@code proxy-real-ip-cidr}: whose forwarding fields are believed. */
    private static Key trustedProxies(String value, Map<String, String> data) {
        String key = "use-forwarded-headers";
        if (value.equals("false")) {
            return new Key(key, value, Status.NO_EFFECT, List.of(), "Usher believes no peer's X-Forwarded-* fields");
        }
        if (!value.equals("true")) {
            return new Key(key, value, Status.INVALID, List.of(), "expected \"true\" or \"false\"");
        }
        String cidrs = String.join(
                ",",
                data.getOrDefault("proxy-real-ip-cidr", "0.0.0.0/0").strip().split("\\s*,\\s*"));
        boolean everyone = cidrs.equals("0.0.0.0/0");
        return new Key(
                key,
                value,
                Status.HONOURED,
                List.of("--trusted-proxies", everyone ? "0.0.0.0/0,::/0" : cidrs),
                everyone
                        ? "proxy-real-ip-cidr is not set, so every peer's X-Forwarded-* fields are believed, as in "
                                + "ingress-nginx: name the load balancer's range instead"
                        : "the peers of proxy-real-ip-cidr");
    }

    /** A setting Usher has one way only: {@code usher}'s value needs nothing, any other is unsupported. */
    private static Key fixed(String key, String value, String usher, String why) {
        return new Key(key, value, value.equals(usher) ? Status.NO_EFFECT : Status.UNSUPPORTED, List.of(), why);
    }

    private static Key onOff(String key, String value, String flag) {
        return switch (value) {
            case "true" -> new Key(key, value, Status.HONOURED, List.of(flag), "");
            case "false" -> new Key(key, value, Status.NO_EFFECT, List.of(), "off in Usher too");
            default -> new Key(key, value, Status.INVALID, List.of(), "expected \"true\" or \"false\"");
        };
    }

    /** {@code "4 8k"}: the request line within one buffer, the whole head within all of them. */
    private static Key headerBuffers(String key, String value) {
        var m = BUFFERS.matcher(value);
        if (!m.matches()) {
            return new Key(key, value, Status.INVALID, List.of(), "expected a count and a size, as \"4 8k\"");
        }
        long each = bytes(m.group(2));
        long all = each * Integer.parseInt(m.group(1));
        if (each <= 0 || all > Integer.MAX_VALUE) {
            return new Key(key, value, Status.INVALID, List.of(), "out of range");
        }
        return new Key(
                key,
                value,
                Status.HONOURED,
                List.of("--max-initial-line-length", Long.toString(each), "--max-header-size", Long.toString(all)),
                "the request line within one buffer, the head within all of them");
    }

    private static Key sslProtocols(String key, String value) {
        Set<String> asked = Set.of(value.split("\\s+"));
        if (asked.equals(Set.of("TLSv1.2", "TLSv1.3"))) {
            return new Key(key, value, Status.NO_EFFECT, List.of(), "Usher serves TLS 1.2 and 1.3");
        }
        return new Key(key, value, Status.UNSUPPORTED, List.of(), "Usher serves TLS 1.2 and 1.3, no other set");
    }

    /** {@code add-headers} / {@code proxy-set-headers}: a ConfigMap of fields, each one {@code flag}. */
    private static Key fields(String key, String value, Map<String, Map<String, String>> others, String flag) {
        Map<String, String> fields = others.get(value);
        if (fields == null) {
            return new Key(
                    key,
                    value,
                    Status.INVALID,
                    List.of(),
                    "names ConfigMap " + value + ", not among the files given: give its manifest too");
        }
        List<String> args = new ArrayList<>();
        for (Map.Entry<String, String> field : new LinkedHashMap<>(fields).entrySet()) {
            String v = field.getValue() == null ? "" : field.getValue().strip();
            if (v.contains("$")) {
                return new Key(
                        key,
                        value,
                        Status.UNSUPPORTED,
                        List.of(),
                        "field " + field.getKey() + " holds an nginx variable; Usher's " + flag
                                + " values are sent as written");
            }
            args.add(flag);
            args.add(field.getKey() + ": " + v);
        }
        return new Key(key, value, Status.HONOURED, List.copyOf(args), fields.size() + " field(s) of " + value);
    }

    private static boolean flag(Map<String, String> data, String key) {
        return "true".equals(data.getOrDefault(key, "").strip());
    }

    /** nginx seconds ({@code 60}) or a time with a unit Usher reads ({@code 60s}, {@code 5m}). */
    private static @Nullable String time(String value) {
        if (SECONDS.matcher(value).matches()) {
            return value.equals("0") ? "0" : value + "s";
        }
        return NGINX_TIME.matcher(value).matches() ? value : null;
    }

    private static @Nullable String size(String value) {
        return SIZE.matcher(value).matches() ? value.toLowerCase(Locale.ROOT) : null;
    }

    private static @Nullable String number(String value) {
        return SECONDS.matcher(value).matches() ? value : null;
    }

    private static long bytes(String size) {
        String s = size.toLowerCase(Locale.ROOT);
        char unit = s.charAt(s.length() - 1);
        long scale = unit == 'k' ? 1024 : unit == 'm' ? 1024 * 1024 : 1;
        String digits = Character.isDigit(unit) ? s : s.substring(0, s.length() - 1);
        return Long.parseLong(digits) * scale;
    }
}
