package dev.usher.deploy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.k8s.SnapshotPublisher;
import dev.usher.k8s.translate.Problem;
import dev.usher.k8s.translate.Translation;
import dev.usher.routing.AddressBlock;
import dev.usher.routing.BackendRef;
import dev.usher.routing.Endpoint;
import dev.usher.routing.HostRule;
import dev.usher.routing.IngressRuleSet;
import dev.usher.routing.PathRule;
import dev.usher.routing.PathType;
import dev.usher.routing.RouteOptions;
import dev.usher.routing.RoutingTable;
import dev.usher.tls.CertificateStore;
import dev.usher.tls.DefaultCertificate;
import dev.usher.tls.TlsCertificate;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

final class AdminServerTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final BackendRef ALPACA = BackendRef.parse("default/alpaca:8080");
    private static final BackendRef BANDICOOT = BackendRef.parse("default/bandicoot:8080");

    private final HttpClient client = HttpClient.newHttpClient();
    private final AtomicBoolean bound = new AtomicBoolean();
    private SnapshotPublisher publisher;
    private AdminMetrics metrics;
    private AdminServer admin;

    @BeforeEach
    void start() throws Exception {
        publisher = new SnapshotPublisher(new RoutingTable(), null);
        metrics = AdminMetrics.create();
        admin = AdminServer.start("127.0.0.1", 0, publisher, metrics, bound::get);
    }

    @AfterEach
    void stop() {
        admin.close();
        metrics.close();
    }

    private HttpResponse<String> get(String target) throws Exception {
        return client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + target))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** path-ingress (older) and a newer Ingress that also claims bandicoot.example.com /a/. */
    private void publishBookRoutes() {
        IngressRuleSet path = new IngressRuleSet(
                "default",
                "path-ingress",
                Instant.parse("2024-01-01T00:00:00Z"),
                List.of(new HostRule(
                        "bandicoot.example.com",
                        List.of(
                                new PathRule("/", PathType.PREFIX, BANDICOOT),
                                new PathRule("/a/", PathType.PREFIX, ALPACA)))),
                null,
                RouteOptions.DEFAULT);
        IngressRuleSet rival = new IngressRuleSet(
                "default",
                "rival",
                Instant.parse("2025-01-01T00:00:00Z"),
                List.of(new HostRule(
                        "bandicoot.example.com", List.of(new PathRule("/a/", PathType.PREFIX, BANDICOOT)))),
                null,
                RouteOptions.DEFAULT);
        publisher.publish(new Translation(
                List.of(path, rival),
                Map.of(
                        ALPACA,
                        List.of(new Endpoint("127.0.0.1", 9002, null)),
                        BANDICOOT,
                        List.of(new Endpoint("127.0.0.1", 9003, null))),
                Map.of(),
                null,
                List.of(new Problem("broken.yaml", "line 3: mapping values are not allowed here"))));
    }

    @Test
    void healthz_answersOkFromTheStart() throws Exception {
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void readyz_is503UntilTheFirstLoadAndTheListeners_then200() throws Exception {
        HttpResponse<String> beforeLoad = get("/readyz");
        publishBookRoutes();
        HttpResponse<String> beforeBind = get("/readyz");
        bound.set(true);
        HttpResponse<String> ready = get("/readyz");

        assertThat(beforeLoad.statusCode()).isEqualTo(503);
        assertThat(beforeLoad.body()).contains("first routing load");
        assertThat(beforeBind.statusCode()).isEqualTo(503);
        assertThat(beforeBind.body()).contains("listeners");
        assertThat(ready.statusCode()).isEqualTo(200);
    }

    @Test
    void debugRoutes_listsHostsPathsBackendsEndpointsConflictsAndProblems() throws Exception {
        publishBookRoutes();

        HttpResponse<String> response = get("/debug/routes");
        JsonNode routes = JSON.readTree(response.body());

        assertThat(response.headers().firstValue("content-type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        assertThat(routes.get("hosts").toString()).isEqualTo("[\"bandicoot.example.com\"]");
        assertThat(routes.get("routes").toString())
                .contains(
                        "\"path\":\"/a/\"",
                        "\"pathType\":\"PREFIX\"",
                        "\"ingress\":\"default/path-ingress\"",
                        "\"service\":\"alpaca\"",
                        "\"port\":9002");
        assertThat(routes.get("conflicts")).hasSize(1);
        assertThat(routes.get("conflicts").get(0).get("loser").asString()).contains("rival");
        assertThat(routes.get("problems").get(0).get("source").asString()).isEqualTo("broken.yaml");
    }

    @Test
    void debugExplain_namesTheWinnerTheLosersAndTheUpstreamPath() throws Exception {
        publishBookRoutes();

        JsonNode explained = JSON.readTree(get("/debug/explain?host=BANDICOOT.example.com:8080&path="
                        + URLEncoder.encode("/a/b?x=1", StandardCharsets.UTF_8))
                .body());

        assertThat(explained.get("winner").get("ingress").asString()).isEqualTo("default/path-ingress");
        assertThat(explained.get("winner").get("backend").get("service").asString())
                .isEqualTo("alpaca");
        assertThat(explained.get("upstreamUri").asString()).isEqualTo("/a/b?x=1");
        List<String> losers = explained
                .get("losers")
                .valueStream()
                .map(loser -> loser.get("route").get("ingress").asString() + " "
                        + loser.get("route").get("path").asString())
                .toList();
        assertThat(losers).contains("default/rival /a/", "default/path-ingress /");
        assertThat(explained.get("losers").get(0).get("reason").asString()).isNotBlank();
    }

    @Test
    void debugExplain_unknownHostWithNoDefault_isNotFound() throws Exception {
        publishBookRoutes();

        JsonNode explained =
                JSON.readTree(get("/debug/explain?host=nowhere.example&path=/").body());

        assertThat(explained.get("winner").get("source").asString()).isEqualTo("NOT_FOUND");
        assertThat(explained.get("winner").get("backend").isNull()).isTrue();
    }

    @Test
    void debugExplain_pathNotStartingWithSlash_is400() throws Exception {
        assertThat(get("/debug/explain?host=a&path=nope").statusCode()).isEqualTo(400);
    }

    @Test
    void metrics_isPrometheusTextWithJvmAndNettyMemory() throws Exception {
        HttpResponse<String> response = get("/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
        assertThat(response.body())
                .contains(
                        "# TYPE jvm_memory_used_bytes gauge",
                        "jvm_threads_live_threads",
                        "process_cpu_usage",
                        "netty_allocator_memory_used");
    }

    /** A raw GET from {@code source} (a local address) to the admin port; returns the status code. */
    private int getFrom(String source, String target) throws Exception {
        return getFrom(source, target, "127.0.0.1:" + admin.port());
    }

    private int getFrom(String source, String target, String host) throws Exception {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(source, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", admin.port()));
            socket.getOutputStream()
                    .write(("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            return Integer.parseInt(response.substring(9, 12));
        }
    }

    @Test
    void debugViews_refuseClientsOutsideTheAllowedBlocks_whileProbesAndMetricsAnswerEveryone() throws Exception {
        admin.close();
        // Bound on every address, as in a pod; only 127.0.0.2 may read the debug views, so 127.0.0.1 is "outside".
        admin = AdminServer.builder()
                .bind("0.0.0.0", 0)
                .publisher(publisher)
                .metrics(metrics)
                .listenersBound(bound::get)
                .debugAccess(DebugAccess.only(List.of(AddressBlock.parse("127.0.0.2/32"))))
                .start();
        publishBookRoutes();
        bound.set(true);

        assertThat(getFrom("127.0.0.1", "/debug/routes")).isEqualTo(403);
        assertThat(getFrom("127.0.0.1", "/debug/explain?host=a&path=/")).isEqualTo(403);
        assertThat(getFrom("127.0.0.1", "/")).isEqualTo(403);
        assertThat(getFrom("127.0.0.1", "/no/such/page")).isEqualTo(403);
        assertThat(getFrom("127.0.0.1", "/healthz")).isEqualTo(200);
        assertThat(getFrom("127.0.0.1", "/readyz")).isEqualTo(200);
        assertThat(getFrom("127.0.0.1", "/metrics")).isEqualTo(200);
        assertThat(getFrom("127.0.0.2", "/debug/routes")).isEqualTo(200);
    }

    @Test
    void debugViews_byDefault_answerLoopbackClients() throws Exception {
        admin.close();
        admin = AdminServer.start("0.0.0.0", 0, publisher, metrics, bound::get);

        assertThat(getFrom("127.0.0.1", "/debug/routes")).isEqualTo(200);
        assertThat(getFrom("127.0.0.2", "/debug/routes")).isEqualTo(200);
    }

    @Test
    void debugViews_addressedToAForeignHostName_areRefused_asDnsRebindingWouldSendThem() throws Exception {
        assertThat(getFrom("127.0.0.1", "/debug/routes", "attacker.example:" + admin.port()))
                .isEqualTo(403);
        assertThat(getFrom("127.0.0.1", "/", "attacker.example")).isEqualTo(403);
        assertThat(getFrom("127.0.0.1", "/debug/routes", "localhost:" + admin.port()))
                .isEqualTo(200);
        assertThat(getFrom("127.0.0.1", "/metrics", "attacker.example")).isEqualTo(200);
    }

    @Test
    void forbiddenAnswer_namesTheWayIn() throws Exception {
        admin.close();
        admin = AdminServer.builder()
                .publisher(publisher)
                .metrics(metrics)
                .debugAccess(DebugAccess.only(List.of()))
                .start();

        HttpResponse<String> response = get("/debug/routes");

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).contains("kubectl port-forward", "--debug-from");
    }

    @Test
    void page_isServedFromTheJar_withHeadersThatAllowNoForeignOrInlineScript() throws Exception {
        HttpResponse<String> page = get("/");
        HttpResponse<String> script = get("/page/app.js");
        HttpResponse<String> style = get("/page/style.css");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("content-security-policy")).hasValueSatisfying(csp -> assertThat(csp)
                .contains("default-src 'none'", "script-src 'self'", "connect-src 'self'")
                .doesNotContain("unsafe-inline", "http"));
        assertThat(page.body())
                .contains("<script src=\"/page/app.js\"", "id=\"routes\"", "id=\"explain-form\"")
                .doesNotContain("<script>", "https://");
        assertThat(script.headers().firstValue("content-type")).hasValue("text/javascript; charset=utf-8");
        assertThat(script.body()).contains("/debug/routes", "/debug/stats", "/debug/explain");
        assertThat(style.statusCode()).isEqualTo(200);
    }

    @Test
    void debugStats_listsEachRoutesFiguresAndPropagation() throws Exception {
        JsonNode stats = JSON.readTree(get("/debug/stats").body());

        assertThat(stats.has("windowSeconds")).isTrue();
        assertThat(stats.get("routes").isArray()).isTrue();
        assertThat(stats.get("propagation").get("changes").asLong()).isZero();
    }

    @Test
    void debugRoutes_withHttps_showsTheCertificateEachHostGetsAndItsExpiry() throws Exception {
        admin.close();
        TlsCertificate fallback = DefaultCertificate.generate();
        CertificateStore store = CertificateStore.create(fallback);
        admin = AdminServer.builder()
                .publisher(publisher)
                .metrics(metrics)
                .certificates(store)
                .start();
        publishBookRoutes();

        JsonNode routes = JSON.readTree(get("/debug/routes").body());

        JsonNode tls = routes.get("routes").get(0).get("tls");
        assertThat(tls.get("secret").asString()).isEqualTo(fallback.id());
        assertThat(tls.get("default").asBoolean()).isTrue();
        assertThat(tls.get("notAfter").asString()).isEqualTo(fallback.notAfter().toString());
        assertThat(routes.get("certificates").get(0).get("hosts").toString()).isEqualTo("[\"*\"]");
    }

    @Test
    void unknownPathAndWrongMethod_areRefused() throws Exception {
        HttpResponse<String> post = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + "/readyz"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(get("/nope").statusCode()).isEqualTo(404);
        assertThat(post.statusCode()).isEqualTo(405);
    }
}
