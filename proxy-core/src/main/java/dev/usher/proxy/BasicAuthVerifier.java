package dev.usher.proxy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.usher.routing.BasicAuth;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.jspecify.annotations.Nullable;

/**
 * Checks an {@code Authorization: Basic} value against an Ingress's htpasswd users: bcrypt ({@code $2y$}, {@code $2a$},
 * {@code $2b$}), {@code $apr1$} MD5 and {@code {SHA}} (the translator refuses every other form).
 *
 * <p>Cost: a bcrypt check at htpasswd's default cost 5 takes about a millisecond, at cost 10 tens of milliseconds, and
 * it runs on the event loop that owns the connection (nginx does the same in its worker). So a successful check is
 * cached for {@link #TTL}: the key is a SHA-256 of the stored hash and the credentials, never the password itself,
 * and changing a user's hash in the Secret changes the key. Failures are not cached (a cache of wrong guesses would
 * grow with every guess); a client guessing passwords pays its own bcrypt each time, on its own connection's loop.
 */
final class BasicAuthVerifier {

    static final Duration TTL = Duration.ofMinutes(1);
    private static final String PREFIX = "basic ";

    /** One for the process: entries are keyed by stored hash and credentials, so they cannot collide across routes. */
    static final BasicAuthVerifier SHARED = new BasicAuthVerifier();

    private final Cache<String, Boolean> verified =
            Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(TTL).build();

    /** Whether {@code authorization} (the header value, or null) names a user of {@code auth} with its password. */
    boolean verify(BasicAuth auth, String authorization) {
        if (authorization == null
                || authorization.length() <= PREFIX.length()
                || !authorization.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            return false;
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder()
                    .decode(authorization.substring(PREFIX.length()).strip());
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = indexOf(decoded, (byte) ':');
        if (colon < 0) {
            return false;
        }
        String user = new String(decoded, 0, colon, StandardCharsets.UTF_8);
        String stored = auth.users().get(user);
        if (stored == null) {
            return false;
        }
        byte[] password = Arrays.copyOfRange(decoded, colon + 1, decoded.length);
        String key = key(stored, decoded);
        Arrays.fill(decoded, (byte) 0);
        if (verified.getIfPresent(key) != null) {
            Arrays.fill(password, (byte) 0);
            return true;
        }
        boolean ok = matches(stored, password);
        Arrays.fill(password, (byte) 0);
        if (ok) {
            verified.put(key, Boolean.TRUE);
        }
        return ok;
    }

    /** The cache keys held now (for tests: they must never hold a user name or password). */
    java.util.Set<String> cachedKeys() {
        return java.util.Set.copyOf(verified.asMap().keySet());
    }

    /** Whether {@code password} matches {@code stored}, one of the supported htpasswd forms. */
    static boolean matches(String stored, byte[] password) {
        if (stored.startsWith("$2y$") || stored.startsWith("$2a$") || stored.startsWith("$2b$")) {
            char[] chars = utf8Chars(password);
            if (chars == null) {
                return false;
            }
            try {
                return OpenBSDBCrypt.checkPassword(stored, chars);
            } catch (IllegalArgumentException e) {
                return false; // the translator checked the form; a bad hash never passes
            } finally {
                Arrays.fill(chars, '\0');
            }
        }
        if (stored.startsWith(Apr1Crypt.MAGIC)) {
            return Apr1Crypt.matches(stored, password);
        }
        if (stored.startsWith("{SHA}")) {
            byte[] expected = Base64.getEncoder().encode(digest("SHA-1", password));
            return MessageDigest.isEqual(expected, stored.substring(5).getBytes(StandardCharsets.US_ASCII));
        }
        return false;
    }

    private static String key(String stored, byte[] credentials) {
        MessageDigest sha = sha256();
        sha.update(stored.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(credentials);
        return Base64.getEncoder().encodeToString(sha.digest());
    }

    private static char @Nullable [] utf8Chars(byte[] bytes) {
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes));
            char[] out = new char[chars.remaining()];
            chars.get(out);
            return out;
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] digest(String algorithm, byte[] data) {
        try {
            return MessageDigest.getInstance(algorithm).digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has " + algorithm, e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
