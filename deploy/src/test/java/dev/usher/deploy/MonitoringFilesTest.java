package dev.usher.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.usher.proxy.echo.EchoServer;
import dev.usher.tls.CertificateGenerator;
import dev.usher.tls.PemCertificates.KeyFormat;
import dev.usher.tls.TlsCertificate;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The Grafana dashboard and the Prometheus alerts name only metrics a running Usher exposes: both files are parsed,
 * every {@code usher_*} name in their queries is looked up in {@code /metrics} of a controller that served a request.
 */
final class MonitoringFilesTest {

    private static final Path DASHBOARD = Path.of("grafana", "usher.json");
    private static final Path ALERTS = Path.of("prometheus", "alerts.yaml");
    private static final Pattern METRIC = Pattern.compile("\\busher_[a-z0-9_]+");
    private static final Duration PATIENCE = Duration.ofSeconds(10);
    private static final TlsCertificate SITE =
            CertificateGenerator.forHosts("secure.example.com").generate("site");

    @TempDir
    Path folder;

    private final List<EchoServer> origins = new ArrayList<>();
    private Controller controller;

    @AfterEach
    void stop() {
        if (controller != null) {
            controller.close();
        }
        origins.forEach(EchoServer::close);
    }

    /** Usher on a folder with one plain and one TLS Ingress, after one proxied request. */
    private String metricsAfterOneRequest() throws IOException {
        EchoServer alpaca = EchoServer.builder()
                .name("alpaca")
                .bindAddress("127.0.0.1")
                .build()
                .start();
        origins.add(alpaca);
        new TlsManifests(folder)
                .services(Map.of("alpaca", alpaca.port(), "nobody", 1))
                .secret("site-tls", SITE, KeyFormat.PKCS8)
                .ingress(
                        "site",
                        "false",
                        Map.of("secure.example.com", "site-tls"),
                        Map.of("secure.example.com", "alpaca", "empty.example.com", "missing"));
        controller = TlsManifests.startUsher(folder);
        assertThat(RawHttp.get(controller.httpPort(), "secure.example.com", "/").status())
                .isEqualTo(200);
        await().atMost(PATIENCE).until(() -> scrape().contains("usher_requests_total{"));
        return scrape();
    }

    private String scrape() throws IOException {
        try (KeepAliveClient admin = new KeepAliveClient(controller.adminPort())) {
            return admin.get("localhost", "/metrics").body();
        }
    }

    /** Every string under a key named {@code expr}, {@code query} or {@code definition}, anywhere in the tree. */
    private static void queries(JsonNode node, List<String> into) {
        if (node.isObject()) {
            node.properties().forEach(entry -> {
                if (entry.getValue().isString()
                        && List.of("expr", "query", "definition").contains(entry.getKey())) {
                    into.add(entry.getValue().asString());
                } else {
                    queries(entry.getValue(), into);
                }
            });
        } else if (node.isArray()) {
            node.forEach(child -> queries(child, into));
        }
    }

    private static Set<String> metricNames(List<String> queries) {
        TreeSet<String> names = new TreeSet<>();
        for (String query : queries) {
            Matcher m = METRIC.matcher(query);
            while (m.find()) {
                names.add(m.group());
            }
        }
        return names;
    }

    /** Names exposed by a scrape: the first word of every sample line. */
    private static Set<String> exposed(String scrape) {
        TreeSet<String> names = new TreeSet<>();
        scrape.lines()
                .filter(line -> !line.startsWith("#") && !line.isBlank())
                .forEach(line -> names.add(line.split("[{ ]", 2)[0]));
        return names;
    }

    @Test
    void dashboardAndAlerts_nameOnlyMetricsThatUsherExposes() throws Exception {
        List<String> dashboardQueries = new ArrayList<>();
        queries(JsonMapper.builder().build().readTree(DASHBOARD.toFile()), dashboardQueries);
        List<String> alertQueries = new ArrayList<>();
        queries(YAMLMapper.builder().build().readTree(ALERTS.toFile()), alertQueries);
        Set<String> exposed = exposed(metricsAfterOneRequest());

        assertThat(metricNames(dashboardQueries))
                .hasSizeGreaterThanOrEqualTo(12)
                .allSatisfy(name ->
                        assertThat(exposed).as("/metrics of a running Usher").contains(name));
        assertThat(metricNames(alertQueries))
                .contains(
                        "usher_requests_total",
                        "usher_backend_endpoints_ready",
                        "usher_certificate_expiry_timestamp_seconds",
                        "usher_config_problems")
                .allSatisfy(name ->
                        assertThat(exposed).as("/metrics of a running Usher").contains(name));
    }

    @Test
    void stateGauges_showReadyEndpointsPerIngressServiceAndEachSecretsExpiry() throws Exception {
        String scrape = metricsAfterOneRequest();

        assertThat(scrape)
                .containsPattern("(?m)^usher_backend_endpoints_ready\\{(?=.*ingress=\"site\")"
                        + "(?=.*service=\"alpaca\").*} 1\\.0$");
        assertThat(scrape).containsPattern("(?m)^usher_backend_endpoints_ready\\{(?=.*service=\"missing\").*} 0\\.0$");
        // the missing Service is a problem of reason "other"; no annotation problem in these manifests
        assertThat(scrape).containsPattern("(?m)^usher_config_problems\\{reason=\"other\"} [1-9]");
        assertThat(scrape).containsPattern("(?m)^usher_config_problems\\{reason=\"annotation-unsupported\"} 0\\.0$");
        Matcher expiry = Pattern.compile(
                        "(?m)^usher_certificate_expiry_timestamp_seconds\\{secret=\"default/site-tls\"" + "} (\\S+)$")
                .matcher(scrape);
        assertThat(expiry.find())
                .as("expiry series of Secret default/site-tls in:%n%s", scrape)
                .isTrue();
        assertThat(Double.parseDouble(expiry.group(1)))
                .isEqualTo(SITE.notAfter().getEpochSecond());
        assertThat(scrape).contains("usher_certificate_expiry_timestamp_seconds{secret=\"default\"}");
        assertThat(scrape)
                .containsPattern(
                        "(?m)^usher_request_duration_seconds_bucket\\{(?=.*le=\"0\\.001\")" + "(?=.*method=\"GET\").*");
    }
}
