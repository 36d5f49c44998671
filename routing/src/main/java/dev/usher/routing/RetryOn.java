package dev.usher.routing;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A failure after which a request may be tried again on the next endpoint, spelled as in nginx's
 * {@code proxy_next_upstream} (and ingress-nginx's {@code proxy-next-upstream}); {@code off} is the empty set.
 */
public enum RetryOn {
    /** No connection could be made, or it was reset or closed before the response head. */
    ERROR("error"),
    /** Connecting, or waiting for the response head, took too long. */
    TIMEOUT("timeout"),
    /** The origin's response head is malformed. */
    INVALID_HEADER("invalid_header"),
    HTTP_500("http_500"),
    HTTP_502("http_502"),
    HTTP_503("http_503"),
    HTTP_504("http_504"),
    HTTP_403("http_403"),
    HTTP_404("http_404"),
    HTTP_429("http_429"),
    /** Also retry requests whose method is not idempotent (POST, PATCH, ...) once bytes of them went out. */
    NON_IDEMPOTENT("non_idempotent");

    private final String token;

    RetryOn(String token) {
        this.token = token;
    }

    /** The status condition for {@code code}, or {@code null} when no condition names it. */
    public static @Nullable RetryOn ofStatus(int code) {
        return switch (code) {
            case 500 -> HTTP_500;
            case 502 -> HTTP_502;
            case 503 -> HTTP_503;
            case 504 -> HTTP_504;
            case 403 -> HTTP_403;
            case 404 -> HTTP_404;
            case 429 -> HTTP_429;
            default -> null;
        };
    }

    /**
     * Parses nginx's list: tokens separated by spaces or commas, or {@code off} alone.
     *
     * @throws IllegalArgumentException naming the token that is not a condition, or an empty list
     */
    public static Set<RetryOn> parse(String text) {
        String[] tokens = text.trim().toLowerCase(Locale.ROOT).split("[\\s,]+");
        if (tokens.length == 0 || tokens[0].isEmpty()) {
            throw new IllegalArgumentException("names no condition (expected e.g. \"error timeout\" or \"off\")");
        }
        Set<RetryOn> out = EnumSet.noneOf(RetryOn.class);
        boolean off = false;
        for (String t : tokens) {
            if (t.equals("off")) {
                off = true;
                continue;
            }
            RetryOn found = null;
            for (RetryOn r : values()) {
                if (r.token.equals(t)) {
                    found = r;
                }
            }
            if (found == null) {
                throw new IllegalArgumentException(
                        "names an unknown condition '" + t + "' (known: off, error, timeout, "
                                + "invalid_header, http_500, http_502, http_503, http_504, http_403, http_404, http_429, "
                                + "non_idempotent)");
            }
            out.add(found);
        }
        if (off && !out.isEmpty()) {
            throw new IllegalArgumentException("combines 'off' with other conditions");
        }
        return out;
    }

    /** The nginx spelling, e.g. {@code http_502}. */
    @Override
    public String toString() {
        return token;
    }
}
