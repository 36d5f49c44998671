package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.k8s.translate.WatcherSettings;
import dev.usher.proxy.echo.EchoServer;
import java.io.IOException;
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
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * ingress-nginx's rewrite example ({@code /something(/|$)(.*)}) with a {@code rewrite-target} that is an absolute URL
 * (nginx's {@code rewrite} then redirects) and one that holds {@code $host}, served from a manifests folder through
 * the launcher, with curl: the 302's {@code Location}, the origin never contacted, and the path another origin got.
 */
final class NginxRewriteRedirectEndToEndTest {

    private static final String INGRESSES = """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: moved
              namespace: default
              annotations:
                nginx.ingress.kubernetes.io/use-regex: "true"
                nginx.ingress.kubernetes.io/rewrite-target: https://new.bar.com/$2
            spec:
              ingressClassName: nginx
              rules:
              - host: rewrite.bar.com
                http:
                  paths:
                  - path: /something(/|$)(.*)
                    pathType: ImplementationSpecific
                    backend:
                      service:
                        name: http-svc
                        port:
                          number: 80
            ---
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: per-host
              namespace: default
              annotations:
                nginx.ingress.kubernetes.io/rewrite-target: /tenants/$host/$2
            spec:
              ingressClassName: nginx
              rules:
              - host: tenant.bar.com
                http:
                  paths:
                  - path: /app(/|$)(.*)
                    pathType: Prefix
                    backend:
                      service:
                        name: tenant-svc
                        port:
                          number: 80
            """;

    @TempDir
    Path manifests;

    private EchoServer httpSvc;
    private EchoServer tenantSvc;
    private Controller controller;

    @BeforeEach
    void start() throws IOException {
        httpSvc = EchoServer.builder()
                .name("http-svc")
                .service("http-svc")
                .build()
                .start();
        tenantSvc = EchoServer.builder()
                .name("tenant-svc")
                .service("tenant-svc")
                .build()
                .start();
        Files.writeString(manifests.resolve("class.yaml"), """
                apiVersion: networking.k8s.io/v1
                kind: IngressClass
                metadata: {name: nginx}
                spec: {controller: k8s.io/ingress-nginx}
                """);
        Files.writeString(manifests.resolve("ingresses.yaml"), INGRESSES);
        Files.writeString(
                manifests.resolve("backends.yaml"),
                NginxRegexEndToEndTest.backend("http-svc", httpSvc.port())
                        + "---\n"
                        + NginxRegexEndToEndTest.backend("tenant-svc", tenantSvc.port()));
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
        tenantSvc.close();
    }

    /** curl with the host resolved to the proxy; the response head and body, redirects not followed. */
    private String curl(String host, String target) throws IOException, InterruptedException {
        int port = controller.httpPort();
        Process curl = new ProcessBuilder(List.of(
                        "curl",
                        "-sS",
                        "-i",
                        "--max-time",
                        "10",
                        "--path-as-is",
                        "--resolve",
                        host + ":" + port + ":127.0.0.1",
                        "http://" + host + ":" + port + target))
                .redirectErrorStream(true)
                .start();
        assertThat(curl.waitFor(20, TimeUnit.SECONDS)).as("curl finished").isTrue();
        return new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void absoluteRewriteTarget_redirects302_withTheCaptureAndTheQuery_andTheOriginIsNeverContacted() throws Exception {
        String answer = curl("rewrite.bar.com", "/something/new/deeper?a=1");

        assertThat(answer).startsWith("HTTP/1.1 302").contains("location: https://new.bar.com/new/deeper?a=1\r\n");
        assertThat(curl("rewrite.bar.com", "/SOMETHING")).contains("location: https://new.bar.com/\r\n");
        assertThat(httpSvc.connectionsAccepted()).isZero();
    }

    @Test
    void hostInARewriteTarget_isTheRequestsHost_inThePathTheOriginReceives() throws Exception {
        String answer = curl("tenant.bar.com", "/app/page?x=1");

        assertThat(answer).startsWith("HTTP/1.1 200");
        JsonNode echoed = JsonMapper.builder().build().readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
        assertThat(echoed.get("service").asString()).isEqualTo("tenant-svc");
        assertThat(echoed.get("uri").asString()).isEqualTo("/tenants/tenant.bar.com/page?x=1");
    }
}
