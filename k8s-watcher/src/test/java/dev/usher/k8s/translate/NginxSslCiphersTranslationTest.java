package dev.usher.k8s.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.handler.ssl.OpenSsl;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code ssl-ciphers} and {@code ssl-prefer-server-ciphers}: the per-host cipher lists a translation hands to the
 * certificate store, the oldest Ingress winning per host, aliases sharing their host's, and what is reported.
 */
final class NginxSslCiphersTranslationTest {

    private static final String N = "nginx.ingress.kubernetes.io/";
    private static final String AES256 = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
    private static final String AES128 = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";

    @BeforeAll
    static void openSsl() {
        assumeTrue(OpenSsl.isAvailable(), "cipher strings are evaluated by OpenSSL");
    }

    private static String ingress(String name, String created, String host, String annotations) {
        return """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: %s
                  namespace: default
                  creationTimestamp: '%s'
                  annotations: {%s}
                spec:
                  ingressClassName: usher
                  rules:
                  - host: %s
                    http:
                      paths:
                      - {path: /%s, pathType: Prefix, backend: {service: {name: svc, port: {number: 80}}}}
                """.formatted(name, created, annotations, host, name);
    }

    private static Translation translate(String... ingresses) {
        String[] docs = new String[ingresses.length + 1];
        docs[0] = Yaml.OUR_CLASS;
        System.arraycopy(ingresses, 0, docs, 1, ingresses.length);
        return Translator.translate(Yaml.kube(docs), WatcherSettings.defaults());
    }

    private static List<String> problems(Translation t) {
        return t.problems().stream()
                .map(Problem::message)
                .filter(m -> !m.contains("Service default/svc not found"))
                .toList();
    }

    @Test
    void aValidList_isTheHostsList_inOrder() {
        Translation t = translate(ingress(
                "a",
                "2024-01-01T00:00:00Z",
                "a.example.com",
                N + "ssl-ciphers: 'ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256', " + N
                        + "ssl-prefer-server-ciphers: 'true'"));
        assertThat(t.serverCiphers()).isEqualTo(Map.of("a.example.com", List.of(AES256, AES128)));
        assertThat(problems(t)).isEmpty();
    }

    @Test
    void anUnknownWord_isReported_theRestApplies() {
        Translation t = translate(ingress(
                "a", "2024-01-01T00:00:00Z", "a.example.com", N + "ssl-ciphers: 'NOPE:ECDHE-ECDSA-AES128-GCM-SHA256'"));
        assertThat(t.serverCiphers()).isEqualTo(Map.of("a.example.com", List.of(AES128)));
        assertThat(problems(t))
                .singleElement()
                .asString()
                .contains("ssl-ciphers: invalid")
                .contains("left out: NOPE; the rest applies");
    }

    @Test
    void onlyWeakCiphers_areRefused_andTheHostKeepsTheDefault() {
        Translation t = translate(
                ingress("a", "2024-01-01T00:00:00Z", "a.example.com", N + "ssl-ciphers: '3DES:eNULL:aNULL:EXPORT'"));
        assertThat(t.serverCiphers()).isEmpty();
        assertThat(problems(t))
                .singleElement()
                .asString()
                .contains("weak ciphers refused")
                .contains("the default list applies");
    }

    @Test
    void theOldestIngressSetsTheHostsList_aYoungerDifferentOneIsReported() {
        Translation t = translate(
                ingress(
                        "young",
                        "2025-01-01T00:00:00Z",
                        "a.example.com",
                        N + "ssl-ciphers: ECDHE-ECDSA-AES128-GCM-SHA256"),
                ingress(
                        "old",
                        "2024-01-01T00:00:00Z",
                        "a.example.com",
                        N + "ssl-ciphers: ECDHE-ECDSA-AES256-GCM-SHA384"),
                ingress("other", "2025-06-01T00:00:00Z", "b.example.com", ""));
        assertThat(t.serverCiphers()).isEqualTo(Map.of("a.example.com", List.of(AES256)));
        assertThat(t.problems().stream()
                        .filter(p -> !p.message().contains("Service default/svc not found"))
                        .map(p -> p.source() + ": " + p.message()))
                .singleElement()
                .asString()
                .startsWith("Ingress default/young: ")
                .contains("takes its ssl-ciphers from older Ingress default/old");
    }

    @Test
    void anAliasOffersItsHostsList() {
        Translation t = translate(ingress(
                "a",
                "2024-01-01T00:00:00Z",
                "a.example.com",
                N + "ssl-ciphers: ECDHE-ECDSA-AES256-GCM-SHA384, " + N + "server-alias: alias.example.com"));
        assertThat(t.serverCiphers())
                .isEqualTo(Map.of("a.example.com", List.of(AES256), "alias.example.com", List.of(AES256)));
    }

    @Test
    void preferServerCiphers_trueIsWhatUsherDoes_falseIsReported() {
        assertThat(Annotations.classify(N + "ssl-prefer-server-ciphers", "true").status())
                .isEqualTo(Annotations.Status.HONOURED);
        assertThat(Annotations.classify(N + "ssl-prefer-server-ciphers", "false")
                        .reason())
                .contains("always prefers the server's order");
        assertThat(Annotations.classify(N + "ssl-ciphers", "HIGH:!aNULL:!MD5").status())
                .isEqualTo(Annotations.Status.HONOURED);
        assertThat(Annotations.classify(N + "ssl-ciphers", "HIGH:@STRENGTH").status())
                .isEqualTo(Annotations.Status.INVALID);
    }
}
