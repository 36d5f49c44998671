package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.usher.proxy.echo.EchoServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
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
    private final ConcurrentLinkedQueue<String> authSaw = new ConcurrentLinkedQueue<>();
    private HttpServer auth;
    private Controller controller;

    @BeforeEach
    void start() throws IOException {
        auth = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        auth.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            authSaw.add(exchange.getRequestURI().getPath() + " "
                    + exchange.getRequestHeaders().getFirst("X-Original-URL"));
            boolean good = "Bearer good".equals(exchange.getRequestHeaders().getFirst("Authorization"));
            if (good) {
                exchange.getResponseHeaders()
                        .add(
                                "X-Auth-Request-User",
                                exchange.getRequestURI().getPath().substring(1));
            }
            exchange.sendResponseHeaders(good ? 200 : 401, -1);
            exchange.close();
        });
        auth.start();
        String url = "http://127.0.0.1:" + auth.getAddress().getPort();
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
        auth.stop(0);
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
        assertThat(authSaw)
                .containsExactly("/global http://plain.example.com/page", "/global http://plain.example.com/page");
    }

    @Test
    void enableGlobalAuthFalse_optsOut() throws Exception {
        assertThat(get("out.example.com", "/page", "")).startsWith("HTTP/1.1 200 ");
        assertThat(authSaw).isEmpty();
    }

    @Test
    void anIngressWithItsOwnAuthUrl_usesItsOwn() throws Exception {
        assertThat(get("own.example.com", "/page", "Authorization: Bearer good\r\n"))
                .startsWith("HTTP/1.1 200 ")
                .contains("own");
        assertThat(get("own.example.com", "/page", "")).startsWith("HTTP/1.1 401 "); // no global auth-signin
        assertThat(authSaw).containsExactly("/own http://own.example.com/page", "/own http://own.example.com/page");
    }

    private String get(String host, String target, String headers) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", controller.httpPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream()
                    .write(("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n" + headers
                                    + "Connection: close\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
