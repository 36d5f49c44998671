package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.proxy.echo.EchoServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ingress-nginx's {@code auth-proxy-set-headers} through the launcher ({@code usher run --manifests}): a real auth
 * service (a JDK {@code HttpServer} on loopback recording the fields it got) receives the ConfigMap's fields, a literal
 * one and one with variables expanded, and a field of the client's cleared by an empty value; the echo origin and the
 * client never see them. A variable Usher does not expand ({@code ${msec}}) or a missing ConfigMap fails closed (503);
 * without auth-url the annotation has no effect, reported.
 */
final class AuthProxySetHeadersEndToEndTest {

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
        String url = N + "auth-url: \"" + auth.url() + "/check\"\n";
        ExampleOrigins.serve(manifests, origins);
        Files.writeString(
                manifests.resolve("auth.yaml"),
                INGRESS.formatted("guarded", url + N + "auth-proxy-set-headers: auth-headers", "guarded.example.com")
                        + INGRESS.formatted(
                                "timed", url + N + "auth-proxy-set-headers: default/timed", "timed.example.com")
                        + INGRESS.formatted(
                                "missing", url + N + "auth-proxy-set-headers: nowhere", "missing.example.com")
                        + INGRESS.formatted("open", N + "auth-proxy-set-headers: auth-headers", "open.example.com")
                        + configMap(
                                "auth-headers",
                                "{X-Auth-Team: blue, X-Auth-Client: 'ip=$remote_addr host=${host}', X-Drop: ''}")
                        + "---\n"
                        + configMap("timed", "{X-Request-Start: 't=${msec}'}"));
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
    void theFields_goToTheAuthService_andNeitherToTheOriginNorTheClient() throws Exception {
        String response =
                get("guarded.example.com", "/page", "Authorization: Bearer good\r\nX-Drop: kept-for-origin\r\n");

        assertThat(response)
                .startsWith("HTTP/1.1 200 ")
                .doesNotContain("x-auth-team")
                .doesNotContain("X-Auth-Team")
                .doesNotContain("x-auth-client")
                .doesNotContain("ip=127.0.0.1")
                .contains("kept-for-origin"); // X-Drop is cleared on the auth request only
        assertThat(auth.heads).hasSize(1);
        Map<String, List<String>> head = auth.heads.peek();
        assertThat(head.get("x-auth-team")).containsExactly("blue"); // literal
        assertThat(head.get("x-auth-client")).containsExactly("ip=127.0.0.1 host=guarded.example.com"); // expanded
        assertThat(head).doesNotContainKey("x-drop"); // nginx's empty proxy_set_header: not sent
        assertThat(head.get("x-original-url")).containsExactly("http://guarded.example.com/page"); // Usher's own
    }

    @Test
    void anUnknownVariable_orAMissingConfigMap_failsClosed_andWithoutAuthUrlItHasNoEffect() throws Exception {
        assertThat(get("timed.example.com", "/", "Authorization: Bearer good\r\n"))
                .startsWith("HTTP/1.1 503 ");
        assertThat(get("missing.example.com", "/", "Authorization: Bearer good\r\n"))
                .startsWith("HTTP/1.1 503 ");
        assertThat(auth.heads).isEmpty(); // a denied Ingress never asks the auth service

        String open = get("open.example.com", "/", "");
        assertThat(open).startsWith("HTTP/1.1 200 ").doesNotContain("x-auth-team");

        String routes = RawHttp.get(controller.adminPort(), "localhost", "/debug/routes")
                .body();
        assertThat(routes)
                .contains("unknown nginx variable $msec")
                .contains("ConfigMap default/nowhere not found")
                .contains("auth-proxy-set-headers: has no effect");
    }

    private static String configMap(String name, String data) {
        return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + "}\ndata: " + data + "\n";
    }

    private String get(String host, String target, String headers) throws IOException {
        return RawHttp.text(controller.httpPort(), host, target, headers);
    }
}
