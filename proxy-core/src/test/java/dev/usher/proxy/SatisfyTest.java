package dev.usher.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.usher.routing.AddressBlock;
import dev.usher.routing.BasicAuth;
import dev.usher.routing.ExternalAuth;
import dev.usher.routing.NginxTemplate;
import dev.usher.routing.RouteOptions;
import dev.usher.routing.SourceRanges;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ingress-nginx's {@code satisfy} on real sockets (the client is 127.0.0.1): with {@code "any"} an allowlisted address
 * or passing authentication (Basic, external) is enough, with {@code "all"} (the default) both are needed. A JDK
 * {@code HttpServer} is the auth service (200 for {@code X-Test-Auth: ok}, else 401) and records each host it was
 * asked about; the test origin shows what reached it.
 */
final class SatisfyTest {

    /** {@code htpasswd -s}: "password". */
    private static final String SHA_PASSWORD = "{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=";

    private static final String GOOD =
            "Basic " + Base64.getEncoder().encodeToString("carol:password".getBytes(StandardCharsets.UTF_8));

    private static final ConcurrentLinkedQueue<String> asked = new ConcurrentLinkedQueue<>();
    private static HttpServer authServer;
    private static OptionsFixture fixture;

    @BeforeAll
    static void start() throws IOException {
        authServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        authServer.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            asked.add(exchange.getRequestHeaders().getFirst("X-Original-URL"));
            exchange.sendResponseHeaders(
                    "ok".equals(exchange.getRequestHeaders().getFirst("X-Test-Auth")) ? 200 : 401, -1);
            exchange.close();
        });
        authServer.start();
        ExternalAuth external = new ExternalAuth(
                NginxTemplate.parse(
                        "http://127.0.0.1:" + authServer.getAddress().getPort() + "/auth"),
                "GET",
                null,
                ExternalAuth.DEFAULT_REDIRECT_PARAM,
                false,
                List.of(),
                null);
        BasicAuth basic = new BasicAuth(
                "Staff",
                Map.of("carol", SHA_PASSWORD, "dave", OpenBSDBCrypt.generate("s3cret".toCharArray(), new byte[16], 4)));
        SourceRanges loopback = ranges(List.of("127.0.0.0/8"), List.of());
        SourceRanges office = ranges(List.of("10.0.0.0/8"), List.of());
        SourceRanges denyOffice = ranges(List.of(), List.of("10.0.0.0/8"));
        fixture = new OptionsFixture(
                ProxySettings.builder().localOriginNames(true).build(), // the auth service is on loopback
                Map.of(
                        "any-in.test", options(loopback, basic, null, true),
                        "any-out.test", options(office, basic, null, true),
                        "all-in.test", options(loopback, basic, null, false),
                        "all-out.test", options(office, basic, null, false),
                        "any-deny-only.test", options(denyOffice, basic, null, true),
                        "any-ext-in.test", options(loopback, null, external, true),
                        "any-ext-out.test", options(office, null, external, true),
                        "all-ext-in.test", options(loopback, null, external, false),
                        "any-ranges-only.test", options(office, null, null, true),
                        "any-both-out.test", options(office, basic, external, true)));
    }

    @AfterAll
    static void stop() {
        fixture.close();
        authServer.stop(0);
    }

    @BeforeEach
    void clear() {
        asked.clear();
        fixture.origin.seen.clear();
    }

    private static RouteOptions options(
            SourceRanges ranges, @Nullable BasicAuth basic, @Nullable ExternalAuth external, boolean any) {
        return RouteOptions.builder()
                .sourceRanges(ranges)
                .basicAuth(basic)
                .externalAuth(external)
                .satisfyAny(any)
                .build();
    }

    @Test
    void any_anAllowlistedAddress_isEnough_andTheCredentialsNeverReachTheOrigin() throws Exception {
        assertThat(fixture.get("any-in.test", "/echo").statusCode()).isEqualTo(200);
        assertThat(fixture.get("any-in.test", "/echo", "Authorization", "Basic eDp5")
                        .statusCode())
                .isEqualTo(200);
        assertThat(fixture.origin.seen).allSatisfy(r -> assertThat(r.headers().contains("Authorization"))
                .isFalse());
    }

    @Test
    void any_outsideTheAllowlist_goodCredentialsAreEnough() throws Exception {
        assertThat(fixture.get("any-out.test", "/echo").statusCode()).isEqualTo(401);
        assertThat(fixture.get("any-out.test", "/echo", "Authorization", GOOD).statusCode())
                .isEqualTo(200);
    }

    @Test
    void all_needsTheAddressAndTheCredentials() throws Exception {
        assertThat(fixture.get("all-in.test", "/echo").statusCode()).isEqualTo(401);
        assertThat(fixture.get("all-in.test", "/echo", "Authorization", GOOD).statusCode())
                .isEqualTo(200);
        assertThat(fixture.get("all-out.test", "/echo", "Authorization", GOOD).statusCode())
                .isEqualTo(403);
    }

    @Test
    void any_anAddressOnlyNotDenied_isNotEnough() throws Exception {
        // nginx: no allow rule names it, the access module declines, so authentication decides
        assertThat(fixture.get("any-deny-only.test", "/echo").statusCode()).isEqualTo(401);
        assertThat(fixture.get("any-deny-only.test", "/echo", "Authorization", GOOD)
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void any_withExternalAuth_anAllowlistedAddressSkipsTheAuthService() throws Exception {
        assertThat(fixture.get("any-ext-in.test", "/echo").statusCode()).isEqualTo(200);
        assertThat(asked).isEmpty();
    }

    @Test
    void any_withExternalAuth_outsideTheAllowlist_theAuthServiceDecides() throws Exception {
        assertThat(fixture.get("any-ext-out.test", "/echo").statusCode()).isEqualTo(401);
        assertThat(fixture.get("any-ext-out.test", "/echo", "X-Test-Auth", "ok").statusCode())
                .isEqualTo(200);
        assertThat(asked).containsExactly("http://any-ext-out.test/echo", "http://any-ext-out.test/echo");
    }

    @Test
    void all_withExternalAuth_theAuthServiceIsAskedEvenForAnAllowlistedAddress() throws Exception {
        assertThat(fixture.get("all-ext-in.test", "/echo").statusCode()).isEqualTo(401);
        assertThat(asked).containsExactly("http://all-ext-in.test/echo");
    }

    @Test
    void any_withoutAuthentication_isAddressesOnly() throws Exception {
        assertThat(fixture.get("any-ranges-only.test", "/echo").statusCode()).isEqualTo(403);
    }

    @Test
    void any_basicOrExternal_eitherIsEnough_outsideTheAllowlist() throws Exception {
        assertThat(fixture.get("any-both-out.test", "/echo", "Authorization", GOOD)
                        .statusCode())
                .isEqualTo(200);
        assertThat(asked).isEmpty(); // Basic passed: no external check
        assertThat(fixture.get("any-both-out.test", "/echo", "X-Test-Auth", "ok")
                        .statusCode())
                .isEqualTo(200);
        assertThat(fixture.get("any-both-out.test", "/echo").statusCode()).isEqualTo(401);
        assertThat(asked).hasSize(2);
    }

    @Test
    void any_bcryptCredentials_checkedOffTheEventLoop_thenTheSameRulesHold() throws Exception {
        assertThat(fixture.get("any-both-out.test", "/echo", "Authorization", basic("dave", "s3cret"))
                        .statusCode())
                .isEqualTo(200);
        assertThat(asked).isEmpty(); // Basic passed after its bcrypt check: no external check
        assertThat(fixture.get(
                                "any-both-out.test",
                                "/echo",
                                "Authorization",
                                basic("dave", "wrong"),
                                "X-Test-Auth",
                                "ok")
                        .statusCode())
                .isEqualTo(200); // a failed bcrypt check goes on to the auth service, which lets it through
        assertThat(fixture.get("any-both-out.test", "/echo", "Authorization", basic("dave", "wrong"))
                        .statusCode())
                .isEqualTo(401);
        assertThat(fixture.get("all-out.test", "/echo", "Authorization", basic("dave", "s3cret"))
                        .statusCode())
                .isEqualTo(403); // satisfy all: the address is refused before any password is checked
        assertThat(asked).hasSize(2);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static SourceRanges ranges(List<String> allow, List<String> deny) {
        return new SourceRanges(
                allow.stream().map(AddressBlock::parse).toList(),
                deny.stream().map(AddressBlock::parse).toList());
    }
}
