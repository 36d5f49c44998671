package dev.usher.k8s.translate;

import dev.usher.k8s.translate.Annotations.Status;
import dev.usher.k8s.translate.Annotations.Verdict;
import java.util.Map;
import java.util.function.BinaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The ingress-nginx annotations Usher honours through a typed route option, each with what it does and the check of
 * its value (the same check the option's parser applies, so {@code usher check} and {@code usher run} agree).
 */
final class NginxHonoured {

    /** What an honoured key does, and its value check ({@code (name, value) -> problem or null}). */
    private record Entry(String meaning, BinaryOperator<String> check) {}

    /** {@code enable-access-log: "false"}: no access-log lines for the Ingress's requests (read by IngressConverter). */
    static final String ACCESS_LOG = "enable-access-log";

    /** {@code from-to-www-redirect: "true"} (read by IngressConverter; compiled by routing's WwwRedirects). */
    static final String WWW = "from-to-www-redirect";

    /** {@code service-upstream: "true"} (read by IngressConverter; resolved by BackendResolver). */
    static final String SERVICE_UPSTREAM = "service-upstream";

    /** {@code preserve-trailing-slash} (read by IngressConverter; applied by proxy-core's HTTPS redirect). */
    static final String TRAILING_SLASH = "preserve-trailing-slash";

    /** {@code satisfy: "any"} (read by IngressConverter; applied by proxy-core's RouteGate). */
    static final String SATISFY = "satisfy";

    /** {@code satisfy}: "any" or "all"; anything else is access control left as "all" (fails closed). */
    static @Nullable String satisfyProblem(String name, String value) {
        String v = value.strip();
        return v.equals("any") || v.equals("all")
                ? null
                : "expected \"any\" or \"all\"; treated as \"all\" (access control fails closed)";
    }

    /** Whether the Ingress's {@code satisfy} is a valid {@code "any"}. */
    static boolean satisfyAny(Map<String, String> a) {
        String value = a.get(Annotations.NGINX + SATISFY);
        return value != null && value.strip().equals("any");
    }

    private static @Nullable String flagProblem(String name, String value) {
        return "true".equalsIgnoreCase(value) || "false".equalsIgnoreCase(value)
                ? null
                : "expected \"true\" or \"false\"";
    }

    private static final Map<String, Entry> ENTRIES = Map.ofEntries(
            Map.entry(
                    NginxLimits.BODY_SIZE,
                    new Entry(
                            "request body limit of this Ingress (413 above it; 0 = "
                                    + "unlimited), instead of --max-request-body",
                            NginxLimits::problem)),
            Map.entry(
                    NginxLimits.CONNECT_TIMEOUT,
                    new Entry("origin connect timeout of this Ingress, in seconds", NginxLimits::problem)),
            Map.entry(
                    NginxLimits.READ_TIMEOUT,
                    new Entry(
                            "time for the origin's response head once the request is "
                                    + "sent, in seconds (504 after it)",
                            NginxLimits::problem)),
            Map.entry(
                    NginxLimits.SEND_TIMEOUT,
                    new Entry(
                            "time an origin may stop taking the request body, in " + "seconds", NginxLimits::problem)),
            Map.entry(
                    NginxRedirects.FORCE_SSL,
                    new Entry(
                            "308 to HTTPS for plain-HTTP requests, with or without "
                                    + "spec.tls; wins over ssl-redirect: \"false\"",
                            NginxRedirects::problem)),
            Map.entry(
                    NginxRedirects.PERMANENT,
                    new Entry(
                            "answers every request with a redirect there (301 or "
                                    + "permanent-redirect-code); the origin is never contacted",
                            NginxRedirects::problem)),
            Map.entry(
                    NginxRedirects.PERMANENT_CODE,
                    new Entry("status of permanent-redirect (300-308)", NginxRedirects::problem)),
            Map.entry(
                    NginxRedirects.TEMPORAL,
                    new Entry(
                            "answers every request with a redirect there (302 or "
                                    + "temporal-redirect-code); wins over permanent-redirect",
                            NginxRedirects::problem)),
            Map.entry(
                    NginxRedirects.TEMPORAL_CODE,
                    new Entry("status of temporal-redirect (300-307)", NginxRedirects::problem)),
            Map.entry(NginxRedirects.APP_ROOT, new Entry("302 from / to this path", NginxRedirects::problem)),
            Map.entry(
                    NginxUpstreamHeaders.UPSTREAM_VHOST,
                    new Entry("the Host header sent to the origin", NginxUpstreamHeaders::problem)),
            Map.entry(
                    NginxUpstreamHeaders.FORWARDED_PREFIX,
                    new Entry("X-Forwarded-Prefix sent to the origin", NginxUpstreamHeaders::problem)),
            Map.entry(
                    NginxSourceRanges.ALLOW,
                    new Entry(
                            "only these client addresses pass (403 otherwise)",
                            (name, value) -> NginxSourceRanges.problem(value))),
            Map.entry(
                    NginxSourceRanges.WHITELIST,
                    new Entry(
                            "only these client addresses pass (403 otherwise); "
                                    + "allowlist-source-range wins when both are set",
                            (name, value) -> NginxSourceRanges.problem(value))),
            Map.entry(
                    NginxSourceRanges.DENY,
                    new Entry("these client addresses get 403", (name, value) -> NginxSourceRanges.problem(value))),
            Map.entry(
                    NginxBasicAuth.TYPE,
                    new Entry(
                            "Basic authentication (401 with WWW-Authenticate without " + "valid credentials)",
                            NginxBasicAuth::problem)),
            Map.entry(
                    NginxBasicAuth.SECRET,
                    new Entry(
                            "the htpasswd Secret of auth-type basic (bcrypt, $apr1$, "
                                    + "{SHA}); missing or unreadable, the Ingress fails closed (503)",
                            NginxBasicAuth::problem)),
            Map.entry(
                    NginxBasicAuth.SECRET_TYPE,
                    new Entry(
                            "auth-file (key auth, htpasswd lines) or auth-map (a " + "key per user)",
                            NginxBasicAuth::problem)),
            Map.entry(
                    NginxCors.ENABLE,
                    new Entry(
                            "\"true\": CORS preflights (OPTIONS with Origin and "
                                    + "Access-Control-Request-Method) answered with 204, allowed origins get Access-Control-* headers",
                            NginxCors::problem)),
            Map.entry(
                    NginxCors.ORIGIN,
                    new Entry(
                            "origins allowed by enable-cors (*, http(s)://host[:port], "
                                    + "http(s)://*.domain); a listed origin is echoed with Vary: Origin",
                            NginxCors::problem)),
            Map.entry(NginxCors.METHODS, new Entry("Access-Control-Allow-Methods of enable-cors", NginxCors::problem)),
            Map.entry(NginxCors.HEADERS, new Entry("Access-Control-Allow-Headers of enable-cors", NginxCors::problem)),
            Map.entry(NginxCors.EXPOSE, new Entry("Access-Control-Expose-Headers of enable-cors", NginxCors::problem)),
            Map.entry(
                    NginxCors.CREDENTIALS,
                    new Entry(
                            "Access-Control-Allow-Credentials of enable-cors (never " + "with origin *)",
                            NginxCors::problem)),
            Map.entry(
                    NginxCors.MAX_AGE,
                    new Entry("Access-Control-Max-Age of enable-cors, in seconds", NginxCors::problem)),
            Map.entry(
                    NginxAffinity.AFFINITY,
                    new Entry(
                            "\"cookie\": a session sticks to one endpoint by a cookie "
                                    + "holding a hash of it (a gone or ejected endpoint: balanced again, new cookie)",
                            NginxAffinity::problem)),
            Map.entry(
                    NginxAffinity.MODE,
                    new Entry(
                            "balanced and persistent both keep a session on its endpoint "
                                    + "while it serves (Usher's affinity is persistent)",
                            NginxAffinity::problem)),
            Map.entry(
                    NginxAffinity.NAME,
                    new Entry("the affinity cookie's name (INGRESSCOOKIE by default)", NginxAffinity::problem)),
            Map.entry(
                    NginxAffinity.PATH,
                    new Entry("the affinity cookie's Path (default the rule's path)", NginxAffinity::problem)),
            Map.entry(
                    NginxAffinity.MAX_AGE,
                    new Entry("the affinity cookie's Max-Age, in seconds", NginxAffinity::problem)),
            Map.entry(
                    NginxAffinity.EXPIRES,
                    new Entry("the affinity cookie's Expires, seconds from now", NginxAffinity::problem)),
            Map.entry(NginxAffinity.SAMESITE, new Entry("the affinity cookie's SameSite", NginxAffinity::problem)),
            Map.entry(
                    NginxAffinity.SECURE,
                    new Entry(
                            "Secure on the affinity cookie over plain HTTP too (always " + "over HTTPS)",
                            NginxAffinity::problem)),
            Map.entry(
                    NginxAffinity.CHANGE_ON_FAILURE,
                    new Entry(
                            "\"true\": a request that failed over to another " + "endpoint moves the session there",
                            NginxAffinity::problem)),
            Map.entry(NginxAffinity.DOMAIN, new Entry("the affinity cookie's Domain", NginxAffinity::problem)),
            Map.entry(
                    NginxAffinity.CONDITIONAL_SAMESITE_NONE,
                    new Entry(
                            "\"true\": SameSite=None is left out for browsers that reject or misread it (Chrome "
                                    + "51-66, UC Browser before 12.13.2, iOS 12, Safari on macOS 10.14)",
                            NginxAffinity::problem)),
            Map.entry(NginxBasicAuth.REALM, new Entry("the realm of WWW-Authenticate", NginxBasicAuth::problem)),
            // rate limiting (NginxRateLimit): per client address and Ingress, on each replica
            Map.entry(
                    NginxRateLimit.RPS,
                    new Entry(
                            "requests a second per client address, burst rps x "
                                    + "limit-burst-multiplier; beyond it 503 (--limit-req-status-code)",
                            NginxRateLimit::problem)),
            Map.entry(
                    NginxRateLimit.RPM,
                    new Entry(
                            "requests a minute per client address, burst rpm x "
                                    + "limit-burst-multiplier; beyond it 503 (--limit-req-status-code)",
                            NginxRateLimit::problem)),
            Map.entry(
                    NginxRateLimit.CONNECTIONS,
                    new Entry(
                            "requests in progress at once per client address; "
                                    + "beyond it 503 (--limit-conn-status-code)",
                            NginxRateLimit::problem)),
            Map.entry(
                    NginxRateLimit.BURST_MULTIPLIER,
                    new Entry(
                            "burst of limit-rps and limit-rpm as a multiple " + "of the rate (default 5)",
                            NginxRateLimit::problem)),
            Map.entry(
                    NginxRateLimit.WHITELIST,
                    new Entry("client addresses no limit-* applies to", NginxRateLimit::problem)),
            Map.entry(
                    NginxRateLimit.ALLOWLIST,
                    new Entry(
                            "client addresses no limit-* applies to; wins over " + "limit-whitelist",
                            NginxRateLimit::problem)),
            Map.entry(
                    NginxRateLimit.RATE,
                    new Entry(
                            "KiB a second: each response's body goes to the client at most this fast, per request, "
                                    + "after limit-rate-after (0: no limit)",
                            NginxRateLimit::problem)),
            Map.entry(
                    NginxRateLimit.RATE_AFTER,
                    new Entry(
                            "KiB of each response's body sent at full speed before limit-rate applies "
                                    + "(no effect without limit-rate)",
                            NginxRateLimit::problem)),
            // canary: one line per key, kept apart for merges
            Map.entry(
                    NginxCanary.CANARY,
                    new Entry(
                            "\"true\": the canary of the main Ingress with the same host, "
                                    + "path and type (its other annotations are the main one's; no main route: ignored)",
                            NginxCanary::problem)),
            Map.entry(
                    NginxCanary.BY_HEADER,
                    new Entry(
                            "header \"always\" sends to the canary, \"never\" to the "
                                    + "main backend (first rule: header, cookie, weight)",
                            NginxCanary::problem)),
            Map.entry(
                    NginxCanary.BY_HEADER_VALUE,
                    new Entry("this exact canary-by-header value sends to the canary", NginxCanary::problem)),
            Map.entry(
                    NginxCanary.BY_HEADER_PATTERN,
                    new Entry(
                            "a canary-by-header value this regex finds (RE2) " + "sends to the canary",
                            NginxCanary::problem)),
            Map.entry(
                    NginxCanary.BY_COOKIE,
                    new Entry(
                            "cookie \"always\" sends to the canary, \"never\" to the "
                                    + "main backend (after the header)",
                            NginxCanary::problem)),
            Map.entry(
                    NginxCanary.WEIGHT,
                    new Entry(
                            "this many requests out of canary-weight-total go to the canary "
                                    + "at random (after header and cookie)",
                            NginxCanary::problem)),
            Map.entry(
                    NginxCanary.WEIGHT_TOTAL,
                    new Entry("the total canary-weight counts in (100 by default)", NginxCanary::problem)),
            // client certificates (NginxAuthTls): per host, the oldest Ingress naming the host sets them
            Map.entry(
                    NginxAuthTls.SECRET,
                    new Entry(
                            "the handshakes of the Ingress's hosts ask for a client certificate, verified against "
                                    + "this Secret's ca.crt (and ca.crl); missing or unreadable, the Ingress fails closed (503)",
                            NginxAuthTls::problem)),
            Map.entry(
                    NginxAuthTls.VERIFY,
                    new Entry(
                            "on: 400 without a valid certificate; optional: 400 for an invalid one; optional_no_ca: "
                                    + "an unknown issuer passes; off: none asked for; a request whose TLS server name "
                                    + "is another host gets 421",
                            NginxAuthTls::problem)),
            Map.entry(
                    NginxAuthTls.DEPTH,
                    new Entry(
                            "the longest client chain accepted (1: issued by a CA of ca.crt)", NginxAuthTls::problem)),
            Map.entry(
                    NginxAuthTls.PASS,
                    new Entry(
                            "\"true\": the client certificate goes to the origin, URL-encoded PEM in ssl-client-cert "
                                    + "(ssl-client-verify, -subject-dn, -issuer-dn are always sent)",
                            NginxAuthTls::problem)),
            Map.entry(
                    NginxAuthTls.ERROR_PAGE,
                    new Entry("a refused client certificate gets a 302 there instead of 400", NginxAuthTls::problem)),
            Map.entry(
                    NginxAuthTls.MATCH_CN,
                    new Entry(
                            "the client certificate's subject DN must contain a match of this RE2 pattern (403 otherwise)",
                            NginxAuthTls::problem)),
            // TLS passthrough (NginxSslPassthrough): needs --enable-ssl-passthrough, see Annotations.audit
            Map.entry(
                    NginxSslPassthrough.PASSTHROUGH,
                    new Entry(
                            "\"true\" with --enable-ssl-passthrough: TLS connections whose server name (SNI) is one"
                                    + " of the Ingress's hosts go unopened to the backend of the host's / path (or its"
                                    + " default backend); only the host matters",
                            NginxSslPassthrough::problem)),
            // external authentication (NginxExternalAuth): one line per key, kept apart for merges
            Map.entry(
                    NginxExternalAuth.URL,
                    new Entry(
                            "every request is first sent, headers only, to this URL ($host, $scheme, $request_uri, "
                                    + "$escaped_request_uri, $best_http_host, $server_port, $service_name, $namespace, "
                                    + "$remote_addr expanded): 2xx passes, 401/403 go to the client, anything else 500",
                            NginxExternalAuth::problem)),
            Map.entry(
                    NginxExternalAuth.METHOD,
                    new Entry("the method of the auth-url request (GET by default)", NginxExternalAuth::problem)),
            Map.entry(
                    NginxExternalAuth.SIGNIN,
                    new Entry(
                            "a 401 from auth-url becomes a 302 here, with rd= the original URL appended "
                                    + "unless the URL has it",
                            NginxExternalAuth::problem)),
            Map.entry(
                    NginxExternalAuth.REDIRECT_PARAM,
                    new Entry(
                            "the parameter of auth-signin carrying the original URL (rd)", NginxExternalAuth::problem)),
            Map.entry(
                    NginxExternalAuth.RESPONSE_HEADERS,
                    new Entry(
                            "these fields of the auth-url response replace the client's in the request to the origin",
                            NginxExternalAuth::problem)),
            Map.entry(
                    NginxExternalAuth.REQUEST_REDIRECT,
                    new Entry(
                            "sent to auth-url as X-Auth-Request-Redirect (default: the request URI)",
                            NginxExternalAuth::problem)),
            // TLS to origins (OriginTlsOptions): one line per key, kept apart for merges
            Map.entry(
                    OriginTlsOptions.NGINX_PROTOCOLS,
                    new Entry(
                            "the TLS versions offered to TLS origins (TLSv1.2, TLSv1.3; default both); an origin "
                                    + "speaking none of them is a 502",
                            OriginTlsOptions::problem)),
            Map.entry(
                    OriginTlsOptions.NGINX_CIPHERS,
                    new Entry(
                            "the TLS 1.2 ciphers offered to TLS origins, an OpenSSL cipher string evaluated by the "
                                    + "engine (weak ciphers refused; TLS 1.3 suites unchanged)",
                            OriginTlsOptions::problem)),
            Map.entry(
                    OriginTlsOptions.NGINX_DEPTH,
                    new Entry(
                            "with proxy-ssl-verify: \"on\", the most intermediate CAs between the origin's "
                                    + "certificate and a trusted one (OpenSSL's verify depth; unlimited when absent)",
                            OriginTlsOptions::problem)),
            // client handshakes (NginxSslCiphers): one line per key, kept apart for merges
            Map.entry(
                    NginxSslCiphers.CIPHERS,
                    new Entry(
                            "the TLS 1.2 ciphers the handshakes of the Ingress's hosts offer (per host, the oldest "
                                    + "Ingress's), an OpenSSL cipher string evaluated by the engine (weak ciphers "
                                    + "refused; TLS 1.3 suites unchanged)",
                            NginxSslCiphers::problem)),
            Map.entry(
                    NginxSslCiphers.PREFER_SERVER,
                    new Entry(
                            "\"true\": the server's cipher order wins, which is what Usher always does",
                            NginxSslCiphers::problem)),
            Map.entry(
                    GlobalAuth.ENABLE,
                    new Entry(
                            "\"false\": the Ingress is left out of --global-auth-url's external authentication (an"
                                    + " Ingress with its own auth-url always uses its own)",
                            NginxHonoured::flagProblem)),
            Map.entry(
                    NginxCustomHeaders.KEY,
                    new Entry(
                            "the ConfigMap it names (name or namespace/name, the Ingress's own namespace only) sets"
                                    + " its data as response fields on every answer of the Ingress, Usher's own too"
                                    + " (more_set_headers: the origin's field of that name replaced; values literal, no"
                                    + " $variable expanded); every name must be in --global-allowed-response-headers"
                                    + " (empty by default): a name not allowed, a name or value ingress-nginx refuses"
                                    + " or a missing ConfigMap fails closed (503)",
                            NginxCustomHeaders::problem)),
            Map.entry(
                    NginxAuthProxySetHeaders.KEY,
                    new Entry(
                            "with auth-url: the ConfigMap it names (name or namespace/name, the Ingress's own namespace"
                                    + " only) sets its data as fields of the auth-url request only (proxy_set_header;"
                                    + " $remote_addr, $host, $http_<name>, ... expanded), never the origin's or the"
                                    + " client's; a missing ConfigMap, a name or value refused or a variable Usher does"
                                    + " not expand fails closed (503)",
                            NginxAuthProxySetHeaders::problem)),
            Map.entry(
                    SATISFY,
                    new Entry(
                            "\"any\": a client address the allowlist names, or passing authentication (auth-type"
                                    + " basic, auth-url), is enough; \"all\" (the default) needs both",
                            NginxHonoured::satisfyProblem)),
            // load balancing (NginxBalancing)
            Map.entry(
                    NginxBalancing.LOAD_BALANCE,
                    new Entry(
                            "round_robin, or ewma as Usher's least-request (of two random endpoints, the one with "
                                    + "fewer requests in flight), instead of --load-balancing",
                            NginxBalancing::problem)),
            Map.entry(
                    NginxBalancing.HASH_BY,
                    new Entry(
                            "consistent (rendezvous) hashing on this value with nginx variables: the same value goes "
                                    + "to the same endpoint in every replica; wins over load-balance",
                            NginxBalancing::problem)),
            Map.entry(
                    NginxBalancing.SUBSET,
                    new Entry(
                            "\"true\": upstream-hash-by's value chooses a subset of endpoints (its top "
                                    + "upstream-hash-by-subset-size rendezvous scores, the same in every replica) and "
                                    + "each request goes to a random member of it; no effect without upstream-hash-by",
                            NginxBalancing::problem)),
            Map.entry(
                    NginxBalancing.SUBSET_SIZE,
                    new Entry(
                            "the number of endpoints in an upstream-hash-by-subset subset (default 3)",
                            NginxBalancing::problem)),
            Map.entry(
                    ACCESS_LOG,
                    new Entry(
                            "\"false\": the Ingress's requests get no access-log lines (metrics still count them)",
                            NginxHonoured::flagProblem)),
            Map.entry(
                    WWW,
                    new Entry(
                            "\"true\": requests for www.<host> (for a www. host: the name without it) get a 308 to "
                                    + "the host, unless an Ingress serves that name itself",
                            NginxHonoured::flagProblem)),
            Map.entry(
                    NginxAuthCache.ALWAYS_SET_COOKIE,
                    new Entry(
                            "the auth-url response's Set-Cookie fields go on every response (401/403/5xx too), not"
                                    + " only on 2xx/3xx responses after a 2xx verdict",
                            NginxAuthCache::problem)),
            Map.entry(
                    NginxAuthCache.CACHE_KEY,
                    new Entry(
                            "auth-url verdicts are cached per Ingress path under this key ($http_<name>,"
                                    + " $cookie_<name>, $remote_user and the auth-url variables expanded; hashed)",
                            NginxAuthCache::problem)),
            Map.entry(
                    NginxAuthCache.CACHE_DURATION,
                    new Entry(
                            "how long cached auth-url verdicts of each status live (default \"200 202 401 5m\"); a"
                                    + " response with Set-Cookie or Cache-Control no-store/no-cache/private is not"
                                    + " cached",
                            NginxAuthCache::problem)),
            // custom error pages (NginxCustomErrors): one line per key, kept apart for merges
            Map.entry(
                    NginxCustomErrors.CODES,
                    new Entry(
                            "an origin response (head not sent yet) or Usher's 502/503/504 with one of these statuses is "
                                    + "replaced by a GET of the same path from default-backend (else --default-backend), "
                                    + "told why by X-Code, X-Format, X-Original-URI, X-Namespace, X-Ingress-Name, "
                                    + "X-Service-Name, X-Service-Port, X-Request-ID; its response goes out as is",
                            NginxCustomErrors::problem)),
            Map.entry(
                    NginxCustomErrors.BACKEND,
                    new Entry(
                            "this Service of the Ingress's namespace (its first port) serves the Ingress's routes "
                                    + "whose backend has no ready endpoint, and the custom-http-errors",
                            NginxCustomErrors::problem)),
            // origin response rewrites (NginxResponseRewrites): one line per key, kept apart for merges
            Map.entry(
                    NginxResponseRewrites.REDIRECT_FROM,
                    new Entry(
                            "the prefix of the origin's Location and Refresh url= replaced by proxy-redirect-to",
                            NginxResponseRewrites::problem)),
            Map.entry(
                    NginxResponseRewrites.REDIRECT_TO,
                    new Entry(
                            "what replaces proxy-redirect-from in the origin's Location and Refresh url=",
                            NginxResponseRewrites::problem)),
            Map.entry(
                    NginxResponseRewrites.COOKIE_DOMAIN,
                    new Entry(
                            "the Domain attribute of the origin's Set-Cookie fields equal to <from> (case-insensitive,"
                                    + " a leading dot ignored) becomes <to>; the cookie's name and value untouched",
                            NginxResponseRewrites::problem)),
            Map.entry(
                    NginxResponseRewrites.COOKIE_PATH,
                    new Entry(
                            "the Path attribute of the origin's Set-Cookie fields beginning with <from> gets <to>"
                                    + " instead of that prefix; the cookie's name and value untouched",
                            NginxResponseRewrites::problem)),
            Map.entry(
                    NginxServerAlias.KEY,
                    new Entry(
                            "these names are served exactly as the Ingress's hosts (and get a host's certificate when"
                                    + " it covers them), unless an Ingress has one as its host",
                            NginxServerAlias::problem)),
            Map.entry(
                    SERVICE_UPSTREAM,
                    new Entry(
                            "\"true\": the Ingress's backends are reached through the Service's cluster IP and port,"
                                    + " one endpoint (kube-proxy balances), not its pod addresses; a headless Service"
                                    + " keeps its endpoints (reported)",
                            NginxHonoured::flagProblem)),
            Map.entry(
                    TRAILING_SLASH,
                    new Entry(
                            "\"false\": the HTTPS redirect drops a trailing / of the request URI (ingress-nginx's"
                                    + " default; /a/ goes to https://host/a); \"true\" or absent: it is kept",
                            NginxHonoured::flagProblem)),
            // request mirroring (NginxMirror): one line per key, kept apart for merges
            Map.entry(
                    NginxMirror.TARGET,
                    new Entry(
                            "each request is also sent to this URL ($request_uri and the other auth-url variables "
                                    + "after its host), its response discarded; a slow or failing mirror never delays "
                                    + "or fails the client's request (past the in-flight cap mirrors are dropped)",
                            NginxMirror::problem)),
            Map.entry(
                    NginxMirror.REQUEST_BODY,
                    new Entry(
                            "\"off\": the mirror gets the request head only; \"on\" (the default) sends a buffered "
                                    + "body too (a streamed body is never mirrored)",
                            NginxMirror::problem)),
            Map.entry(
                    NginxMirror.HOST,
                    new Entry(
                            "the Host header of the mirror request (by default the mirror-target's host name)",
                            NginxMirror::problem)));

    private NginxHonoured() {}

    static boolean covers(String name) {
        return ENTRIES.containsKey(name);
    }

    /** The verdict on {@code value} of the honoured key {@code name} ({@code key} is the full annotation key). */
    static Verdict verdict(String key, String name, String value) {
        Entry entry = ENTRIES.get(name);
        String problem = entry.check().apply(name, value);
        if (problem == null) {
            return new Verdict(key, Status.HONOURED, "as ingress-nginx: " + entry.meaning());
        }
        String shown = value.length() > 40 ? value.substring(0, 40) + "..." : value;
        return new Verdict(
                key,
                Status.INVALID,
                Problems.quote(shown) + ": " + problem
                        + (problem.contains("fails closed")
                                        || problem.contains(NginxCanary.BROKEN_PATTERN)
                                        || problem.endsWith("the rest applies")
                                        || problem.endsWith("the default list applies")
                                        || problem.endsWith("the default (both) applies")
                                ? ""
                                : "; ignored"));
    }
}
