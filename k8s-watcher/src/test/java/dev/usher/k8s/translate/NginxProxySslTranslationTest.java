package dev.usher.k8s.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.usher.routing.BackendRef;
import dev.usher.routing.OriginTls;
import dev.usher.routing.PortRef;
import io.netty.handler.ssl.OpenSsl;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code proxy-ssl-protocols}, {@code proxy-ssl-ciphers} and {@code proxy-ssl-verify-depth}: one row per value form,
 * what reaches the route's {@link OriginTls} and what is reported.
 */
final class NginxProxySslTranslationTest {

    private static final String N = "nginx.ingress.kubernetes.io/";
    private static final BackendRef SVC = new BackendRef("default", "svc", PortRef.number(443));

    /** One row: the annotations besides {@code backend-protocol: HTTPS}, the expected handshake, the problem. */
    record Row(List<String> annotations, List<String> protocols, List<String> ciphers, int depth, String problem) {
        @Override
        public String toString() {
            return annotations + " -> " + protocols + " " + ciphers + " depth " + depth
                    + (problem == null ? "" : " + " + problem);
        }
    }

    static Stream<Row> rows() {
        String gcm128 = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
        String gcm256 = "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384";
        return Stream.of(
                new Row(List.of(), List.of(), List.of(), 0, null),
                new Row(List.of(N + "proxy-ssl-protocols: TLSv1.3"), List.of("TLSv1.3"), List.of(), 0, null),
                new Row(List.of(N + "proxy-ssl-protocols: 'tlsv1.2'"), List.of("TLSv1.2"), List.of(), 0, null),
                new Row(
                        List.of(N + "proxy-ssl-protocols: 'TLSv1.2 TLSv1.3'"),
                        List.of(),
                        List.of(),
                        0,
                        null), // both: the default, so it shares the default context
                new Row(
                        List.of(N + "proxy-ssl-protocols: 'TLSv1 TLSv1.1 TLSv1.2'"),
                        List.of("TLSv1.2"),
                        List.of(),
                        0,
                        "proxy-ssl-protocols: invalid: 'TLSv1 TLSv1.1 TLSv1.2': Usher speaks TLSv1.2 and TLSv1.3"
                                + " only, left out: 'TLSv1' 'TLSv1.1'; the rest applies"),
                new Row(
                        List.of(N + "proxy-ssl-protocols: 'SSLv3'"),
                        List.of(),
                        List.of(),
                        0,
                        "names neither TLSv1.2 nor TLSv1.3; the default (both) applies"),
                new Row(
                        List.of(N + "proxy-ssl-ciphers: 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384'"),
                        List.of(),
                        List.of(gcm128, gcm256),
                        0,
                        null),
                new Row(
                        List.of(N + "proxy-ssl-ciphers: 'ECDHE-RSA-AES128-GCM-SHA256:NOPE'"),
                        List.of(),
                        List.of(gcm128),
                        0,
                        "left out: NOPE; the rest applies"),
                new Row(
                        List.of(N + "proxy-ssl-ciphers: 'DES-CBC3-SHA:ECDHE-RSA-AES256-GCM-SHA384'"),
                        List.of(),
                        List.of(gcm256),
                        0,
                        "weak ciphers refused"),
                new Row(
                        List.of(N + "proxy-ssl-ciphers: 'HIGH;exec'"),
                        List.of(),
                        List.of(),
                        0,
                        "only letters, digits and + : _ - ! may appear in a cipher string"),
                new Row(
                        List.of(N + "proxy-ssl-verify: 'on'", N + "proxy-ssl-verify-depth: '2'"),
                        List.of(),
                        List.of(),
                        2,
                        null),
                new Row(
                        List.of(N + "proxy-ssl-verify: 'on'", N + "proxy-ssl-verify-depth: '0'"),
                        List.of(),
                        List.of(),
                        1,
                        null), // ingress-nginx: 0 is its default, 1
                new Row(
                        List.of(N + "proxy-ssl-verify: 'on'", N + "proxy-ssl-verify-depth: 'deep'"),
                        List.of(),
                        List.of(),
                        0,
                        "proxy-ssl-verify-depth: invalid: 'deep': expected a whole number from 0 (= 1) to 100; ignored"),
                new Row(
                        List.of(N + "proxy-ssl-verify-depth: '3'"),
                        List.of(),
                        List.of(),
                        0,
                        null)); // without verification there is no chain to limit
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void annotation_becomesTheOriginHandshake_andBadValuesAreReported(Row row) {
        boolean ciphers = row.annotations().stream().anyMatch(a -> a.contains("ciphers"));
        assumeTrue(!ciphers || OpenSsl.isAvailable(), "cipher strings are evaluated by OpenSSL");
        List<String> annotations = new ArrayList<>(row.annotations());
        annotations.add(N + "backend-protocol: HTTPS");
        Translation t = translate(annotations);
        OriginTls tls = t.ruleSets().get(0).options().upstream(SVC).tls();
        assertThat(tls.protocols()).isEqualTo(row.protocols());
        assertThat(tls.ciphers()).isEqualTo(row.ciphers());
        assertThat(tls.verifyDepth()).isEqualTo(row.depth());
        List<String> problems = t.problems().stream().map(Problem::message).toList();
        if (row.problem() == null) {
            assertThat(problems).isEmpty();
        } else {
            assertThat(problems)
                    .singleElement()
                    .asString()
                    .startsWith("annotation " + N)
                    .contains(row.problem());
        }
    }

    @Test
    void twoIngressesWithTheSameOptions_getEqualOriginTls_soOneContext() {
        List<String> annotations = List.of(
                N + "backend-protocol: HTTPS", N + "proxy-ssl-protocols: TLSv1.2", N + "proxy-ssl-verify-depth: '4'");
        assertThat(translate(annotations)
                        .ruleSets()
                        .get(0)
                        .options()
                        .upstream(SVC)
                        .tls())
                .isEqualTo(translate(annotations)
                        .ruleSets()
                        .get(0)
                        .options()
                        .upstream(SVC)
                        .tls())
                .isNotEqualTo(OriginTls.INSECURE);
    }

    @Test
    void theThreeKeysAreHonoured() {
        for (String key : List.of("proxy-ssl-protocols", "proxy-ssl-ciphers", "proxy-ssl-verify-depth")) {
            assertThat(NginxHonoured.covers(key)).as(key).isTrue();
        }
        assertThat(Annotations.classify(N + "proxy-ssl-protocols", "TLSv1.2 TLSv1.3")
                        .status())
                .isEqualTo(Annotations.Status.HONOURED);
        assertThat(Annotations.classify(N + "proxy-ssl-verify-depth", "-1").status())
                .isEqualTo(Annotations.Status.INVALID);
    }

    private static Translation translate(List<String> annotations) {
        String ingress = """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: a
                  namespace: default
                  annotations: {%s}
                spec:
                  rules:
                  - host: a.example.com
                    http:
                      paths:
                      - {path: /, pathType: Prefix, backend: {service: {name: svc, port: {number: 443}}}}
                """.formatted(String.join(", ", annotations));
        String service = """
                apiVersion: v1
                kind: Service
                metadata: {name: svc, namespace: default}
                spec:
                  ports:
                  - {port: 443, targetPort: 8443}
                """;
        return Translator.translate(
                Yaml.kube(ingress, service), WatcherSettings.defaults().withWatchIngressWithoutClass(true));
    }
}
