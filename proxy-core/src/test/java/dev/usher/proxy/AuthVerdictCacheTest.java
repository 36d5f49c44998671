package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.routing.ExternalAuth;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The auth verdicts of the whole process are bounded by their size: a tenant's auth service answering every
 * {@code $request_uri} with large {@code auth-response-headers}, on as many Ingresses as it likes, cannot hold more
 * than {@link AuthVerdictCache#MAX_BYTES} of heap (a count of entries per route let it hold routes x 10,000 x the
 * fields).
 */
final class AuthVerdictCacheTest {

    private static ExternalAuth auth(String url) {
        return ExternalAuthCookiesAndCacheTest.auth(url, false, "$request_uri", Map.of(200, Duration.ofMinutes(5)));
    }

    @Test
    void verdictsOfManyRoutes_stayWithinTheProcessBound_andRecentOnesAreKept() {
        HttpHeaders big = new DefaultHttpHeaders().set("x-auth-user", "u".repeat(8 * 1024));
        long written = 0;
        for (int route = 0; route < 20; route++) {
            ExternalAuth auth = auth("http://auth-" + route + ".example/check");
            AuthVerdictCache.Verdict verdict = AuthVerdictCache.verdict(auth, 200, big);
            assertThat(verdict).isNotNull();
            for (int i = 0; i < 200; i++) {
                String key = AuthVerdictCache.key("http://auth-" + route + ".example/check", "/p" + i);
                AuthVerdictCache.put(auth, key, verdict);
                written += AuthVerdictCache.weight(new AuthVerdictCache.Key(auth, key), verdict);
            }
        }

        assertThat(written).as("what was offered").isGreaterThan(3 * AuthVerdictCache.MAX_BYTES);
        assertThat(AuthVerdictCache.weightedSize()).isLessThanOrEqualTo(AuthVerdictCache.MAX_BYTES);
        ExternalAuth last = auth("http://auth-19.example/check");
        String key = AuthVerdictCache.key("http://auth-19.example/check", "/p199");
        assertThat(AuthVerdictCache.get(last, key)).as("the newest is kept").isNotNull();
        assertThat(AuthVerdictCache.get(last, key).headers().get("x-auth-user")).hasSize(8 * 1024);
    }

    @Test
    void aVerdictWeighsItsFields() {
        ExternalAuth auth = auth("http://auth.example/check");
        AuthVerdictCache.Verdict small =
                AuthVerdictCache.verdict(auth, 200, new DefaultHttpHeaders().set("x-auth-user", "a"));
        AuthVerdictCache.Verdict large =
                AuthVerdictCache.verdict(auth, 200, new DefaultHttpHeaders().set("x-auth-user", "a".repeat(1000)));
        AuthVerdictCache.Key key = new AuthVerdictCache.Key(auth, "k");

        assertThat(AuthVerdictCache.weight(key, large) - AuthVerdictCache.weight(key, small))
                .isEqualTo(2 * 999);
    }
}
