package dev.usher.k8s.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.k8s.translate.Annotations.Status;
import dev.usher.routing.CanaryRule;
import dev.usher.routing.IngressRuleSet;
import dev.usher.routing.PathRule;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ingress-nginx's canary annotations: one row per annotation and value form (the {@link CanaryRule} the canary Ingress
 * gets and the problem a bad value reports), then the cross-Ingress step ({@link CanaryCheck}): a canary with no main
 * route is reported and routes nothing.
 */
final class NginxCanaryTranslationTest {

    private static final String N = "nginx.ingress.kubernetes.io/";
    private static final String ON = N + "canary: 'true', ";
    private static final String HEADER = ON + N + "canary-by-header: X-Canary, ";

    record Row(String annotations, CanaryRule expected, String problem) {
        @Override
        public String toString() {
            return annotations + " -> " + expected + (problem == null ? "" : " + " + problem);
        }
    }

    static Stream<Row> rows() {
        return Stream.of(
                new Row(N + "canary: 'true'", rule(null, null, null, null, 0, 100), null),
                new Row(N + "canary: 'True'", rule(null, null, null, null, 0, 100), null),
                new Row(N + "canary: 'false'", null, null),
                new Row(N + "canary: 'yes'", null, "canary: invalid"),
                new Row(N + "canary-weight: '50'", null, "canary-weight: no effect without"),
                new Row(
                        N + "canary: 'false', " + N + "canary-by-header: X-Canary",
                        null,
                        "canary-by-header: no effect without"),
                new Row(ON + N + "canary-by-header: X-Canary", rule("X-Canary", null, null, null, 0, 100), null),
                new Row(
                        ON + N + "canary-by-header: 'X Canary'",
                        rule(null, null, null, null, 0, 100),
                        "canary-by-header: invalid"),
                new Row(
                        HEADER + N + "canary-by-header-value: DoCanary",
                        rule("X-Canary", "DoCanary", null, null, 0, 100),
                        null),
                new Row(
                        HEADER + N + "canary-by-header-value: 'Do Canary'",
                        rule("X-Canary", null, null, null, 0, 100),
                        "canary-by-header-value: invalid"),
                new Row(
                        HEADER + N + "canary-by-header-pattern: '^Do[A-Z][a-z]+y$'",
                        rule("X-Canary", null, "^Do[A-Z][a-z]+y$", null, 0, 100),
                        null),
                new Row(
                        HEADER + N + "canary-by-header-value: DoCanary, " + N + "canary-by-header-pattern: '^Do'",
                        rule("X-Canary", "DoCanary", "^Do", null, 0, 100),
                        null),
                new Row(
                        HEADER + N + "canary-by-header-pattern: '(a)\\1'",
                        rule("X-Canary", null, "(a)\\1", null, 0, 100),
                        "requests carrying the header go to the main backend"),
                new Row(
                        HEADER + N + "canary-by-header-pattern: 'a;b'",
                        rule("X-Canary", null, null, null, 0, 100),
                        "canary-by-header-pattern: invalid"),
                new Row(
                        ON + N + "canary-by-header-value: DoCanary",
                        rule(null, null, null, null, 0, 100),
                        "canary-by-header-value: no effect without a valid"),
                new Row(ON + N + "canary-by-cookie: canary", rule(null, null, null, "canary", 0, 100), null),
                new Row(
                        ON + N + "canary-by-cookie: 'a=b'",
                        rule(null, null, null, null, 0, 100),
                        "canary-by-cookie: invalid"),
                new Row(ON + N + "canary-weight: '30'", rule(null, null, null, null, 30, 100), null),
                new Row(ON + N + "canary-weight: '0'", rule(null, null, null, null, 0, 100), null),
                new Row(ON + N + "canary-weight: '-5'", rule(null, null, null, null, 0, 100), "canary-weight: invalid"),
                new Row(ON + N + "canary-weight: 30%", rule(null, null, null, null, 0, 100), "canary-weight: invalid"),
                new Row(
                        ON + N + "canary-weight: '1000', " + N + "canary-weight-total: '1000'",
                        rule(null, null, null, null, 1000, 1000),
                        null),
                new Row(
                        ON + N + "canary-weight: '5', " + N + "canary-weight-total: '50'",
                        rule(null, null, null, null, 5, 100),
                        "canary-weight-total: invalid: '50': below 100"),
                new Row(
                        ON + N + "canary-weight-total: many",
                        rule(null, null, null, null, 0, 100),
                        "canary-weight-total: invalid"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void annotation_becomesTheCanaryRule_andBadValuesAreReported(Row row) {
        Translation t = Translator.translate(
                Yaml.kube(
                        Yaml.OUR_DEFAULT_CLASS,
                        ingress("main", "", "/info", "Prefix", "main-svc"),
                        ingress("other", row.annotations(), "/info", "Prefix", "other-svc")),
                WatcherSettings.defaults());

        IngressRuleSet other = ruleSet(t, "other");
        assertThat(other.options().canary()).isEqualTo(row.expected());
        List<String> own = problems(t, "other");
        if (row.problem() == null) {
            assertThat(own).isEmpty();
        } else {
            assertThat(own)
                    .singleElement()
                    .asString()
                    .startsWith("annotation " + N)
                    .contains(row.problem());
        }
    }

    @Test
    void canary_withoutMainRoute_isReported_andKeepsNoRule() {
        Translation t = Translator.translate(
                Yaml.kube(
                        Yaml.OUR_DEFAULT_CLASS,
                        ingress("main", "", "/info", "Prefix", "main-svc"),
                        ingress("canary", ON + N + "canary-weight: '50'", "/other", "Prefix", "canary-svc"),
                        ingress("exact", ON + N + "canary-weight: '50'", "/info", "Exact", "canary-svc"),
                        ingress("slash", ON + N + "canary-weight: '50'", "/info/", "Prefix", "canary-svc")),
                WatcherSettings.defaults());

        assertThat(problems(t, "canary"))
                .singleElement()
                .asString()
                .contains("canary: no other Ingress routes host foo.example.com PREFIX path '/other'")
                .contains("ignored");
        assertThat(ruleSet(t, "canary").rules()).isEmpty();
        assertThat(problems(t, "exact")).singleElement().asString().contains("EXACT path '/info'");
        assertThat(problems(t, "slash"))
                .as("/info/ and /info are one Prefix route")
                .isEmpty();
        assertThat(ruleSet(t, "slash").rules())
                .flatExtracting(r -> r.paths())
                .extracting(PathRule::path)
                .containsExactly("/info/");
        assertThat(problems(t, "main")).isEmpty();
        assertThat(Translator.validate(Yaml.objects(
                                ingress("canary", ON + N + "canary-weight: '50'", "/other", "Prefix", "canary-svc"))
                        .get(0)))
                .as("a manifests file is not rejected for it")
                .isEmpty();
    }

    @Test
    void canary_ofAForeignClassMain_hasNoMain() {
        Translation t = Translator.translate(
                Yaml.kube(
                        Yaml.OUR_CLASS,
                        ingress("main", "", "/info", "Prefix", "main-svc")
                                .replace("spec:", "spec:\n  ingressClassName: nginx"),
                        ingress("canary", ON, "/info", "Prefix", "canary-svc")
                                .replace("spec:", "spec:\n  ingressClassName: usher")),
                WatcherSettings.defaults());

        assertThat(problems(t, "canary")).singleElement().asString().contains("no other Ingress routes");
    }

    @Test
    void annotationVerdicts_areHonoured_orInvalidWithWhatHappens() {
        for (String key : List.of(
                "canary",
                "canary-by-header",
                "canary-by-header-value",
                "canary-by-header-pattern",
                "canary-by-cookie",
                "canary-weight",
                "canary-weight-total")) {
            assertThat(NginxHonoured.covers(key)).as(key).isTrue();
        }
        assertThat(Annotations.classify(N + "canary-weight", "30").status()).isEqualTo(Status.HONOURED);
        Annotations.Verdict broken = Annotations.classify(N + "canary-by-header-pattern", "(a)\\1");
        assertThat(broken.status()).isEqualTo(Status.INVALID);
        assertThat(broken.reason()).contains("RE2 cannot compile it").endsWith("failing match does");
        assertThat(Annotations.classify(N + "canary-by-header", "X Canary").reason())
                .endsWith("; ignored");
        assertThat(Annotations.classify(N + "affinity-canary-behavior", "sticky")
                        .status())
                .isEqualTo(Status.HONOURED);
        assertThat(Annotations.audit(java.util.Map.of(
                        N + "canary",
                        "true",
                        N + "canary-weight",
                        "5",
                        N + "proxy-body-size",
                        "1m",
                        "usher.dev/rewrite-target",
                        "/v2",
                        N + "proxy-body-size-typo",
                        "1")))
                .extracting(Annotations.Verdict::key, Annotations.Verdict::status)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(N + "canary", Status.HONOURED),
                        org.assertj.core.groups.Tuple.tuple(N + "canary-weight", Status.HONOURED),
                        org.assertj.core.groups.Tuple.tuple(N + "proxy-body-size", Status.NO_EFFECT),
                        org.assertj.core.groups.Tuple.tuple(N + "proxy-body-size-typo", Status.UNKNOWN),
                        org.assertj.core.groups.Tuple.tuple("usher.dev/rewrite-target", Status.NO_EFFECT));
        assertThat(Annotations.classify(N + "affinity-canary-behavior", "legacy")
                        .status())
                .isEqualTo(Status.HONOURED);
        assertThat(Annotations.classify(N + "affinity-canary-behavior", "soft").status())
                .isEqualTo(Status.INVALID);
    }

    @org.junit.jupiter.api.Test
    void affinityCanaryBehavior_legacyIsTheRulesFlag_stickyAndAbsentAreNot() {
        java.util.Map<String, String> canary = java.util.Map.of(N + "canary", "true", N + "canary-weight", "20");
        assertThat(NginxCanary.read(canary).legacyAffinity()).isFalse();
        java.util.Map<String, String> legacy = new java.util.HashMap<>(canary);
        legacy.put(N + "affinity-canary-behavior", "legacy");
        assertThat(NginxCanary.read(legacy)).isEqualTo(new CanaryRule(null, null, null, null, 20, 100, true));
        legacy.put(N + "affinity-canary-behavior", "sticky");
        assertThat(NginxCanary.read(legacy).legacyAffinity()).isFalse();
        legacy.put(N + "affinity-canary-behavior", "Legacy"); // ingress-nginx's options are case-sensitive: invalid
        assertThat(NginxCanary.read(legacy).legacyAffinity()).isFalse();
    }

    private static CanaryRule rule(String header, String value, String pattern, String cookie, int weight, int total) {
        return new CanaryRule(header, value, pattern, cookie, weight, total);
    }

    private static IngressRuleSet ruleSet(Translation t, String name) {
        return t.ruleSets().stream()
                .filter(r -> r.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    private static List<String> problems(Translation t, String name) {
        return t.problems().stream()
                .filter(p -> p.source().equals("Ingress default/" + name))
                .map(Problem::message)
                .filter(m -> !m.contains("not found"))
                .toList();
    }

    static String ingress(String name, String annotations, String path, String type, String service) {
        return """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: %s
                  namespace: default
                  annotations: {%s}
                spec:
                  rules:
                  - host: foo.example.com
                    http:
                      paths:
                      - {path: '%s', pathType: %s, backend: {service: {name: %s, port: {number: 80}}}}
                """.formatted(name, annotations, path, type, service);
    }
}
