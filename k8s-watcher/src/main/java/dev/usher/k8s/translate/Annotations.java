package dev.usher.k8s.translate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The annotation registry: what Usher makes of every {@code usher.dev/*} and {@code nginx.ingress.kubernetes.io/*}
 * annotation, so that an Ingress written for ingress-nginx says exactly what carries over.
 *
 * <p>Each key is {@link Status#HONOURED honoured} (Usher implements it, with ingress-nginx's semantics for the
 * nginx keys), {@link Status#NO_EFFECT needs no effect} (with the reason), {@link Status#REFUSED refused} (every
 * {@code *-snippet}: nothing is ever turned into configuration text), {@link Status#UNSUPPORTED not implemented yet},
 * {@link Status#UNKNOWN not a real annotation} (with the nearest real key) or has an {@link Status#INVALID invalid
 * value}. Other prefixes ({@code kubernetes.io/ingress.class}, cert-manager, ...) are not Usher's to judge.
 * The nginx key list is ingress-nginx's {@code docs/user-guide/nginx-configuration/annotations.md}.
 */
public final class Annotations {

    public static final String NGINX = "nginx.ingress.kubernetes.io/";
    public static final String USHER = "usher.dev/";

    /** How Usher treats one annotation; the order is the order of a report. */
    public enum Status {
        HONOURED("honoured"),
        NO_EFFECT("no effect needed"),
        REFUSED("refused"),
        UNSUPPORTED("unsupported"),
        UNKNOWN("unknown"),
        INVALID("invalid");

        private final String label;

        Status(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        /** Whether the annotation's intent is lost (ignored or refused) on an Ingress Usher serves. */
        public boolean dropped() {
            return this != HONOURED && this != NO_EFFECT;
        }

        /** The {@link Problem#reason()} of a {@link #dropped()} annotation. */
        public String problemReason() {
            return switch (this) {
                case UNKNOWN -> Problem.ANNOTATION_UNKNOWN;
                case UNSUPPORTED -> Problem.ANNOTATION_UNSUPPORTED;
                case REFUSED -> Problem.ANNOTATION_REFUSED;
                case INVALID -> Problem.ANNOTATION_INVALID;
                case HONOURED, NO_EFFECT -> Problem.OTHER; // never reported
            };
        }
    }

    /** One annotation's classification: its full key, status and the reason in words. */
    public record Verdict(String key, Status status, String reason) {
        public Verdict {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(reason, "reason");
        }
    }

    static final String REFUSED_SNIPPET = "snippets would inject configuration (IngressNightmare)";
    private static final String NOT_YET = "not implemented by Usher; ignored";
    private static final String STREAMS = "Usher streams responses and sizes its own buffers";
    /** auth-keepalive*: connection reuse to the auth service tunes cost only; no verdict depends on it. */
    private static final String AUTH_CONNECTIONS =
            "tunes only nginx's connection reuse to the auth service: Usher sends"
                    + " each auth-url request on a connection of its own (Connection: close), with the same verdicts";

    /** The Usher annotations the translator reads, with what they do. */
    private static final Map<String, String> USHER_KEYS = Map.of(
            "rewrite-target", "replaces the matched path prefix sent upstream",
            "ssl-redirect", "308 from HTTP to HTTPS for the hosts in spec.tls (on by default)",
            "request-buffering", "read request bodies whole before the origin is involved (on by default)",
            "backend-protocol", "how origins are spoken to: http, https, h2c, h2, grpc (= h2c), grpcs (= h2)",
            "backend-ca-secret", "verify origin certificates against this Secret's ca.crt (503 if it is unusable)",
            "backend-server-name", "the name sent as SNI to TLS origins and checked in their certificate");

    /** Keys that need no effect in Usher, with the reason. */
    private static final Map<String, String> NO_EFFECT = Map.ofEntries(
            Map.entry("proxy-buffering", STREAMS),
            Map.entry("proxy-buffer-size", STREAMS),
            Map.entry("proxy-buffers-number", STREAMS),
            Map.entry("proxy-busy-buffers-size", STREAMS),
            Map.entry("proxy-max-temp-file-size", STREAMS),
            Map.entry(
                    "client-body-buffer-size",
                    "Usher keeps 16 KiB of a request body in memory, then spills to a temp file"),
            Map.entry(
                    "connection-proxy-header",
                    "Usher manages origin keep-alive itself (hop-by-hop Connection is not relayed)"),
            Map.entry("enable-rewrite-log", "Usher has no nginx rewrite log"),
            Map.entry("http2-push-preload", "HTTP/2 server push is gone from browsers; Usher never pushes"),
            Map.entry("auth-keepalive", AUTH_CONNECTIONS),
            Map.entry("auth-keepalive-requests", AUTH_CONNECTIONS),
            Map.entry("auth-keepalive-share-vars", AUTH_CONNECTIONS),
            Map.entry("auth-keepalive-timeout", AUTH_CONNECTIONS));

    /** Well-known invented keys, mapped to the real one meant (edit distance finds the rest). */
    private static final Map<String, String> MEANT = Map.of(
            "proxy-write-timeout", "proxy-send-timeout",
            "client-max-body-size", "proxy-body-size",
            "secure-backends", "backend-protocol",
            "grpc-backend", "backend-protocol",
            "add-base-url", "x-forwarded-prefix");

    /** Every key of ingress-nginx's annotation reference, without the prefix. */
    static final Set<String> NGINX_KEYS = Set.of(
            "affinity",
            "affinity-canary-behavior",
            "affinity-mode",
            "allowlist-source-range",
            "app-root",
            "auth-always-set-cookie",
            "auth-cache-duration",
            "auth-cache-key",
            "auth-keepalive",
            "auth-keepalive-requests",
            "auth-keepalive-share-vars",
            "auth-keepalive-timeout",
            "auth-method",
            "auth-proxy-set-headers",
            "auth-realm",
            "auth-request-redirect",
            "auth-response-headers",
            "auth-secret",
            "auth-secret-type",
            "auth-signin",
            "auth-signin-redirect-param",
            "auth-snippet",
            "auth-tls-error-page",
            "auth-tls-match-cn",
            "auth-tls-pass-certificate-to-upstream",
            "auth-tls-secret",
            "auth-tls-verify-client",
            "auth-tls-verify-depth",
            "auth-type",
            "auth-url",
            "backend-protocol",
            "canary",
            "canary-by-cookie",
            "canary-by-header",
            "canary-by-header-pattern",
            "canary-by-header-value",
            "canary-weight",
            "canary-weight-total",
            "client-body-buffer-size",
            "configuration-snippet",
            "connection-proxy-header",
            "cors-allow-credentials",
            "cors-allow-headers",
            "cors-allow-methods",
            "cors-allow-origin",
            "cors-expose-headers",
            "cors-max-age",
            "custom-headers",
            "custom-http-errors",
            "default-backend",
            "denylist-source-range",
            "enable-access-log",
            "enable-cors",
            "enable-global-auth",
            "enable-modsecurity",
            "enable-opentelemetry",
            "enable-owasp-core-rules",
            "enable-rewrite-log",
            "force-ssl-redirect",
            "from-to-www-redirect",
            "http2-push-preload",
            "limit-burst-multiplier",
            "limit-connections",
            "limit-rate",
            "limit-rate-after",
            "limit-rpm",
            "limit-rps",
            "limit-whitelist",
            "load-balance",
            "limit-allowlist", // limit-whitelist's newer name in ingress-nginx's parser, missing from its table
            "mirror-host",
            "mirror-request-body",
            "mirror-target",
            "modsecurity-snippet",
            "modsecurity-transaction-id",
            "opentelemetry-trust-incoming-span",
            "permanent-redirect",
            "permanent-redirect-code",
            "preserve-trailing-slash",
            "proxy-body-size",
            "proxy-buffer-size",
            "proxy-buffering",
            "proxy-buffers-number",
            "proxy-busy-buffers-size",
            "proxy-connect-timeout",
            "proxy-cookie-domain",
            "proxy-cookie-path",
            "proxy-http-version",
            "proxy-max-temp-file-size",
            "proxy-next-upstream",
            "proxy-next-upstream-timeout",
            "proxy-next-upstream-tries",
            "proxy-read-timeout",
            "proxy-redirect-from",
            "proxy-redirect-to",
            "proxy-request-buffering",
            "proxy-send-timeout",
            "proxy-ssl-ciphers",
            "proxy-ssl-name",
            "proxy-ssl-protocols",
            "proxy-ssl-secret",
            "proxy-ssl-server-name",
            "proxy-ssl-verify",
            "proxy-ssl-verify-depth",
            "rewrite-target",
            "satisfy",
            "server-alias",
            "server-snippet",
            "service-upstream",
            "session-cookie-change-on-failure",
            "session-cookie-conditional-samesite-none",
            "session-cookie-domain",
            "session-cookie-expires",
            "session-cookie-max-age",
            "session-cookie-name",
            "session-cookie-path",
            "session-cookie-samesite",
            "session-cookie-secure",
            "ssl-ciphers",
            "ssl-passthrough",
            "ssl-prefer-server-ciphers",
            "ssl-redirect",
            "stream-snippet",
            "temporal-redirect",
            "temporal-redirect-code",
            "upstream-hash-by",
            "upstream-hash-by-subset",
            "upstream-hash-by-subset-size",
            "upstream-vhost",
            "use-regex",
            "whitelist-source-range",
            "x-forwarded-prefix");

    private Annotations() {}

    /** The verdicts for the Usher and ingress-nginx keys among {@code annotations}, sorted by key. */
    public static List<Verdict> audit(Map<String, String> annotations) {
        List<Verdict> verdicts = new ArrayList<>();
        new TreeMap<>(annotations == null ? Map.<String, String>of() : annotations).forEach((key, value) -> {
            Verdict verdict = classify(key, value);
            if (verdict != null) {
                verdicts.add(NginxAuthProxySetHeaders.withAuthUrl(
                        annotations,
                        NginxResponseRewrites.paired(annotations, NginxCanary.onCanary(annotations, verdict))));
            }
        });
        return verdicts;
    }

    /**
     * As {@link #audit(Map)}, with the flags that change a verdict: {@code ssl-passthrough: "true"} has no effect
     * without {@code --enable-ssl-passthrough}, nor {@code enable-global-auth} without {@code --global-auth-url}.
     */
    public static List<Verdict> audit(Map<String, String> annotations, WatcherSettings settings) {
        Map<String, String> a = annotations == null ? Map.of() : annotations;
        return audit(a).stream()
                .map(v -> NginxSslPassthrough.withFlag(v, a, settings.sslPassthrough()))
                .map(v -> GlobalAuth.withFlags(v, settings.globalAuth()))
                .toList();
    }

    /** The verdict on one annotation, or {@code null} when its prefix is neither Usher's nor ingress-nginx's. */
    public static Verdict classify(String key, String value) {
        Objects.requireNonNull(key, "key");
        if (key.startsWith(USHER)) {
            String name = key.substring(USHER.length());
            String does = USHER_KEYS.get(name);
            return does != null
                    ? new Verdict(key, Status.HONOURED, does)
                    : unknown(key, name, USHER, USHER_KEYS.keySet());
        }
        if (!key.startsWith(NGINX)) {
            return null;
        }
        String name = key.substring(NGINX.length());
        if (name.equals(NginxSnippetHeaders.CONFIGURATION_SNIPPET)) {
            NginxSnippetHeaders.Parsed parsed = NginxSnippetHeaders.parse(value == null ? "" : value);
            return parsed.problem() == null
                    ? new Verdict(
                            key,
                            Status.HONOURED,
                            "header directives only: " + parsed.edits().size()
                                    + " edit(s) of the origin's response fields, "
                                    + parsed.requestEdits().size()
                                    + " of the request it is sent, " + parsed.alreadyDone()
                                    + " already what Usher does"
                                    + (parsed.redirect() == null
                                            ? ""
                                            : "; every request answered "
                                                    + parsed.redirect().status() + " to "
                                                    + parsed.redirect().location()))
                    : new Verdict(
                            key,
                            Status.REFUSED,
                            REFUSED_SNIPPET + "; Usher reads a configuration-snippet only when it holds nothing"
                                    + " but header directives and a redirecting return, not here: " + parsed.problem()
                                    + NginxSnippetAccess.verdictNote(name, value));
        }
        if (name.endsWith("-snippet")) {
            return new Verdict(key, Status.REFUSED, REFUSED_SNIPPET + NginxSnippetAccess.verdictNote(name, value));
        }
        if (!NGINX_KEYS.contains(name)) {
            return unknown(key, name, NGINX, NGINX_KEYS);
        }
        String v = value == null ? "" : value.trim();
        return switch (name) {
            case "ssl-redirect" ->
                onOff(
                        key,
                        v,
                        "true",
                        "false",
                        "as ingress-nginx: 308 to HTTPS for the hosts in spec.tls unless \"false\"");
            case "proxy-request-buffering" ->
                onOff(key, v, "on", "off", "as ingress-nginx: \"off\" streams request bodies to the origin");
            case RetryAnnotations.NEXT_UPSTREAM, RetryAnnotations.TRIES, RetryAnnotations.TIMEOUT -> {
                String why = RetryAnnotations.invalid(name, v);
                yield why == null
                        ? new Verdict(key, Status.HONOURED, "as ingress-nginx: retries on the next endpoint")
                        : new Verdict(
                                key,
                                Status.INVALID,
                                Problems.quote(v.length() > 60 ? v.substring(0, 60) + "..." : v) + " " + why
                                        + "; the data plane's default applies");
            }
            case "proxy-http-version" ->
                "1.1".equals(v)
                        ? new Verdict(
                                key,
                                Status.NO_EFFECT,
                                "Usher speaks HTTP/1.1 to origins unless backend-protocol " + "says otherwise")
                        : new Verdict(
                                key,
                                Status.UNSUPPORTED,
                                "use backend-protocol (GRPC, GRPCS) for HTTP/2 origins; "
                                        + "HTTP/1.0 is not spoken to origins");
            case "backend-protocol" -> backendProtocol(key, v);
            case "proxy-ssl-verify" ->
                onOff(
                        key,
                        v,
                        "on",
                        "off",
                        "as ingress-nginx: \"on\" verifies the origin's certificate and name (CA from proxy-ssl-secret)");
            case "proxy-ssl-server-name" ->
                onOff(
                        key,
                        v,
                        "on",
                        "off",
                        "as ingress-nginx: \"on\" sends SNI to TLS origins (always sent when verifying)");
            case "proxy-ssl-secret" ->
                new Verdict(
                        key,
                        Status.HONOURED,
                        "its ca.crt verifies origins when "
                                + "proxy-ssl-verify is \"on\" (same namespace only); no client certificate is sent to origins");
            case "proxy-ssl-name" ->
                new Verdict(key, Status.HONOURED, "the SNI name and the name checked in the origin's certificate");
            case "rewrite-target" -> rewriteTarget(key, v);
            case NginxCanary.AFFINITY_BEHAVIOR -> NginxCanary.affinityBehavior(key, v);
            case "use-regex" ->
                onOff(
                        key,
                        v,
                        "true",
                        "false",
                        "as ingress-nginx: every path of the Ingress's hosts"
                                + " is a case-insensitive regex anchored at the start, longest path first (RE2 syntax)");
            default -> {
                if (NginxHonoured.covers(name)) {
                    yield NginxHonoured.verdict(key, name, v);
                }
                String reason = NO_EFFECT.get(name);
                yield reason != null
                        ? new Verdict(key, Status.NO_EFFECT, reason)
                        : new Verdict(key, Status.UNSUPPORTED, NOT_YET);
            }
        };
    }

    private static Verdict backendProtocol(String key, String value) {
        return switch (value.toUpperCase(Locale.ROOT)) {
            case "HTTP", "AUTO_HTTP" -> new Verdict(key, Status.HONOURED, "HTTP/1.1 to the origin");
            case "HTTPS" -> new Verdict(key, Status.HONOURED, "HTTP/1.1 over TLS to the origin");
            case "GRPC" -> new Verdict(key, Status.HONOURED, "HTTP/2 in cleartext (h2c) to the origin");
            case "GRPCS" -> new Verdict(key, Status.HONOURED, "HTTP/2 over TLS (ALPN h2) to the origin");
            case "FCGI" -> new Verdict(key, Status.UNSUPPORTED, "FastCGI is not supported; served as HTTP");
            default ->
                new Verdict(
                        key,
                        Status.INVALID,
                        "expected HTTP, HTTPS, GRPC, GRPCS, AUTO_HTTP or FCGI, got "
                                + Problems.quote(value.length() > 40 ? value.substring(0, 40) + "..." : value)
                                + "; ignored");
        };
    }

    /** {@code "true"}/{@code "false"} of ingress-nginx's boolean annotation {@code key}, or {@code null}. */
    static Boolean nginxFlag(Map<String, String> annotations, String name, String on, String off) {
        String value = annotations.get(NGINX + name);
        if (value == null) {
            return null;
        }
        String v = value.trim();
        return on.equalsIgnoreCase(v) ? Boolean.TRUE : off.equalsIgnoreCase(v) ? Boolean.FALSE : null;
    }

    /** ingress-nginx's rewrite-target: honoured unless {@link NginxRewrite#problem} says otherwise. */
    private static Verdict rewriteTarget(String key, String value) {
        if (value.isEmpty()) {
            return new Verdict(key, Status.NO_EFFECT, "empty: nothing is rewritten, as in ingress-nginx");
        }
        String problem = NginxRewrite.problem(value);
        if (problem == null && NginxRewrite.isRedirect(value)) {
            return new Verdict(
                    key,
                    Status.HONOURED,
                    "as ingress-nginx: an absolute URL answers 302 to its expansion ($1..$9 from the path's regex,"
                            + " nginx variables from the request), the query appended as nginx does; the origin is"
                            + " not contacted; turns regex mode on for the Ingress's hosts");
        }
        if (problem == null) {
            return new Verdict(
                    key,
                    Status.HONOURED,
                    "as ingress-nginx: the whole path sent upstream is replaced, $1..$9 from the path's regex and"
                            + " nginx variables ($host, ...) from the request; turns regex mode on for the Ingress's"
                            + " hosts; query kept");
        }
        return new Verdict(key, Status.INVALID, problem + "; ignored, paths are forwarded unchanged");
    }

    private static Verdict onOff(String key, String value, String on, String off, String honoured) {
        if (on.equalsIgnoreCase(value) || off.equalsIgnoreCase(value)) {
            return new Verdict(key, Status.HONOURED, honoured);
        }
        return new Verdict(
                key,
                Status.INVALID,
                "expected \"" + on + "\" or \"" + off + "\", got "
                        + Problems.quote(value.length() > 40 ? value.substring(0, 40) + "..." : value) + "; ignored");
    }

    private static Verdict unknown(String key, String name, String prefix, Set<String> known) {
        String nearest = MEANT.containsKey(name) && prefix.equals(NGINX) ? MEANT.get(name) : nearest(name, known);
        return new Verdict(key, Status.UNKNOWN, "not a real annotation; did you mean `" + prefix + nearest + "`?");
    }

    private static String nearest(String name, Set<String> known) {
        return known.stream()
                .min(Comparator.comparingInt((String k) -> distance(name, k)).thenComparing(Comparator.naturalOrder()))
                .orElseThrow();
    }

    /** Levenshtein distance, two rows. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
