package dev.usher.proxy;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValidationUtil;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Headers.PseudoHeaderName;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An HTTP/2 request head as the HTTP/1.1 request {@link H2StreamCodec} hands on: what Netty's {@code
 * HttpConversionUtil.toHttpRequest(id, headers, true)} followed by {@link H2StreamCodec#removeConversionFields}
 * gives (Netty 4.2), built in one pass, without first adding the {@code x-http2-*} fields that are removed again.
 *
 * <p>Kept from Netty's conversion, field by field and in the same order:
 * <ul>
 *   <li>The request line: {@code :method} and {@code :path} ({@code :authority} for {@code CONNECT}, RFC 9113
 *       §8.5), through {@link HttpMethod#valueOf} and {@link DefaultHttpRequest}'s request-line validation (a
 *       {@code :path} or CONNECT authority with CR, LF or space is refused); {@code OPTIONS *} and absolute-form
 *       paths go on as they are. A missing {@code :method} or {@code :path} throws as Netty does (the frame codec has
 *       refused such a head before).</li>
 *   <li>{@code :authority} becomes {@code Host}; a {@code host} field is kept when there is no {@code :authority}
 *       (or no earlier {@code host}), dropped when it equals the one already there, ignoring case, and a stream
 *       error otherwise.</li>
 *   <li>Cookie crumbs are joined with {@code "; "} into one field, added after all others (§8.2.3).</li>
 *   <li>Fields the client sends under the conversion's own names ({@link HttpConversionUtil.ExtensionHeaderNames}:
 *       {@code x-http2-scheme}, {@code x-http2-stream-id}...; other {@code x-http2-} names are ordinary fields) are
 *       dropped, and so are {@code Transfer-Encoding}, {@code Trailer} and {@code Connection}, as the conversion
 *       removes them after translating.</li>
 *   <li>A field name that is empty or starts with {@code :} but is no pseudo-field is a stream error.</li>
 *   <li>Every field goes into headers that validate as Netty's do (name a token; value without control characters
 *       other than HTAB, nor leading whitespace): {@link H2HeaderCheck} only refuses upper case, CR, LF and NUL, so
 *       this is not the same check twice. The pseudo-fields Netty carried in a field ({@code :scheme}; for
 *       CONNECT, {@code :path} and {@code :protocol}) have their values checked the same way, without the field.
 *       The request's headers keep validating what the exchange adds later, as on HTTP/1.</li>
 *   <li>A failure while converting the fields is a {@code PROTOCOL_ERROR} stream error, as Netty's; one in the
 *       request line throws as Netty's does ({@link H2StreamCodec} turns it into a stream error).</li>
 * </ul>
 */
final class H2Heads {

    private static final AsciiString AUTHORITY = PseudoHeaderName.AUTHORITY.value();
    private static final AsciiString SCHEME = PseudoHeaderName.SCHEME.value();
    private static final AsciiString PATH = PseudoHeaderName.PATH.value();
    private static final AsciiString PROTOCOL = PseudoHeaderName.PROTOCOL.value();

    /** {@code x-http2-*}: {@link HttpConversionUtil.ExtensionHeaderNames}, copied once. */
    private static final AsciiString[] CONVERSION_FIELDS = java.util.Arrays.stream(
                    HttpConversionUtil.ExtensionHeaderNames.values())
            .map(HttpConversionUtil.ExtensionHeaderNames::text)
            .toArray(AsciiString[]::new);

    /** What {@code toHttpRequest(..., true)} gives the request: Netty's validating headers. */
    private static final HttpHeadersFactory HEADERS =
            DefaultHttpHeadersFactory.headersFactory().withValidation(true);

    private static final AsciiString CONVERSION_PREFIX = AsciiString.cached("x-http2-");

    private H2Heads() {}

    /**
     * The request {@code headers} open; {@code id} is the stream's, for the stream error.
     *
     * @throws Http2Exception a stream error with {@code PROTOCOL_ERROR} for fields that cannot be converted
     * @throws IllegalArgumentException for a request line that cannot be one
     */
    static HttpRequest request(int id, Http2Headers headers) throws Http2Exception {
        CharSequence method =
                Objects.requireNonNull(headers.method(), "method header cannot be null in conversion to HTTP/1.x");
        boolean connect = HttpMethod.CONNECT.asciiName().contentEqualsIgnoreCase(method);
        CharSequence target = connect
                ? Objects.requireNonNull(
                        headers.authority(), "authority header cannot be null in the conversion to HTTP/1.x")
                : Objects.requireNonNull(headers.path(), "path header cannot be null in conversion to HTTP/1.x");
        HttpRequest request = new DefaultHttpRequest(
                HttpVersion.HTTP_1_1, HttpMethod.valueOf(method.toString()), target.toString(), HEADERS);
        try {
            fields(id, headers, request.headers(), connect);
        } catch (Http2Exception e) {
            throw e;
        } catch (RuntimeException e) {
            throw Http2Exception.streamError(
                    id, Http2Error.PROTOCOL_ERROR, e, "HTTP/2 to HTTP/1.x headers conversion error");
        }
        return request;
    }

    private static void fields(int id, Http2Headers in, HttpHeaders out, boolean connect) throws Http2Exception {
        @Nullable CharSequence cookie = null; // the first crumb; more are joined in cookies
        @Nullable StringBuilder cookies = null;
        boolean host = false;
        boolean strip = false;
        for (Map.Entry<CharSequence, CharSequence> field : in) {
            CharSequence name = field.getKey();
            CharSequence value = field.getValue();
            if (AUTHORITY.contentEquals(name)) {
                host = true;
                out.add(HttpHeaderNames.HOST, AsciiString.of(value));
            } else if (SCHEME.contentEquals(name)
                    || (connect && (PATH.contentEquals(name) || PROTOCOL.contentEquals(name)))) {
                fieldValue(value); // Netty carried it in an x-http2-* field, validated, then removed
            } else if (PseudoHeaderName.isPseudoHeader(name)) {
                // the request line has it, or it has no HTTP/1 meaning
            } else if (name.length() == 0 || name.charAt(0) == ':') {
                throw Http2Exception.streamError(
                        id,
                        Http2Error.PROTOCOL_ERROR,
                        "Invalid HTTP/2 header '%s' encountered in translation to HTTP/1.x",
                        name);
            } else if (conversionField(name)) {
                // the client's own x-http2-*: dropped
            } else if (HttpHeaderNames.COOKIE.contentEquals(name)) {
                if (cookie == null) {
                    cookie = value;
                } else {
                    if (cookies == null) {
                        cookies = new StringBuilder(cookie.length() + value.length() + 32).append(cookie);
                    }
                    if (cookies.length() > 0) { // as Netty: no separator after empty crumbs
                        cookies.append("; ");
                    }
                    cookies.append(value);
                }
            } else if (HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)) {
                if (!host) {
                    host = true;
                    out.add(name, value);
                } else if (!AsciiString.contentEqualsIgnoreCase(out.get(HttpHeaderNames.HOST), value)) {
                    throw Http2Exception.streamError(
                            id, Http2Error.PROTOCOL_ERROR, "Conflicting ':authority' and 'host' headers found");
                }
            } else {
                strip |= HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)
                        || HttpHeaderNames.TRAILER.contentEqualsIgnoreCase(name)
                        || HttpHeaderNames.CONNECTION.contentEqualsIgnoreCase(name);
                out.add(name, value);
            }
        }
        if (cookies != null) {
            out.add(HttpHeaderNames.COOKIE, cookies.toString());
        } else if (cookie != null) {
            out.add(HttpHeaderNames.COOKIE, cookie);
        }
        if (strip) { // added, and so validated, first, as Netty does
            out.remove(HttpHeaderNames.TRANSFER_ENCODING);
            out.remove(HttpHeaderNames.TRAILER);
            out.remove(HttpHeaderNames.CONNECTION);
        }
    }

    /** What the value validation of the request's headers refuses (Netty's {@code DefaultHttpHeaders}). */
    private static void fieldValue(CharSequence value) {
        int at = HttpHeaderValidationUtil.validateValidHeaderValue(value);
        if (at != -1) {
            throw new IllegalArgumentException("a header value contains prohibited character 0x"
                    + Integer.toHexString(value.charAt(at)) + " at index " + at + '.');
        }
    }

    /** One of Netty's {@code x-http2-*} names, ignoring case, as the conversion's list of names to drop. */
    private static boolean conversionField(CharSequence name) {
        if (name.length() <= CONVERSION_PREFIX.length()
                || !AsciiString.regionMatches(name, true, 0, CONVERSION_PREFIX, 0, CONVERSION_PREFIX.length())) {
            return false;
        }
        for (AsciiString field : CONVERSION_FIELDS) {
            if (field.contentEqualsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }
}
