package dev.usher.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * The {@code X-Forwarded-*}, {@code X-Real-IP} and {@code X-Request-ID} fields of every proxied request: nobody's
 * word is taken unless {@code trustedProxies} says so (ingress-nginx's {@code use-forwarded-headers: false}).
 *
 * <ul>
 * <li>Peer not trusted (the default): every field a client could use to claim an address, scheme, host or path is
 *     removed - {@code Forwarded} (RFC 7239), the whole {@code X-Forwarded-*} family (including {@code -Prefix},
 *     {@code -Scheme}, {@code -Ssl}, {@code -Uri}, which frameworks use to build URLs and redirects),
 *     {@code X-Real-IP}, {@code X-Client-IP}, {@code True-Client-IP}, {@code X-Cluster-Client-IP},
 *     {@code X-Original-Forwarded-For} - and Usher sets {@code X-Forwarded-For} to exactly the peer, and
 *     {@code -Proto}, {@code -Host} and {@code -Port} from what its listener saw. ingress-nginx passes a client's
 *     {@code X-Forwarded-Prefix} through; Usher drops it with the rest of the family, since Usher itself never sets
 *     it and so cannot vouch for it.</li>
 * <li>Peer trusted: the peer is appended to the client's {@code X-Forwarded-For}; {@code -Proto}, {@code -Host},
 *     {@code -Port} (and any other forwarding field) the peer sent are kept, and set by Usher only when absent.</li>
 * <li>Always: {@code X-Real-IP} is the client address ({@link ForwardedFor}); {@code X-Original-URL} and
 *     {@code X-Rewrite-URL} are removed, because origins that honour them (IIS, Symfony, Laminas) would serve another
 *     path than the one Usher routed; {@code Proxy} is removed (httpoxy, CVE-2016-5385, as ingress-nginx does).</li>
 * <li>{@code X-Request-ID}: kept if it is 1-128 characters of {@code [A-Za-z0-9._-]} (UUIDs, hex and base64url IDs
 *     fit; nginx's own {@code $request_id} is 32 hex digits), else replaced by 32 random hex digits, so a client
 *     cannot put separators, quotes or control bytes into logs and origins through it.</li>
 * </ul>
 */
final class ForwardedHeaders {

    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    static final AsciiString X_FORWARDED_PORT = AsciiString.cached("x-forwarded-port");
    static final AsciiString X_REAL_IP = AsciiString.cached("x-real-ip");
    static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");

    static final int MAX_REQUEST_ID = 128;

    private static final AsciiString X_FORWARDED_FAMILY = AsciiString.cached("x-forwarded-");
    private static final AsciiString[] ALWAYS_REMOVED = {
        AsciiString.cached("x-original-url"), AsciiString.cached("x-rewrite-url"), AsciiString.cached("proxy")
    };
    private static final AsciiString[] UNTRUSTED_REMOVED = {
        AsciiString.cached("forwarded"),
        X_REAL_IP,
        AsciiString.cached("x-client-ip"),
        AsciiString.cached("true-client-ip"),
        AsciiString.cached("x-cluster-client-ip"),
        AsciiString.cached("x-original-forwarded-for")
    };

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private ForwardedHeaders() {}

    /**
     * Rewrites the forwarding fields and returns the request ID in force.
     *
     * @param clientIp the client address found for this request ({@link ClientConnection#clientAddress})
     * @param host the host the client asked for (Host header or absolute-form authority), or {@code null}
     */
    static CharSequence apply(HttpHeaders headers, ClientConnection conn, String clientIp, @Nullable String host) {
        for (AsciiString name : ALWAYS_REMOVED) {
            headers.remove(name);
        }
        String proto = conn.tls ? "https" : "http";
        String port = conn.listenerPortText;
        boolean hasHost = host != null && !host.isEmpty();
        if (conn.peerTrusted) {
            List<String> chain = headers.getAll(X_FORWARDED_FOR);
            headers.set(X_FORWARDED_FOR, chain.isEmpty() ? conn.peerIp : String.join(", ", chain) + ", " + conn.peerIp);
            setIfAbsent(headers, X_FORWARDED_PROTO, proto);
            if (hasHost && host != null) { // hasHost implies it; NullAway cannot see through the boolean
                setIfAbsent(headers, X_FORWARDED_HOST, host);
            }
            setIfAbsent(headers, X_FORWARDED_PORT, port);
        } else {
            removeClientForwarding(headers);
            headers.set(X_FORWARDED_FOR, conn.peerIp);
            headers.set(X_FORWARDED_PROTO, proto);
            if (hasHost) {
                headers.set(X_FORWARDED_HOST, host);
            }
            headers.set(X_FORWARDED_PORT, port);
        }
        headers.set(X_REAL_IP, clientIp);
        CharSequence id = headers.get(X_REQUEST_ID);
        if (!safeRequestId(id)) {
            id = newRequestId();
        }
        headers.set(X_REQUEST_ID, id);
        return id;
    }

    private static void setIfAbsent(HttpHeaders headers, AsciiString name, String value) {
        if (!headers.contains(name)) {
            headers.set(name, value);
        }
    }

    /** Removes what an untrusted client may have sent to claim an address, scheme, host or prefix. */
    private static void removeClientForwarding(HttpHeaders headers) {
        HeaderRules.removeNamesIf(headers, ForwardedHeaders::clientForwarding);
    }

    private static boolean clientForwarding(CharSequence name) {
        if (AsciiString.regionMatches(name, true, 0, X_FORWARDED_FAMILY, 0, X_FORWARDED_FAMILY.length())) {
            return true;
        }
        for (AsciiString removed : UNTRUSTED_REMOVED) {
            if (removed.contentEqualsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a client's {@code X-Request-ID} may be kept: 1-128 characters of {@code [A-Za-z0-9._-]}. */
    static boolean safeRequestId(@Nullable CharSequence id) {
        if (id == null || id.isEmpty() || id.length() > MAX_REQUEST_ID) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = c >= 'a' && c <= 'z'
                    || c >= 'A' && c <= 'Z'
                    || c >= '0' && c <= '9'
                    || c == '.'
                    || c == '_'
                    || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * 32 hex digits from the thread's own random source: cheap, no contention, and one 32-byte array that the header
     * encoder copies as is (no char array and String per request).
     */
    static AsciiString newRequestId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        byte[] out = new byte[32];
        long a = random.nextLong();
        long b = random.nextLong();
        for (int i = 0; i < 16; i++) {
            out[i] = HEX[(int) (a >>> (60 - 4 * i)) & 0xF];
            out[16 + i] = HEX[(int) (b >>> (60 - 4 * i)) & 0xF];
        }
        return new AsciiString(out, false);
    }
}
