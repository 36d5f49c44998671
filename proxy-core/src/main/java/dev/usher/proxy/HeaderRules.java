package dev.usher.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * Hop-by-hop header removal, applied to requests and responses alike.
 *
 * <p>RFC 9110 §7.6.1: a proxy removes {@code Connection} and every field it names, plus the fields that are hop-by-hop
 * by definition ({@code Keep-Alive}, {@code Proxy-Connection}, {@code TE}, {@code Transfer-Encoding}, {@code Upgrade},
 * {@code Trailer}). {@code Proxy-Authorization} and {@code Proxy-Authenticate} are meant for a proxy (§11.7), and
 * Usher does no proxy authentication, so they are dropped too rather than leaked to the next hop. The caller
 * re-frames the message afterwards.
 */
final class HeaderRules {

    private static final List<AsciiString> HOP_BY_HOP = List.of(
            HttpHeaderNames.CONNECTION,
            AsciiString.cached("keep-alive"), // HttpHeaderNames.KEEP_ALIVE is deprecated, the field is still hop-by-hop
            AsciiString.cached("proxy-connection"),
            HttpHeaderNames.TE,
            HttpHeaderNames.TRANSFER_ENCODING,
            HttpHeaderNames.UPGRADE,
            HttpHeaderNames.TRAILER,
            HttpHeaderNames.PROXY_AUTHORIZATION,
            HttpHeaderNames.PROXY_AUTHENTICATE);

    private HeaderRules() {
    }

    /** Removes the fields named in {@code Connection}, then every hop-by-hop field. */
    static void removeHopByHop(HttpHeaders headers) {
        List<String> connection = headers.getAll(HttpHeaderNames.CONNECTION);
        for (String value : connection) {
            int start = 0;
            while (start <= value.length()) {
                int comma = value.indexOf(',', start);
                int end = comma < 0 ? value.length() : comma;
                String token = value.substring(start, end).trim();
                if (!token.isEmpty()) {
                    headers.remove(token);
                }
                start = end + 1;
            }
        }
        for (AsciiString name : HOP_BY_HOP) {
            headers.remove(name);
        }
    }

    /** Whether {@code Connection} lists {@code token} (case-insensitive). */
    static boolean connectionHas(HttpHeaders headers, AsciiString token) {
        return headers.containsValue(HttpHeaderNames.CONNECTION, token, true);
    }
}
