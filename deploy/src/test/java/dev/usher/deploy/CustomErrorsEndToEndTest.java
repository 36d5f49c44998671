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
 * ingress-nginx's {@code default-backend} and {@code custom-http-errors} through the launcher: {@code usher run
 * --manifests} on the examples (echo origins be-default, alpaca, bandicoot) plus a Service {@code emu} that has no
 * endpoint; real HTTP requests on real sockets, the echo origin saying which one answered and what it was sent.
 */
final class CustomErrorsEndToEndTest {

    private static final String INGRESS = """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: %s
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
    private static final String EMU = """
            apiVersion: v1
            kind: Service
            metadata: {name: emu}
            spec:
              ports:
              - {name: http, port: 8080, targetPort: 8080}
            ---
            """;
    /** A Service whose one endpoint refuses connections: a failing error backend, or a 502 of the route. */
    private static final String DEAD = """
            apiVersion: v1
            kind: Service
            metadata: {name: dead}
            spec:
              ports:
              - {name: http, port: 8080, targetPort: 8080}
            ---
            apiVersion: v1
            kind: Endpoints
            metadata: {name: dead}
            subsets:
            - addresses: [{ip: 127.0.0.1}]
              ports: [{name: http, port: %d, protocol: TCP}]
            ---
            """;

    private static final String N = "nginx.ingress.kubernetes.io/";
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
        int closed;
        try (java.net.ServerSocket gone = new java.net.ServerSocket(0)) {
            closed = gone.getLocalPort();
        }
        String codes = N + "custom-http-errors: '404,500,502', ";
        String yaml = EMU
                + DEAD.formatted(closed)
                + INGRESS.formatted("pages", codes + N + "default-backend: bandicoot", "pages.example.com", "alpaca")
                + INGRESS.formatted("gateway", codes + N + "default-backend: bandicoot", "gateway.example.com", "dead")
                + INGRESS.formatted("nopages", codes + N + "default-backend: emu", "nopages.example.com", "alpaca")
                + INGRESS.formatted("deadpages", codes + N + "default-backend: dead", "deadpages.example.com", "alpaca")
                + INGRESS.formatted("empty", N + "default-backend: bandicoot", "empty.example.com", "emu")
                + INGRESS.formatted("plain", "", "plain.example.com", "emu")
                + INGRESS.formatted("unknown", N + "default-backend: nobody", "unknown.example.com", "emu");
        Files.writeString(manifests.resolve("errors.yaml"), yaml);
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
    void noReadyEndpoint_isServedByTheDefaultBackendAnnotation_toldWhyByIngressNginxFields() throws Exception {
        String response = get("empty.example.com", "/alma/armud?x=1", "Accept: application/json\r\n");

        assertThat(response).startsWith("HTTP/1.1 200 ");
        JsonNode echo = body(response);
        assertThat(echo.get("name").asString()).isEqualTo("bandicoot");
        assertThat(echo.get("uri").asString()).isEqualTo("/alma/armud?x=1");
        JsonNode headers = echo.get("headers");
        assertThat(headers.get("x-code").get(0).asString()).isEqualTo("503");
        assertThat(headers.get("x-format").get(0).asString()).isEqualTo("application/json");
        assertThat(headers.get("x-original-uri").get(0).asString()).isEqualTo("/alma/armud?x=1");
        assertThat(headers.get("x-namespace").get(0).asString()).isEqualTo("default");
        assertThat(headers.get("x-ingress-name").get(0).asString()).isEqualTo("empty");
        assertThat(headers.get("x-service-name").get(0).asString()).isEqualTo("emu");
        assertThat(headers.get("x-service-port").get(0).asString()).isEqualTo("8080");
        assertThat(headers.get("x-request-id").get(0).asString()).isNotEmpty();
    }

    @Test
    void withoutTheAnnotation_orWithAnUnknownService_noReadyEndpointStays503() throws Exception {
        assertThat(get("plain.example.com", "/", "")).startsWith("HTTP/1.1 503 ");
        assertThat(get("unknown.example.com", "/", "")).startsWith("HTTP/1.1 503 ");
    }

    @Test
    void listedOriginStatus_isReplacedByTheErrorBackendsResponse_withIngressNginxFields() throws Exception {
        // the error backend gets a GET of the same target: the echo answers /status/404 with 404 itself
        String response = get("pages.example.com", "/status/404?q=1", "Accept: text/html\r\n");

        assertThat(response).startsWith("HTTP/1.1 404 ");
        JsonNode echo = body(response);
        assertThat(echo.get("name").asString()).isEqualTo("bandicoot");
        assertThat(echo.get("method").asString()).isEqualTo("GET");
        JsonNode headers = echo.get("headers");
        assertThat(headers.get("x-code").get(0).asString()).isEqualTo("404");
        assertThat(headers.get("x-format").get(0).asString()).isEqualTo("text/html");
        assertThat(headers.get("x-original-uri").get(0).asString()).isEqualTo("/status/404?q=1");
        assertThat(headers.get("x-ingress-name").get(0).asString()).isEqualTo("pages");
        assertThat(headers.get("x-service-name").get(0).asString()).isEqualTo("alpaca");
        assertThat(headers.get("x-service-port").get(0).asString()).isEqualTo("8080");
    }

    @Test
    void postWithABody_isReplacedByAGet_onAConnectionThatStaysUsable() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", controller.httpPort())) {
            socket.setSoTimeout(10_000);
            String post = "POST /status/500 HTTP/1.1\r\nHost: pages.example.com\r\nContent-Length: 5\r\n\r\nhello";
            String get = "GET /status/418 HTTP/1.1\r\nHost: pages.example.com\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write((post + get).getBytes(StandardCharsets.ISO_8859_1));
            String both = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(both).startsWith("HTTP/1.1 500 ");
            assertThat(both).contains("\"name\":\"bandicoot\"").contains("\"method\":\"GET\"");
            assertThat(both.indexOf("HTTP/1.1 418 "))
                    .as("the next request on the same connection")
                    .isPositive();
            assertThat(both.substring(both.indexOf("HTTP/1.1 418 "))).contains("\"name\":\"alpaca\"");
        }
    }

    @Test
    void unlistedStatus_isTheOrigins() throws Exception {
        String response = get("pages.example.com", "/status/418", "");

        assertThat(response).startsWith("HTTP/1.1 418 ");
        assertThat(body(response).get("name").asString()).isEqualTo("alpaca");
    }

    @Test
    void usherOwn502_listed_isServedByTheErrorBackend() throws Exception {
        String response = get("gateway.example.com", "/", "");

        assertThat(response).startsWith("HTTP/1.1 200 ");
        JsonNode echo = body(response);
        assertThat(echo.get("name").asString()).isEqualTo("bandicoot");
        assertThat(echo.get("headers").get("x-code").get(0).asString()).isEqualTo("502");
        assertThat(echo.get("headers").get("x-service-name").get(0).asString()).isEqualTo("dead");
    }

    @Test
    void errorBackendWithoutEndpoint_servesTheOriginalResponse_andOneThatFails_theOriginalStatus() throws Exception {
        String original = get("nopages.example.com", "/status/404", "");
        assertThat(original).startsWith("HTTP/1.1 404 ");
        assertThat(body(original).get("name").asString()).isEqualTo("alpaca");

        String failed = get("deadpages.example.com", "/status/404", "");
        assertThat(failed).startsWith("HTTP/1.1 404 ");
        assertThat(failed).doesNotContain("bandicoot");
    }

    private static JsonNode body(String response) {
        return JSON.readTree(response.substring(response.indexOf("\r\n\r\n") + 4));
    }

    private String get(String host, String path, String headers) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", controller.httpPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream()
                    .write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + headers
                                    + "Connection: close\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
