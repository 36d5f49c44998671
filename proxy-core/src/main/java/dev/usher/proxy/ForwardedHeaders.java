package dev.usher.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The {@code X-Forwarded-*}, {@code X-Real-IP} and {@code X-Request-ID} fields added to every proxied request.
 *
 * <p>{@code X-Forwarded-For} is appended to (the client's own chain is kept, as ingress-nginx and Contour do); proto,
 * host, port and real IP are set from what this listener saw, overriding what the client sent; a request ID sent by
 * the client is kept, otherwise a random 128-bit hex ID is generated.
 */
final class ForwardedHeaders {

    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    static final AsciiString X_FORWARDED_PORT = AsciiString.cached("x-forwarded-port");
    static final AsciiString X_REAL_IP = AsciiString.cached("x-real-ip");
    static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private ForwardedHeaders() {
    }

    /**
     * Adds the forwarding fields and returns the request ID in force.
     *
     * @param host the host the client asked for (Host header or absolute-form authority), or {@code null}
     */
    static String apply(HttpHeaders headers, String clientIp, boolean tls, String host, int listenerPort) {
        List<String> chain = headers.getAll(X_FORWARDED_FOR);
        if (chain.isEmpty()) {
            headers.set(X_FORWARDED_FOR, clientIp);
        } else {
            headers.set(X_FORWARDED_FOR, String.join(", ", chain) + ", " + clientIp);
        }
        headers.set(X_FORWARDED_PROTO, tls ? "https" : "http");
        if (host != null && !host.isEmpty()) {
            headers.set(X_FORWARDED_HOST, host);
        } else {
            headers.remove(X_FORWARDED_HOST);
        }
        headers.set(X_FORWARDED_PORT, Integer.toString(listenerPort));
        headers.set(X_REAL_IP, clientIp);
        String id = headers.get(X_REQUEST_ID);
        if (id == null || id.isEmpty()) {
            id = newRequestId();
            headers.set(X_REQUEST_ID, id);
        }
        return id;
    }

    /** 32 hex digits from the thread's own random source: cheap, no contention. */
    static String newRequestId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] out = new char[32];
        long a = random.nextLong();
        long b = random.nextLong();
        for (int i = 0; i < 16; i++) {
            out[i] = HEX[(int) (a >>> (60 - 4 * i)) & 0xF];
            out[16 + i] = HEX[(int) (b >>> (60 - 4 * i)) & 0xF];
        }
        return new String(out);
    }
}
