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
 * ingress-nginx's global external authentication through the launcher: {@code usher run --global-auth-url ...} with
 * three Ingresses - one without auth annotations (global auth applies), one with
 * {@code enable-global-auth: "false"} (opted out), one with its own {@code auth-url} (its own wins) - and a JDK
 * {@code HttpServer} as the auth service recording which of its paths each request was checked against.
 */
final class GlobalAuthEndToEndTest {

    private static final String INGRESS = NginxAnnotationsEndToEndTest.INGRESS;
    private static final String N = NginxAnnotationsEndToEndTest.N;

    @TempDir
    Path manifests;

    private final List<EchoServer> origins = new ArrayList<>();
    private AuthService auth;
    private Controller controller;

    @BeforeEach
    void start() throws IOException {
        auth = new AuthService(uri -> uri.getPath().substring(1));
        String url = auth.url();
        ExampleOrigins.serve(manifests, origins);
        Files.writeString(
                manifests.resolve("auth.yaml"),
                INGRESS.formatted("plain", N + "enable-access-log: \"true\"", "plain.example.com")
                        + INGRESS.formatted("out", N + "enable-global-auth: \"false\"", "out.example.com")
                        + INGRESS.formatted(
                                "own",
                                N + "auth-url: \"" + url + "/own\"\n" + N
                                        + "auth-response-headers: X-Auth-Request-User",
                                "own.example.com"));
        controller = ExampleOrigins.startUsher(
                manifests,
                "--shutdown-delay",
                "0",
                "--global-auth-url",
                url + "/global",
                "--global-auth-signin",
                "https://login.example/start",
                "--global-auth-response-headers",
                "X-Auth-Request-User");
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
    void globalAuth_appliesToAnIngressWithoutItsOwn() throws Exception {
        assertThat(get("plain.example.com", "/page", "Authorization: Bearer good\r\nX-Auth-Request-User: eve\r\n"))
                .startsWith("HTTP/1.1 200 ")
                .contains("global")
                .doesNotContain("eve");
        assertThat(get("plain.example.com", "/page", ""))
                .startsWith("HTTP/1.1 302 ")
                .contains("\r\nlocation: https://login.example/start?rd=http://plain.example.com%2Fpage\r\n");
        assertThat(auth.saw)
                .containsExactly("/global http://plain.example.com/page", "/global http://plain.example.com/page");
    }

    @Test
    void enableGlobalAuthFalse_optsOut() throws Exception {
        assertThat(get("out.example.com", "/page", "")).startsWith("HTTP/1.1 200 ");
        assertThat(auth.saw).isEmpty();
    }

    @Test
    void anIngressWithItsOwnAuthUrl_usesItsOwn() throws Exception {
        assertThat(get("own.example.com", "/page", "Authorization: Bearer good\r\n"))
                .startsWith("HTTP/1.1 200 ")
                .contains("own");
        assertThat(get("own.example.com", "/page", "")).startsWith("HTTP/1.1 401 "); // no global auth-signin
        assertThat(auth.saw).containsExactly("/own http://own.example.com/page", "/own http://own.example.com/page");
    }

    private String get(String host, String target, String headers) throws IOException {
        return RawHttp.text(controller.httpPort(), host, target, headers);
    }
}
