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
 * ingress-nginx's {@code auth-cache-key}/{@code auth-cache-duration}: the auth service's verdicts, per route (per
 * {@link ExternalAuth} instance, a new snapshot starts afresh), under the SHA-256 of the auth URL and the expanded key
 * (never the raw credentials), each for its status's duration, at most {@link #MAX_ENTRIES} per route. Only what a
 * verdict needs is kept: the status, {@code WWW-Authenticate} and the {@code auth-response-headers} fields. As nginx's
 * {@code proxy_cache}, a response that sets a cookie or says {@code no-store}, {@code no-cache} or {@code private} is
 * not cached.
 */
final class AuthVerdictCache {

    /** A cached verdict. */
    record Verdict(int status, HttpHeaders headers, Duration ttl) {}

    static final int MAX_ENTRIES = 10_000;

    private static final Cache<ExternalAuth, Cache<String, Verdict>> ROUTES =
            Caffeine.newBuilder().weakKeys().build();

    private AuthVerdictCache() {}

    /** The cache of {@code auth}'s route, or {@code null} when it caches nothing. */
    static @Nullable Cache<String, Verdict> of(ExternalAuth auth) {
        if (auth.cacheKey() == null) {
            return null;
        }
        return ROUTES.get(auth, a -> Caffeine.newBuilder()
                .maximumSize(MAX_ENTRIES)
                .expireAfter(Expiry.creating((String k, Verdict v) -> v.ttl()))
                .build());
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
