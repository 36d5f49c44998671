package dev.usher.k8s.translate;

import dev.usher.routing.ExternalAuth;
import dev.usher.routing.NginxTemplate;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The companions of {@code auth-url} that change what the client gets, not whether it is let through:
 * {@code auth-always-set-cookie} ({@code "true"}/{@code "false"}), {@code auth-cache-key} (nginx variables, among them
 * {@code $http_<name>}, {@code $cookie_<name>} and {@code $remote_user}) and {@code auth-cache-duration}
 * (comma-separated {@code [status ...] time} entries as nginx's {@code proxy_cache_valid}, {@code any} for every
 * status, times in {@code s}/{@code m}/{@code h}/{@code d} or plain seconds; {@code 200 202 401 5m} by default). An
 * invalid value is reported and ignored: no cookies on every response, no caching; the auth service is still asked.
 */
final class NginxAuthCache {

    static final String ALWAYS_SET_COOKIE = "auth-always-set-cookie";
    static final String CACHE_KEY = "auth-cache-key";
    static final String CACHE_DURATION = "auth-cache-duration";

    /** ingress-nginx's default {@code auth-cache-duration}. */
    static final String DEFAULT_DURATION = "200 202 401 5m";

    private static final Pattern TIME = Pattern.compile("([0-9]{1,9})(s|m|h|d)?");
    private static final Pattern STATUS = Pattern.compile("[1-5][0-9][0-9]|any");

    private NginxAuthCache() {}

    /** {@code auth} with the cookie and cache annotations of {@code a} applied (the valid ones). */
    static ExternalAuth apply(ExternalAuth auth, Map<String, String> a) {
        String always = a.get(Annotations.NGINX + ALWAYS_SET_COOKIE);
        String key = a.get(Annotations.NGINX + CACHE_KEY);
        String duration = a.get(Annotations.NGINX + CACHE_DURATION);
        boolean alwaysSetCookie = always != null && always.strip().equals("true");
        NginxTemplate cacheKey = null;
        Map<Integer, Duration> durations = Map.of();
        if (key != null && !key.isBlank() && problem(CACHE_KEY, key) == null) {
            Map<Integer, Duration> parsed = durations(duration == null ? DEFAULT_DURATION : duration);
            if (parsed != null && !parsed.isEmpty()) {
                cacheKey = NginxTemplate.parse(key.strip());
                durations = parsed;
            }
        }
        return new ExternalAuth(
                auth.url(),
                auth.method(),
                auth.signin(),
                auth.redirectParam(),
                auth.appendRedirect(),
                auth.responseHeaders(),
                auth.requestRedirect(),
                alwaysSetCookie,
                cacheKey,
                durations,
                auth.proxySetHeaders());
    }

    /** What is wrong with {@code value} of annotation {@code name} (one of this class's), or {@code null}. */
    static @Nullable String problem(String name, String value) {
        String v = value.strip();
        return switch (name) {
            case ALWAYS_SET_COOKIE ->
                v.equals("true") || v.equals("false")
                        ? null
                        : "expected \"true\" or \"false\"; cookies only after a 2xx";
            case CACHE_KEY -> keyProblem(v);
            case CACHE_DURATION ->
                durations(v) != null
                        ? null
                        : "expected comma-separated [status ...] time entries such as \"200 202 401 5m\"; not cached";
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static @Nullable String keyProblem(String v) {
        if (v.isEmpty()) {
            return "an empty key caches nothing";
        }
        try {
            NginxTemplate.parse(v);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage() + "; not cached";
        }
    }

    /** Status (or {@link ExternalAuth#ANY_STATUS}) to duration, or {@code null} when {@code value} is invalid. */
    static @Nullable Map<Integer, Duration> durations(String value) {
        Map<Integer, Duration> out = new HashMap<>();
        for (String entry : value.split(",", -1)) {
            String[] tokens = entry.strip().split("\\s+");
            if (tokens.length == 0 || tokens[0].isEmpty()) {
                return null;
            }
            Matcher time = TIME.matcher(tokens[tokens.length - 1]);
            if (!time.matches()) {
                return null;
            }
            long amount = Long.parseLong(time.group(1));
            String unit = time.group(2) == null ? "s" : time.group(2);
            Duration d =
                    switch (unit) {
                        case "m" -> Duration.ofMinutes(amount);
                        case "h" -> Duration.ofHours(amount);
                        case "d" -> Duration.ofDays(amount);
                        default -> Duration.ofSeconds(amount);
                    };
            if (tokens.length == 1) { // nginx: a time alone caches 200, 301 and 302
                out.put(200, d);
                out.put(301, d);
                out.put(302, d);
            }
            for (int i = 0; i < tokens.length - 1; i++) {
                if (!STATUS.matcher(tokens[i]).matches()) {
                    return null;
                }
                out.put(tokens[i].equals("any") ? ExternalAuth.ANY_STATUS : Integer.parseInt(tokens[i]), d);
            }
        }
        return out;
    }
}
