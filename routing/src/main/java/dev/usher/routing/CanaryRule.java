package dev.usher.routing;

import org.jspecify.annotations.Nullable;

/**
 * ingress-nginx's traffic shaping of a canary Ingress ({@code canary: "true"}): which requests of the main route with the
 * same host, path and type go to the canary's backend instead. Values are checked by the translator; the snapshot
 * compiler turns the rule into a {@link Canary} on the main route, and the proxy asks {@link Canary#chooses} once per
 * request. Precedence, as ingress-nginx's balancer: header, then cookie, then weight.
 *
 * @param header {@code canary-by-header}: a request header whose value {@code always} sends the request to the
 *     canary and {@code never} to the main backend (any other value falls through), or {@code null}
 * @param headerValue {@code canary-by-header-value}: with {@code header}, the exact value that sends to the canary
 *     (any other value falls through; {@code always}/{@code never} lose their meaning), or {@code null}
 * @param headerPattern {@code canary-by-header-pattern}: with {@code header} and no {@code headerValue}, an RE2
 *     pattern searched in the value (a match sends to the canary, else fall through), or {@code null}
 * @param cookie {@code canary-by-cookie}: a cookie whose value {@code always} or {@code never} decides, or
 *     {@code null}
 * @param weight {@code canary-weight}: the requests out of {@code weightTotal} that go to the canary at random (0:
 *     none, {@code weightTotal} or more: all)
 * @param weightTotal {@code canary-weight-total} (100 by default; ingress-nginx's balancer never uses less than 100)
 * @param legacyAffinity {@code affinity-canary-behavior: legacy}: the canary ignores the main route's session affinity
 *     (its responses set no affinity cookie and a cookie never keeps a session on it); a session the cookie keeps on
 *     the main backend still stays there, as ingress-nginx's primary balancer does. {@code false}: {@code sticky}
 */
public record CanaryRule(
        @Nullable String header,
        @Nullable String headerValue,
        @Nullable String headerPattern,
        @Nullable String cookie,
        int weight,
        int weightTotal,
        boolean legacyAffinity) {

    public static final int DEFAULT_TOTAL = 100;

    /** With ingress-nginx's default {@code affinity-canary-behavior: sticky}. */
    public CanaryRule(
            @Nullable String header,
            @Nullable String headerValue,
            @Nullable String headerPattern,
            @Nullable String cookie,
            int weight,
            int weightTotal) {
        this(header, headerValue, headerPattern, cookie, weight, weightTotal, false);
    }

    public CanaryRule {
        if (weight < 0) {
            throw new IllegalArgumentException("weight must be >= 0: " + weight);
        }
        if (weightTotal < DEFAULT_TOTAL) {
            throw new IllegalArgumentException("weightTotal must be >= 100: " + weightTotal);
        }
        if (header != null && !SessionAffinity.isToken(header)) {
            throw new IllegalArgumentException("not a header name: " + header);
        }
        if (cookie != null && !SessionAffinity.isToken(cookie)) {
            throw new IllegalArgumentException("not a cookie name: " + cookie);
        }
    }

    /** A rule that only routes by weight. */
    public static CanaryRule weighted(int weight, int weightTotal) {
        return new CanaryRule(null, null, null, null, weight, weightTotal);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        if (header != null) {
            text.append("header ").append(header);
            if (headerValue != null) {
                text.append(" = ").append(headerValue);
            } else if (headerPattern != null) {
                text.append(" ~ ").append(headerPattern);
            } else {
                text.append(" always|never");
            }
            text.append(", ");
        }
        if (cookie != null) {
            text.append("cookie ").append(cookie).append(" always|never, ");
        }
        return text.append("weight ")
                .append(weight)
                .append('/')
                .append(weightTotal)
                .append(legacyAffinity ? ", affinity ignored (legacy)" : "")
                .toString();
    }
}
