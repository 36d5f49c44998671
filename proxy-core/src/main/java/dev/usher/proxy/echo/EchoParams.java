package dev.usher.proxy.echo;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a request asks of the echo: {@code /status/NNN}, {@code ?delay=MS} and {@code ?size=N}.
 *
 * @param error a message for a 400 reply when a parameter is malformed, else null
 */
record EchoParams(
        String path,
        int status,
        long delayMillis,
        long size,
        @Nullable String error) {

    static final long MAX_DELAY_MILLIS = 600_000;

    static EchoParams parse(String uri, long defaultSize) {
        QueryStringDecoder query = new QueryStringDecoder(uri);
        String path = query.path();
        int status = 200;
        if (path.startsWith("/status/")) {
            Integer parsed = parseInt(path.substring("/status/".length()));
            if (parsed == null || parsed < 200 || parsed > 599) {
                return invalid(path, "/status/NNN needs a final status code from 200 to 599");
            }
            status = parsed;
        }
        Long delay = longParam(query, "delay", 0);
        if (delay == null || delay < 0 || delay > MAX_DELAY_MILLIS) {
            return invalid(path, "delay must be milliseconds from 0 to " + MAX_DELAY_MILLIS);
        }
        Long size = longParam(query, "size", defaultSize);
        if (size == null || size < 0) {
            return invalid(path, "size must be a byte count of 0 or more");
        }
        return new EchoParams(path, status, delay, size, null);
    }

    private static EchoParams invalid(String path, String message) {
        return new EchoParams(path, 400, 0, 0, message);
    }

    private static @Nullable Long longParam(QueryStringDecoder query, String name, long fallback) {
        List<String> values = query.parameters().get(name);
        if (values == null || values.isEmpty()) {
            return fallback;
        }
        try {
            return Long.parseLong(values.get(0));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static @Nullable Integer parseInt(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
