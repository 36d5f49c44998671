package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.usher.proxy.echo.EchoServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The launcher's own assembly, on a folder of the bundled examples, with echo origins behind it. */
final class ControllerEndToEndTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path manifests;

    private final List<EchoServer> origins = new ArrayList<>();
    private final HttpClient client = HttpClient.newHttpClient();
    private Controller controller;

    @BeforeEach
    void start() throws IOException {
        ExampleOrigins.serve(manifests, origins);
        controller = Controller.start(ControllerConfig.builder()
                .manifests(manifests)
                .bindAddress("127.0.0.1")
                .httpPort(0)
                .httpsPort(-1)
                .adminPort(0)
                .drainTimeout(Duration.ofSeconds(2))
                .build());
    }

    @AfterEach
    void stop() {
        controller.close();
        origins.forEach(EchoServer::close);
    }

    private String serviceFor(String host, String target) throws IOException {
        RawHttp.Response response = RawHttp.get(controller.httpPort(), host, target);
        assertThat(response.status()).as("status for %s%s", host, target).isEqualTo(200);
        return JSON.readTree(response.body()).get("service").asString();
    }

    private HttpResponse<String> admin(String target) throws Exception {
        return client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + controller.adminPort() + target))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void folderOfManifests_routesByHostAndPathAsTheBookSays() throws IOException {
        assertThat(serviceFor("alpaca.example.com", "/")).isEqualTo("alpaca");
        assertThat(serviceFor("alpaca.example.com", "/anything/at/all")).isEqualTo("alpaca");
        assertThat(serviceFor("bandicoot.example.com", "/")).isEqualTo("bandicoot");
        assertThat(serviceFor("bandicoot.example.com", "/a/")).isEqualTo("alpaca");
        assertThat(serviceFor("bandicoot.example.com", "/a/deeper?q=1")).isEqualTo("alpaca");
        assertThat(serviceFor("bandicoot.example.com", "/ab")).isEqualTo("bandicoot");
        assertThat(serviceFor("unknown.example.com", "/")).isEqualTo("be-default");
    }

    @Test
    void origin_seesTheOriginalHostAndTarget() throws IOException {
        JsonNode seen = JSON.readTree(RawHttp.get(controller.httpPort(), "bandicoot.example.com", "/a/b?x=1")
                .body());

        assertThat(seen.get("host").asString()).isEqualTo("bandicoot.example.com");
        assertThat(seen.get("uri").asString()).isEqualTo("/a/b?x=1");
    }

    @Test
    void readyz_isReadyOnceStarted_andHealthzAnswers() throws Exception {
        assertThat(controller.startupCollected())
                .as("with manifests the start-up's garbage is collected before start returns")
                .isTrue();
        assertThat(controller.ready()).isTrue();
        assertThat(admin("/readyz").statusCode()).isEqualTo(200);
        assertThat(admin("/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void debugExplain_namesTheWinnerAndTheLosers() throws Exception {
        JsonNode explained = JSON.readTree(
                admin("/debug/explain?host=bandicoot.example.com&path=/a/x").body());

        assertThat(explained.get("winner").get("ingress").asString()).isEqualTo("default/path-ingress");
        assertThat(explained.get("winner").get("path").asString()).isEqualTo("/a/");
        assertThat(explained.get("winner").get("backend").get("service").asString())
                .isEqualTo("alpaca");
        List<String> losers = explained
                .get("losers")
                .valueStream()
                .map(loser -> loser.get("route").get("source").asString() + " "
                        + loser.get("route").get("path").asString())
                .toList();
        assertThat(losers).contains("RULE /");
    }

    @Test
    void debugRoutes_showsTheBooksRoutesWithTheirEndpoints() throws Exception {
        JsonNode routes = JSON.readTree(admin("/debug/routes").body());

        assertThat(routes.get("hosts").toString()).contains("alpaca.example.com", "bandicoot.example.com");
        assertThat(routes.get("routes").toString())
                .contains(
                        "\"source\":\"CATCH_ALL_DEFAULT\"",
                        "\"ingress\":\"default/simple-ingress\"",
                        "\"port\":" + origins.get(0).port());
        assertThat(routes.get("problems")).isEmpty();
    }

    @Test
    void metrics_carryUsherNamesAndJvmMemory() throws Exception {
        serviceFor("alpaca.example.com", "/");

        // A request is counted once its last byte is written, which the client may read first: await the count.
        String metrics = await().atMost(Duration.ofSeconds(20))
                .until(() -> admin("/metrics").body(), m -> m.contains("usher_requests_total{"));

        assertThat(metrics)
                .contains(
                        "usher_routes",
                        "usher_ready 1.0",
                        "usher_config_last_build_timestamp_seconds",
                        "jvm_memory_used_bytes");
        assertThat(metrics).containsPattern("(?m)^usher_requests_total\\{");
    }

    @Test
    void addedManifest_isRoutedWithoutRestart() throws Exception {
        Files.writeString(manifests.resolve("zebra.yaml"), """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: zebra
                spec:
                  ingressClassName: usher
                  rules:
                  - host: zebra.example.com
                    http:
                      paths:
                      - path: /
                        pathType: Prefix
                        backend:
                          service:
                            name: bandicoot
                            port:
                              name: http
                """, StandardCharsets.UTF_8);

        assertThat(await().atMost(Duration.ofSeconds(20))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> serviceFor("zebra.example.com", "/"), "bandicoot"::equals))
                .isEqualTo("bandicoot");
    }

    @Test
    void close_letsAnInFlightRequestFinish() throws Exception {
        EchoServer alpaca = origins.get(1);
        CompletableFuture<RawHttp.Response> slow = CompletableFuture.supplyAsync(() -> {
            try {
                return RawHttp.get(controller.httpPort(), "alpaca.example.com", "/slow?delay=1500");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> alpaca.connectionsAccepted() > 0);

        controller.close();

        RawHttp.Response response = slow.get(10, TimeUnit.SECONDS);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).contains("/slow?delay=1500");
    }

    @Test
    void close_dropsReadinessAndStopsListening() throws Exception {
        int port = controller.httpPort();

        controller.close();

        assertThat(controller.ready()).isFalse();
        assertThatThrownBy(() -> RawHttp.get(port, "alpaca.example.com", "/")).isInstanceOf(IOException.class);
    }
}
