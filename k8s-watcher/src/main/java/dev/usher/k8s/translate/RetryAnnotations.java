package dev.usher.k8s.translate;

import dev.usher.routing.RetryOn;
import dev.usher.routing.RetryPolicy;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ingress-nginx's retry annotations, honoured with its meaning: {@code proxy-next-upstream} (the failures retried,
 * e.g. {@code "error timeout http_502"}, or {@code "off"}), {@code proxy-next-upstream-tries} (the most attempts, 0 =
 * every endpoint once) and {@code proxy-next-upstream-timeout} (seconds, or an nginx time such as {@code 500ms} or
 * {@code 1m}; 0 = no limit). An annotation that is absent, or invalid, leaves the data plane's flag in force for that
 * part; an invalid one is reported by the annotation audit ({@link Annotations#classify}, through {@link #invalid}), so
 * not here. There are no {@code usher.dev/} equivalents: the nginx keys say it already.
 */
final class RetryAnnotations {

    static final String NEXT_UPSTREAM = "proxy-next-upstream";
    static final String TRIES = "proxy-next-upstream-tries";
    static final String TIMEOUT = "proxy-next-upstream-timeout";

    /** More than this many tries is surely a typo; the data plane tries every endpoint once at most anyway. */
    static final int MAX_TRIES = 100;

    private static final Pattern TIME = Pattern.compile("(\\d{1,9})(ms|s|m|h)?");
    private static final Duration MAX_TIMEOUT = Duration.ofHours(24);

    private RetryAnnotations() {}

    /** The retry settings of an Ingress with {@code annotations}. */
    static RetryPolicy parse(Map<String, String> annotations) {
        String on = annotations.get(Annotations.NGINX + NEXT_UPSTREAM);
        String tries = annotations.get(Annotations.NGINX + TRIES);
        String timeout = annotations.get(Annotations.NGINX + TIMEOUT);
        if (on == null && tries == null && timeout == null) {
            return RetryPolicy.INHERIT;
        }
        return new RetryPolicy(
                valid(NEXT_UPSTREAM, on) ? RetryOn.parse(on) : null,
                valid(TRIES, tries) ? triesOf(tries) : null,
                valid(TIMEOUT, timeout) ? timeoutOf(timeout) : null);
    }

    /** Why {@code value} is not valid for {@code name} (one of the three keys), or {@code null} when it is. */
    static String invalid(String name, String value) {
        try {
            switch (name) {
                case NEXT_UPSTREAM -> RetryOn.parse(value);
                case TRIES -> triesOf(value);
                default -> timeoutOf(value);
            }
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static boolean valid(String name, String value) {
        return value != null && invalid(name, value) == null;
    }

    private static int triesOf(String value) {
        String v = value.trim();
        if (!v.matches("\\d{1,3}") || Integer.parseInt(v) > MAX_TRIES) {
            throw new IllegalArgumentException("is not a number of tries from 0 to " + MAX_TRIES);
        }
        return Integer.parseInt(v);
    }

    private static Duration timeoutOf(String value) {
        Matcher m = TIME.matcher(value.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("is not a time (seconds, or e.g. 500ms, 10s, 1m)");
        }
        long n = Long.parseLong(m.group(1));
        Duration d =
                switch (m.group(2) == null ? "s" : m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofSeconds(n);
                };
        if (d.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("is longer than 24h");
        }
        return d;
    }
}
