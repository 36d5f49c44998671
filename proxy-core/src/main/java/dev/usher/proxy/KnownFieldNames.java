package dev.usher.proxy;

import io.netty.handler.codec.DefaultHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The field names most requests and responses carry, as shared constants, so the HTTP/1 decoders do not copy them
 * into a new name for every message, and the headers they decode into skip re-validating them.
 *
 * <p>Netty's request decoder shares five names ({@code Host}, {@code Accept}, {@code Connection},
 * {@code Content-Type}, {@code Content-Length}); its response decoder none. Every other name costs a byte array, an
 * {@link AsciiString}, its hash, and a check of each byte against the token characters (RFC 9110 §5.6.2) when it is
 * added to the headers. {@link #intern} matches a name's exact bytes (the capitalised form and the lower-case form
 * HTTP/2-minded clients send are both listed), so what is forwarded is byte for byte what was received; a name that
 * is not listed is decoded as before.
 *
 * <p>{@link #headers()} validates names as Netty's default does, but for the constants of this table: they are tokens
 * by construction, and found by identity, never by content, so no other name (a client's or an annotation's) can skip
 * the check. The lower-case forms are Netty's {@link HttpHeaderNames} and Usher's forwarding-field constants where
 * those exist, so the fields Usher adds with them skip it too.
 */
final class KnownFieldNames {

    private static final String[] NAMES = {
        // both directions
        "Connection",
        "Content-Type",
        "Content-Length",
        "Content-Encoding",
        "Transfer-Encoding",
        "Cache-Control",
        "Pragma",
        "Upgrade",
        "Date",
        "Via",
        "Keep-Alive",
        // requests
        "Host",
        "Accept",
        "Accept-Encoding",
        "Accept-Language",
        "User-Agent",
        "Cookie",
        "Referer",
        "Origin",
        "Authorization",
        "If-None-Match",
        "If-Modified-Since",
        "Range",
        "TE",
        "DNT",
        "Priority",
        "Upgrade-Insecure-Requests",
        "X-Forwarded-For",
        "X-Forwarded-Proto",
        "X-Forwarded-Host",
        "X-Forwarded-Port",
        "X-Real-IP",
        "X-Request-ID",
        "X-Requested-With",
        "Sec-Fetch-Site",
        "Sec-Fetch-Mode",
        "Sec-Fetch-Dest",
        "Sec-Fetch-User",
        "Sec-Ch-Ua",
        "Sec-Ch-Ua-Mobile",
        "Sec-Ch-Ua-Platform",
        "Sec-WebSocket-Key",
        "Sec-WebSocket-Version",
        "Sec-WebSocket-Extensions",
        "Sec-WebSocket-Protocol",
        // responses
        "Server",
        "ETag",
        "Last-Modified",
        "Expires",
        "Age",
        "Vary",
        "Set-Cookie",
        "Location",
        "Accept-Ranges",
        "Content-Disposition",
        "Content-Security-Policy",
        "Strict-Transport-Security",
        "X-Content-Type-Options",
        "X-Frame-Options",
        "X-Powered-By",
        "Referrer-Policy",
        "Access-Control-Allow-Origin",
        "Access-Control-Allow-Credentials",
        "WWW-Authenticate",
        "Alt-Svc",
        "Sec-WebSocket-Accept"
    };

    /**
     * Lower-case constants that already exist, used as this table's own so that the fields Usher sets with them
     * ({@code headers.set(HttpHeaderNames.CONNECTION, ...)}, the forwarding fields) skip the name check too.
     */
    private static final AsciiString[] EXISTING = {
        HttpHeaderNames.CONNECTION,
        HttpHeaderNames.CONTENT_TYPE,
        HttpHeaderNames.CONTENT_LENGTH,
        HttpHeaderNames.CONTENT_ENCODING,
        HttpHeaderNames.TRANSFER_ENCODING,
        HttpHeaderNames.CACHE_CONTROL,
        HttpHeaderNames.PRAGMA,
        HttpHeaderNames.UPGRADE,
        HttpHeaderNames.DATE,
        HttpHeaderNames.VIA,
        HttpHeaderNames.HOST,
        HttpHeaderNames.ACCEPT,
        HttpHeaderNames.ACCEPT_ENCODING,
        HttpHeaderNames.ACCEPT_LANGUAGE,
        HttpHeaderNames.USER_AGENT,
        HttpHeaderNames.COOKIE,
        HttpHeaderNames.REFERER,
        HttpHeaderNames.ORIGIN,
        HttpHeaderNames.AUTHORIZATION,
        HttpHeaderNames.IF_NONE_MATCH,
        HttpHeaderNames.IF_MODIFIED_SINCE,
        HttpHeaderNames.RANGE,
        HttpHeaderNames.TE,
        HttpHeaderNames.UPGRADE_INSECURE_REQUESTS,
        HttpHeaderNames.X_REQUESTED_WITH,
        HttpHeaderNames.SEC_WEBSOCKET_KEY,
        HttpHeaderNames.SEC_WEBSOCKET_VERSION,
        HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS,
        HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL,
        HttpHeaderNames.SERVER,
        HttpHeaderNames.ETAG,
        HttpHeaderNames.LAST_MODIFIED,
        HttpHeaderNames.EXPIRES,
        HttpHeaderNames.AGE,
        HttpHeaderNames.VARY,
        HttpHeaderNames.SET_COOKIE,
        HttpHeaderNames.LOCATION,
        HttpHeaderNames.ACCEPT_RANGES,
        HttpHeaderNames.CONTENT_DISPOSITION,
        HttpHeaderNames.CONTENT_SECURITY_POLICY,
        HttpHeaderNames.X_FRAME_OPTIONS,
        HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN,
        HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS,
        HttpHeaderNames.WWW_AUTHENTICATE,
        HttpHeaderNames.SEC_WEBSOCKET_ACCEPT,
        ForwardedHeaders.X_FORWARDED_FOR,
        ForwardedHeaders.X_FORWARDED_PROTO,
        ForwardedHeaders.X_FORWARDED_HOST,
        ForwardedHeaders.X_FORWARDED_PORT,
        ForwardedHeaders.X_REAL_IP,
        ForwardedHeaders.X_REQUEST_ID
    };

    /** The constants by length: each name in its listed form and in lower case. */
    private static final AsciiString[][] BY_LENGTH;

    /** The same constants in an open-addressing table keyed by their hash, found by identity. */
    private static final AsciiString[] BY_IDENTITY;

    static {
        List<List<AsciiString>> byLength = new ArrayList<>();
        List<AsciiString> all = new ArrayList<>();
        for (String name : NAMES) {
            for (String form : new String[] {name, name.toLowerCase(Locale.ROOT)}) {
                AsciiString constant = constant(form);
                while (byLength.size() <= form.length()) {
                    byLength.add(new ArrayList<>());
                }
                if (!byLength.get(form.length()).contains(constant)) {
                    byLength.get(form.length()).add(constant);
                    all.add(constant);
                }
            }
        }
        BY_LENGTH = new AsciiString[byLength.size()][];
        for (int i = 0; i < BY_LENGTH.length; i++) {
            BY_LENGTH[i] = byLength.get(i).toArray(AsciiString[]::new);
        }
        BY_IDENTITY = new AsciiString[Integer.highestOneBit(all.size()) * 4];
        for (AsciiString constant : all) {
            int slot = constant.hashCode() & (BY_IDENTITY.length - 1);
            while (BY_IDENTITY[slot] != null) {
                slot = (slot + 1) & (BY_IDENTITY.length - 1);
            }
            BY_IDENTITY[slot] = constant;
        }
    }

    /** The existing constant spelled {@code form} exactly, else a new one. */
    private static AsciiString constant(String form) {
        for (AsciiString existing : EXISTING) {
            if (existing.toString().equals(form)) {
                return existing;
            }
        }
        return AsciiString.cached(form);
    }

    /** The decoders' name check: Netty's, skipped for this table's constants only. */
    private static final DefaultHeaders.NameValidator<CharSequence> NAME_CHECK;

    private static final DefaultHeaders.ValueValidator<CharSequence> VALUE_CHECK;

    static {
        DefaultHttpHeadersFactory netty = DefaultHttpHeadersFactory.headersFactory();
        DefaultHeaders.NameValidator<CharSequence> tokens = netty.getNameValidator();
        NAME_CHECK = name -> {
            if (!isConstant(name)) {
                tokens.validateName(name);
            }
        };
        VALUE_CHECK = netty.getValueValidator();
    }

    /**
     * A decoder's headers factory ({@link FlatHeaders}, sized by the connection's own messages) with Netty's
     * validators and this table's name check.
     */
    static HttpHeadersFactory headers() {
        return FlatHeaders.perConnection(NAME_CHECK, VALUE_CHECK, 8, 32);
    }

    private KnownFieldNames() {}

    /** The listed names in their capitalised form (tests draw from them). */
    static List<String> names() {
        return List.of(NAMES);
    }

    /** The constant whose bytes are {@code bytes[start, start + length)} exactly, or {@code null}. */
    static @Nullable AsciiString intern(byte[] bytes, int start, int length) {
        if (length >= BY_LENGTH.length) {
            return null;
        }
        for (AsciiString candidate : BY_LENGTH[length]) {
            if (sameBytes(candidate, bytes, start, length)) {
                return candidate;
            }
        }
        return null;
    }

    /** Whether {@code name} is one of this table's constants (the object itself, not an equal name). */
    static boolean isConstant(CharSequence name) {
        if (!(name instanceof AsciiString)) {
            return false;
        }
        // AsciiString caches its hash; the headers compute the same hash next to store the field
        int slot = name.hashCode() & (BY_IDENTITY.length - 1);
        for (AsciiString at = BY_IDENTITY[slot]; at != null; at = BY_IDENTITY[slot]) {
            if (at == name) {
                return true;
            }
            slot = (slot + 1) & (BY_IDENTITY.length - 1);
        }
        return false;
    }

    private static boolean sameBytes(AsciiString constant, byte[] bytes, int start, int length) {
        byte[] own = constant.array();
        int offset = constant.arrayOffset();
        // the last byte tells most same-length names apart first
        if (own[offset + length - 1] != bytes[start + length - 1] || own[offset] != bytes[start]) {
            return false;
        }
        for (int i = 1; i < length - 1; i++) {
            if (own[offset + i] != bytes[start + i]) {
                return false;
            }
        }
        return true;
    }
}
