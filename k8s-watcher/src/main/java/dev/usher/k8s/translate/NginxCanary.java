package dev.usher.k8s.translate;

import dev.usher.routing.Canary;
import dev.usher.routing.CanaryRule;
import dev.usher.routing.SessionAffinity;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * ingress-nginx's canary annotations: {@code canary: "true"} makes the Ingress the canary of the main routes with its
 * hosts and paths ({@link CanaryCheck}, {@code SnapshotCompiler}); {@code canary-by-header} (with {@code -value} or
 * {@code -pattern}), {@code canary-by-cookie} and {@code canary-weight} with {@code canary-weight-total} say which of
 * their requests it takes. Values are checked as ingress-nginx's validators do (header and cookie names, values of
 * letters, digits and {@code -._~/:}, patterns of those plus regex characters) and the pattern also by RE2; an invalid
 * value is reported and ignored, except a pattern RE2 cannot compile, which sends requests carrying the header to the
 * main backend, as ingress-nginx's failing match does.
 */
final class NginxCanary {

    static final String CANARY = "canary";
    static final String BY_HEADER = "canary-by-header";
    static final String BY_HEADER_VALUE = "canary-by-header-value";
    static final String BY_HEADER_PATTERN = "canary-by-header-pattern";
    static final String BY_COOKIE = "canary-by-cookie";
    static final String WEIGHT = "canary-weight";
    static final String WEIGHT_TOTAL = "canary-weight-total";
    static final String AFFINITY_BEHAVIOR = "affinity-canary-behavior";

    private static final List<String> SHAPING =
            List.of(BY_HEADER, BY_HEADER_VALUE, BY_HEADER_PATTERN, BY_COOKIE, WEIGHT, WEIGHT_TOTAL);
    /** ingress-nginx's {@code BasicCharsRegex}. */
    private static final java.util.regex.Pattern BASIC = java.util.regex.Pattern.compile("[-._~a-zA-Z0-9/:]+");
    /** ingress-nginx's {@code IsValidRegex}: basic characters plus {@code ^$[](){}*+?|&=\}. */
    private static final java.util.regex.Pattern REGEX_CHARS =
            java.util.regex.Pattern.compile("[-._~a-zA-Z0-9/:^$\\[\\](){}*+?|&=\\\\]+");

    static final String BROKEN_PATTERN = "requests carrying the header go to the main backend";

    private NginxCanary() {}

    /** The canary rule, or {@code null} unless {@code canary} is {@code "true"}. */
    static @Nullable CanaryRule read(Map<String, String> a) {
        if (!Boolean.TRUE.equals(Annotations.nginxFlag(a, CANARY, "true", "false"))) {
            return null;
        }
        String header = value(a, BY_HEADER);
        String headerValue = value(a, BY_HEADER_VALUE);
        String headerPattern = a.get(Annotations.NGINX + BY_HEADER_PATTERN);
        headerPattern = headerPattern == null
                        || !REGEX_CHARS.matcher(headerPattern.strip()).matches()
                ? null
                : headerPattern.strip();
        String weight = value(a, WEIGHT);
        String total = value(a, WEIGHT_TOTAL);
        return new CanaryRule(
                header,
                header == null ? null : headerValue,
                header == null ? null : headerPattern,
                value(a, BY_COOKIE),
                weight == null ? 0 : Integer.parseInt(weight),
                total == null ? CanaryRule.DEFAULT_TOTAL : Integer.parseInt(total),
                "legacy"
                        .equals(Objects.requireNonNullElse(a.get(Annotations.NGINX + AFFINITY_BEHAVIOR), "")
                                .strip()));
    }

    /**
     * Reports what the audit of single keys cannot see (translation only, never a reason to reject a manifests file):
     * traffic-shaping keys on an Ingress that is no canary, and a value or pattern without a valid
     * {@code canary-by-header}; both have no effect.
     */
    static void report(Map<String, String> a, String source, Problems problems) {
        boolean canary = Boolean.TRUE.equals(Annotations.nginxFlag(a, CANARY, "true", "false"));
        for (String name : SHAPING) {
            if (!canary && a.containsKey(Annotations.NGINX + name)) {
                problems.add(
                        source,
                        "annotation " + Annotations.NGINX + name + ": no effect without " + Annotations.NGINX
                                + "canary: \"true\"; ignored, as ingress-nginx does");
            }
        }
        if (canary && value(a, BY_HEADER) == null) {
            for (String name : List.of(BY_HEADER_VALUE, BY_HEADER_PATTERN)) {
                if (a.containsKey(Annotations.NGINX + name)) {
                    problems.add(
                            source,
                            "annotation " + Annotations.NGINX + name + ": no effect without a valid "
                                    + Annotations.NGINX + BY_HEADER + "; ignored");
                }
            }
        }
    }

    /**
     * {@code verdict} as it holds on an Ingress with these annotations: on a canary, an honoured annotation other than
     * the canary's own has no effect, since the canary serves with its main Ingress's options, as in ingress-nginx.
     */
    static Annotations.Verdict onCanary(Map<String, String> a, Annotations.Verdict verdict) {
        String name = verdict.key().substring(verdict.key().indexOf('/') + 1);
        if (verdict.status() != Annotations.Status.HONOURED
                || name.startsWith(CANARY)
                || name.equals(AFFINITY_BEHAVIOR)
                // ingress-nginx builds the canary's own upstream with it: its backend is the cluster IP
                || name.equals(NginxHonoured.SERVICE_UPSTREAM)
                || !Boolean.TRUE.equals(Annotations.nginxFlag(a, CANARY, "true", "false"))) {
            return verdict;
        }
        return new Annotations.Verdict(
                verdict.key(),
                Annotations.Status.NO_EFFECT,
                "on a canary Ingress: its main "
                        + "Ingress's annotations apply to the requests it takes, as in ingress-nginx");
    }

    /**
     * {@code affinity-canary-behavior}: {@code sticky} (the default) is what Usher does, a session the main route's
     * affinity cookie keeps on the main or the canary backend stays there; {@code legacy}: the canary ignores it.
     */
    static Annotations.Verdict affinityBehavior(String key, String value) {
        return switch (value) {
            case "sticky" ->
                new Annotations.Verdict(
                        key,
                        Annotations.Status.HONOURED,
                        "as ingress-nginx: a session "
                                + "the affinity cookie keeps on the main or the canary backend stays there (the default)");
            case "legacy" ->
                new Annotations.Verdict(
                        key,
                        Annotations.Status.HONOURED,
                        "as ingress-nginx: the canary ignores the main Ingress's session affinity (no cookie set or"
                                + " followed for it); a session the cookie keeps on the main backend stays there");
            default ->
                new Annotations.Verdict(
                        key,
                        Annotations.Status.INVALID,
                        "expected \"sticky\" or \"legacy\", "
                                + "got " + Problems.quote(value.length() > 40 ? value.substring(0, 40) + "..." : value)
                                + "; ignored");
        };
    }

    /** What is wrong with {@code value} of annotation {@code name} (one of this class's), or {@code null}. */
    static @Nullable String problem(String name, String value) {
        return switch (name) {
            case CANARY ->
                "true".equalsIgnoreCase(value) || "false".equalsIgnoreCase(value)
                        ? null
                        : "expected \"true\" or \"false\"";
            case BY_HEADER, BY_COOKIE ->
                SessionAffinity.isToken(value) && BASIC.matcher(value).matches()
                        ? null
                        : "expected a " + (name.equals(BY_HEADER) ? "header" : "cookie")
                                + " name (letters, digits, -._~)";
            case BY_HEADER_VALUE ->
                BASIC.matcher(value).matches()
                        ? null
                        : "expected letters, digits and -._~/: only (ingress-nginx's check)";
            case BY_HEADER_PATTERN -> patternProblem(value);
            case WEIGHT -> value.matches("\\d{1,9}") ? null : "expected a whole number of requests (0 and up)";
            case WEIGHT_TOTAL ->
                !value.matches("\\d{1,9}")
                        ? "expected a whole number of 100 or more"
                        : Integer.parseInt(value) < CanaryRule.DEFAULT_TOTAL
                                ? "below 100: ingress-nginx's balancer counts such a total as 100, and so does Usher"
                                : null;
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static @Nullable String patternProblem(String value) {
        if (!REGEX_CHARS.matcher(value).matches()) {
            return "expected letters, digits, -._~/: and regex characters ^$[](){}*+?|&=\\ only (ingress-nginx's check)";
        }
        String re2 = Canary.patternProblem(value);
        return re2 == null
                ? null
                : "RE2 cannot compile it (" + re2 + "); " + BROKEN_PATTERN + ", as ingress-nginx's failing match does";
    }

    /** The stripped value when present and valid, else {@code null}. */
    private static @Nullable String value(Map<String, String> a, String name) {
        String value = a.get(Annotations.NGINX + name);
        if (value == null) {
            return null;
        }
        String v = value.strip();
        return problem(name, v) == null ? v : null;
    }
}
