package dev.usher.k8s.translate;

import static dev.usher.k8s.translate.Yaml.OUR_CLASS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.k8s.translate.NginxOptionsTranslationTest.Row;
import dev.usher.routing.BackendRef;
import dev.usher.routing.Endpoint;
import dev.usher.routing.PortRef;
import dev.usher.routing.RouteOptions;
import dev.usher.tls.CertificateGenerator;
import dev.usher.tls.PemCertificates;
import dev.usher.tls.TlsCertificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code server-alias} (one row per value form, the invalid ones included; the alias's certificate) and
 * {@code service-upstream} (the cluster IP as the one endpoint, a headless Service keeping its endpoints) and
 * {@code preserve-trailing-slash}.
 */
final class NginxServerAliasTranslationTest extends NginxRowsTest {

    static Stream<Row> rows() {
        Function<RouteOptions, Object> aliases = RouteOptions::serverAliases;
        Function<RouteOptions, Object> slash = RouteOptions::preserveTrailingSlash;
        return Stream.of(
                new Row(N + "server-alias: b.example.com", aliases, List.of("b.example.com"), null),
                new Row(
                        N + "server-alias: 'B.example.com, , c.example.com,b.example.com'",
                        aliases,
                        List.of("b.example.com", "c.example.com"),
                        null),
                new Row(N + "server-alias: '*.apps.example.com'", aliases, List.of("*.apps.example.com"), null),
                new Row(
                        N + "server-alias: 'ok.example.com,www.example.*'",
                        aliases,
                        List.of("ok.example.com"),
                        "server-alias: invalid"),
                new Row(N + "server-alias: '~^www\\d+\\.example\\.com$'", aliases, List.of(), "not a host name"),
                new Row(N + "server-alias: 'a.example.com;lala'", aliases, List.of(), "server-alias: invalid"),
                new Row(N + "server-alias: 'bad_name.example.com'", aliases, List.of(), "server-alias: invalid"),
                new Row(N + "server-alias: ''", aliases, List.of(), "expected comma-separated host names"),
                new Row(
                        N + "server-alias: '" + manyNames(101) + "'",
                        aliases,
                        List.of(manyNames(100).split(",")),
                        "101 names: only the first 100 are served"),
                new Row(N + "service-upstream: 'false'", aliases, List.of(), null),
                new Row(N + "service-upstream: 'yes'", aliases, List.of(), "service-upstream: invalid"),
                new Row(N + "preserve-trailing-slash: 'false'", slash, false, null),
                new Row(N + "preserve-trailing-slash: 'true'", slash, true, null),
                new Row(N + "preserve-trailing-slash: 'no'", slash, true, "preserve-trailing-slash: invalid"));
    }

    private static String manyNames(int n) {
        return String.join(
                ",",
                java.util.stream.IntStream.range(0, n)
                        .mapToObj(i -> "n" + i + ".example.com")
                        .toList());
    }

    @Test
    void everyKeyIsHonoured() {
        for (String key : List.of("server-alias", "service-upstream", "preserve-trailing-slash")) {
            assertThat(NginxHonoured.covers(key)).as(key).isTrue();
        }
    }

    @Test
    void onACanary_serviceUpstreamStillChoosesItsBackend_whileServerAliasHasNoEffect() {
        List<Annotations.Verdict> verdicts = Annotations.audit(
                Map.of(N + "canary", "true", N + "service-upstream", "true", N + "server-alias", "b.example.com"));

        assertThat(verdicts)
                .filteredOn(v -> v.key().equals(N + "service-upstream"))
                .singleElement()
                .extracting(Annotations.Verdict::status)
                .isEqualTo(Annotations.Status.HONOURED);
        assertThat(verdicts)
                .filteredOn(v -> v.key().equals(N + "server-alias"))
                .singleElement()
                .extracting(Annotations.Verdict::status)
                .isEqualTo(Annotations.Status.NO_EFFECT);
    }

    @Test
    void anAlias_getsItsHostsCertificate_onlyWhenTheCertificateNamesIt() {
        TlsCertificate cert = CertificateGenerator.forHosts("a.example.com", "*.a.example.com")
                .generate("generated");
        Translation t = Translator.translate(
                Yaml.kube(OUR_CLASS, """
                        apiVersion: networking.k8s.io/v1
                        kind: Ingress
                        metadata:
                          name: a
                          namespace: default
                          annotations: {nginx.ingress.kubernetes.io/server-alias: "www.a.example.com, other.example.com"}
                        spec:
                          ingressClassName: usher
                          tls: [{hosts: [a.example.com], secretName: cert}]
                          rules:
                          - host: a.example.com
                            http:
                              paths:
                              - {path: /, pathType: Prefix, backend: {service: {name: alpaca, port: {number: 8080}}}}
                        """, Yaml.service("alpaca", null, 8080, 80), secret("cert", cert)),
                WatcherSettings.defaults());

        assertThat(t.problems()).isEmpty();
        assertThat(t.certificates()).containsOnlyKeys("a.example.com", "www.a.example.com");
        assertThat(t.certificates().get("www.a.example.com").id()).isEqualTo("default/cert");
    }

    @Test
    void anAliasOfAHostThatVerifiesClients_asksForTheSameClientCertificates() {
        TlsCertificate ca = CertificateGenerator.authority("Client CA").generate("ca");
        Translation t = Translator.translate(
                Yaml.kube(
                        OUR_CLASS,
                        Yaml.ingress("a", "a.example.com", "alpaca", 8080)
                                .replace(
                                        "namespace: default}",
                                        "namespace: default, annotations: {" + N + "auth-tls-secret: client-ca, " + N
                                                + "server-alias: b.example.com}}"),
                        Yaml.service("alpaca", null, 8080, 80),
                        "apiVersion: v1\nkind: Secret\nmetadata: {name: client-ca, namespace: default}\ntype: Opaque\n"
                                + "data: {ca.crt: "
                                + Base64.getEncoder().encodeToString(PemCertificates.certificatesPem(ca.chain()))
                                + "}\n"),
                WatcherSettings.defaults());

        assertThat(t.clientCas()).containsOnlyKeys("a.example.com", "b.example.com");
        assertThat(t.clientCas().get("b.example.com")).containsExactly(ca.leaf());
    }

    @Test
    void serviceUpstream_reachesTheClusterIpAndServicePort_asTheOneEndpoint() {
        Translation t = translate("10.96.0.7");

        BackendRef ref = t.ruleSets().get(0).rules().get(0).paths().get(0).backend();
        assertThat(ref).isEqualTo(new BackendRef("default", "alpaca", PortRef.named("http"), true));
        assertThat(t.endpoints().get(ref)).containsExactly(new Endpoint("10.96.0.7", 8080, "alpaca"));
        assertThat(t.problems()).isEmpty();
        // an endpoints-only update keeps the cluster IP
        assertThat(Translator.endpoints(kube("10.96.0.7"), List.of(ref)).get(ref))
                .containsExactly(new Endpoint("10.96.0.7", 8080, "alpaca"));
    }

    @Test
    void serviceUpstream_ofAHeadlessService_keepsItsEndpoints_andIsReported() {
        for (String clusterIp : new String[] {"None", null, "not-an-ip"}) {
            Translation t = translate(clusterIp);

            BackendRef ref = t.ruleSets().get(0).rules().get(0).paths().get(0).backend();
            assertThat(t.endpoints().get(ref))
                    .as(clusterIp)
                    .extracting(Endpoint::address)
                    .containsExactly("10.0.0.1", "10.0.0.2");
            assertThat(t.problems())
                    .extracting(Problem::message)
                    .singleElement()
                    .asString()
                    .startsWith("service-upstream: Service default/alpaca has ")
                    .contains("its endpoints are used instead");
        }
    }

    @Test
    void withoutServiceUpstream_theEndpointsServe() {
        Translation t = Translator.translate(
                Yaml.kube(
                        OUR_CLASS,
                        Yaml.ingress("a", "a.example.com", "alpaca", "http"),
                        service("10.96.0.7"),
                        Yaml.slice("alpaca-1", "alpaca", "http", 80, "{addresses: [10.0.0.1]}")),
                WatcherSettings.defaults());

        BackendRef ref = t.ruleSets().get(0).rules().get(0).paths().get(0).backend();
        assertThat(ref.clusterIp()).isFalse();
        assertThat(t.endpoints().get(ref)).extracting(Endpoint::address).containsExactly("10.0.0.1");
    }

    private static Translation translate(String clusterIp) {
        return Translator.translate(kube(clusterIp), WatcherSettings.defaults());
    }

    private static KubeObjects kube(String clusterIp) {
        return Yaml.kube(
                OUR_CLASS,
                Yaml.ingress("a", "a.example.com", "alpaca", "http")
                        .replace(
                                "namespace: default}",
                                "namespace: default, annotations: {" + N + "service-upstream: 'true'}}"),
                service(clusterIp),
                Yaml.slice("alpaca-1", "alpaca", "http", 80, "{addresses: [10.0.0.2]}", "{addresses: [10.0.0.1]}"));
    }

    private static String service(String clusterIp) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: alpaca, namespace: default}
                spec:
                  %s
                  ports:
                  - {name: http, port: 8080, targetPort: 80}
                """.formatted(clusterIp == null ? "type: ClusterIP" : "clusterIP: " + clusterIp);
    }

    private static String secret(String name, TlsCertificate certificate) {
        Base64.Encoder b64 = Base64.getEncoder();
        return """
                apiVersion: v1
                kind: Secret
                metadata: {name: %s, namespace: default}
                type: kubernetes.io/tls
                data: {tls.crt: %s, tls.key: %s}
                """.formatted(
                name,
                b64.encodeToString(PemCertificates.certificatesPem(certificate.chain())),
                b64.encodeToString(PemCertificates.privateKeyPem(certificate.key(), PemCertificates.KeyFormat.PKCS8)));
    }
}
