package dev.usher.k8s.translate;

import static dev.usher.k8s.translate.Yaml.OUR_CLASS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.k8s.translate.Annotations.Status;
import dev.usher.k8s.translate.Annotations.Verdict;
import dev.usher.routing.Passthrough;
import dev.usher.routing.RoutingSnapshot;
import dev.usher.routing.RoutingTable;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ingress-nginx's {@code ssl-passthrough}: honoured under {@code --enable-ssl-passthrough} (the rule set asks for it
 * and the compiled snapshot names the host's {@code /} backend), reported as having no effect without the flag (the
 * option cleared), an invalid value reported; with the flag, the Ingress's other annotations and paths are reported
 * as having no effect on its passthrough connections.
 */
final class NginxSslPassthroughTranslationTest {

    private static final String N = "nginx.ingress.kubernetes.io/";
    private static final WatcherSettings ON = WatcherSettings.defaults().withSslPassthrough(true);
    private static final WatcherSettings OFF = WatcherSettings.defaults();

    private static String ingress(String annotations, String... extraPaths) {
        StringBuilder paths = new StringBuilder(
                "      - {path: /, pathType: Prefix, backend: {service: {name: vault, port: {number: 8200}}}}\n");
        for (String path : extraPaths) {
            paths.append("      - {path: ")
                    .append(path)
                    .append(", pathType: Prefix, backend: {service: {name: vault, port: {number: 8200}}}}\n");
        }
        return """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: vault, namespace: default, annotations: {%s}}
                spec:
                  ingressClassName: usher
                  rules:
                  - host: vault.example.org
                    http:
                      paths:
                %s""".formatted(annotations, paths);
    }

    private static List<String> problems(Translation t) {
        return t.problems().stream()
                .map(Problem::message)
                .filter(m -> !m.contains("Service default/vault not found"))
                .toList();
    }

    private static RoutingSnapshot compile(Translation t) {
        RoutingTable table = new RoutingTable();
        RoutingSnapshot.Builder builder = RoutingSnapshot.builder();
        t.ruleSets().forEach(builder::add);
        return builder.build(table::backend);
    }

    @Test
    void withTheFlag_theHostPassesThroughToItsSlashBackend_andTheVerdictIsHonoured() {
        Translation t = Translator.translate(Yaml.kube(OUR_CLASS, ingress(N + "ssl-passthrough: 'true'")), ON);

        assertThat(t.ruleSets())
                .singleElement()
                .satisfies(r -> assertThat(r.options().sslPassthrough()).isTrue());
        assertThat(problems(t)).isEmpty();
        Passthrough passthrough = compile(t).passthrough("vault.example.org");
        assertThat(passthrough).isNotNull();
        assertThat(passthrough.backend().ref().toString()).isEqualTo("default/vault:8200");
        assertThat(passthrough.ingress().toString()).isEqualTo("default/vault");
        assertThat(Annotations.audit(Map.of(N + "ssl-passthrough", "true"), ON))
                .singleElement()
                .satisfies(v -> {
                    assertThat(v.status()).isEqualTo(Status.HONOURED);
                    assertThat(v.reason()).contains("only the host matters");
                });
    }

    @Test
    void withoutTheFlag_theAnnotationIsReportedAsHavingNoEffect_andNothingPassesThrough() {
        Translation t = Translator.translate(Yaml.kube(OUR_CLASS, ingress(N + "ssl-passthrough: 'true'")), OFF);

        assertThat(t.ruleSets())
                .singleElement()
                .satisfies(r -> assertThat(r.options().sslPassthrough()).isFalse());
        assertThat(problems(t))
                .singleElement()
                .asString()
                .startsWith(
                        "annotation " + N + "ssl-passthrough: unsupported: no effect: --enable-ssl-passthrough is off");
        assertThat(compile(t).passthroughHosts()).isEmpty();
        Verdict verdict =
                Annotations.audit(Map.of(N + "ssl-passthrough", "true"), OFF).get(0);
        assertThat(verdict.status().dropped()).isTrue();
        assertThat(verdict.reason()).startsWith("no effect: --enable-ssl-passthrough is off");
    }

    @Test
    void false_isHonouredWithOrWithoutTheFlag_andPassesNothing() {
        for (WatcherSettings settings : List.of(ON, OFF)) {
            Translation t =
                    Translator.translate(Yaml.kube(OUR_CLASS, ingress(N + "ssl-passthrough: 'false'")), settings);

            assertThat(problems(t)).isEmpty();
            assertThat(compile(t).passthroughHosts()).isEmpty();
            assertThat(Annotations.audit(Map.of(N + "ssl-passthrough", "false"), settings))
                    .singleElement()
                    .extracting(Verdict::status)
                    .isEqualTo(Status.HONOURED);
        }
    }

    @Test
    void anInvalidValue_isReported_andPassesNothing() {
        Translation t = Translator.translate(Yaml.kube(OUR_CLASS, ingress(N + "ssl-passthrough: 'yes'")), ON);

        assertThat(problems(t))
                .singleElement()
                .asString()
                .startsWith("annotation " + N + "ssl-passthrough: invalid: ")
                .contains("expected \"true\" or \"false\"");
        assertThat(compile(t).passthroughHosts()).isEmpty();
    }

    @Test
    void withTheFlag_otherAnnotationsAndPaths_areReportedAsHavingNoEffectOnPassthroughConnections() {
        Translation t = Translator.translate(
                Yaml.kube(
                        OUR_CLASS,
                        ingress(
                                N + "ssl-passthrough: 'true', " + N + "backend-protocol: HTTPS, " + N
                                        + "proxy-body-size: 8m",
                                "/ui")),
                ON);

        assertThat(problems(t))
                .singleElement()
                .asString()
                .contains("TLS connections to vault.example.org are passed through by host alone")
                .contains(N + "backend-protocol", N + "proxy-body-size", "paths /ui", "plain HTTP still routes them")
                .doesNotContain(N + "ssl-passthrough,");
        assertThat(compile(t).passthrough("VAULT.example.org.")).isNotNull();
    }

    @Test
    void theAnnotationIsHonouredNotUnsupported() {
        assertThat(NginxHonoured.covers("ssl-passthrough")).isTrue();
        assertThat(Annotations.classify(N + "ssl-passthrough", "true").status()).isEqualTo(Status.HONOURED);
        assertThat(Annotations.classify(N + "ssl-passthrough", "maybe").status())
                .isEqualTo(Status.INVALID);
    }
}
