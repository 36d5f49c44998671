package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.proxy.echo.EchoServer;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ingress-nginx annotations through the launcher: {@code usher run --manifests} on the examples plus Ingresses that
 * carry the annotations (and an htpasswd Secret), raw requests on the HTTP port, the echo origin saying what it got.
 */
final class NginxAnnotationsEndToEndTest {

    /** One Ingress of class usher: name, annotation lines (indented four spaces), host; its / goes to alpaca. */
    static final String INGRESS = """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: %s
              annotations:
            %s
            spec:
              ingressClassName: usher
              rules:
              - host: %s
                http:
                  paths:
                  - {path: /, pathType: Prefix, backend: {service: {name: alpaca, port: {number: 8080}}}}
            ---
            """;

    static final String N = "    nginx.ingress.kubernetes.io/";

    @TempDir
    Path manifests;

    private final List<EchoServer> origins = new ArrayList<>();
    private Controller controller;

    @BeforeEach
    void start() throws IOException {
        ExampleOrigins.serve(manifests, origins);
        String htpasswd = Base64.getEncoder()
                .encodeToString(
                        "alice:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n".getBytes(StandardCharsets.UTF_8)); // "password"
        Files.writeString(
                manifests.resolve("nginx.yaml"),
                INGRESS.formatted(
                                "limited",
                                N + "proxy-body-size: \"10\"\n" + N + "upstream-vhost: api.internal",
                                "limited.example.com")
                        + INGRESS.formatted("closed", N + "whitelist-source-range: 192.0.2.0/24", "closed.example.com")
                        + INGRESS.formatted("broken", N + "whitelist-source-range: not-a-cidr", "broken.example.com")
                        + INGRESS.formatted(
                                "moved", N + "permanent-redirect: https://new.example.com/", "moved.example.com")
                        + INGRESS.formatted(
                                "returned",
                                N + "configuration-snippet: |\n"
                                        + "      more_set_headers \"X-Moved: yes\";\n"
                                        + "      return 301 https://www.example.com$request_uri;",
                                "returned.example.com")
                        + INGRESS.formatted(
                                "throttled",
                                N + "limit-rpm: \"1\"\n" + N + "limit-burst-multiplier: \"1\"",
                                "throttled.example.com")
                        + INGRESS.formatted(
                                "headers",
                                N + "configuration-snippet: |\n"
                                        + "      more_set_headers \"X-Frame-Options: DENY\";\n"
                                        + "      add_header Strict-Transport-Security \"max-age=31536000;"
                                        + " includeSubDomains\" always;\n"
                                        + "      more_clear_headers X-Powered-By;\n"
                                        + "      proxy_set_header X-Tenant blue;\n"
                                        + "      proxy_set_header X-Original-Host $host;\n"
                                        + "      proxy_set_header Upgrade $http_upgrade;",
                                "headers.example.com")
                        + INGRESS.formatted(
                                "gated", // a refused snippet holding access control: closed, not opened
                                N + "configuration-snippet: |\n"
                                        + "      if ($http_x_token != \"s3cret\") { return 403; }\n"
                                        + "      proxy_set_header X-Tenant blue;",
                                "gated.example.com")
                        + INGRESS.formatted(
                                "tuned", // a refused snippet without any: ignored, reported, served
                                N + "server-snippet: |\n" + "      client_header_buffer_size 32k;",
                                "tuned.example.com")
                        + INGRESS.formatted(
                                "private",
                                N + "auth-type: basic\n" + N + "auth-secret: htpasswd\n" + N + "auth-realm: Staff",
                                "private.example.com")
                        + "apiVersion: v1\nkind: Secret\nmetadata: {name: htpasswd}\ntype: Opaque\ndata: {auth: "
                        + htpasswd
                        + "}\n");
        controller = ExampleOrigins.startUsher(manifests);
    }

    @AfterEach
    void stop() {
        if (controller != null) {
            controller.close();
        }
        origins.forEach(EchoServer::close);
    }

    @Test
    void annotations_shapeWhatReachesTheOrigin() throws Exception {
        assertThat(send("POST / HTTP/1.1\r\nHost: limited.example.com\r\nContent-Length: 11\r\n\r\nhello world"))
                .startsWith("HTTP/1.1 413 ");
        String small = send("POST / HTTP/1.1\r\nHost: limited.example.com\r\nContent-Length: 5\r\n"
                + "Connection: close\r\n\r\nhello");
        assertThat(small).startsWith("HTTP/1.1 200 ").contains("api.internal");

        assertThat(get("closed.example.com", "")).startsWith("HTTP/1.1 403 ");
        assertThat(get("broken.example.com", "")).startsWith("HTTP/1.1 503 ");
        assertThat(get("moved.example.com", ""))
                .startsWith("HTTP/1.1 301 ")
                .contains("\r\nlocation: https://new.example.com/\r\n");
        assertThat(send("GET /shop/cart?id=7 HTTP/1.1\r\nHost: returned.example.com\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 301 ") // the snippet's return, its header edit applied to it
                .contains("\r\nlocation: https://www.example.com/shop/cart?id=7\r\n")
                .contains("\r\nx-moved: yes\r\n");

        assertThat(get("private.example.com", ""))
                .startsWith("HTTP/1.1 401 ")
                .contains("\r\nwww-authenticate: Basic realm=\"Staff\"\r\n");
        String in = get(
                "private.example.com",
                "Authorization: Basic "
                        + Base64.getEncoder().encodeToString("alice:password".getBytes(StandardCharsets.UTF_8))
                        + "\r\n");
        assertThat(in).startsWith("HTTP/1.1 200 ").doesNotContainIgnoringCase("authorization");

        String echoed = "X-Echo-Response-Header: X-Powered-By: php\r\n" // the origin sends these two
                + "X-Echo-Response-Header: X-Frame-Options: SAMEORIGIN\r\n";
        String edited = get("headers.example.com", echoed); // the snippet's header directives, read as such
        assertThat(edited.substring(0, edited.indexOf("\r\n\r\n") + 2)) // the head; the body echoes the request
                .startsWith("HTTP/1.1 200 ")
                .contains("\r\nx-frame-options: DENY\r\n")
                .doesNotContain("SAMEORIGIN")
                .contains("\r\nstrict-transport-security: max-age=31536000; includeSubDomains\r\n")
                .doesNotContainIgnoringCase("x-powered-by:");
        assertThat(edited).contains("\"x-tenant\":[\"blue\"]"); // what the origin was sent
        assertThat(edited).contains("\"x-original-host\":[\"headers.example.com\"]");
        assertThat(get("limited.example.com", echoed)).containsIgnoringCase("x-powered-by: php"); // sent as a rule
    }

    @Test
    void aRefusedSnippetHoldingAccessControl_failsClosed_oneWithoutItIsIgnored() throws Exception {
        // nginx would answer 403 without the token and proxy with it; Usher cannot apply the if, so neither passes
        assertThat(get("gated.example.com", "")).startsWith("HTTP/1.1 503 ");
        assertThat(get("gated.example.com", "X-Token: s3cret\r\n")).startsWith("HTTP/1.1 503 ");
        assertThat(get("tuned.example.com", "")).startsWith("HTTP/1.1 200 ");

        String routes = RawHttp.get(controller.adminPort(), "localhost", "/debug/routes")
                .body();
        assertThat(routes)
                .contains("it holds access control Usher does not apply ('return 403'), so the Ingress fails closed"
                        + " (503)")
                .contains("server-snippet: refused");
    }

    @Test
    void limitRpm_refusesTheClientPastItsBurst_with503_whileOtherIngressesServeIt() throws Exception {
        // one request a minute, burst 1: two at once pass, the third within the minute is refused
        assertThat(get("throttled.example.com", "")).startsWith("HTTP/1.1 200 ");
        assertThat(get("throttled.example.com", "")).startsWith("HTTP/1.1 200 ");
        assertThat(get("throttled.example.com", "")).startsWith("HTTP/1.1 503 ");
        assertThat(get("limited.example.com", "")).startsWith("HTTP/1.1 200 ");
    }

    private String get(String host, String headers) throws IOException {
        return send("GET / HTTP/1.1\r\nHost: " + host + "\r\n" + headers + "Connection: close\r\n\r\n");
    }

    /** Writes {@code bytes} on a fresh connection and returns everything that comes back until the close. */
    private String send(String bytes) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", controller.httpPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(bytes.getBytes(StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (SocketException reset) {
            return "<<reset>>";
        }
    }
}
