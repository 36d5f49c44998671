package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.proxy.echo.EchoServer;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * ingress-nginx canaries through the launcher: {@code usher run --manifests} on the examples (two echo origins,
 * alpaca and bandicoot) plus main Ingresses to alpaca and canary Ingresses to bandicoot; real HTTP requests, the echo
 * origin saying which one answered. Weights 0 and 100 here; the distribution in between is {@code CanaryTest}
 * (proxy-core), with an injected random source.
 */
final class CanaryEndToEndTest {

    private static final String INGRESS = """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: %s
              creationTimestamp: '%s'
              annotations: {%s}
            spec:
              ingressClassName: usher
              rules:
              - host: %s
                http:
                  paths:
                  - {path: /, pathType: Prefix, backend: {service: {name: %s, port: {number: 8080}}}}
            ---
            """;
    private static final String N = "nginx.ingress.kubernetes.io/";
    private static final String CANARY = N + "canary: 'true', ";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path manifests;

    private final List<EchoServer> origins = new ArrayList<>();
    private Controller controller;

    @BeforeEach
    void start() throws IOException {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (String name : Examples.FIXED_PORTS.keySet()) {
            EchoServer origin = EchoServer.builder().name(name).build().start();
            origins.add(origin);
            ports.put(name, origin.port());
        }
        Examples.copyTo(manifests);
        Examples.writeEndpoints(manifests, ports);
        StringBuilder yaml = new StringBuilder();
        for (String[] pair : new String[][] {
            {"shaped", CANARY + N + "canary-by-header: X-Canary, " + N + "canary-by-cookie: canary"},
            {"valued", CANARY + N + "canary-by-header: X-Canary, " + N + "canary-by-header-value: v2"},
            {"zero", CANARY + N + "canary-weight: '0'"},
            {"all", CANARY + N + "canary-weight: '1000', " + N + "canary-weight-total: '1000'"}
        }) {
            String host = pair[0] + ".example.com";
            yaml.append(INGRESS.formatted(pair[0], "2024-01-01T00:00:00Z", "", host, "alpaca"));
            yaml.append(INGRESS.formatted(pair[0] + "-canary", "2024-01-02T00:00:00Z", pair[1], host, "bandicoot"));
        }
        // a canary with no main route (ignored, reported) and a second canary for one route (a conflict)
        yaml.append(INGRESS.formatted(
                "lonely-canary",
                "2024-01-02T00:00:00Z",
                CANARY + N + "canary-weight: '100'",
                "lonely.example.com",
                "bandicoot"));
        yaml.append(INGRESS.formatted(
                "zero-canary-2",
                "2024-01-03T00:00:00Z",
                CANARY + N + "canary-weight: '100'",
                "zero.example.com",
                "bandicoot"));
        Files.writeString(manifests.resolve("canary.yaml"), yaml);
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
    void headerThenCookie_decide_byIngressNginxPrecedence() throws Exception {
        assertThat(origin("shaped.example.com", "")).isEqualTo("alpaca");
        assertThat(origin("shaped.example.com", "X-Canary: always\r\n")).isEqualTo("bandicoot");
        assertThat(origin("shaped.example.com", "X-Canary: never\r\nCookie: canary=always\r\n"))
                .isEqualTo("alpaca");
        assertThat(origin("shaped.example.com", "X-Canary: other\r\nCookie: canary=always\r\n"))
                .isEqualTo("bandicoot");
        assertThat(origin("shaped.example.com", "Cookie: canary=never\r\n")).isEqualTo("alpaca");
        assertThat(origin("valued.example.com", "X-Canary: v2\r\n")).isEqualTo("bandicoot");
        assertThat(origin("valued.example.com", "X-Canary: always\r\n")).isEqualTo("alpaca");
    }

    @Test
    void weightZero_andWeightTotal_sendEveryRequestOneWay() throws Exception {
        for (int i = 0; i < 10; i++) {
            assertThat(origin("zero.example.com", "")).isEqualTo("alpaca");
            assertThat(origin("all.example.com", "")).isEqualTo("bandicoot");
        }
    }

    @Test
    void canaryWithoutMain_routesNothing_andIsReported_andDebugRoutesAndExplainShowTheCanary() throws Exception {
        assertThat(origin("lonely.example.com", ""))
                .as("the examples' catch-all, never the canary")
                .isEqualTo("be-default");

        JsonNode routes;
        try (KeepAliveClient admin = new KeepAliveClient(controller.adminPort())) {
            routes = JSON.readTree(admin.get("localhost", "/debug/routes").body());
        }
        assertThat(routes.get("hosts").toString()).doesNotContain("lonely.example.com");
        JsonNode shaped = null;
        for (JsonNode route : routes.get("routes")) {
            if ("shaped.example.com".equals(route.path("host").asString())) {
                shaped = route;
            }
        }
        assertThat(shaped).isNotNull();
        assertThat(shaped.get("backend").get("service").asString()).isEqualTo("alpaca");
        assertThat(shaped.get("canary").get("ingress").asString()).isEqualTo("default/shaped-canary");
        assertThat(shaped.get("canary").get("backend").get("service").asString())
                .isEqualTo("bandicoot");
        assertThat(shaped.get("canary").get("rule").asString()).contains("header X-Canary always|never");
        assertThat(routes.get("problems").toString())
                .contains("Ingress default/lonely-canary")
                .contains("no main route to share");
        assertThat(routes.get("conflicts").toString())
                .contains("default/zero-canary-2")
                .contains("two canaries");

        JsonNode explained;
        try (KeepAliveClient admin = new KeepAliveClient(controller.adminPort())) {
            explained = JSON.readTree(admin.get("localhost", "/debug/explain?host=shaped.example.com&path=/x")
                    .body());
        }
        assertThat(explained
                        .get("winner")
                        .get("canary")
                        .get("backend")
                        .get("service")
                        .asString())
                .isEqualTo("bandicoot");
    }

    /** The name of the echo origin that answered a GET with these extra header lines. */
    private String origin(String host, String headers) throws IOException {
        String response = send("GET / HTTP/1.1\r\nHost: " + host + "\r\n" + headers + "Connection: close\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 200 ");
        return JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4))
                .get("name")
                .asString();
    }

    private String send(String bytes) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", controller.httpPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(bytes.getBytes(StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
