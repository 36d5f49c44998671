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
import java.util.concurrent.atomic.AtomicBoolean;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.jspecify.annotations.Nullable;

/**
 * Checks an {@code Authorization: Basic} value against an Ingress's htpasswd users: bcrypt ({@code $2y$}, {@code $2a$},
 * {@code $2b$}), {@code $apr1$} MD5 and {@code {SHA}} (the translator refuses every other form).
 *
 * <p>Cost: a bcrypt check at htpasswd's default cost 5 takes about a millisecond, at cost 12 (the most the translator
 * accepts) a quarter of a second. So {@link #check} never runs bcrypt: it answers what it can at once (a malformed
 * value, an unknown user, the cheap {@code $apr1$} and {@code {SHA}} forms, a cached success) and otherwise returns a
 * {@link Pending} check that {@link PasswordChecks} runs off the event loops (nginx runs {@code crypt} in its worker,
 * stalling every connection of it). A successful check is cached for {@link #TTL}: the key is a SHA-256 of the
 * stored hash and the credentials, never the password itself, and changing a user's hash in the Secret changes the
 * key. Failures are not cached (a cache of wrong guesses would grow with every guess).
 */
final class BasicAuthVerifier {

    static final Duration TTL = Duration.ofMinutes(1);
    private static final String PREFIX = "basic ";

    /** One for the process: entries are keyed by stored hash and credentials, so they cannot collide across routes. */
    static final BasicAuthVerifier SHARED = new BasicAuthVerifier();

    private final Cache<String, Boolean> verified =
            Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(TTL).build();

    /**
     * What reading the credentials decided at once: {@code passed} (or not), or a bcrypt check still to run
     * ({@code pending}, then {@code passed} means nothing).
     */
    record Check(boolean passed, @Nullable Pending pending) {
        static final Check PASSED = new Check(true, null);
        static final Check FAILED = new Check(false, null);
    }

    /**
     * A bcrypt check a cache miss leaves to do; holds a copy of the password until it runs. Runs at most once, on any
     * thread; {@link #cancel} from any other.
     */
    final class Pending {
        private final String stored;
        private final byte[] password;
        private final String key;
        private final AtomicBoolean ran = new AtomicBoolean();
        private volatile boolean cancelled;

        private Pending(String stored, byte[] password, String key) {
            this.stored = stored;
            this.password = password;
            this.key = key;
        }

        /**
         * Whether the password matches (a success is cached). Wipes the password copy; false without checking once
         * cancelled or run before.
         */
        boolean run() {
            if (!ran.compareAndSet(false, true)) {
                return false;
            }
            try {
                if (cancelled) {
                    return false;
                }
                boolean ok = matches(stored, password);
                if (ok) {
                    verified.put(key, Boolean.TRUE);
                }
                return ok;
            } finally {
                Arrays.fill(password, (byte) 0);
            }
        }

        /** The client is gone: a check not started yet is skipped when it comes to run. */
        void cancel() {
            cancelled = true;
        }
    }

    /**
     * Reads {@code authorization} (the header value, or null) against {@code auth}'s users without running bcrypt:
     * the verdict, or the bcrypt check to run.
     */
    Check check(BasicAuth auth, @Nullable String authorization) {
        if (authorization == null
                || authorization.length() <= PREFIX.length()
                || !authorization.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            return Check.FAILED;
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder()
                    .decode(authorization.substring(PREFIX.length()).strip());
        } catch (IllegalArgumentException e) {
            return Check.FAILED;
        }
        int colon = indexOf(decoded, (byte) ':');
        if (colon < 0) {
            return Check.FAILED;
        }
        String user = new String(decoded, 0, colon, StandardCharsets.UTF_8);
        String stored = auth.users().get(user);
        if (stored == null) {
            return Check.FAILED;
        }
        byte[] password = Arrays.copyOfRange(decoded, colon + 1, decoded.length);
        String key = key(stored, decoded);
        Arrays.fill(decoded, (byte) 0);
        if (verified.getIfPresent(key) != null) {
            Arrays.fill(password, (byte) 0);
            return Check.PASSED;
        }
        if (bcrypt(stored)) {
            return new Check(false, new Pending(stored, password, key));
        }
        boolean ok = matches(stored, password); // $apr1$ (1,000 MD5 rounds) and {SHA}: microseconds
        Arrays.fill(password, (byte) 0);
        if (ok) {
            verified.put(key, Boolean.TRUE);
        }
        return ok ? Check.PASSED : Check.FAILED;
    }

    /** {@link #check}, running a pending bcrypt check on the calling thread (tests, tools: never an event loop). */
    boolean verify(BasicAuth auth, @Nullable String authorization) {
        Check check = check(auth, authorization);
        Pending pending = check.pending();
        return pending != null ? pending.run() : check.passed();
    }

    /** The cache keys held now (for tests: they must never hold a user name or password). */
    java.util.Set<String> cachedKeys() {
        return java.util.Set.copyOf(verified.asMap().keySet());
    }

    /** Whether {@code password} matches {@code stored}, one of the supported htpasswd forms. */
    static boolean matches(String stored, byte[] password) {
        if (bcrypt(stored)) {
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

    private static boolean bcrypt(String stored) {
        return stored.startsWith("$2y$") || stored.startsWith("$2a$") || stored.startsWith("$2b$");
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
