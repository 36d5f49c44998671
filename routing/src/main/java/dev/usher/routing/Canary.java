package dev.usher.routing;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.Objects;
import java.util.function.IntUnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * A main route's canary (ingress-nginx's alternative backend): the canary Ingress's {@link CanaryRule} and the
 * {@link Route} a request takes when the rule chooses the canary. That route is the main route with the canary's backend:
 * same host, path, rewrite and options (a canary inherits its main Ingress's annotations, as in ingress-nginx), owned by
 * the canary Ingress. Built by the snapshot compiler; immutable.
 */
public final class Canary {

    private final CanaryRule rule;
    private final Route route;
    /** The compiled {@code canary-by-header-pattern}, or {@code null} without one or when RE2 refused it. */
    private final @Nullable Pattern pattern;
    /** A pattern RE2 refused: a request carrying the header goes to the main backend, as ingress-nginx's error does. */
    private final boolean brokenPattern;

    Canary(CanaryRule rule, Route route) {
        this.rule = Objects.requireNonNull(rule, "rule");
        this.route = Objects.requireNonNull(route, "route");
        Pattern compiled = null;
        boolean broken = false;
        if (rule.header() != null && rule.headerValue() == null && rule.headerPattern() != null) {
            try {
                compiled = BoundedRegex.compile(rule.headerPattern());
            } catch (PatternSyntaxException e) {
                broken = true;
            }
        }
        this.pattern = compiled;
        this.brokenPattern = broken;
    }

    /** Why RE2 cannot compile {@code pattern} (RE2's reason), or {@code null} when it can. */
    public static @Nullable String patternProblem(String pattern) {
        try {
            BoundedRegex.compile(pattern);
            return null;
        } catch (PatternSyntaxException e) {
            return e.getDescription();
        }
    }

    public CanaryRule rule() {
        return rule;
    }

    /** The route a request takes to the canary. */
    public Route route() {
        return route;
    }

    /**
     * Whether a request goes to the canary, by ingress-nginx's precedence: the header (when the request has it), then
     * the cookie (when it has it), then the weight.
     *
     * @param headerValue the request's value of {@link CanaryRule#header()}, or {@code null} when absent (or no header
     *     is configured)
     * @param cookieValue the request's value of cookie {@link CanaryRule#cookie()}, or {@code null}
     * @param random returns a uniformly distributed int in {@code [0, bound)} for a bound; asked only when the weight
     *     decides and is neither 0 nor the whole total
     */
    public boolean chooses(@Nullable String headerValue, @Nullable String cookieValue, IntUnaryOperator random) {
        if (headerValue != null && rule.header() != null) {
            if (rule.headerValue() != null) {
                if (rule.headerValue().equals(headerValue)) {
                    return true;
                }
            } else if (pattern != null) {
                if (pattern.matcher(headerValue).find()) {
                    return true;
                }
            } else if (brokenPattern) {
                return false;
            } else if (headerValue.equals("always")) {
                return true;
            } else if (headerValue.equals("never")) {
                return false;
            }
        }
        if (cookieValue != null && rule.cookie() != null) {
            if (cookieValue.equals("always")) {
                return true;
            }
            if (cookieValue.equals("never")) {
                return false;
            }
        }
        int weight = rule.weight();
        if (weight <= 0) {
            return false;
        }
        if (weight >= rule.weightTotal()) {
            return true;
        }
        return random.applyAsInt(rule.weightTotal()) < weight;
    }

    @Override
    public String toString() {
        return route.ingressRef() + " -> "
                + Objects.requireNonNull(route.backend(), "a canary has a backend")
                        .ref() + " (" + rule + ")";
    }
}
