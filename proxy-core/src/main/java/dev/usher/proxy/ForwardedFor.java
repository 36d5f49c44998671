package dev.usher.proxy;

import dev.usher.routing.AddressBlock;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.NetUtil;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Finds the client address of a request that came through trusted proxies, from its {@code X-Forwarded-For} chain.
 *
 * <p>The walk is nginx's {@code real_ip_recursive on} (what ingress-nginx does with {@code use-forwarded-headers} and
 * {@code proxy-real-ip-cidr}): starting from the peer, which must be trusted, step left through the chain; the first
 * address that is not itself trusted is the client. Each hop can only vouch for the hop before it, so the walk never
 * goes past an address nobody trusted vouches for. An entry that is not an IP literal (garbage, {@code unknown}, a host
 * name) ends the walk too, and the last address verified so far stands: a client cannot choose its address by
 * inserting junk. A chain made only of trusted addresses yields its left-most one.
 *
 * <p>Entries may be {@code a.b.c.d}, an IPv6 literal, {@code [v6]}, {@code a.b.c.d:port} or {@code [v6]:port} (some
 * load balancers add ports). Several {@code X-Forwarded-For} lines form one list in order (RFC 9110 §5.3). The result
 * is re-formatted from the parsed bytes (RFC 5952 for IPv6), so client text never reaches a log or header verbatim.
 */
final class ForwardedFor {

    private ForwardedFor() {}

    /**
     * The client address behind a trusted peer.
     *
     * @param peer the trusted peer's address in canonical form, the answer when the chain is empty
     */
    static String clientAddress(HttpHeaders headers, String peer, TrustedProxies trusted) {
        List<String> lines = headers.getAll(ForwardedHeaders.X_FORWARDED_FOR);
        for (int line = lines.size() - 1; line >= 0; line--) {
            String value = lines.get(line);
            int end = value.length();
            while (end >= 0) {
                int comma = value.lastIndexOf(',', end - 1);
                String entry = value.substring(comma + 1, end).strip();
                end = comma;
                if (entry.isEmpty()) {
                    continue; // RFC 9110 §5.6.1: empty list elements are allowed and mean nothing
                }
                byte[] address = parse(entry);
                if (address == null) {
                    return peer;
                }
                peer = NetUtil.bytesToIpAddress(address);
                if (!trusted.contains(address)) {
                    return peer;
                }
            }
        }
        return peer;
    }

    /** The 4 or 16 bytes of an entry (IPv4-mapped IPv6 as 4), or {@code null} when it is no IP literal. */
    static byte @Nullable [] parse(String entry) {
        String literal = entry;
        if (entry.startsWith("[")) {
            int close = entry.indexOf(']');
            if (close < 0 || close + 1 < entry.length() && !port(entry, close + 1)) {
                return null;
            }
            literal = entry.substring(1, close);
            if (!NetUtil.isValidIpV6Address(literal)) {
                return null;
            }
        } else {
            int colon = entry.indexOf(':');
            if (colon > 0 && colon == entry.lastIndexOf(':')) {
                if (!port(entry, colon)) {
                    return null;
                }
                literal = entry.substring(0, colon);
                if (!NetUtil.isValidIpV4Address(literal)) {
                    return null;
                }
            }
        }
        if (literal.indexOf('%') >= 0) {
            return null; // a zone ID names an interface of the sender's host: meaningless here
        }
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(literal);
        return bytes == null ? null : AddressBlock.unmapped(bytes);
    }

    /** Whether {@code s} has {@code :} at {@code colon} followed by a port number (0-65535) and nothing else. */
    private static boolean port(String s, int colon) {
        int digits = s.length() - colon - 1;
        if (s.charAt(colon) != ':' || digits < 1 || digits > 5) {
            return false;
        }
        int port = 0;
        for (int i = colon + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
            port = port * 10 + (c - '0');
        }
        return port <= 65535;
    }
}
