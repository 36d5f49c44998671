package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.proxy.echo.EchoServer;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ingress-nginx's {@code custom-headers} through the launcher ({@code usher run --manifests} with
 * {@code --global-allowed-response-headers}), raw requests on the HTTP port: the ConfigMap's fields on a proxied
 * response (replacing the origin's field of that name, a {@code $} sent as written) and on Usher's own error answer
 * for the route, a ConfigMap with a field not allowed or a missing one failing closed (503), and a broken ConfigMap
 * file reported and skipped while the rest serves.
 */
final class CustomHeadersEndToEndTest {

    private static final String N = NginxAnnotationsEndToEndTest.N;

    @TempDir
    Path manifests;

    private final List<EchoServer> origins = new ArrayList<>();
    private Controller controller;

    @BeforeEach
    void start() throws IOException {
        ExampleOrigins.serve(manifests, origins);
        String ingress = NginxAnnotationsEndToEndTest.INGRESS;
        Files.writeString(
                manifests.resolve("custom-headers.yaml"),
                ingress.formatted(
                                "branded",
                                N + "custom-headers: brand\n" + N + "proxy-body-size: \"10\"",
                                "branded.example.com")
                        + ingress.formatted("cookies", N + "custom-headers: default/cookies", "cookies.example.com")
                        + ingress.formatted("missing", N + "custom-headers: nowhere", "missing.example.com")
                        + configMap("brand", "{X-Team: blue, X-Frame-Options: DENY, X-Price: '$5 ($host)'}")
                        + "---\n"
                        + configMap("cookies", "{X-Team: blue, Set-Cookie: 'session=1'}"));
        Files.writeString( // data must be a map of strings: the file is reported and skipped
                manifests.resolve("broken-configmap.yaml"), configMap("broken", "[not, a, map]"));
        controller = ExampleOrigins.startUsher(
                manifests,
                "--global-allowed-response-headers",
                "x-team,X-Frame-Options",
                "--global-allowed-response-headers",
                "X-Price");
    }

    @AfterEach
    void stop() {
        if (controller != null) {
            controller.close();
        }
        origins.forEach(EchoServer::close);
    }

    @Test
    void theConfigMapsFields_goOnProxiedResponses_andOnTheRoutesOwnErrors() throws IOException {
        String proxied = head(send("GET / HTTP/1.1\r\nHost: branded.example.com\r\n"
                + "X-Echo-Response-Header: X-Frame-Options: SAMEORIGIN\r\nConnection: close\r\n\r\n"));
        assertThat(proxied)
                .startsWith("HTTP/1.1 200 ")
                .contains("\r\nx-team: blue\r\n")
                .contains("\r\nx-frame-options: DENY\r\n") // more_set_headers: the origin's field replaced
                .doesNotContain("SAMEORIGIN")
                .contains("\r\nx-price: $5 ($host)\r\n"); // literal, as ingress-nginx writes it

        String tooLarge = head(send("POST / HTTP/1.1\r\nHost: branded.example.com\r\nContent-Length: 11\r\n"
                + "Connection: close\r\n\r\nhello world"));
        assertThat(tooLarge) // Usher's own answer for the route
                .startsWith("HTTP/1.1 413 ")
                .contains("\r\nx-team: blue\r\n")
                .contains("\r\nx-frame-options: DENY\r\n");

        assertThat(head(send("GET / HTTP/1.1\r\nHost: alpaca.example.com\r\nConnection: close\r\n\r\n")))
                .startsWith("HTTP/1.1 200 ") // an Ingress without the annotation: untouched
                .doesNotContain("x-team");
    }

    @Test
    void aFieldNotAllowed_orAMissingConfigMap_failsClosed_andABrokenConfigMapFileIsReported() throws IOException {
        String denied = head(send("GET / HTTP/1.1\r\nHost: cookies.example.com\r\nConnection: close\r\n\r\n"));
        assertThat(denied).startsWith("HTTP/1.1 503 ").doesNotContain("x-team").doesNotContain("session=1");
        assertThat(head(send("GET / HTTP/1.1\r\nHost: missing.example.com\r\nConnection: close\r\n\r\n")))
                .startsWith("HTTP/1.1 503 ");

        String routes = RawHttp.get(controller.adminPort(), "localhost", "/debug/routes")
                .body();
        assertThat(routes)
                .contains("header Set-Cookie is not allowed")
                .contains("ConfigMap default/nowhere not found")
                .contains("broken-configmap.yaml");
    }

    private static String configMap(String name, String data) {
        return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + "}\ndata: " + data + "\n";
    }

    private static String head(String response) {
        int end = response.indexOf("\r\n\r\n");
        return end < 0 ? response : response.substring(0, end + 2);
    }

    private String send(String bytes) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", controller.httpPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(bytes.getBytes(StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
