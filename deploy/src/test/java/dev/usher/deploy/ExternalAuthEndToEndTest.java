package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.proxy.echo.EchoServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ingress-nginx's {@code auth-url} through the launcher: {@code usher run --manifests} with Ingresses carrying the
 * external authentication annotations, a JDK {@code HttpServer} on loopback as the auth service (200 with an identity
 * field for {@code Authorization: Bearer good}, else 401), raw requests on the HTTP port, the echo origin saying what
 * it got.
 */
final class ExternalAuthEndToEndTest {

    private static final String INGRESS = NginxAnnotationsEndToEndTest.INGRESS;
    private static final String N = NginxAnnotationsEndToEndTest.N;

    @TempDir
    Path manifests;

    private final List<EchoServer> origins = new ArrayList<>();
    private AuthService auth;
    private Controller controller;

    @BeforeEach
    void start() throws IOException {
        auth = new AuthService(uri -> "alice");
        String url = auth.url();
        ExampleOrigins.serve(manifests, origins);
        Files.writeString(
                manifests.resolve("auth.yaml"),
                INGRESS.formatted(
                                "guarded",
                                N + "auth-url: \"" + url + "/oauth2/auth?ns=$namespace\"\n" + N
                                        + "auth-signin: \"https://$host/oauth2/start?rd=$escaped_request_uri\"\n" + N
                                        + "auth-response-headers: X-Auth-Request-User",
                                "guarded.example.com")
                        + INGRESS.formatted(
                                "misconfigured", N + "auth-url: \"$host/oauth2/auth\"", "misconfigured.example.com"));
        controller = ExampleOrigins.startUsher(manifests, "--shutdown-delay", "0");
    }

    @AfterEach
    void stop() {
        if (controller != null) {
            controller.close();
        }
        origins.forEach(EchoServer::close);
        auth.close();
    }

    @Test
    void authUrl_letsTheGoodTokenThrough_withTheIdentity_andSendsOthersToSignIn() throws Exception {
        String in =
                get("guarded.example.com", "/page?x=1", "Authorization: Bearer good\r\nX-Auth-Request-User: eve\r\n");
        assertThat(in).startsWith("HTTP/1.1 200 ").contains("alice").doesNotContain("eve");
        assertThat(auth.saw).contains("/oauth2/auth?ns=default http://guarded.example.com/page?x=1");

        String out = get("guarded.example.com", "/page?x=1", "");
        assertThat(out)
                .startsWith("HTTP/1.1 302 ")
                .contains("\r\nlocation: https://guarded.example.com/oauth2/start?rd=%2Fpage%3Fx%3D1\r\n");
    }

    @Test
    void anAuthUrlThatIsNoUrl_failsClosed() throws Exception {
        assertThat(get("misconfigured.example.com", "/", "")).startsWith("HTTP/1.1 503 ");
    }

    private String get(String host, String target, String headers) throws IOException {
        return RawHttp.text(controller.httpPort(), host, target, headers);
    }
}
