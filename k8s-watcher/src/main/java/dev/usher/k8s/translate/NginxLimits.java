package dev.usher.k8s.translate;

import dev.usher.routing.RouteOptions;
import dev.usher.routing.RouteTimeouts;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ingress-nginx's {@code proxy-body-size} and {@code proxy-connect-timeout} / {@code proxy-read-timeout} /
 * {@code proxy-send-timeout}, read as ingress-nginx reads them: a size in nginx's syntax ({@code 8m}, {@code 1g},
 * {@code 512k}, {@code 1000}; {@code 0} is unlimited) and timeouts in whole seconds. An invalid value keeps the
 * global setting and is reported by the annotation audit ({@link #problem}).
 */
final class NginxLimits {

    static final String BODY_SIZE = "proxy-body-size";
    static final String CONNECT_TIMEOUT = "proxy-connect-timeout";
    static final String READ_TIMEOUT = "proxy-read-timeout";
    static final String SEND_TIMEOUT = "proxy-send-timeout";

    private static final Pattern SIZE = Pattern.compile("(\\d{1,19})([kKmMgG]?)");
    private static final Pattern SECONDS = Pattern.compile("\\d{1,9}");

    private NginxLimits() {}

    /** The request body limit in bytes, or {@link RouteOptions#GLOBAL_BODY_LIMIT} when absent or invalid. */
    static long bodySize(Map<String, String> a) {
        String value = a.get(Annotations.NGINX + BODY_SIZE);
        if (value == null) {
            return RouteOptions.GLOBAL_BODY_LIMIT;
        }
        long bytes = bytes(value.strip());
        return bytes < 0 ? RouteOptions.GLOBAL_BODY_LIMIT : bytes;
    }

    /** The three timeouts; an absent or invalid one keeps the global setting. */
    static RouteTimeouts timeouts(Map<String, String> a) {
        return new RouteTimeouts(seconds(a, CONNECT_TIMEOUT), seconds(a, READ_TIMEOUT), seconds(a, SEND_TIMEOUT));
    }

    /** What is wrong with {@code value} of annotation {@code name} (one of this class's), or {@code null}. */
    static String problem(String name, String value) {
        if (name.equals(BODY_SIZE)) {
            return bytes(value) >= 0 ? null : "expected a size such as 8m, 1g, 512k or 0 (unlimited)";
        }
        return seconds(value) != null ? null : "expected whole seconds greater than 0, such as 60";
    }

    /** nginx's size syntax in bytes, or -1. */
    static long bytes(String value) {
        Matcher m = SIZE.matcher(value);
        if (!m.matches()) {
            return -1;
        }
        long number;
        try {
            number = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return -1;
        }
        int shift =
                switch (m.group(2).toLowerCase(java.util.Locale.ROOT)) {
                    case "k" -> 10;
                    case "m" -> 20;
                    case "g" -> 30;
                    default -> 0;
                };
        return number > (Long.MAX_VALUE >> shift) ? -1 : number << shift;
    }

    private static Duration seconds(Map<String, String> a, String name) {
        String value = a.get(Annotations.NGINX + name);
        return value == null ? null : seconds(value.strip());
    }

    private static Duration seconds(String value) {
        if (!SECONDS.matcher(value).matches()) {
            return null;
        }
        long seconds = Long.parseLong(value);
        return seconds == 0 ? null : Duration.ofSeconds(seconds);
    }
}
