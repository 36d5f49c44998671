package dev.usher.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Hop-by-hop header removal, applied to requests and responses alike.
 *
 * <p>RFC 9110 §7.6.1: a proxy removes {@code Connection} and every field it names, plus the fields that are hop-by-hop
 * by definition ({@code Keep-Alive}, {@code Proxy-Connection}, {@code TE}, {@code Transfer-Encoding}, {@code Upgrade},
 * {@code Trailer}). {@code Proxy-Authorization} and {@code Proxy-Authenticate} are meant for a proxy (§11.7), and
 * Usher does no proxy authentication, so they are dropped too rather than leaked to the next hop. The caller
 * re-frames the message afterwards.
 *
 * <p>A {@code Connection} token never removes {@code Content-Length}, {@code Transfer-Encoding} or {@code Host}: a
 * message whose {@code Connection} names one of them is refused before it gets here ({@link #namesProtected}), and
 * {@link #removeHopByHop} skips them anyway. Removing them would leave a body with no framing, which the next hop
 * reads as a second message (request smuggling, response-queue poisoning).
 */
final class HeaderRules {

    private static final AsciiString[] HOP_BY_HOP = {
        HttpHeaderNames.CONNECTION,
        AsciiString.cached("keep-alive"), // HttpHeaderNames.KEEP_ALIVE is deprecated, the field is still hop-by-hop
        AsciiString.cached("proxy-connection"),
        HttpHeaderNames.TE,
        HttpHeaderNames.TRANSFER_ENCODING,
        HttpHeaderNames.UPGRADE,
        HttpHeaderNames.TRAILER,
        HttpHeaderNames.PROXY_AUTHORIZATION,
        HttpHeaderNames.PROXY_AUTHENTICATE
    };

    /** Fields that frame or route a request: never removed because {@code Connection} names them. */
    static final List<AsciiString> REQUEST_PROTECTED =
            List.of(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.HOST);

    /** Fields that frame a response. */
    static final List<AsciiString> RESPONSE_PROTECTED =
            List.of(HttpHeaderNames.CONTENT_LENGTH, HttpHeaderNames.TRANSFER_ENCODING);

    private HeaderRules() {}

    /** Removes the fields named in {@code Connection} (but framing and routing ones), then every hop-by-hop field. */
    static void removeHopByHop(HttpHeaders headers) {
        removeHopByHop(headers, List.of(), List.of());
    }

    /**
     * As {@link #removeHopByHop(HttpHeaders)}, a {@code Connection} token naming one of {@code vouched} or
     * {@code vouchedToo} (any case) removing nothing either: fields Usher set itself before forwarding (a client's
     * {@code Connection: ssl-client-verify} must not take away what the TLS handshake, or the auth service, says).
     */
    static void removeHopByHop(
            HttpHeaders headers, List<? extends CharSequence> vouched, List<? extends CharSequence> vouchedToo) {
        // Most messages carry no Connection field: skip getAll's list (this runs for every request and response).
        List<String> connection =
                headers.contains(HttpHeaderNames.CONNECTION) ? headers.getAll(HttpHeaderNames.CONNECTION) : List.of();
        String named = null; // the usual one token (keep-alive, or an Upgrade's): removed by name
        Set<String> more = null; // several: one pass, so thousands of tokens and fields do not cost their product
        for (String value : connection) {
            int start = 0;
            while (start <= value.length()) {
                int comma = value.indexOf(',', start);
                int end = comma < 0 ? value.length() : comma;
                String token = value.substring(start, end).trim();
                if (!token.isEmpty()
                        && indexOf(REQUEST_PROTECTED, token) < 0
                        && indexOf(vouched, token) < 0
                        && indexOf(vouchedToo, token) < 0) {
                    if (named == null) {
                        named = token;
                    } else {
                        more = more == null ? new HashSet<>(List.of(named.toLowerCase(Locale.ROOT))) : more;
                        more.add(token.toLowerCase(Locale.ROOT));
                    }
                }
                start = end + 1;
            }
        }
        if (more != null) {
            Set<String> lowerCased = more;
            removeNamesIf(headers, name -> lowerCased.contains(name.toString().toLowerCase(Locale.ROOT)));
        } else if (named != null) {
            headers.remove(named);
        }
        for (AsciiString name : HOP_BY_HOP) {
            headers.remove(name);
        }
    }

    /** The first of {@code names} that a {@code Connection} field lists (case-insensitive), or {@code null}. */
    static @Nullable AsciiString namesProtected(HttpHeaders headers, List<AsciiString> names) {
        if (!headers.contains(HttpHeaderNames.CONNECTION)) {
            return null; // the common case, without getAll's list
        }
        for (String value : headers.getAll(HttpHeaderNames.CONNECTION)) {
            int start = 0;
            while (start <= value.length()) {
                int comma = value.indexOf(',', start);
                int end = comma < 0 ? value.length() : comma;
                int i = indexOf(names, value.substring(start, end).trim());
                if (i >= 0) {
                    return names.get(i);
                }
                start = end + 1;
            }
        }
        return null;
    }

    /**
     * Whether {@code Transfer-Encoding} is exactly one {@code chunked} (any case, blanks around it): the only coding
     * Usher reads or forwards, from a client (else 501) or an origin (else 502).
     */
    static boolean chunkedOnly(HttpHeaders headers) {
        List<String> codings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        return codings.size() == 1 && codings.get(0).trim().equalsIgnoreCase("chunked");
    }

    /** Whether {@code Connection} lists {@code token} (case-insensitive). */
    static boolean connectionHas(HttpHeaders headers, AsciiString token) {
        return headers.containsValue(HttpHeaderNames.CONNECTION, token, true);
    }

    /**
     * Drops every field whose name contains an underscore, as nginx does by default ({@code underscores_in_headers
     * off}): {@code X_Forwarded_For} and {@code X-Forwarded-For} are one variable to CGI-style origins, so such a field
     * could slip past the rules that set or strip its dashed twin.
     */
    static void removeUnderscored(HttpHeaders headers) {
        removeUnderscoredIf(headers, name -> true);
    }

    /**
     * Field-name prefixes of what Usher sets, vouches for or removes from a client: the forwarding family, the client
     * address fields, the request ID and the {@code ssl-client-*} fields of the handshake.
     */
    private static final String[] OWNED_PREFIXES = {
        "x-forwarded-",
        "x-real-ip",
        "x-request-id",
        "ssl-client-",
        "forwarded",
        "x-client-ip",
        "true-client-ip",
        "x-cluster-client-ip",
        "x-original-forwarded-for",
        "x-original-url",
        "x-rewrite-url",
        "x-original-uri"
    };

    /**
     * Where {@code --enable-underscores-in-headers} lets fields with {@code _} through: removes those that, read with
     * {@code -} for {@code _}, name a field Usher sets or vouches for ({@link #OWNED_PREFIXES}, or one of
     * {@code owned}: the auth service's response fields, the operator's {@code proxy-set-headers}). A CGI or PHP origin
     * folds {@code -} and {@code _} together ({@code HTTP_X_FORWARDED_FOR}), so a client's {@code X_Forwarded_For}
     * could stand in for the one Usher wrote. nginx forwards such fields when underscores are enabled; Envoy's
     * {@code headers_with_underscores_action} drops them all. This keeps the fields applications use and drops the
     * spoofs.
     */
    static void removeUnderscoredTwins(HttpHeaders headers, List<? extends CharSequence> owned) {
        removeUnderscoredIf(headers, name -> ownedTwin(name, owned));
    }

    /** Removes the fields whose names hold a {@code _} and that {@code remove} takes. */
    private static void removeUnderscoredIf(HttpHeaders headers, Predicate<CharSequence> remove) {
        removeNamesIf(headers, name -> AsciiString.indexOf(name, '_', 0) >= 0 && remove.test(name));
    }

    /**
     * Removes every field whose name {@code remove} takes; {@code remove} must not depend on the name's case (a field
     * of another spelling is removed with the one it takes). One pass over the decoders' {@link FlatHeaders}, so a head
     * of thousands of distinct names to remove costs what it takes to read; other headers by name.
     */
    static void removeNamesIf(HttpHeaders headers, Predicate<CharSequence> remove) {
        if (headers instanceof FlatHeaders flat) {
            flat.removeIf(remove);
            return;
        }
        List<CharSequence> found = null; // allocated only when there is something to drop
        Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
        while (it.hasNext()) {
            CharSequence name = it.next().getKey();
            if (remove.test(name)) {
                found = found == null ? new ArrayList<>(2) : found;
                found.add(name);
            }
        }
        if (found != null) {
            found.forEach(headers::remove);
        }
    }

    private static boolean ownedTwin(CharSequence name, List<? extends CharSequence> owned) {
        String dashed = name.toString().replace('_', '-').toLowerCase(Locale.ROOT);
        for (String prefix : OWNED_PREFIXES) {
            if (dashed.startsWith(prefix)) {
                return true;
            }
        }
        return indexOf(owned, dashed) >= 0;
    }

    private static int indexOf(List<? extends CharSequence> names, String token) {
        for (int i = 0; i < names.size(); i++) {
            if (AsciiString.contentEqualsIgnoreCase(names.get(i), token)) {
                return i;
            }
        }
        return -1;
    }
}
