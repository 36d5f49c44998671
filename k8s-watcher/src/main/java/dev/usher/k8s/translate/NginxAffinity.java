package dev.usher.k8s.translate;

import dev.usher.routing.SessionAffinity;
import java.util.Locale;
import java.util.Map;

/**
 * ingress-nginx's cookie session affinity: {@code affinity: cookie} switches it on; {@code session-cookie-name}
 * (default {@code INGRESSCOOKIE}), {@code -path} (default the path of the rule), {@code -max-age}, {@code -expires}
 * (seconds), {@code -samesite} ({@code None}, {@code Lax}, {@code Strict}), {@code -secure} and
 * {@code -change-on-failure}, {@code -domain} and {@code -conditional-samesite-none} shape the cookie; {@code affinity-mode} {@code balanced} (ingress-nginx's default) and
 * {@code persistent} both keep a session on its endpoint while that endpoint serves (Usher's affinity is
 * persistent). Each value is checked here, once, so nothing can split the {@code Set-Cookie} header or add an
 * attribute to it; an invalid one is reported and its default used.
 */
final class NginxAffinity {

    static final String AFFINITY = "affinity";
    static final String MODE = "affinity-mode";
    static final String NAME = "session-cookie-name";
    static final String PATH = "session-cookie-path";
    static final String MAX_AGE = "session-cookie-max-age";
    static final String EXPIRES = "session-cookie-expires";
    static final String SAMESITE = "session-cookie-samesite";
    static final String SECURE = "session-cookie-secure";
    static final String CHANGE_ON_FAILURE = "session-cookie-change-on-failure";
    static final String DOMAIN = "session-cookie-domain";
    static final String CONDITIONAL_SAMESITE_NONE = "session-cookie-conditional-samesite-none";

    private NginxAffinity() {}

    /** The affinity, or {@code null} unless {@code affinity} is {@code cookie}. */
    static SessionAffinity read(Map<String, String> a) {
        String affinity = a.get(Annotations.NGINX + AFFINITY);
        if (affinity == null || !affinity.strip().equals("cookie")) {
            return null;
        }
        String name = value(a, NAME);
        String sameSite = value(a, SAMESITE);
        return new SessionAffinity(
                name == null ? SessionAffinity.DEFAULT_NAME : name,
                value(a, PATH),
                seconds(a, MAX_AGE),
                seconds(a, EXPIRES),
                sameSite == null ? null : sameSite(sameSite),
                Boolean.TRUE.equals(Annotations.nginxFlag(a, SECURE, "true", "false")),
                Boolean.TRUE.equals(Annotations.nginxFlag(a, CHANGE_ON_FAILURE, "true", "false")),
                value(a, DOMAIN),
                Boolean.TRUE.equals(Annotations.nginxFlag(a, CONDITIONAL_SAMESITE_NONE, "true", "false")));
    }

    /** What is wrong with {@code value} of annotation {@code name} (one of this class's), or {@code null}. */
    static String problem(String name, String value) {
        return switch (name) {
            case AFFINITY -> value.equals("cookie") ? null : "only \"cookie\" affinity exists";
            case MODE ->
                value.equals("balanced") || value.equals("persistent")
                        ? null
                        : "expected \"balanced\" or \"persistent\"";
            case NAME ->
                SessionAffinity.isToken(value) && value.length() <= 64
                        ? null
                        : "expected a cookie name (letters, digits and !#$%&'*+-.^_`|~)";
            case PATH ->
                SessionAffinity.isPath(value)
                        ? null
                        : "expected an absolute path without spaces, ';' or control characters";
            case MAX_AGE, EXPIRES -> value.matches("\\d{1,10}") ? null : "expected whole seconds";
            case SAMESITE -> sameSite(value) != null ? null : "expected None, Lax or Strict";
            case DOMAIN ->
                SessionAffinity.isDomain(value)
                        ? null
                        : "expected a domain name (letters, digits, '-' and '.', an optional leading '.')";
            case SECURE, CHANGE_ON_FAILURE, CONDITIONAL_SAMESITE_NONE ->
                "true".equalsIgnoreCase(value) || "false".equalsIgnoreCase(value)
                        ? null
                        : "expected \"true\" or \"false\"";
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static String sameSite(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "none" -> "None";
            case "lax" -> "Lax";
            case "strict" -> "Strict";
            default -> null;
        };
    }

    private static long seconds(Map<String, String> a, String name) {
        String value = value(a, name);
        return value == null ? -1 : Long.parseLong(value);
    }

    /** The stripped value when present and valid, else {@code null}. */
    private static String value(Map<String, String> a, String name) {
        String value = a.get(Annotations.NGINX + name);
        if (value == null) {
            return null;
        }
        String v = value.strip();
        return problem(name, v) == null ? v : null;
    }
}
