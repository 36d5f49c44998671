package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.usher.k8s.BookIngresses;
import dev.usher.k8s.translate.WatcherSettings;
import dev.usher.proxy.echo.EchoServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
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

/** Manifests-folder mode through the launcher: live edits, broken files, the book's legacy YAML, readiness of pods. */
final class ManifestsFolderEndToEndTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    Path manifests;

    private final List<EchoServer> origins = new ArrayList<>();
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private Controller controller;

    @BeforeEach
    void startOrigins() {
        for (String name : Examples.FIXED_PORTS.keySet()) {
            EchoServer origin = EchoServer.builder().name(name).build().start();
            origins.add(origin);
            ports.put(name, origin.port());
        }
    }

    @AfterEach
    void stop() {
        if (controller != null) {
            controller.close();
        }
        origins.forEach(EchoServer::close);
    }

    private void startUsher(WatcherSettings watcher) throws IOException {
        controller = Controller.start(ControllerConfig.builder()
                .manifests(manifests)
                .bindAddress("127.0.0.1")
                .httpPort(0)
                .httpsPort(-1)
                .adminPort(0)
                .watcher(watcher)
                .drainTimeout(Duration.ofSeconds(2))
                .build());
    }

    private void startUsherOnExamples() throws IOException {
        Examples.copyTo(manifests);
        Examples.writeEndpoints(manifests, ports);
        startUsher(WatcherSettings.defaults());
    }

    /** Replaces a file the way editors do: write a temporary file, then rename it into place. */
    private void replace(String file, String content) throws IOException {
        Path temporary = manifests.resolve("." + file + ".swp");
        Files.writeString(temporary, content, StandardCharsets.UTF_8);
        Files.move(
                temporary,
                manifests.resolve(file),
                StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    private static String service(RawHttp.Response response) {
        return response.status() == 200
                ? JSON.readTree(response.body()).get("service").asString()
                : "status " + response.status();
    }

    /** Repeats the request on {@code client} until {@code expected} answers; returns that answer. */
    private static String awaitService(KeepAliveClient client, String host, String target, String expected) {
        return await().atMost(PATIENCE)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> service(client.get(host, target)), expected::equals);
    }

    private JsonNode debugRoutes() throws IOException {
        try (KeepAliveClient admin = new KeepAliveClient(controller.adminPort())) {
            return JSON.readTree(admin.get("localhost", "/debug/routes").body());
        }
    }

    @Test
    void editsAddsAndDeletes_areFollowed_whileAKeepAliveClientKeepsItsConnection() throws Exception {
        startUsherOnExamples();
        try (KeepAliveClient client = new KeepAliveClient(controller.httpPort())) {
            assertThat(service(client.get("alpaca.example.com", "/"))).isEqualTo("alpaca");

            replace(
                    "host-ingress.yaml",
                    Files.readString(manifests.resolve("host-ingress.yaml"))
                            .replace("name: alpaca", "name: bandicoot"));
            assertThat(awaitService(client, "alpaca.example.com", "/", "bandicoot"))
                    .isEqualTo("bandicoot");

            Files.writeString(
                    manifests.resolve("wombat.yaml"),
                    Files.readString(manifests.resolve("host-ingress.yaml"))
                            .replace("host-ingress", "wombat")
                            .replace("alpaca.example.com", "wombat.example.com"));
            assertThat(awaitService(client, "wombat.example.com", "/", "bandicoot"))
                    .isEqualTo("bandicoot");

            Files.delete(manifests.resolve("host-ingress.yaml"));
            assertThat(awaitService(client, "alpaca.example.com", "/", "be-default"))
                    .isEqualTo("be-default");
        }
    }

    @Test
    void brokenFile_keepsTheLastGoodRoutes_andIsReported() throws Exception {
        startUsherOnExamples();
        replace("host-ingress.yaml", "apiVersion: networking.k8s.io/v1\nkind: Ingress\nspec: [unclosed\n");

        JsonNode routes = await().atMost(PATIENCE)
                .pollInterval(Duration.ofMillis(50))
                .until(this::debugRoutes, r -> !r.get("problems").isEmpty());

        assertThat(routes.get("problems").toString()).contains("host-ingress.yaml");
        assertThat(service(RawHttp.get(controller.httpPort(), "alpaca.example.com", "/")))
                .isEqualTo("alpaca");
    }

    @Test
    void rewriteTargetWithCrLf_isReported_andTheLastGoodVersionKeepsAnswering() throws Exception {
        Examples.copyTo(manifests);
        Examples.writeEndpoints(manifests, ports);
        String hostIngress = Files.readString(manifests.resolve("host-ingress.yaml"));
        Files.writeString(
                manifests.resolve("host-ingress.yaml"),
                hostIngress.replace(
                        "  name: host-ingress\n",
                        "  name: host-ingress\n  annotations:\n    usher.dev/rewrite-target: /v1\n"));
        startUsher(WatcherSettings.defaults());
        RawHttp.Response before = RawHttp.get(controller.httpPort(), "alpaca.example.com", "/x");
        assertThat(JSON.readTree(before.body()).get("uri").asString()).isEqualTo("/v1/x");

        replace(
                "host-ingress.yaml",
                hostIngress.replace(
                        "  name: host-ingress\n",
                        "  name: host-ingress\n  annotations:\n    usher.dev/rewrite-target: \"/v1\\r\\nX-Injected: yes\"\n"));
        JsonNode routes = await().atMost(PATIENCE)
                .until(this::debugRoutes, r -> !r.get("problems").isEmpty());

        assertThat(routes.get("problems").toString())
                .contains("host-ingress.yaml", "usher.dev/rewrite-target", "control characters");
        RawHttp.Response after = RawHttp.get(controller.httpPort(), "alpaca.example.com", "/x");
        assertThat(after.status()).isEqualTo(200);
        JsonNode echoed = JSON.readTree(after.body());
        assertThat(echoed.get("uri").asString()).isEqualTo("/v1/x");
        assertThat(echoed.toString()).doesNotContainIgnoringCase("x-injected");
    }

    @Test
    void theBooksLegacyManifests_routeAsTheBookSays() throws Exception {
        Files.writeString(manifests.resolve("book.yaml"), BookIngresses.LEGACY_YAML, StandardCharsets.UTF_8);
        Files.copy(Path.of("examples", "services.yaml"), manifests.resolve("services.yaml"));
        Examples.writeEndpoints(manifests, ports);
        startUsher(WatcherSettings.defaults().withWatchIngressWithoutClass(true));
        int port = controller.httpPort();

        assertThat(service(RawHttp.get(port, "anything.example.com", "/"))).isEqualTo("alpaca");
        assertThat(service(RawHttp.get(port, "alpaca.example.com", "/x"))).isEqualTo("alpaca");
        assertThat(service(RawHttp.get(port, "bandicoot.example.com", "/"))).isEqualTo("bandicoot");
        assertThat(service(RawHttp.get(port, "bandicoot.example.com", "/a/b"))).isEqualTo("alpaca");
    }

    @Test
    void notReadyAddresses_areNeverUsed() throws Exception {
        Examples.copyTo(manifests);
        Examples.writeEndpoints(
                manifests, Map.of("be-default", ports.get("be-default"), "bandicoot", ports.get("bandicoot")));
        // alpaca's live origin is listed only as not ready, as during a failing readiness probe.
        Files.writeString(
                manifests.resolve("alpaca-endpoints.yaml"), """
                apiVersion: v1
                kind: Endpoints
                metadata:
                  name: alpaca
                subsets:
                - notReadyAddresses:
                  - ip: 127.0.0.1
                  ports:
                  - name: http
                    port: %d
                """.formatted(ports.get("alpaca")), StandardCharsets.UTF_8);
        startUsher(WatcherSettings.defaults());

        RawHttp.Response alpaca = RawHttp.get(controller.httpPort(), "alpaca.example.com", "/");

        assertThat(alpaca.status()).isEqualTo(503);
        assertThat(origins.get(1).connectionsAccepted()).isZero();
        assertThat(service(RawHttp.get(controller.httpPort(), "bandicoot.example.com", "/")))
                .isEqualTo("bandicoot");
    }
}
