package dev.usher.k8s.translate;

import dev.usher.routing.Cors;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * ingress-nginx's CORS annotations: {@code enable-cors} switches them on; {@code cors-allow-origin} (default
 * {@code *}), {@code cors-allow-methods} (default {@code GET, PUT, POST, DELETE, PATCH, OPTIONS}),
 * {@code cors-allow-headers} (default ingress-nginx's list), {@code cors-expose-headers} (default none),
 * {@code cors-allow-credentials} (default {@code true}) and {@code cors-max-age} (default 1728000) shape the answer.
 * Each value is checked here, once, for {@code usher check} and the parser alike: origins are
 * {@code http(s)://host[:port]} or {@code http(s)://*.domain[:port]} or {@code *}; methods and header names are
 * RFC 9110 tokens separated by commas, so no value can split a header. An invalid value is reported and the default
 * used, except an origin: invalid origins are dropped, and a list with none left allows no origin (ingress-nginx
 * would widen that to {@code *}; Usher never widens what an Ingress allows).
 */
final class NginxCors {

    static final String ENABLE = "enable-cors";
    static final String ORIGIN = "cors-allow-origin";
    static final String METHODS = "cors-allow-methods";
    static final String HEADERS = "cors-allow-headers";
    static final String EXPOSE = "cors-expose-headers";
    static final String CREDENTIALS = "cors-allow-credentials";
    static final String MAX_AGE = "cors-max-age";

    static final String DEFAULT_METHODS = "GET, PUT, POST, DELETE, PATCH, OPTIONS";
    static final String DEFAULT_HEADERS = "DNT, Keep-Alive, User-Agent, X-Requested-With, If-Modified-Since, "
            + "Cache-Control, Content-Type, Authorization";
    static final long DEFAULT_MAX_AGE = 1_728_000;

    private static final String LABEL = "[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?";
    private static final Pattern ORIGIN_SYNTAX =
            Pattern.compile("https?://(?:\\*\\.)?" + LABEL + "(?:\\." + LABEL + ")*(?::\\d{1,5})?");
    private static final Pattern TOKENS =
            Pattern.compile("[-!#$%&'*+.^_`|~A-Za-z0-9]+(?:\\s*,\\s*" + "[-!#$%&'*+.^_`|~A-Za-z0-9]+)*");

    private NginxCors() {}

    /** The CORS options, or {@code null} unless {@code enable-cors} is {@code "true"}. */
    static Cors read(Map<String, String> a) {
        if (!Boolean.TRUE.equals(Annotations.nginxFlag(a, ENABLE, "true", "false"))) {
            return null;
        }
        String origins = a.get(Annotations.NGINX + ORIGIN);
        List<String> allowed = origins == null || origins.isBlank() ? List.of("*") : origins(origins);
        Boolean credentials = Annotations.nginxFlag(a, CREDENTIALS, "true", "false");
        String maxAge = value(a, MAX_AGE, null);
        return new Cors(
                allowed,
                value(a, METHODS, DEFAULT_METHODS),
                value(a, HEADERS, DEFAULT_HEADERS),
                value(a, EXPOSE, ""),
                credentials == null || credentials,
                maxAge == null ? DEFAULT_MAX_AGE : Long.parseLong(maxAge));
    }

    /** What is wrong with {@code value} of annotation {@code name} (one of this class's), or {@code null}. */
    static String problem(String name, String value) {
        return switch (name) {
            case ENABLE, CREDENTIALS ->
                "true".equalsIgnoreCase(value) || "false".equalsIgnoreCase(value)
                        ? null
                        : "expected \"true\" or \"false\"";
            case ORIGIN -> {
                for (String origin : value.split(",", -1)) {
                    String o = origin.strip();
                    if (!o.equals("*")
                            && !ORIGIN_SYNTAX
                                    .matcher(o.toLowerCase(Locale.ROOT))
                                    .matches()) {
                        yield Problems.quote(o) + " is not an origin (http(s)://host[:port], http(s)://*.domain or *);"
                                + " that entry is dropped";
                    }
                }
                yield null;
            }
            case METHODS, HEADERS, EXPOSE ->
                TOKENS.matcher(value).matches() && value.length() <= 1024
                        ? null
                        : "expected a comma-separated list of " + (name.equals(METHODS) ? "methods" : "header names");
            case MAX_AGE -> value.matches("\\d{1,9}") ? null : "expected whole seconds";
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static List<String> origins(String value) {
        List<String> origins = new ArrayList<>();
        for (String origin : value.split(",", -1)) {
            String o = origin.strip().toLowerCase(Locale.ROOT);
            if (o.equals("*") || ORIGIN_SYNTAX.matcher(o).matches()) {
                origins.add(o);
            }
        }
        return origins;
    }

    /** The annotation's value as a header value (tokens joined by ", "), or {@code fallback} if absent or invalid. */
    private static String value(Map<String, String> a, String name, String fallback) {
        String value = a.get(Annotations.NGINX + name);
        if (value == null || value.isBlank() || problem(name, value.strip()) != null) {
            return fallback;
        }
        String v = value.strip();
        return name.equals(MAX_AGE) ? v : String.join(", ", v.split("\\s*,\\s*"));
    }
}
