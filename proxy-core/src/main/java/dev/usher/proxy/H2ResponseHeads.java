package dev.usher.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.EmptyHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil.ExtensionHeaderNames;
import io.netty.util.AsciiString;
import io.netty.util.internal.StringUtil;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP/2 header block of a response head or trailer set the exchange writes: what Netty's {@code
 * HttpConversionUtil.toHttp2Headers(response, true)} and {@code toHttp2Headers(trailers, true)} give (Netty 4.2), the
 * same fields in the same order with the same values, or the same exception, built without what the conversion
 * allocates and drops on every call: a case-insensitive map of the names {@code Connection} nominates (built even when
 * there is none), a lower-cased copy of every name that has an upper-case letter ({@code Content-Type}, as an origin
 * spells it and {@link OriginResponseDecoder} keeps it).
 *
 * <p>Kept from Netty's conversion, field by field:
 * <ul>
 *   <li>{@code :status} first, the status code's text (the reason phrase has no place in HTTP/2, RFC 9113 §8.3.2).</li>
 *   <li>Every name lower case (§8.2.2), lowered as Netty lowers it: ASCII letters only, a character past {@code
 *       0xff} made {@code ?}. A name Netty defines ({@link HttpHeaderNames}, the conversion's {@code x-http2-*}
 *       names, gRPC's) becomes its constant, whatever its case, without a copy; another is lowered only when it has
 *       an upper-case letter, as Netty does.</li>
 *   <li>Dropped: {@code Connection}, {@code Keep-Alive}, {@code Proxy-Connection}, {@code Transfer-Encoding}, {@code
 *       Upgrade} (connection-specific, §8.2.2), {@code Host}, the {@code x-http2-stream-id}, {@code x-http2-scheme},
 *       {@code x-http2-path} and {@code x-http2-protocol} fields (other {@code x-http2-} names pass), and every field
 *       that a {@code Connection} value nominates: its comma-separated elements, lowered and trimmed as Netty trims
 *       ({@link AsciiString#trim()}: every byte up to space, and non-ASCII bytes too), an empty element nominating
 *       an empty name.</li>
 *   <li>{@code te} becomes {@code te: trailers} when one of its elements is {@code trailers} (ignoring case and
 *       surrounding whitespace; a list is parsed as CSV, and a malformed one throws as Netty's does), and is dropped
 *       otherwise (§8.2.2).</li>
 *   <li>A {@code cookie} of well-formed crumbs (separated by {@code "; "}, no character past {@code 0xff}) is split
 *       into one field per crumb (§8.2.3), a trailing {@code "; "} leaving an empty last crumb (and failing Netty's
 *       assertion, and this one, when assertions are on); any other cookie goes on whole. A crumb the headers refuse
 *       throws {@link IllegalStateException}, as Netty wraps it.</li>
 *   <li>Every other field as it is, values untouched, into {@link DefaultHttp2Headers} that validate as Netty's
 *       ({@code validate} true: a name must be a lower-case token, a value free of control characters other than
 *       HTAB), sized from the input's field count: what an origin sends that Netty refuses throws the same
 *       exception here, from the same field.</li>
 *   <li>An empty trailer set is {@link EmptyHttp2Headers#INSTANCE}.</li>
 * </ul>
 */
final class H2ResponseHeads {

    private static final byte PLAIN = 0;
    private static final byte DROP = 1;
    private static final byte TE = 2;
    private static final byte COOKIE = 3;

    /** Connection-specific names and the conversion's own, which it never copies. */
    @SuppressWarnings("deprecation") // Keep-Alive and Proxy-Connection: Netty's names, deprecated as fields
    private static final List<AsciiString> DROPPED = List.of(
            HttpHeaderNames.CONNECTION,
            HttpHeaderNames.KEEP_ALIVE,
            HttpHeaderNames.PROXY_CONNECTION,
            HttpHeaderNames.TRANSFER_ENCODING,
            HttpHeaderNames.HOST,
            HttpHeaderNames.UPGRADE,
            ExtensionHeaderNames.STREAM_ID.text(),
            ExtensionHeaderNames.SCHEME.text(),
            ExtensionHeaderNames.PATH.text(),
            ExtensionHeaderNames.PROTOCOL.text());

    private static final List<AsciiString> GRPC = List.of(
            AsciiString.cached("grpc-status"),
            AsciiString.cached("grpc-message"),
            AsciiString.cached("grpc-status-details-bin"),
            AsciiString.cached("grpc-encoding"),
            AsciiString.cached("grpc-accept-encoding"));

    /** Known lower-case names, open-addressed by {@link AsciiString#hashCode(CharSequence)}, which ignores case. */
    private static final AsciiString[] NAMES = new AsciiString[512];

    private static final byte[] KINDS = new byte[NAMES.length];

    static {
        for (Field field : HttpHeaderNames.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == AsciiString.class) {
                try {
                    known((AsciiString) field.get(null), PLAIN);
                } catch (IllegalAccessException e) {
                    throw new ExceptionInInitializerError(e);
                }
            }
        }
        for (ExtensionHeaderNames name : ExtensionHeaderNames.values()) {
            known(name.text(), PLAIN);
        }
        GRPC.forEach(name -> known(name, PLAIN));
        DROPPED.forEach(name -> known(name, DROP));
        known(HttpHeaderNames.TE, TE);
        known(HttpHeaderNames.COOKIE, COOKIE);
    }

    private H2ResponseHeads() {}

    /** The HEADERS of {@code response}'s head. */
    static Http2Headers response(HttpResponse response) {
        HttpHeaders in = response.headers();
        Http2Headers out = new DefaultHttp2Headers(true, in.size());
        out.status(response.status().codeAsText());
        fields(in, out);
        return out;
    }

    /** The HEADERS that carry {@code trailers}. */
    static Http2Headers trailers(HttpHeaders trailers) {
        if (trailers.isEmpty()) {
            return EmptyHttp2Headers.INSTANCE;
        }
        Http2Headers out = new DefaultHttp2Headers(true, trailers.size());
        fields(trailers, out);
        return out;
    }

    private static void fields(HttpHeaders in, Http2Headers out) {
        @Nullable List<AsciiString> nominated = in.contains(HttpHeaderNames.CONNECTION) ? nominated(in) : null;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> fields = in.iteratorCharSequence(); fields.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> field = fields.next();
            CharSequence name = field.getKey();
            int known = slot(name);
            byte kind = known < 0 ? PLAIN : KINDS[known];
            if (kind == DROP) {
                continue;
            }
            AsciiString lower = known < 0 ? lowerCase(name) : NAMES[known];
            if (nominated != null && nominated(nominated, lower)) {
                continue;
            }
            if (kind == TE) {
                te(field.getValue(), out);
            } else if (kind == COOKIE) {
                cookie(field.getValue(), out);
            } else {
                out.add(lower, field.getValue());
            }
        }
    }

    /** {@code name} lowered as Netty's {@code AsciiString.of(name).toLowerCase()}: unchanged when already lower. */
    private static AsciiString lowerCase(CharSequence name) {
        return AsciiString.of(name).toLowerCase();
    }

    /** The slot of the known name {@code name} is, ignoring ASCII case, or -1. */
    private static int slot(CharSequence name) {
        int mask = NAMES.length - 1;
        for (int i = AsciiString.hashCode(name) & mask; ; i = (i + 1) & mask) {
            AsciiString known = NAMES[i];
            if (known == null) {
                return -1;
            }
            if (known.contentEqualsIgnoreCase(name)) {
                return i;
            }
        }
    }

    private static void known(AsciiString name, byte kind) {
        int i = slot(name);
        if (i < 0) {
            int mask = NAMES.length - 1;
            for (i = AsciiString.hashCode(name) & mask; NAMES[i] != null; i = (i + 1) & mask) {
                // probe for a free slot
            }
            NAMES[i] = name;
        }
        KINDS[i] = kind;
    }

    /** The elements of every {@code Connection} value, lowered and trimmed. */
    private static List<AsciiString> nominated(HttpHeaders in) {
        List<AsciiString> names = new ArrayList<>(4);
        for (Iterator<? extends CharSequence> values = in.valueCharSequenceIterator(HttpHeaderNames.CONNECTION);
                values.hasNext(); ) {
            AsciiString value = AsciiString.of(values.next()).toLowerCase();
            int start = 0;
            for (int comma; (comma = value.indexOf(',', start)) != -1; start = comma + 1) {
                names.add(value.subSequence(start, comma, false).trim());
            }
            names.add(value.subSequence(start, value.length(), false).trim());
        }
        return names;
    }

    private static boolean nominated(List<AsciiString> nominated, AsciiString name) {
        for (int i = 0; i < nominated.size(); i++) {
            if (nominated.get(i).contentEqualsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /** {@code te: trailers} when {@code value} lists {@code trailers}; nothing otherwise. */
    private static void te(CharSequence value, Http2Headers out) {
        if (AsciiString.indexOf(value, ',', 0) == -1) {
            if (AsciiString.contentEqualsIgnoreCase(AsciiString.trim(value), HttpHeaderValues.TRAILERS)) {
                out.add(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
            }
            return;
        }
        for (CharSequence element : StringUtil.unescapeCsvFields(value)) { // throws on malformed CSV, as Netty
            if (AsciiString.contentEqualsIgnoreCase(AsciiString.trim(element), HttpHeaderValues.TRAILERS)) {
                out.add(HttpHeaderNames.TE, HttpHeaderValues.TRAILERS);
                return;
            }
        }
    }

    /** One field per crumb when the crumbs are separated by {@code "; "}; the value whole otherwise. */
    private static void cookie(CharSequence value, Http2Headers out) {
        if (!crumbs(value)) {
            out.add(HttpHeaderNames.COOKIE, value);
            return;
        }
        try {
            AsciiString cookie = AsciiString.of(value);
            int semi = cookie.indexOf(';', 0);
            if (semi == -1) {
                out.add(HttpHeaderNames.COOKIE, cookie);
                return;
            }
            int start = 0;
            do {
                out.add(HttpHeaderNames.COOKIE, cookie.subSequence(start, semi, false));
                start = semi + 2; // "; "
            } while (start < cookie.length() && (semi = cookie.indexOf(';', start)) != -1);
            assert start < cookie.length() : "Netty asserts a crumb after the last separator";
            out.add(HttpHeaderNames.COOKIE, cookie.subSequence(start, cookie.length(), false));
        } catch (RuntimeException e) {
            throw new IllegalStateException(e); // a crumb the headers refuse, as Netty reports it
        }
    }

    /** Whether every {@code ;} in {@code value} is followed by a space and no character is past {@code 0xff}. */
    private static boolean crumbs(CharSequence value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ';') {
                if (i + 1 >= value.length() || value.charAt(i + 1) != ' ') {
                    return false;
                }
                i++;
            } else if (c > 0xff) {
                return false;
            }
        }
        return true;
    }
}
