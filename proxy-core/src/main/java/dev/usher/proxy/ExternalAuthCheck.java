package dev.usher.proxy;

import dev.usher.routing.ExternalAuth;
import dev.usher.routing.HeaderEdit;
import dev.usher.routing.NginxTemplate;
import dev.usher.routing.OriginTls;
import dev.usher.routing.Route;
import dev.usher.routing.RouteOptions;
import dev.usher.routing.RouteTimeouts;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * ingress-nginx's external authentication for one request ({@code auth-url}, nginx's {@code auth_request}): before the
 * request goes to its origin, the auth service gets a request with the client's headers and no body, plus
 * {@code X-Original-URI}, {@code X-Original-Method}, {@code X-Original-URL}, {@code X-Scheme},
 * {@code X-Auth-Request-Redirect}, and the {@code X-Forwarded-*}, {@code X-Real-IP} and {@code X-Request-ID} the origin
 * will get, and last the fields of {@code auth-proxy-set-headers} (set on this request only, never the origin's). Its
 * answer decides:
 *
 * <ul>
 * <li>2xx: the request goes on; the fields of {@code auth-response-headers} are taken from the auth response, replacing
 *     whatever the client sent under those names (a field the response lacks is removed, as nginx's empty
 *     {@code proxy_set_header} does), so a client can never claim an identity the auth service did not vouch for;</li>
 * <li>401: to the client with the auth service's {@code WWW-Authenticate}, or, with {@code auth-signin}, a 302 to the
 *     sign-in URL with {@code rd=} the original URL appended (unless the URL has it);</li>
 * <li>403: to the client;</li>
 * <li>anything else, an unreachable service, a timeout (the Ingress's connect plus read timeouts, else the proxy's):
 *     500, as nginx answers a failed {@code auth_request}.</li>
 * </ul>
 *
 * <p>The client's request body is not read meanwhile (auto-read is off): it waits in the socket or the HTTP/2 stream's
 * window until the request is let through, then streams as it would have.
 */
final class ExternalAuthCheck {

    /**
     * Where the verdict goes: {@code null} lets the request through, else the reply to send instead; {@code cookies}
     * are the auth service's {@code Set-Cookie} values for the client's response ({@link #cookiesFor}).
     */
    interface Verdict {
        void decided(Admission.@Nullable Decision refusal, List<String> cookies);
    }

    private static final String X_ORIGINAL_URI = "x-original-uri";
    private static final String X_ORIGINAL_METHOD = "x-original-method";
    private static final String X_ORIGINAL_URL = "x-original-url";
    private static final String X_SCHEME = "x-scheme";
    private static final String X_AUTH_REQUEST_REDIRECT = "x-auth-request-redirect";

    private final ExternalAuth auth;
    private final HttpRequest request;
    private final RequestVariables variables;
    private final boolean close;
    private final Verdict verdict;
    private final EventLoop loop;
    private @Nullable AuthCall call;
    /** Whether the verdict is cached when it comes ({@code auth-cache-key}, and not answered from the cache). */
    private boolean caching;

    private String cacheKey = "";
    private boolean starting = true; // a verdict reached while start() runs waits for the next loop turn
    private boolean cancelled;

    private ExternalAuthCheck(
            ExternalAuth auth,
            HttpRequest request,
            RequestVariables variables,
            boolean close,
            Verdict verdict,
            EventLoop loop) {
        this.auth = auth;
        this.request = request;
        this.variables = variables;
        this.close = close;
        this.verdict = verdict;
        this.loop = loop;
    }

    /** Sends the subrequest; {@code verdict} is called later on the client's event loop, unless {@link #cancel}led. */
    static ExternalAuthCheck start(
            ExternalAuth auth,
            HttpRequest request,
            Admission.Decision decision,
            RequestRecord record,
            ClientConnection conn,
            ProxyContext context,
            Verdict verdict) {
        Route route = Objects.requireNonNull(decision.route(), "a proxied decision has a route");
        Requests.Target target = Objects.requireNonNull(decision.target(), "and a target");
        RequestVariables variables = RequestVariables.of(request, target, conn, route, record);
        boolean close = decision.hasBody() || !decision.keepAlive(); // an unread body cannot be skipped
        EventLoop loop = conn.ctx.channel().eventLoop();
        ExternalAuthCheck check = new ExternalAuthCheck(auth, request, variables, close, verdict, loop);
        if (route.host() == null && auth.hostFromRequest()) { // a host-less rule: the Host is anyone's to choose
            check.failed(
                    "auth-url takes its host from the request, and a rule without a host lets the client choose it");
            check.starting = false;
            return check;
        }
        URI url = absolute(auth.url().expand(variables));
        if (url == null) {
            check.failed("auth-url does not expand to an absolute http(s) URL");
            check.starting = false;
            return check;
        }
        NginxTemplate key = auth.cacheKey();
        check.caching = AuthVerdictCache.caches(auth);
        if (check.caching && key != null) {
            check.cacheKey = AuthVerdictCache.key(
                    url.toString(), key.expand(new RequestFieldValues(variables, request.headers())));
            AuthVerdictCache.Verdict cached = AuthVerdictCache.get(auth, check.cacheKey);
            if (cached != null) {
                check.caching = false; // answered from the cache: nothing to store again
                check.new Outcome().answered(cached.status(), cached.headers());
                check.starting = false;
                return check;
            }
        }
        boolean tls = url.getScheme().equalsIgnoreCase("https");
        int port = url.getPort() > 0 ? url.getPort() : tls ? 443 : 80;
        String host = url.getHost().startsWith("[")
                ? url.getHost().substring(1, url.getHost().length() - 1)
                : url.getHost();
        FullHttpRequest subrequest = subrequest(auth, request, url, variables, record, conn, context.settings());
        RouteOptions options = route.options();
        Duration timeout = RouteTimeouts.or(
                        options.timeouts().connect(), context.settings().connectTimeout())
                .plus(RouteTimeouts.or(
                        options.timeouts().read(), context.settings().responseTimeout()));
        check.call = AuthCall.start(
                context.pools(loop),
                loop,
                host,
                port,
                tls ? OriginTlsContexts.of(OriginTls.INSECURE) : null,
                subrequest,
                timeout,
                check.new Outcome());
        check.starting = false;
        return check;
    }

    /** The client went away: the subrequest is abandoned and no verdict follows. */
    void cancel() {
        cancelled = true;
        if (call != null) {
            call.cancel();
        }
    }

    /**
     * Hands the verdict over, never from inside {@link #start} (a refused connect can fail at once): the caller has
     * the check in hand before its verdict comes.
     */
    private void deliver(Admission.@Nullable Decision refusal) {
        deliver(refusal, List.of());
    }

    private void deliver(Admission.@Nullable Decision refusal, List<String> cookies) {
        if (starting) {
            loop.execute(() -> deliver(refusal, cookies));
        } else if (!cancelled) {
            verdict.decided(refusal, cookies);
        }
    }

    /**
     * Whether the auth service's cookies go on every response ({@code auth-always-set-cookie}), not only on the
     * 2xx/3xx ones nginx's {@code add_header} adds to.
     */
    static boolean cookiesFor(ExternalAuth auth, int status) {
        return auth.alwaysSetCookie() || addHeaderStatus(status);
    }

    /** The statuses nginx's {@code add_header} (without {@code always}) adds its field to. */
    private static boolean addHeaderStatus(int status) {
        return switch (status) {
            case 200, 201, 204, 206, 301, 302, 303, 304, 307, 308 -> true;
            default -> false;
        };
    }

    /** The {@code Set-Cookie} values of the auth response fit to pass on (never one with CR, LF or NUL). */
    private static List<String> cookies(HttpHeaders headers) {
        List<String> cookies = new ArrayList<>();
        for (String value : headers.getAll(HttpHeaderNames.SET_COOKIE)) {
            if (!value.isEmpty() && fieldValue(value)) {
                cookies.add(value);
            }
        }
        return cookies;
    }

    /** The parsed expansion if it is an absolute http(s) URL with a host, else {@code null}. */
    private static @Nullable URI absolute(String expanded) {
        try {
            URI uri = new URI(expanded);
            String scheme = uri.getScheme();
            boolean http = "http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme);
            return http && uri.getHost() != null && uri.getRawUserInfo() == null ? uri : null;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /**
     * The auth service's request: the client's head (without hop-by-hop fields), no body, the auth fields, then the
     * fields of {@code auth-proxy-set-headers} ({@link ExternalAuth#proxySetHeaders}), on this request only.
     */
    private static FullHttpRequest subrequest(
            ExternalAuth auth,
            HttpRequest request,
            URI url,
            RequestVariables variables,
            RequestRecord record,
            ClientConnection conn,
            ProxySettings settings) {
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        String query = url.getRawQuery();
        FullHttpRequest sub = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1,
                HttpMethod.valueOf(auth.method()),
                query == null ? path : path + "?" + query,
                Unpooled.EMPTY_BUFFER);
        // auth-proxy-set-headers: expanded first, from the request as the client sent it ($http_<name>, ...)
        List<HeaderEdit> own = auth.proxySetHeaders();
        List<@Nullable String> ownValues = new ArrayList<>(own.size());
        if (!own.isEmpty()) {
            Function<NginxTemplate.Variable, String> values = HeaderEdit.anyTemplate(own)
                    ? RequestFieldValues.captured(variables, request.headers(), own)
                    : RequestVariables.NONE;
            for (HeaderEdit edit : own) {
                ownValues.add(edit.value() == null ? null : edit.valueFor(values));
            }
        }
        HttpHeaders headers = sub.headers().set(request.headers());
        HeaderRules.removeHopByHop(headers);
        if (!settings.underscoresInHeaders()) {
            HeaderRules.removeUnderscored(headers);
        } else {
            HeaderRules.removeUnderscoredTwins(
                    headers, own.stream().map(HeaderEdit::name).toList()); // and Usher's own fields, always
        }
        headers.remove(HttpHeaderNames.EXPECT).remove(HttpHeaderNames.CONTENT_LENGTH);
        CharSequence id = ForwardedHeaders.apply(headers, conn, record.clientIp(), variables.hostWithPort());
        // the origin gets the same X-Request-ID as the auth service ($req_id in both), so logs can be joined
        request.headers().set(ForwardedHeaders.X_REQUEST_ID, id);
        record.requestId(id); // a refused request is logged with it too
        String redirect = auth.requestRedirect();
        headers.set(HttpHeaderNames.HOST, url.getRawAuthority())
                .set(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderValues.ZERO)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .set(X_ORIGINAL_URI, safe(variables.requestUri()))
                .set(X_ORIGINAL_METHOD, request.method().name())
                .set(X_ORIGINAL_URL, safe(originalUrl(variables)))
                .set(X_SCHEME, variables.scheme())
                .set(X_AUTH_REQUEST_REDIRECT, redirect != null ? redirect : safe(variables.requestUri()));
        for (int i = 0; i < own.size(); i++) { // never a field of OWN_FIELDS (ExternalAuth refuses them)
            String value = ownValues.get(i);
            if (value == null) {
                headers.remove(own.get(i).name()); // nginx's proxy_set_header with an empty value: not sent
            } else {
                headers.set(own.get(i).name(), value);
            }
        }
        return sub;
    }

    /** nginx's {@code $scheme://$http_host$request_uri}. */
    private static String originalUrl(RequestVariables variables) {
        return variables.scheme() + "://" + variables.hostWithPort() + variables.requestUri();
    }

    /** {@code value} with anything outside printable ASCII percent-encoded: it goes into a header field. */
    private static String safe(String value) {
        return NginxTemplate.escapeUnsafe(value);
    }

    private void failed(String why) {
        deliver(failure(why));
    }

    private Admission.Decision failure(String why) {
        return Admission.Decision.local(
                new RouteGate.Reply(
                        HttpResponseStatus.INTERNAL_SERVER_ERROR, "external authentication failed: " + why, null, null),
                close);
    }

    /** The call's outcome turned into the verdict. */
    private final class Outcome implements AuthCall.Listener {
        @Override
        public void answered(int status, HttpHeaders headers) {
            if (caching) {
                AuthVerdictCache.Verdict kept = AuthVerdictCache.verdict(auth, status, headers);
                if (kept != null) {
                    AuthVerdictCache.put(auth, cacheKey, kept);
                }
            }
            List<String> cookies = cookies(headers);
            boolean passed = status >= 200 && status < 300;
            if (!passed && !auth.alwaysSetCookie()) {
                cookies = List.of();
            }
            decide(status, headers, cookies);
        }

        private void decide(int status, HttpHeaders headers, List<String> cookies) {
            if (status >= 200 && status < 300) {
                copyResponseFields(auth.responseHeaders(), headers, request.headers());
                deliver(null, cookies);
            } else if (status == 401 && auth.signin() != null) {
                String location = signin(Objects.requireNonNull(auth.signin()));
                deliver(
                        Admission.Decision.local(
                                new RouteGate.Reply(HttpResponseStatus.FOUND, "sign in at " + location, location, null),
                                close),
                        cookies);
            } else if (status == 401) {
                String challenge = headers.get(HttpHeaderNames.WWW_AUTHENTICATE);
                deliver(
                        Admission.Decision.local(
                                new RouteGate.Reply(
                                        HttpResponseStatus.UNAUTHORIZED,
                                        "authorization required",
                                        null,
                                        challenge != null && fieldValue(challenge) ? challenge : null),
                                close),
                        cookies);
            } else if (status == 403) {
                deliver(
                        Admission.Decision.local(
                                new RouteGate.Reply(
                                        HttpResponseStatus.FORBIDDEN,
                                        "refused by the authentication service",
                                        null,
                                        null),
                                close),
                        cookies);
            } else {
                deliver(failure("the authentication service answered " + status), cookies);
            }
        }

        @Override
        public void failed(String why) {
            ExternalAuthCheck.this.failed(why);
        }
    }

    /** The sign-in URL, with {@code rd=$scheme://$http_host$escaped_request_uri} appended as ingress-nginx does. */
    private String signin(NginxTemplate signin) {
        String location = signin.expand(variables);
        if (!auth.appendRedirect()) {
            return location;
        }
        return location + (signin.literalText().indexOf('?') >= 0 ? '&' : '?') + auth.redirectParam() + "="
                + variables.scheme() + "://" + safe(variables.hostWithPort())
                + NginxTemplate.escapeComponent(variables.requestUri());
    }

    /** Sets each of {@code names} from {@code from} (joined with ", " when repeated) or removes it from {@code to}. */
    static void copyResponseFields(List<String> names, HttpHeaders from, HttpHeaders to) {
        for (String name : names) {
            to.remove(name);
            List<String> values = from.getAll(name);
            String value = values.size() == 1 ? values.get(0) : String.join(", ", values);
            if (!value.isEmpty() && fieldValue(value)) {
                to.set(name, value);
            }
        }
    }

    /** A field value safe to pass on: visible ASCII, spaces and tabs (RFC 9110 §5.5), never CR, LF or NUL. */
    private static boolean fieldValue(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < ' ' && c != '\t') || c == 0x7f || c > 0xff) {
                return false;
            }
        }
        return true;
    }
}
