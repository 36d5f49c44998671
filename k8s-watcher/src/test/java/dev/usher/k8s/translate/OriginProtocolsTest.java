package dev.usher.k8s.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.routing.BackendProtocol;
import dev.usher.routing.BackendRef;
import dev.usher.routing.IngressRuleSet;
import dev.usher.routing.PortRef;
import dev.usher.routing.Upstream;
import dev.usher.tls.CertificateGenerator;
import dev.usher.tls.PemCertificates;
import dev.usher.tls.TlsCertificate;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Backend protocol and TLS to origins, as the translator reads them: the precedence usher.dev annotation >
 * ingress-nginx annotation > the Service port's appProtocol > HTTP, the CA Secret, the name sent, and the problems.
 */
final class OriginProtocolsTest {

    private static final BackendRef SVC = new BackendRef("default", "svc", PortRef.number(443));
    private static final TlsCertificate CA =
            CertificateGenerator.authority("Test CA").generate("ca");

    static Stream<Arguments> precedence() {
        return Stream.of(
                // usher annotation, nginx annotation, appProtocol, expected protocol, expected problem (or null)
                Arguments.of(null, null, null, BackendProtocol.HTTP, null),
                Arguments.of("https", null, null, BackendProtocol.HTTPS, null),
                Arguments.of("HTTPS", "HTTP", "kubernetes.io/h2c", BackendProtocol.HTTPS, null),
                Arguments.of("grpc", null, null, BackendProtocol.H2C, null),
                Arguments.of("grpcs", null, null, BackendProtocol.H2, null),
                Arguments.of("h2c", null, null, BackendProtocol.H2C, null),
                Arguments.of("h2", null, null, BackendProtocol.H2, null),
                Arguments.of("http", "HTTPS", "https", BackendProtocol.HTTP, null),
                Arguments.of(
                        "spdy",
                        "HTTPS",
                        null,
                        BackendProtocol.HTTPS,
                        "usher.dev/backend-protocol: expected http, https, h2c, h2, grpc or grpcs, got 'spdy'"),
                Arguments.of(null, "HTTPS", "kubernetes.io/h2c", BackendProtocol.HTTPS, null),
                Arguments.of(null, "https", null, BackendProtocol.HTTPS, null),
                Arguments.of(null, "AUTO_HTTP", "https", BackendProtocol.HTTP, null),
                Arguments.of(null, "GRPC", null, BackendProtocol.H2C, null),
                Arguments.of(null, "GRPCS", null, BackendProtocol.H2, null),
                Arguments.of(
                        null,
                        "FCGI",
                        "https",
                        BackendProtocol.HTTP,
                        "backend-protocol: unsupported: FastCGI is not supported; served as HTTP"),
                Arguments.of(null, "SOAP", "https", BackendProtocol.HTTPS, "backend-protocol: invalid: expected HTTP"),
                Arguments.of(null, null, "https", BackendProtocol.HTTPS, null),
                Arguments.of(null, null, "kubernetes.io/h2c", BackendProtocol.H2C, null),
                Arguments.of(null, null, "grpc", BackendProtocol.H2C, null),
                Arguments.of(null, null, "kubernetes.io/ws", BackendProtocol.HTTP, null),
                Arguments.of(null, null, "kubernetes.io/wss", BackendProtocol.HTTPS, null),
                Arguments.of(null, null, "mysql", BackendProtocol.HTTP, null));
    }

    @ParameterizedTest(name = "usher={0} nginx={1} appProtocol={2} -> {3}")
    @MethodSource("precedence")
    void protocol_precedence(String usher, String nginx, String appProtocol, BackendProtocol expected, String problem) {
        List<String> annotations = new ArrayList<>();
        if (usher != null) {
            annotations.add("usher.dev/backend-protocol: '" + usher + "'");
        }
        if (nginx != null) {
            annotations.add("nginx.ingress.kubernetes.io/backend-protocol: '" + nginx + "'");
        }
        Translation t = translate(ingress("a", annotations), service("svc", appProtocol));
        assertThat(upstream(t, 0).protocol()).isEqualTo(expected);
        if (problem == null) {
            assertThat(t.problems()).isEmpty();
        } else {
            assertThat(t.problems())
                    .extracting(Problem::message)
                    .singleElement()
                    .satisfies(m -> assertThat(m).contains(problem));
        }
    }

    static Stream<Arguments> verdicts() {
        return Stream.of(
                Arguments.of("nginx.ingress.kubernetes.io/backend-protocol", "HTTPS", Annotations.Status.HONOURED),
                Arguments.of("nginx.ingress.kubernetes.io/backend-protocol", "grpc", Annotations.Status.HONOURED),
                Arguments.of("nginx.ingress.kubernetes.io/backend-protocol", "GRPCS", Annotations.Status.HONOURED),
                Arguments.of("nginx.ingress.kubernetes.io/backend-protocol", "AUTO_HTTP", Annotations.Status.HONOURED),
                Arguments.of("nginx.ingress.kubernetes.io/backend-protocol", "FCGI", Annotations.Status.UNSUPPORTED),
                Arguments.of("nginx.ingress.kubernetes.io/backend-protocol", "SOAP", Annotations.Status.INVALID),
                Arguments.of("nginx.ingress.kubernetes.io/proxy-ssl-verify", "on", Annotations.Status.HONOURED),
                Arguments.of("nginx.ingress.kubernetes.io/proxy-ssl-verify", "yes", Annotations.Status.INVALID),
                Arguments.of("nginx.ingress.kubernetes.io/proxy-ssl-server-name", "off", Annotations.Status.HONOURED),
                Arguments.of("nginx.ingress.kubernetes.io/proxy-ssl-secret", "ns/ca", Annotations.Status.HONOURED),
                Arguments.of("nginx.ingress.kubernetes.io/proxy-ssl-name", "a.b", Annotations.Status.HONOURED),
                Arguments.of("nginx.ingress.kubernetes.io/secure-backends", "true", Annotations.Status.UNKNOWN),
                Arguments.of("usher.dev/backend-protocol", "h2c", Annotations.Status.HONOURED),
                Arguments.of("usher.dev/backend-ca-secret", "ca", Annotations.Status.HONOURED),
                Arguments.of("usher.dev/backend-server-name", "a.b", Annotations.Status.HONOURED));
    }

    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @MethodSource("verdicts")
    void annotationAudit(String key, String value, Annotations.Status status) {
        assertThat(Annotations.classify(key, value).status()).isEqualTo(status);
    }

    @Test
    void https_withoutCa_isNotVerified_andSendsNoSni() {
        Upstream upstream = upstream(
                translate(ingress("a", List.of("usher.dev/backend-protocol: https")), service("svc", null)), 0);
        assertThat(upstream.refusal()).isNull();
        assertThat(upstream.tls().verify()).isFalse();
        assertThat(upstream.tls().serverName()).isNull();
    }

    @Test
    void usherCaSecret_verifiesAgainstItsCaCrt_withTheServiceName() {
        Translation t = translate(
                ingress("a", List.of("usher.dev/backend-protocol: https", "usher.dev/backend-ca-secret: origin-ca")),
                service("svc", null),
                caSecret("origin-ca", "Opaque"));
        assertThat(t.problems()).isEmpty();
        Upstream upstream = upstream(t, 0);
        assertThat(upstream.tls().verify()).isTrue();
        assertThat(upstream.tls().trusted()).containsExactly(CA.leaf());
        assertThat(upstream.tls().serverName()).isEqualTo("svc.default.svc");
    }

    @Test
    void nginxProxySslSecret_countsOnlyWithVerifyOn_andProxySslNameOverridesTheName() {
        List<String> nginx = List.of(
                "nginx.ingress.kubernetes.io/backend-protocol: HTTPS",
                "nginx.ingress.kubernetes.io/proxy-ssl-secret: default/origin-ca",
                "nginx.ingress.kubernetes.io/proxy-ssl-name: api.internal.example");
        Upstream off = upstream(
                translate(ingress("a", nginx), service("svc", null), caSecret("origin-ca", "kubernetes.io/tls")), 0);
        assertThat(off.tls().verify()).isFalse();
        List<String> on = new ArrayList<>(nginx);
        on.add("nginx.ingress.kubernetes.io/proxy-ssl-verify: 'on'");
        Translation t = translate(ingress("a", on), service("svc", null), caSecret("origin-ca", "kubernetes.io/tls"));
        assertThat(t.problems()).isEmpty();
        assertThat(upstream(t, 0).tls().verify()).isTrue();
        assertThat(upstream(t, 0).tls().trusted()).containsExactly(CA.leaf());
        assertThat(upstream(t, 0).tls().serverName()).isEqualTo("api.internal.example");
    }

    @Test
    void proxySslServerNameOn_sendsSniWithoutVerifying() {
        Upstream upstream = upstream(
                translate(
                        ingress(
                                "a",
                                List.of(
                                        "usher.dev/backend-protocol: https",
                                        "nginx.ingress.kubernetes.io/proxy-ssl-server-name: 'on'")),
                        service("svc", null)),
                0);
        assertThat(upstream.tls().verify()).isFalse();
        assertThat(upstream.tls().serverName()).isEqualTo("svc.default.svc");
    }

    @Test
    void verifyOnWithoutSecret_usesTheDefaultTrustStore() {
        Upstream upstream = upstream(
                translate(
                        ingress(
                                "a",
                                List.of(
                                        "usher.dev/backend-protocol: https",
                                        "nginx.ingress.kubernetes.io/proxy-ssl-verify: 'on'")),
                        service("svc", null)),
                0);
        assertThat(upstream.tls().verify()).isTrue();
        assertThat(upstream.tls().trusted()).isEmpty();
        assertThat(upstream.tls().trustId()).isEqualTo("default");
    }

    static Stream<Arguments> unusableCa() {
        return Stream.of(
                Arguments.of("missing", null, "CA Secret default/missing not found"),
                Arguments.of("other/origin-ca", null, "is outside the Ingress's namespace default"),
                Arguments.of("no-ca", "stringData: {other: x}", "CA Secret default/no-ca has no readable ca.crt"),
                Arguments.of("bad-ca", "stringData: {ca.crt: not a pem}", "CA Secret default/bad-ca: no certificate"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unusableCa")
    void unusableCaSecret_isAProblem_andTheBackendIsRefused(String secret, String data, String problem) {
        List<String> documents = new ArrayList<>(List.of(
                ingress("a", List.of("usher.dev/backend-protocol: https", "usher.dev/backend-ca-secret: " + secret)),
                service("svc", null)));
        if (data != null) {
            documents.add("""
                    apiVersion: v1
                    kind: Secret
                    metadata: {name: %s, namespace: default}
                    type: Opaque
                    %s
                    """.formatted(secret, data));
        }
        Translation t = translate(documents.toArray(String[]::new));
        Upstream upstream = upstream(t, 0);
        assertThat(upstream.refusal()).contains(problem);
        assertThat(t.problems()).extracting(Problem::message).singleElement().satisfies(m -> assertThat(m)
                .contains(problem)
                .contains("answer 503"));
    }

    @Test
    void twoIngressesOnOneService_keepTheirOwnProtocols() {
        Translation t = translate(
                ingress("plain", List.of()),
                ingress("secure", List.of("usher.dev/backend-protocol: https")),
                service("svc", null));
        assertThat(t.ruleSets()).extracting(IngressRuleSet::name).containsExactly("plain", "secure");
        assertThat(upstream(t, 0)).isSameAs(Upstream.HTTP);
        assertThat(upstream(t, 1).protocol()).isEqualTo(BackendProtocol.HTTPS);
    }

    @Test
    void externalNameService_isVerifiedAgainstItsExternalName() {
        String external = """
                apiVersion: v1
                kind: Service
                metadata: {name: svc, namespace: default}
                spec: {type: ExternalName, externalName: api.example.com, ports: [{port: 443}]}
                """;
        Upstream upstream = upstream(
                translate(
                        ingress(
                                "a",
                                List.of(
                                        "usher.dev/backend-protocol: https",
                                        "nginx.ingress.kubernetes.io/proxy-ssl-verify: 'on'")),
                        external),
                0);
        assertThat(upstream.tls().serverName()).isEqualTo("api.example.com");
    }

    @Test
    void nginxVariableInProxySslName_isReported_andTheServiceNameUsed() {
        Translation t = translate(
                ingress(
                        "a",
                        List.of(
                                "usher.dev/backend-protocol: https",
                                "usher.dev/backend-ca-secret: origin-ca",
                                "nginx.ingress.kubernetes.io/proxy-ssl-name: $host")),
                service("svc", null),
                caSecret("origin-ca", "Opaque"));
        assertThat(upstream(t, 0).tls().serverName()).isEqualTo("svc.default.svc");
        assertThat(t.problems()).extracting(Problem::message).singleElement().satisfies(m -> assertThat(m)
                .contains("nginx variables are not expanded"));
    }

    @Test
    void caSecrets_areTheDependenciesOfTheIngress() {
        KubeObjects objects = Yaml.kube(ingress(
                "a",
                List.of(
                        "nginx.ingress.kubernetes.io/proxy-ssl-verify: 'on'",
                        "nginx.ingress.kubernetes.io/proxy-ssl-secret: default/origin-ca")));
        assertThat(Translator.caSecrets(objects.ingresses().iterator().next())).containsExactly("default/origin-ca");
    }

    private static Upstream upstream(Translation t, int ingress) {
        return t.ruleSets().get(ingress).options().upstream(SVC);
    }

    private static Translation translate(String... documents) {
        return Translator.translate(
                Yaml.kube(documents), WatcherSettings.defaults().withWatchIngressWithoutClass(true));
    }

    private static String ingress(String name, List<String> annotations) {
        return """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: %s
                  namespace: default
                  annotations: {%s}
                spec:
                  rules:
                  - host: a.example.com
                    http:
                      paths:
                      - {path: /, pathType: Prefix, backend: {service: {name: svc, port: {number: 443}}}}
                """.formatted(name, String.join(", ", annotations));
    }

    private static String service(String name, String appProtocol) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: %s, namespace: default}
                spec:
                  ports:
                  - {port: 443, targetPort: 8443%s}
                """.formatted(name, appProtocol == null ? "" : ", appProtocol: '" + appProtocol + "'");
    }

    private static String caSecret(String name, String type) {
        String pem = new String(PemCertificates.certificatesPem(CA.chain()), StandardCharsets.US_ASCII);
        return """
                apiVersion: v1
                kind: Secret
                metadata: {name: %s, namespace: default}
                type: %s
                data: {ca.crt: %s}
                """.formatted(name, type, Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII)));
    }
}
