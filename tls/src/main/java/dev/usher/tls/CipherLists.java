package dev.usher.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.internal.tcnative.SSL;
import io.netty.internal.tcnative.SSLContext;
import io.netty.util.ReferenceCountUtil;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * OpenSSL cipher strings, as nginx's {@code ssl_ciphers} and {@code proxy_ssl_ciphers} take them (ingress-nginx's
 * {@code ssl-ciphers} and {@code proxy-ssl-ciphers}), turned into the list of TLS 1.2 cipher suites they select on
 * this machine's engine, by their IANA names ({@code TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}), in preference order.
 *
 * <p>The string is evaluated by the engine itself (BoringSSL through netty-tcnative), so keywords, {@code +}
 * combinations and {@code !}/{@code -}/{@code +} prefixes mean what they mean to it. Then:
 *
 * <ul>
 * <li>a word that would add ciphers but names none this engine has ({@code BOGUS}, or {@code CAMELLIA}, which
 *     BoringSSL lacks) is reported and left out; a {@code !}, {@code -} or {@code +} word never adds a cipher, so one
 *     naming nothing is left as it is (BoringSSL has no {@code aNULL} cipher to remove, and {@code !aNULL} stays
 *     harmless);
 * <li>weak suites are refused, reported and left out whatever the string says: no encryption ({@code NULL}), no
 *     authentication ({@code anon}), export grade, RC4, DES and 3DES. ingress-nginx passes any string to OpenSSL;
 *     Usher never lets an annotation weaken a handshake below that line;
 * <li>PSK suites are left out silently: without a pre-shared key they are never negotiated;
 * <li>TLS 1.3 suites are not chosen by a cipher string (as in OpenSSL) and stay as they are: users of this class add
 *     {@link #TLS13} to what they configure.
 * </ul>
 *
 * <p>Without OpenSSL (the JDK provider), only IANA suite names the JDK supports can be evaluated; other words are
 * reported and left out. Results are cached per string: an Ingress republished with the same value costs nothing.
 */
public final class CipherLists {

    /** The TLS 1.3 suites every context keeps, whatever its cipher string. */
    public static final List<String> TLS13 =
            List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

    /** The characters ingress-nginx accepts in a cipher string ({@code proxySSLCiphersRegex}, {@code ssl-ciphers}). */
    private static final Pattern SYNTAX = Pattern.compile("[A-Za-z0-9+:_\\-!]+");

    private static final int MAX_LENGTH = 2048;
    private static final int MAX_CACHED = 256;
    private static final Map<String, Parsed> CACHE = new ConcurrentHashMap<>();
    private static final Set<String> TLS13_NAMES = Set.copyOf(TLS13);

    /**
     * What a cipher string selects.
     *
     * @param suites the TLS 1.2 suites, IANA names, in preference order; empty when the string is ignored as a whole
     *     (the default list stays)
     * @param problems what was reported: words left out, weak suites refused, or why the whole string is ignored;
     *     empty when the string is used as written
     */
    public record Parsed(List<String> suites, List<String> problems) {
        public Parsed {
            suites = List.copyOf(suites);
            problems = List.copyOf(problems);
        }

        /** The problems as one sentence, or {@code null} when there are none. */
        public @Nullable String problem() {
            return problems.isEmpty() ? null : String.join("; ", problems);
        }
    }

    private CipherLists() {}

    /** Evaluates {@code value} (an OpenSSL cipher string); never throws. */
    public static Parsed parse(@Nullable String value) {
        String v = value == null ? "" : value.strip();
        Parsed cached = CACHE.get(v);
        if (cached != null) {
            return cached;
        }
        Parsed parsed = evaluate(v);
        if (CACHE.size() >= MAX_CACHED) {
            CACHE.clear();
        }
        CACHE.put(v, parsed);
        return parsed;
    }

    private static Parsed evaluate(String v) {
        if (v.isEmpty()) {
            return ignored("empty");
        }
        if (v.length() > MAX_LENGTH) {
            return ignored("longer than " + MAX_LENGTH + " characters");
        }
        if (!SYNTAX.matcher(v).matches()) {
            return ignored("only letters, digits and + : _ - ! may appear in a cipher string (ingress-nginx's rule)");
        }
        List<String> problems = new ArrayList<>();
        List<String> selected = OpenSsl.isAvailable() ? withOpenSsl(v, problems) : withJdk(v, problems);
        List<String> suites = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (String suite : selected) {
            if (TLS13_NAMES.contains(suite) || suite.startsWith("AEAD-") || suite.contains("PSK")) {
                continue;
            }
            if (weak(suite)) {
                refused.add(suite);
            } else if (!suites.contains(suite)) {
                suites.add(suite);
            }
        }
        if (!refused.isEmpty()) {
            problems.add("weak ciphers refused (no encryption, no authentication, export grade, RC4 or (3)DES): "
                    + String.join(", ", refused));
        }
        if (suites.isEmpty()) {
            problems.add("no usable TLS 1.2 cipher left; the default list applies");
        }
        return new Parsed(suites, problems);
    }

    /** At most five words of at most 40 characters each (the string's characters are checked already). */
    private static String shown(List<String> words) {
        List<String> shown = words.stream()
                .limit(5)
                .map(w -> w.length() > 40 ? w.substring(0, 40) + "..." : w)
                .toList();
        return String.join(", ", shown) + (words.size() > 5 ? " and " + (words.size() - 5) + " more" : "");
    }

    private static Parsed ignored(String why) {
        return new Parsed(List.of(), List.of(why + "; the default list applies"));
    }

    /** Whether {@code suite} (an IANA or OpenSSL name) is one no annotation may enable. */
    static boolean weak(String suite) {
        String s = suite.toUpperCase(Locale.ROOT);
        return s.contains("NULL")
                || s.contains("ANON")
                || s.startsWith("ADH")
                || s.startsWith("AECDH")
                || s.contains("EXPORT")
                || s.startsWith("EXP")
                || s.contains("RC4")
                || s.contains("DES");
    }

    private static List<String> withOpenSsl(String v, List<String> problems) {
        List<String> kept = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (String word : v.split(":")) {
            if (word.isEmpty()) {
                continue;
            }
            char first = word.charAt(0);
            if (first == '!' || first == '-' || first == '+' || select(word).length > 0) {
                kept.add(word);
            } else {
                unknown.add(word);
            }
        }
        if (!unknown.isEmpty()) {
            problems.add(
                    "names no cipher of this engine (" + OpenSsl.versionString() + "), left out: " + shown(unknown));
        }
        if (kept.isEmpty()) {
            return List.of();
        }
        return ianaNames(select(String.join(":", kept)));
    }

    /** The OpenSSL names of the suites {@code cipherString} selects for TLS 1.2, in order; empty when none. */
    private static String[] select(String cipherString) {
        long ctx = 0;
        try {
            ctx = SSLContext.make(SSL.SSL_PROTOCOL_TLSV1_2, SSL.SSL_MODE_SERVER);
            SSLContext.setCipherSuite(ctx, cipherString, false);
            long ssl = SSL.newSSL(ctx, true);
            try {
                String[] ciphers = SSL.getCiphers(ssl);
                return ciphers == null ? new String[0] : ciphers;
            } finally {
                SSL.freeSSL(ssl);
            }
        } catch (Exception e) { // NO_CIPHER_MATCH and the like: the string selects nothing
            return new String[0];
        } finally {
            if (ctx != 0) {
                SSLContext.free(ctx);
            }
        }
    }

    /** The IANA names of OpenSSL-named suites, as an engine with exactly those suites reports them. */
    private static List<String> ianaNames(String[] openSslNames) {
        if (openSslNames.length == 0) {
            return List.of();
        }
        List<String> usable = Arrays.stream(openSslNames)
                .filter(name -> !name.contains("PSK") && !weak(name))
                .toList();
        List<String> names = new ArrayList<>(Arrays.stream(openSslNames)
                .filter(name -> !usable.contains(name))
                .toList()); // reported by their OpenSSL names
        if (usable.isEmpty()) {
            return names;
        }
        @Nullable SslContext context = null;
        @Nullable SSLEngine engine = null;
        try {
            context = SslContextBuilder.forClient()
                    .sslProvider(SslProvider.OPENSSL)
                    .protocols("TLSv1.2")
                    .ciphers(usable)
                    .build();
            engine = context.newEngine(ByteBufAllocator.DEFAULT);
            names.addAll(0, Arrays.asList(engine.getEnabledCipherSuites()));
            return names;
        } catch (SSLException | RuntimeException e) {
            names.addAll(0, usable);
            return names;
        } finally {
            ReferenceCountUtil.release(engine);
            ReferenceCountUtil.release(context);
        }
    }

    private static List<String> withJdk(String v, List<String> problems) {
        Set<String> supported;
        try {
            supported = Set.of(javax.net.ssl.SSLContext.getDefault()
                    .getSupportedSSLParameters()
                    .getCipherSuites());
        } catch (NoSuchAlgorithmException e) {
            supported = Set.of();
        }
        List<String> suites = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (String word : v.split(":")) {
            boolean remove = word.startsWith("!") || word.startsWith("-");
            String name = remove || word.startsWith("+") ? word.substring(1) : word;
            if (name.isEmpty()) {
                continue;
            }
            if (!supported.contains(name)) {
                unknown.add(word);
            } else if (remove) {
                suites.remove(name);
            } else if (!suites.contains(name)) {
                suites.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            problems.add("without OpenSSL only IANA suite names the JDK supports are understood, left out: "
                    + shown(unknown));
        }
        return suites;
    }
}
