package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.routing.BasicAuth;
import dev.usher.routing.RouteOptions;
import io.netty.handler.codec.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ingress-nginx's Basic auth on real sockets: 401 with {@code WWW-Authenticate} before any origin work, each htpasswd
 * hash form checked against vectors from other implementations (OpenBSD's bcrypt test set, OpenSSL's
 * {@code passwd -apr1}, SHA-1), and the credentials never reaching the origin (ingress-nginx clears
 * {@code Authorization} upstream).
 */
final class BasicAuthTest {

    /** OpenBSD bcrypt test vector: "U*U" at cost 5. */
    private static final String BCRYPT_U_STAR_U = "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";
    /** {@code openssl passwd -apr1 -salt abcdefgh 'open sesame'}. */
    private static final String APR1_OPEN_SESAME = "$apr1$abcdefgh$T64oOxnD8c28.dQa.2Lty1";
    /** {@code htpasswd -s}: base64 of SHA-1 of "password". */
    private static final String SHA_PASSWORD = "{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=";

    private static OptionsFixture fixture;

    @BeforeAll
    static void start() {
        String bcrypt2y = OpenBSDBCrypt.generate("2y", "s3cret".toCharArray(), new byte[16], 4);
        fixture = new OptionsFixture(
                ProxySettings.defaults(),
                Map.of(
                        "private.test",
                        RouteOptions.builder()
                                .basicAuth(new BasicAuth(
                                        "Staff only",
                                        Map.of(
                                                "alice",
                                                BCRYPT_U_STAR_U,
                                                "bob",
                                                APR1_OPEN_SESAME,
                                                "carol",
                                                SHA_PASSWORD,
                                                "dave",
                                                bcrypt2y)))
                                .build()));
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    void noCredentials_get401WithTheRealm_andTheOriginSeesNothing() throws Exception {
        HttpResponse<String> res = fixture.get("private.test", "/echo");

        assertThat(res.statusCode()).isEqualTo(401);
        assertThat(res.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"Staff only\"");
        assertThat(fixture.origin.seen).noneMatch(r -> r.uri().equals("/echo") && basic(r));
    }

    @Test
    void rightPassword_ofEachHashForm_passes_andAuthorizationDoesNotReachTheOrigin() throws Exception {
        String[][] users = {{"alice", "U*U"}, {"bob", "open sesame"}, {"carol", "password"}, {"dave", "s3cret"}};
        for (String[] user : users) {
            HttpResponse<String> res =
                    fixture.get("private.test", "/echo?" + user[0], "Authorization", basic(user[0], user[1]));

            assertThat(res.statusCode()).as(user[0]).isEqualTo(200);
            HttpRequest seen = fixture.origin.seen.stream()
                    .filter(r -> r.uri().equals("/echo?" + user[0]))
                    .findFirst()
                    .orElseThrow();
            assertThat(seen.headers().contains("Authorization")).as(user[0]).isFalse();
        }
    }

    @Test
    void wrongPassword_unknownUser_andMalformedHeaders_get401() throws Exception {
        String[] values = {
            basic("alice", "U*V"),
            basic("bob", "open sesame "),
            basic("mallory", "password"),
            basic("carol", ""),
            "Basic !!!notbase64",
            "Bearer abc",
            "Basic " + b64("no-colon"),
            "Basic"
        };
        for (String value : values) {
            assertThat(fixture.get("private.test", "/echo", "Authorization", value)
                            .statusCode())
                    .as(value)
                    .isEqualTo(401);
        }
    }

    @Test
    void successfulCheck_isCached_byAHashOfTheCredentials() {
        BasicAuthVerifier verifier = new BasicAuthVerifier();
        BasicAuth auth = new BasicAuth("r", Map.of("alice", BCRYPT_U_STAR_U));

        assertThat(verifier.verify(auth, basic("alice", "U*U"))).isTrue();
        assertThat(verifier.verify(auth, basic("alice", "wrong"))).isFalse();
        assertThat(verifier.cachedKeys()).hasSize(1).noneMatch(k -> k.contains("U*U") || k.contains("alice"));
        assertThat(verifier.verify(auth, basic("alice", "U*U"))).isTrue();
        // a changed hash for the same user is a new key: the old success does not carry over
        assertThat(verifier.verify(new BasicAuth("r", Map.of("alice", SHA_PASSWORD)), basic("alice", "U*U")))
                .isFalse();
    }

    private static boolean basic(HttpRequest r) {
        return r.headers().contains("Authorization");
    }

    private static String basic(String user, String password) {
        return "Basic " + b64(user + ":" + password);
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
