package dev.usher.proxy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.usher.routing.ExternalAuth;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * ingress-nginx's {@code auth-cache-key}/{@code auth-cache-duration}: the auth service's verdicts, per external
 * authentication (an {@link ExternalAuth}: the same settings on two routes share their verdicts) under the SHA-256 of
 * the auth URL and the expanded key (never the raw credentials), each for its status's duration. Only what a verdict
 * needs is kept: the status, {@code WWW-Authenticate} and the {@code auth-response-headers} fields. As nginx's
 * {@code proxy_cache}, a response that sets a cookie or says {@code no-store}, {@code no-cache} or {@code private} is
 * not cached.
 *
 * <p>One cache for the process, bounded by its size in bytes ({@link #MAX_BYTES}, least recently used out first), as
 * nginx's {@code auth_cache} zone is: the auth service, and the key that spreads its verdicts ({@code $request_uri}),
 * may be a tenant's, and each verdict keeps the service's fields, so a count per route would let one tenant hold as
 * much heap as routes times entries times field sizes.
 */
final class AuthVerdictCache {

    /** A cached verdict. */
    record Verdict(int status, HttpHeaders headers, Duration ttl) {}

    /** The most the process's verdicts weigh ({@link #weight}): 16 MiB, about 50,000 verdicts of a few fields. */
    static final long MAX_BYTES = 16L << 20;

    /** A verdict's place: its external authentication and hashed key. */
    record Key(ExternalAuth auth, String key) {}

    private static final Cache<Key, Verdict> VERDICTS = Caffeine.newBuilder()
            .maximumWeight(MAX_BYTES)
            .weigher((Key k, Verdict v) -> weight(k, v))
            .expireAfter(Expiry.creating((Key k, Verdict v) -> v.ttl()))
            .build();

    private AuthVerdictCache() {}

    /** Whether {@code auth} caches its verdicts ({@code auth-cache-key}). */
    static boolean caches(ExternalAuth auth) {
        return auth.cacheKey() != null;
    }

    /** The verdict cached for {@code key} ({@link #key}) of {@code auth}, or {@code null}. */
    static @Nullable Verdict get(ExternalAuth auth, String key) {
        return VERDICTS.getIfPresent(new Key(auth, key));
    }

    /** Caches {@code verdict} ({@link #verdict}) for {@code key} of {@code auth}. */
    static void put(ExternalAuth auth, String key, Verdict verdict) {
        VERDICTS.put(new Key(auth, key), verdict);
    }

    /**
     * An estimate of the bytes a verdict holds: its key and its fields (two bytes a character, as Java strings may
     * take) and the objects around them.
     */
    static int weight(Key key, Verdict verdict) {
        long bytes = 128 + 2L * key.key().length();
        for (java.util.Map.Entry<String, String> field : verdict.headers()) {
            bytes += 64 + 2L * (field.getKey().length() + field.getValue().length());
        }
        return (int) Math.min(bytes, Integer.MAX_VALUE);
    }

    /** What the cache weighs now, after pending evictions ({@link #weight} summed). */
    static long weightedSize() {
        VERDICTS.cleanUp();
        return VERDICTS.policy().eviction().orElseThrow().weightedSize().orElse(0L);
    }

    /** The cache key: a hash of the auth URL and the expanded {@code auth-cache-key}. */
    static String key(String url, String expandedKey) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(url.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) '\n');
            return Base64.getEncoder().encodeToString(sha.digest(expandedKey.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The verdict to cache for this response, or {@code null} when it is not cached. */
    static @Nullable Verdict verdict(ExternalAuth auth, int status, HttpHeaders headers) {
        Duration ttl = auth.cacheDuration(status);
        if (ttl.isZero() || headers.contains(HttpHeaderNames.SET_COOKIE)) {
            return null;
        }
        for (String control : headers.getAll(HttpHeaderNames.CACHE_CONTROL)) {
            String c = control.toLowerCase(Locale.ROOT);
            if (c.contains("no-store") || c.contains("no-cache") || c.contains("private")) {
                return null;
            }
        }
        HttpHeaders kept = new DefaultHttpHeaders();
        for (String name : auth.responseHeaders()) {
            kept.add(name, headers.getAll(name));
        }
        String challenge = headers.get(HttpHeaderNames.WWW_AUTHENTICATE);
        if (challenge != null) {
            kept.set(HttpHeaderNames.WWW_AUTHENTICATE, challenge);
        }
        return new Verdict(status, kept, ttl);
    }
}
