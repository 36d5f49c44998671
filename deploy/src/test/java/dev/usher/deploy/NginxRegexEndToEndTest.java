package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.k8s.translate.WatcherSettings;
import dev.usher.proxy.echo.EchoServer;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The ingress-nginx Ingress people write most (issue 12): {@code use-regex} and {@code rewrite-target: /$2} on a
 * {@code pathType: Prefix} path, served from a manifests folder on class {@code nginx}, with curl through the proxy to
 * echo origins that report the request target they received.
 */
final class NginxRegexEndToEndTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String CLASS = """
            apiVersion: networking.k8s.io/v1
            kind: IngressClass
            metadata: {name: nginx}
            spec: {controller: k8s.io/ingress-nginx}
            """;

    /** The shape of ingress-nginx's rewrite example, plus a second, annotation-free Ingress on the same host. */
    private static final String INGRESSES = """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: rewrite
              namespace: default
              annotations:
                nginx.ingress.kubernetes.io/use-regex: "true"
                nginx.ingress.kubernetes.io/rewrite-target: /$2
            spec:
              ingressClassName: nginx
              rules:
              - host: rewrite.bar.com
                http:
                  paths:
                  - path: /something(/|$)(.*)
                    pathType: Prefix
                    backend:
                      service:
                        name: http-svc
                        port:
                          number: 80
            ---
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: static
              namespace: default
            spec:
              ingressClassName: nginx
              rules:
              - host: rewrite.bar.com
                http:
                  paths:
                  - path: /static
                    pathType: Prefix
                    backend:
                      service:
                        name: static-svc
                        port:
                          number: 80
            """;

    @TempDir
    Path manifests;

    private EchoServer httpSvc;
    private EchoServer staticSvc;
    private Controller controller;

    @BeforeEach
    void start() throws IOException {
        httpSvc = EchoServer.builder()
                .name("http-svc")
                .service("http-svc")
                .build()
                .start();
        staticSvc = EchoServer.builder()
                .name("static-svc")
                .service("static-svc")
                .build()
                .start();
        Files.writeString(manifests.resolve("class.yaml"), CLASS);
        Files.writeString(manifests.resolve("ingresses.yaml"), INGRESSES);
        Files.writeString(
                manifests.resolve("backends.yaml"),
                backend("http-svc", httpSvc.port()) + "---\n" + backend("static-svc", staticSvc.port()));
        controller = Controller.start(ControllerConfig.builder()
                .manifests(manifests)
                .bindAddress("127.0.0.1")
                .httpPort(0)
                .httpsPort(-1)
                .adminPort(0)
                .watcher(new WatcherSettings("nginx", "k8s.io/ingress-nginx", false, null))
                .drainTimeout(Duration.ofSeconds(2))
                .build());
    }

    @AfterEach
    void stop() {
        if (controller != null) {
            controller.close();
        }
        httpSvc.close();
        staticSvc.close();
    }

    static String backend(String name, int port) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: %1$s, namespace: default}
                spec:
                  ports:
                  - {name: http, port: 80, targetPort: %2$d}
                ---
                apiVersion: v1
                kind: Endpoints
                metadata: {name: %1$s, namespace: default}
                subsets:
                - addresses: [{ip: 127.0.0.1}]
                  ports: [{name: http, port: %2$d, protocol: TCP}]
                """.formatted(name, port);
    }

    /** curl, with the real host name resolved to the proxy: the request a browser would send. */
    private JsonNode curl(String target) throws IOException, InterruptedException {
        int port = controller.httpPort();
        Process curl = new ProcessBuilder(List.of(
                        "curl",
                        "-sS",
                        "--max-time",
                        "10",
                        "--path-as-is",
                        "--resolve",
                        "rewrite.bar.com:" + port + ":127.0.0.1",
                        "-w",
                        "\n%{http_code}",
                        "http://rewrite.bar.com:" + port + target))
                .redirectErrorStream(true)
                .start();
        assertThat(curl.waitFor(20, TimeUnit.SECONDS)).as("curl finished").isTrue();
        String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int newline = out.lastIndexOf('\n');
        String status = out.substring(newline + 1);
        if (!status.equals("200")) {
            return JSON.createObjectNode().put("status", status).put("body", out.substring(0, Math.max(0, newline)));
        }
        return JSON.readTree(out.substring(0, newline));
    }

    /** ingress-nginx's documented rewrite table for this Ingress, and the case-insensitive regex match. */
    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(delimiter = '|', textBlock = """
            /something                 | http-svc   | /
            /something/                | http-svc   | /
            /something/new             | http-svc   | /new
            /something/new/deeper?a=1  | http-svc   | /new/deeper?a=1
            /SOMETHING/Case            | http-svc   | /Case
            /static/app.css            | static-svc | /static/app.css
            /staticfiles/x             | static-svc | /staticfiles/x
            """)
    void curlThroughUsher_originReceivesTheRewrittenPath(String target, String service, String received)
            throws Exception {
        JsonNode echoed = curl(target);
        assertThat(echoed.path("service").asString()).as(echoed.toString()).isEqualTo(service);
        assertThat(echoed.get("uri").asString()).isEqualTo(received);
    }

    @Test
    void pathNotMatchingAnyRegex_getsTheDefault404_andDotSegmentsNeverEscapeTheRewrite() throws Exception {
        assertThat(curl("/somethingelse").path("status").asString()).isEqualTo("404");
        JsonNode climbed = curl("/something/a/../../../etc/passwd");
        assertThat(climbed.path("status").asString()).as(climbed.toString()).isEqualTo("400");
        JsonNode inside = curl("/something/a/../b");
        assertThat(inside.get("uri").asString()).isEqualTo("/b");
    }

    @Test
    void debugExplain_showsTheRegexAndTheUpstreamUri() throws Exception {
        String query = "host=rewrite.bar.com&path=" + URLEncoder.encode("/something/new?x=1", StandardCharsets.UTF_8);
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(
                                        "http://127.0.0.1:" + controller.adminPort() + "/debug/explain?" + query))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        JsonNode explain = JSON.readTree(response.body());
        assertThat(explain.get("winner").get("regex").asString()).isEqualTo("~* \"^/something(/|$)(.*)\"");
        assertThat(explain.get("upstreamUri").asString()).isEqualTo("/new?x=1");
    }
}
