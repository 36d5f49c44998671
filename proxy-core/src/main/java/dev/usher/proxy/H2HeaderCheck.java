package dev.usher.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * RFC 9113 §8.2 for a header block, checked by {@link H2StreamCodec} before anything of a request is converted or
 * forwarded: a malformed block resets the stream with {@code PROTOCOL_ERROR}.
 *
 * <p>Netty's HPACK decoder (with header validation on) already refuses upper-case field names, connection-specific
 * fields and a {@code te} other than {@code trailers} as stream errors; this check is the same rule again in one
 * place, plus what Netty does not look at: CR, LF or NUL in a value, a value with leading or trailing whitespace
 * (§8.2.1), an {@code :authority} that disagrees with a {@code host} field (§8.3.1), which would let routing and
 * the origin see different hosts, and pseudo-fields that cannot become an HTTP/1.1 request line: a {@code :method}
 * that is not a token (RFC 9110 §9.1) or a {@code :path} with a space (not a URI, RFC 3986). Netty's conversion
 * refuses those too, but by throwing, and the stream's close then resets it with {@code CANCEL}, which the budget of
 * resets Usher sends does not count; refused here, they reset with {@code PROTOCOL_ERROR} and are counted.
 */
final class H2HeaderCheck {

    /** RFC 9113 §8.2.2: fields that only mean something on an HTTP/1 connection. */
    private static final Set<AsciiString> CONNECTION_SPECIFIC = Set.of(
            HttpHeaderNames.CONNECTION,
            AsciiString.cached("keep-alive"),
            AsciiString.cached("proxy-connection"), // Netty deprecates both names
            HttpHeaderNames.TRANSFER_ENCODING,
            HttpHeaderNames.UPGRADE);

    private H2HeaderCheck() {}

    /** What makes {@code headers} malformed, or {@code null} when nothing does. */
    static @Nullable String problem(Http2Headers headers) {
        for (Map.Entry<CharSequence, CharSequence> field : headers) {
            CharSequence name = field.getKey();
            CharSequence value = field.getValue();
            boolean pseudo = name.length() > 0 && name.charAt(0) == ':';
            if (!pseudo && !nameValid(name)) {
                return "invalid field name";
            }
            if (!valueValid(value)) {
                return "invalid value of " + name;
            }
            AsciiString lower = AsciiString.of(name);
            if (CONNECTION_SPECIFIC.contains(lower)) {
                return "connection-specific field " + name;
            }
            if (pseudo && !pseudoValid(lower, value)) {
                return "invalid " + name;
            }
            if (HttpHeaderNames.TE.contentEquals(lower) && !HttpHeaderValues.TRAILERS.contentEqualsIgnoreCase(value)) {
                return "te other than trailers";
            }
        }
        CharSequence authority = headers.authority();
        CharSequence host = headers.get(HttpHeaderNames.HOST);
        if (authority != null && host != null && !AsciiString.contentEqualsIgnoreCase(authority, host)) {
            return ":authority and host disagree";
        }
        return null;
    }

    /** A {@code :method} is a token; a {@code :path} has no space (controls fail {@link #valueValid} or later). */
    private static boolean pseudoValid(AsciiString name, CharSequence value) {
        if (Http2Headers.PseudoHeaderName.METHOD.value().contentEquals(name)) {
            if (value.length() == 0) {
                return false;
            }
            for (int i = 0; i < value.length(); i++) {
                if (!RequestSyntax.tchar(value.charAt(i))) {
                    return false;
                }
            }
        } else if (Http2Headers.PseudoHeaderName.PATH.value().contentEquals(name)) {
            for (int i = 0; i < value.length(); i++) {
                if (value.charAt(i) == ' ') {
                    return false;
                }
            }
        }
        return true;
    }

    /** §8.2.1: a token of lower-case visible ASCII (no controls, space, upper case, DEL or non-ASCII). */
    private static boolean nameValid(CharSequence name) {
        if (name.length() == 0) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= 0x20 || c >= 0x7f || (c >= 'A' && c <= 'Z') || c == ':') {
                return false;
            }
        }
        return true;
    }

    /** §8.2.1: no NUL, CR or LF, and no whitespace at either end. */
    private static boolean valueValid(CharSequence value) {
        int n = value.length();
        if (n > 0 && (blank(value.charAt(0)) || blank(value.charAt(n - 1)))) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c == 0 || c == '\r' || c == '\n') {
                return false;
            }
        }
        return true;
    }

    private static boolean blank(char c) {
        return c == ' ' || c == '\t';
    }
}
