package dev.usher.k8s.translate;

import static dev.usher.k8s.translate.Yaml.OUR_CLASS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.routing.ClientCertificateAuth;
import dev.usher.routing.ClientCertificateAuth.Verify;
import dev.usher.routing.RouteOptions;
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
 * ingress-nginx's {@code auth-tls-*} in the translator: one row per annotation and value form, the ones that fail
 * closed (503) with their problem, the per-host rule across Ingresses, and the CAs handed to the TLS listener.
 */
final class NginxAuthTlsTranslationTest {

    private static final String N = "nginx.ingress.kubernetes.io/";
    private static final TlsCertificate CA =
            CertificateGenerator.authority("Client CA").generate("ca");
    private static final TlsCertificate OTHER =
            CertificateGenerator.authority("Other CA").generate("other");

    static Stream<Arguments> values() {
        return Stream.of(
                Arguments.of("defaults", "", Verify.ON, 1, false, null),
                Arguments.of("on", N + "auth-tls-verify-client: 'on'", Verify.ON, 1, false, null),
                Arguments.of("off", N + "auth-tls-verify-client: 'off'", Verify.OFF, 1, false, null),
                Arguments.of("optional", N + "auth-tls-verify-client: optional", Verify.OPTIONAL, 1, false, null),
                Arguments.of(
                        "optional_no_ca",
                        N + "auth-tls-verify-client: optional_no_ca",
                        Verify.OPTIONAL_NO_CA,
                        1,
                        false,
                        null),
                Arguments.of("bad verify is on", N + "auth-tls-verify-client: maybe", Verify.ON, 1, false, null),
                Arguments.of("depth", N + "auth-tls-verify-depth: '3'", Verify.ON, 3, false, null),
                Arguments.of("depth 0 is 1", N + "auth-tls-verify-depth: '0'", Verify.ON, 1, false, null),
                Arguments.of("bad depth is 1", N + "auth-tls-verify-depth: deep", Verify.ON, 1, false, null),
                Arguments.of("pass", N + "auth-tls-pass-certificate-to-upstream: 'true'", Verify.ON, 1, true, null),
                Arguments.of(
                        "bad pass is false",
                        N + "auth-tls-pass-certificate-to-upstream: 'yes'",
                        Verify.ON,
                        1,
                        false,
                        null),
                Arguments.of(
                        "error page",
                        N + "auth-tls-error-page: 'https://errors.example.com/cert'",
                        Verify.ON,
                        1,
                        false,
                        "https://errors.example.com/cert"),
                Arguments.of("a path is no error page", N + "auth-tls-error-page: /error", Verify.ON, 1, false, null),
                Arguments.of(
                        "a bad error page is ignored",
                        N + "auth-tls-error-page: 'https://x/\"><script>'",
                        Verify.ON,
                        1,
                        false,
                        null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    void annotations_becomeTheHostsClientCertificateAuth(
            String row, String more, Verify verify, int depth, boolean pass, String errorPage) {
        Translation t = translate(List.of(ingress("a", "a.example.com", more)), caSecret("client-ca", CA));

        ClientCertificateAuth auth = t.ruleSets().get(0).options().clientCertificateAuth();
        assertThat(t.ruleSets().get(0).options().denied()).isNull();
        assertThat(auth.verify()).isEqualTo(verify);
        assertThat(auth.depth()).isEqualTo(depth);
        assertThat(auth.passCertificate()).isEqualTo(pass);
        assertThat(auth.errorPage()).isEqualTo(errorPage);
        assertThat(auth.cas()).containsExactly(CA.leaf());
        if (verify == Verify.OFF) {
            assertThat(t.clientCas()).isEmpty();
        } else {
            assertThat(t.clientCas()).containsOnlyKeys("a.example.com");
            assertThat(t.clientCas().get("a.example.com")).containsExactly(CA.leaf());
        }
    }

    @Test
    void matchCn_isAPattern_andAnInvalidOneFailsClosed() {
        Translation good = translate(
                List.of(ingress("a", "a.example.com", N + "auth-tls-match-cn: 'CN=(alice|bob)'")),
                caSecret("client-ca", CA));
        Translation bad = translate(
                List.of(ingress("a", "a.example.com", N + "auth-tls-match-cn: 'O=acme'")), caSecret("client-ca", CA));

        assertThat(good.ruleSets().get(0).options().clientCertificateAuth().subjectMatches("CN=bob,O=x"))
                .isTrue();
        assertThat(good.ruleSets().get(0).options().clientCertificateAuth().subjectMatches("CN=eve"))
                .isFalse();
        assertThat(bad.ruleSets().get(0).options().denied()).contains("must start with \"CN=\"");
    }

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of("missing", "default/missing", "Secret default/missing not found"),
                Arguments.of("foreign namespace", "kube-system/client-ca", "outside the Ingress's namespace"),
                Arguments.of("no ca.crt", "no-ca", "has no readable ca.crt"),
                Arguments.of("not PEM", "bad-ca", "Secret default/bad-ca: no certificate"),
                Arguments.of("bad CRL", "bad-crl", "no revocation list in ca.crl"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void aSecretThatCannotBeRead_failsClosed_withAProblem(String row, String secret, String problem) {
        Translation t = translate(
                List.of(ingress("a", "a.example.com", "")
                        .replace(N + "auth-tls-secret: client-ca", N + "auth-tls-secret: " + secret)),
                secret("no-ca", "stringData: {other: x}"),
                secret("bad-ca", "stringData: {ca.crt: not a pem}"),
                secret("bad-crl", "data: {ca.crt: " + base64(pem(CA)) + ", ca.crl: " + base64("nothing") + "}"));

        RouteOptions options = t.ruleSets().get(0).options();
        assertThat(options.denied()).contains(problem).contains("fails closed (503)");
        assertThat(options.clientCertificateAuth()).isNull();
        assertThat(t.problems())
                .anyMatch(p -> p.message().contains(problem) && p.message().contains("503"));
        assertThat(t.clientCas()).isEmpty();
    }

    @Test
    void perHost_theOldestIngressSetsIt_forEveryIngressOfTheHost() {
        Translation t = translate(
                List.of(
                        ingress("old", "a.example.com", "")
                                .replace("name: old,", "name: old, creationTimestamp: '2024-01-01T00:00:00Z',"),
                        plainIngress("api", "a.example.com", "/api"),
                        ingress("young", "a.example.com", "")
                                .replace("auth-tls-secret: client-ca", "auth-tls-secret: other-ca")
                                .replace("path: /,", "path: /young,")
                                .replace("name: young,", "name: young, creationTimestamp: '2025-01-01T00:00:00Z',"),
                        plainIngress("b", "b.example.com", "/")),
                caSecret("client-ca", CA),
                caSecret("other-ca", OTHER));

        ClientCertificateAuth old = options(t, "old").clientCertificateAuth();
        assertThat(old.cas()).containsExactly(CA.leaf());
        assertThat(options(t, "api").clientCertificateAuth()).isEqualTo(old);
        assertThat(options(t, "young").clientCertificateAuth()).isEqualTo(old);
        assertThat(options(t, "b").clientCertificateAuth()).isNull();
        assertThat(t.clientCas()).containsOnlyKeys("a.example.com");
        assertThat(t.problems())
                .anyMatch(p -> p.source().equals("Ingress default/young")
                        && p.message()
                                .contains(
                                        "takes its client-certificate authentication from older Ingress default/old"));
    }

    @Test
    void anIngressWhoseHostsDiffer_failsClosed() {
        String both = plainIngress("both", "a.example.com", "/both")
                .replace(
                        "  - host: a.example.com",
                        "  - host: b.example.com\n    http:\n      paths:\n      - {path: /, pathType: Prefix, backend: {service: {name: svc, port: {number: 80}}}}\n  - host: a.example.com");
        Translation t = translate(List.of(ingress("a", "a.example.com", ""), both), caSecret("client-ca", CA));

        assertThat(options(t, "both").denied()).contains("differ in client-certificate authentication");
        assertThat(options(t, "a").denied()).isNull();
    }

    @Test
    void aRuleWithoutHost_isReported_noHandshakeCanAskForIt() {
        String hostless = ingress("any", "a.example.com", "")
                .replace("  - host: a.example.com\n", "  - http:\n")
                .replace("    http:\n      paths:", "      paths:");
        Translation t = translate(List.of(hostless), caSecret("client-ca", CA));

        assertThat(t.problems())
                .anyMatch(p -> p.message().contains("a rule without host")
                        && p.message().contains("answer 400"));
        assertThat(t.clientCas()).isEmpty();
    }

    @Test
    void audit_honoursEveryAuthTlsKey_andNamesBadValues() {
        assertThat(Annotations.classify(N + "auth-tls-secret", "default/ca").status())
                .isEqualTo(Annotations.Status.HONOURED);
        assertThat(Annotations.classify(N + "auth-tls-verify-client", "optional_no_ca")
                        .status())
                .isEqualTo(Annotations.Status.HONOURED);
        assertThat(Annotations.classify(N + "auth-tls-verify-client", "sometimes")
                        .status())
                .isEqualTo(Annotations.Status.INVALID);
        assertThat(Annotations.classify(N + "auth-tls-verify-depth", "2").status())
                .isEqualTo(Annotations.Status.HONOURED);
        assertThat(Annotations.classify(N + "auth-tls-verify-depth", "-1").status())
                .isEqualTo(Annotations.Status.INVALID);
        assertThat(Annotations.classify(N + "auth-tls-pass-certificate-to-upstream", "true")
                        .status())
                .isEqualTo(Annotations.Status.HONOURED);
        assertThat(Annotations.classify(N + "auth-tls-error-page", "https://e.example/x")
                        .status())
                .isEqualTo(Annotations.Status.HONOURED);
        assertThat(Annotations.classify(N + "auth-tls-error-page", "/error").status())
                .isEqualTo(Annotations.Status.INVALID);
        assertThat(Annotations.classify(N + "auth-tls-match-cn", "CN=alice").status())
                .isEqualTo(Annotations.Status.HONOURED);
        assertThat(Annotations.classify(N + "auth-tls-match-cn", "CN=(").reason())
                .contains("fails closed");
        // RE2/J would expand it to 10^9 instructions: an OutOfMemoryError in the translator, for every tenant.
        assertThat(Annotations.classify(N + "auth-tls-match-cn", "CN=((a{1000}){1000}){1000}")
                        .status())
                .isEqualTo(Annotations.Status.INVALID);
    }

    private static RouteOptions options(Translation t, String name) {
        return t.ruleSets().stream()
                .filter(r -> r.name().equals(name))
                .findFirst()
                .orElseThrow()
                .options();
    }

    private static String ingress(String name, String host, String more) {
        return Yaml.ingress(name, host, "svc", 80)
                .replace(
                        "namespace: default}",
                        "namespace: default, annotations: {" + N + "auth-tls-secret: client-ca"
                                + (more.isEmpty() ? "" : ", " + more) + "}}");
    }

    private static String plainIngress(String name, String host, String path) {
        return Yaml.ingress(name, host, "svc", 80).replace("path: /,", "path: " + path + ",");
    }

    private static Translation translate(List<String> ingresses, String... secrets) {
        List<String> docs = new ArrayList<>(List.of(OUR_CLASS));
        docs.addAll(ingresses);
        docs.addAll(List.of(secrets));
        return Translator.translate(Yaml.kube(docs.toArray(String[]::new)), WatcherSettings.defaults());
    }

    private static String pem(TlsCertificate ca) {
        return new String(PemCertificates.certificatesPem(ca.chain()), StandardCharsets.US_ASCII);
    }

    private static String caSecret(String name, TlsCertificate ca) {
        return secret(name, "data: {ca.crt: " + base64(pem(ca)) + "}");
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static String secret(String name, String data) {
        return "apiVersion: v1\nkind: Secret\nmetadata: {name: " + name + ", namespace: default}\ntype: Opaque\n" + data
                + "\n";
    }
}
