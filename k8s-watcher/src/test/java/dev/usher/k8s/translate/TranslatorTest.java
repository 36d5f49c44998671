package dev.usher.k8s.translate;

import static dev.usher.k8s.translate.Yaml.FOREIGN_CLASS;
import static dev.usher.k8s.translate.Yaml.OUR_CLASS;
import static dev.usher.k8s.translate.Yaml.OUR_DEFAULT_CLASS;
import static dev.usher.k8s.translate.Yaml.ingress;
import static dev.usher.k8s.translate.Yaml.service;
import static dev.usher.k8s.translate.Yaml.slice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.routing.BackendRef;
import dev.usher.routing.Endpoint;
import dev.usher.routing.HostRule;
import dev.usher.routing.IngressRuleSet;
import dev.usher.routing.NginxPaths;
import dev.usher.routing.PathRule;
import dev.usher.routing.PathType;
import dev.usher.routing.RouteOptions;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The translation rules, one case per rule; each case name states the rule it pins. */
final class TranslatorTest {

    private static final WatcherSettings DEFAULTS = WatcherSettings.defaults();

    record Case(String name, WatcherSettings settings, List<String> documents, Consumer<Translation> check) {
        @Override
        public String toString() {
            return name;
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({
        "classSelection",
        "validation",
        "rulePaths",
        "sameNamespace",
        "annotationsAndTls",
        "rewriteTargets",
        "portsAndEndpoints",
        "legacyAndDefaults",
        "nginxAnnotations"
    })
    void translate(Case c) {
        Translation t = Translator.translate(Yaml.kube(c.documents().toArray(String[]::new)), c.settings());
        c.check().accept(t);
    }

    static Stream<Case> classSelection() {
        String noClass = ingress("plain", "a.example.com", "alpaca", 8080).replace("  ingressClassName: usher\n", "");
        String annotated = noClass.replace(
                "metadata: {name: plain, namespace: default}",
                "metadata: {name: plain, namespace: default, annotations: {kubernetes.io/ingress.class: usher}}");
        return Stream.of(
                new Case(
                        "classSelection_ingressClassNameOfOurController_isTaken",
                        DEFAULTS,
                        List.of(OUR_CLASS, ingress("a", "a.example.com", "alpaca", 8080)),
                        t -> taken(t, "default/a")),
                new Case(
                        "classSelection_ingressClassNameOfForeignController_isIgnored",
                        DEFAULTS,
                        List.of(
                                FOREIGN_CLASS,
                                ingress("a", "a.example.com", "alpaca", 8080)
                                        .replace("ingressClassName: usher", "ingressClassName: nginx")),
                        t -> taken(t)),
                new Case(
                        "classSelection_ingressClassNameWithoutIngressClassObject_isIgnored",
                        DEFAULTS,
                        List.of(ingress("a", "a.example.com", "alpaca", 8080)),
                        t -> taken(t)),
                new Case(
                        "classSelection_annotationEqualToOurClass_isTaken",
                        DEFAULTS,
                        List.of(annotated),
                        t -> taken(t, "default/plain")),
                new Case(
                        "classSelection_annotationOfAnotherClass_isIgnored",
                        DEFAULTS.withWatchIngressWithoutClass(true),
                        List.of(annotated.replace("ingress.class: usher", "ingress.class: nginx")),
                        t -> taken(t)),
                new Case(
                        "classSelection_fieldWinsOverAnnotation",
                        DEFAULTS,
                        List.of(
                                OUR_CLASS,
                                FOREIGN_CLASS,
                                ingress("a", "a.example.com", "alpaca", 8080)
                                        .replace("ingressClassName: usher", "ingressClassName: nginx")
                                        .replace(
                                                "namespace: default}",
                                                "namespace: default, annotations: {kubernetes.io/ingress.class: usher}}")),
                        t -> taken(t)),
                new Case(
                        "classSelection_noClassAndOurClassNotDefault_isIgnored",
                        DEFAULTS,
                        List.of(OUR_CLASS, noClass),
                        t -> taken(t)),
                new Case(
                        "classSelection_noClassAndOurClassMarkedDefault_isTaken",
                        DEFAULTS,
                        List.of(OUR_DEFAULT_CLASS, noClass),
                        t -> taken(t, "default/plain")),
                new Case(
                        "classSelection_noClassAndOnlyForeignClassMarkedDefault_isIgnored",
                        DEFAULTS,
                        List.of(OUR_CLASS, FOREIGN_CLASS, noClass),
                        t -> taken(t)),
                new Case(
                        "classSelection_noClassWithWatchIngressWithoutClass_isTaken",
                        DEFAULTS.withWatchIngressWithoutClass(true),
                        List.of(noClass),
                        t -> taken(t, "default/plain")));
    }

    static Stream<Case> validation() {
        String twoPaths = """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: v, namespace: default}
                spec:
                  ingressClassName: usher
                  rules:
                  - host: v.example.com
                    http:
                      paths:
                      - {path: %s, pathType: %s, backend: {service: {name: alpaca, port: {number: 8080}}}}
                      - {path: /good, pathType: Exact, backend: {service: {name: alpaca, port: {number: 8080}}}}
                """;
        return Stream.of(
                new Case(
                        "validation_pathWithoutLeadingSlash_isSkippedWithProblem_otherPathsKept",
                        DEFAULTS,
                        List.of(OUR_CLASS, twoPaths.formatted("relative", "Prefix")),
                        t -> {
                            assertThat(paths(t)).containsExactly("v.example.com /good EXACT");
                            assertThat(messages(t)).anyMatch(m -> m.contains("path must start with '/'"));
                        }),
                new Case(
                        "validation_missingPathType_isSkippedWithProblem",
                        DEFAULTS,
                        List.of(OUR_CLASS, twoPaths.formatted("/a", "null")),
                        t -> {
                            assertThat(paths(t)).containsExactly("v.example.com /good EXACT");
                            assertThat(messages(t)).anyMatch(m -> m.contains("pathType is required"));
                        }),
                new Case(
                        "validation_unknownPathType_isSkippedWithProblem",
                        DEFAULTS,
                        List.of(OUR_CLASS, twoPaths.formatted("/a", "Prefx")),
                        t -> {
                            assertThat(paths(t)).containsExactly("v.example.com /good EXACT");
                            assertThat(messages(t)).anyMatch(m -> m.contains("unknown pathType 'Prefx'"));
                        }),
                new Case(
                        "validation_implementationSpecificWithoutPath_meansEveryPath",
                        DEFAULTS,
                        List.of(OUR_CLASS, twoPaths.formatted("null", "ImplementationSpecific")),
                        t -> assertThat(paths(t))
                                .containsExactly(
                                        "v.example.com / IMPLEMENTATION_SPECIFIC", "v.example.com /good EXACT")),
                new Case(
                        "validation_invalidHost_skipsThatRuleWithProblem",
                        DEFAULTS,
                        List.of(OUR_CLASS, twoPaths.formatted("/a", "Prefix").replace("v.example.com", "bad_host!")),
                        t -> {
                            assertThat(paths(t)).isEmpty();
                            assertThat(messages(t)).anyMatch(m -> m.contains("invalid host 'bad_host!'"));
                        }),
                new Case(
                        "validation_hostIsLowerCased_andOneLabelWildcardKept",
                        DEFAULTS,
                        List.of(
                                OUR_CLASS,
                                twoPaths.formatted("/a", "Prefix").replace("v.example.com", "\"*.Example.COM\"")),
                        t -> assertThat(paths(t)).contains("*.example.com /a PREFIX")),
                new Case(
                        "validation_resourceBackend_isSkippedWithProblem",
                        DEFAULTS,
                        List.of(
                                OUR_CLASS,
                                twoPaths.formatted("/a", "Prefix")
                                        .replaceFirst(
                                                "service: \\{name: alpaca, port: \\{number: 8080}}",
                                                "resource: {apiGroup: k8s.example.com, kind: Bucket, name: b}")),
                        t -> {
                            assertThat(paths(t)).containsExactly("v.example.com /good EXACT");
                            assertThat(messages(t)).anyMatch(m -> m.contains("only Service backends"));
                        }),
                new Case(
                        "validation_missingCreationTimestamp_countsAsEpoch",
                        DEFAULTS,
                        List.of(OUR_CLASS, ingress("a", "a.example.com", "alpaca", 8080)),
                        t -> assertThat(t.ruleSets().get(0).creationTimestamp()).isEqualTo(Instant.EPOCH)),
                new Case(
                        "validation_creationTimestampIsKept",
                        DEFAULTS,
                        List.of(
                                OUR_CLASS,
                                ingress("a", "a.example.com", "alpaca", 8080)
                                        .replace(
                                                "namespace: default}",
                                                "namespace: default, creationTimestamp: '2024-05-01T10:00:00Z'}")),
                        t -> assertThat(t.ruleSets().get(0).creationTimestamp())
                                .isEqualTo(Instant.parse("2024-05-01T10:00:00Z"))));
    }

    private static final String TWO_PATHS = """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {name: v, namespace: default}
            spec:
              ingressClassName: usher
              rules:
              - host: v.example.com
                http:
                  paths:
                  - {path: %s, pathType: %s, backend: {service: {name: alpaca, port: {number: 8080}}}}
                  - {path: /good, pathType: Exact, backend: {service: {name: alpaca, port: {number: 8080}}}}
            """;

    /** The API server's path rules for Exact and Prefix (pkg/apis/networking/validation), held in manifests too. */
    static Stream<Case> rulePaths() {
        Stream<Case> apiServerRules = Stream.of("Exact", "Prefix").flatMap(type -> Stream.of(
                        new String[] {"DoubleSlash", "/a//b", "must not contain '//'"},
                        new String[] {"DotSegment", "/a/./b", "must not contain '/./'"},
                        new String[] {"DotDotSegment", "/a/../b", "must not contain '/../'"},
                        new String[] {"LowerCaseEncodedSlash", "\"/a%2fb\"", "must not contain '%2f'"},
                        new String[] {"UpperCaseEncodedSlash", "\"/a%2Fb\"", "must not contain '%2F'"},
                        new String[] {"FinalDotDot", "/a/..", "cannot end with '/..'"},
                        new String[] {"FinalDot", "/a/.", "cannot end with '/.'"},
                        new String[] {"PercentEncodedDotDot", "\"/a/%2e%2E/b\"", "even percent-encoded"},
                        new String[] {"ControlCharacter", "\"/a\\tb\"", "control characters (found '\\t')"})
                .map(c -> new Case(
                        "rulePaths_" + type.toLowerCase(Locale.ROOT) + "PathWith" + c[0]
                                + "_isSkippedWithProblem_otherPathsKept",
                        DEFAULTS,
                        List.of(OUR_CLASS, TWO_PATHS.formatted(c[1], type)),
                        t -> {
                            assertThat(paths(t)).containsExactly("v.example.com /good EXACT");
                            assertThat(ownMessages(t)).singleElement().satisfies(m -> assertThat(m)
                                    .contains("spec.rules[0].http.paths[0]", c[2], "path skipped"));
                        })));
        return Stream.concat(
                apiServerRules,
                Stream.of(
                        new Case(
                                "rulePaths_implementationSpecificPathWithDoubleSlash_isKept_asTheApiServerKeepsIt",
                                DEFAULTS,
                                List.of(OUR_CLASS, TWO_PATHS.formatted("/a//b", "ImplementationSpecific")),
                                t -> {
                                    assertThat(paths(t)).contains("v.example.com /a//b IMPLEMENTATION_SPECIFIC");
                                    assertThat(ownMessages(t)).isEmpty();
                                }),
                        new Case(
                                "rulePaths_dotsInsideSegments_areOrdinaryCharacters",
                                DEFAULTS,
                                List.of(OUR_CLASS, TWO_PATHS.formatted("/a.b/..c/.d/...", "Prefix")),
                                t -> {
                                    assertThat(paths(t)).contains("v.example.com /a.b/..c/.d/... PREFIX");
                                    assertThat(ownMessages(t)).isEmpty();
                                }),
                        new Case(
                                "rulePaths_escapesOfUnreservedCharacters_areDecodedToMatchNormalisedRequests",
                                DEFAULTS,
                                List.of(OUR_CLASS, TWO_PATHS.formatted("\"/%7euser/caf%c3%a9\"", "Prefix")),
                                t -> {
                                    assertThat(paths(t)).contains("v.example.com /~user/caf%C3%A9 PREFIX");
                                    assertThat(ownMessages(t)).isEmpty();
                                })));
    }

    static Stream<Case> rewriteTargets() {
        String annotated = ingress("a", "a.example.com", "alpaca", 8080)
                .replace("namespace: default}", "namespace: default, annotations: {usher.dev/rewrite-target: %s}}");
        Stream<Case> refused = Stream.of(
                        new String[] {
                            "CarriageReturnAndLineFeed",
                            "\"/v1\\r\\nX-Injected: yes\"",
                            "control characters (found '\\r')"
                        },
                        new String[] {"LineFeed", "\"/v1\\n\"", "control characters (found '\\n')"},
                        new String[] {"Tab", "\"/v1\\tx\"", "control characters (found '\\t')"},
                        new String[] {"OtherControlByte", "\"/v1\\x01\"", "control characters (found '\\x01')"},
                        new String[] {"Delete", "\"/v1\\x7f\"", "control characters (found '\\x7F')"},
                        new String[] {"Space", "\"/v1 x\"", "RFC 3986 path characters"},
                        new String[] {"QuestionMark", "\"/v1?a=b\"", "RFC 3986 path characters"},
                        new String[] {"MalformedEscape", "\"/v1%zz\"", "'%' not followed by two hex digits"},
                        new String[] {"DotDotSegment", "/v1/../admin", "must not contain '/../'"},
                        new String[] {"EncodedDotDotSegment", "\"/v1/%2e%2e/admin\"", "must not contain '/../'"},
                        new String[] {"DoubleSlash", "/v1//x", "must not contain '//'"},
                        new String[] {"NoLeadingSlash", "xyz", "must be empty or start with '/'"})
                .map(c -> new Case(
                        "rewriteTargets_with" + c[0] + "_isIgnoredWithProblem_andTheIngressServes",
                        DEFAULTS,
                        List.of(OUR_CLASS, annotated.formatted(c[1])),
                        t -> {
                            assertThat(t.ruleSets().get(0).options().rewriteTarget())
                                    .isNull();
                            assertThat(paths(t)).containsExactly("a.example.com / PREFIX");
                            assertThat(ownMessages(t)).singleElement().satisfies(m -> assertThat(m)
                                    .contains("usher.dev/rewrite-target", c[2], "paths are forwarded unchanged")
                                    .doesNotContain("\r", "\n", "\t", "\u0001", "\u007f"));
                        }));
        Stream<Case> kept = Stream.of("/v1/public", "/", "''", "/v1/a.b/~c/%C3%A9:@!$&()*+,;=")
                .map(target -> new Case(
                        "rewriteTargets_cleanPath_" + target + "_isKept",
                        DEFAULTS,
                        List.of(OUR_CLASS, annotated.formatted(target.equals("''") ? target : "\"" + target + "\"")),
                        t -> {
                            assertThat(ownMessages(t)).isEmpty();
                            assertThat(t.ruleSets().get(0).options().rewriteTarget())
                                    .isEqualTo(target.equals("''") ? "" : target);
                        }));
        return Stream.concat(refused, kept);
    }

    static Stream<Case> sameNamespace() {
        String otherNs = service("alpaca", null, 8080, 80).replace("namespace: default", "namespace: other");
        return Stream.of(
                new Case(
                        "sameNamespace_serviceOfSameNameInAnotherNamespace_isNotUsed",
                        DEFAULTS,
                        List.of(OUR_CLASS, ingress("a", "a.example.com", "alpaca", 8080), otherNs),
                        t -> {
                            assertThat(endpoints(t, "default/alpaca:8080")).isEmpty();
                            assertThat(messages(t)).anyMatch(m -> m.contains("Service default/alpaca not found"));
                        }),
                new Case(
                        "sameNamespace_serviceNameNamingAnotherNamespace_isRefused",
                        DEFAULTS,
                        List.of(OUR_CLASS, ingress("a", "a.example.com", "other/alpaca", 8080), otherNs),
                        t -> {
                            assertThat(paths(t)).isEmpty();
                            assertThat(messages(t)).anyMatch(m -> m.contains("outside the Ingress's namespace"));
                        }),
                new Case(
                        "sameNamespace_tlsSecretNamingAnotherNamespace_isRefused",
                        DEFAULTS,
                        List.of(
                                OUR_CLASS,
                                ingress("a", "a.example.com", "alpaca", 8080)
                                        .replace(
                                                "  rules:",
                                                "  tls: [{hosts: [a.example.com], secretName: other/cert}]\n  rules:")),
                        t -> {
                            assertThat(t.certificates()).isEmpty();
                            assertThat(t.ruleSets().get(0).options().tlsHosts()).containsExactly("a.example.com");
                            assertThat(messages(t)).anyMatch(m -> m.contains("outside the Ingress's namespace"));
                        }));
    }

    static Stream<Case> annotationsAndTls() {
        String withTls = ingress("a", "a.example.com", "alpaca", 8080)
                .replace("  rules:", "  tls: [{hosts: [A.example.com], secretName: cert}]\n  rules:");
        String secret = """
                apiVersion: v1
                kind: Secret
                metadata: {name: cert, namespace: default}
                type: %s
                stringData: {tls.crt: "not a certificate", tls.key: "not a key"}
                """;
        return Stream.of(
                option(
                        "annotations_rewriteTarget_setsRouteOption",
                        "usher.dev/rewrite-target: /xyz",
                        RouteOptions::rewriteTarget,
                        "/xyz"),
                optionWithProblem(
                        "annotations_rewriteTargetWithoutLeadingSlash_isIgnoredWithProblem",
                        "usher.dev/rewrite-target: xyz",
                        RouteOptions::rewriteTarget,
                        null,
                        "rewrite-target"),
                option(
                        "annotations_sslRedirectFalse_turnsRedirectOff",
                        "usher.dev/ssl-redirect: 'false'",
                        RouteOptions::sslRedirect,
                        false),
                option("annotations_sslRedirectAbsent_keepsRedirectOn", null, RouteOptions::sslRedirect, true),
                optionWithProblem(
                        "annotations_sslRedirectGarbage_keepsRedirectOnWithProblem",
                        "usher.dev/ssl-redirect: 'nope'",
                        RouteOptions::sslRedirect,
                        true,
                        "ssl-redirect"),
                option(
                        "annotations_requestBufferingOff_streamsBodies",
                        "usher.dev/request-buffering: 'off'",
                        RouteOptions::requestBuffering,
                        false),
                option("annotations_requestBufferingAbsent_buffersBodies", null, RouteOptions::requestBuffering, true),
                optionWithProblem(
                        "annotations_requestBufferingGarbage_keepsBufferingWithProblem",
                        "usher.dev/request-buffering: 'sometimes'",
                        RouteOptions::requestBuffering,
                        true,
                        "request-buffering"),
                new Case(
                        "tls_specTlsHosts_becomeLowerCaseTlsHosts",
                        DEFAULTS,
                        List.of(OUR_CLASS, withTls),
                        t -> assertThat(t.ruleSets().get(0).options().tlsHosts())
                                .containsExactly("a.example.com")),
                new Case(
                        "tls_missingSecret_isAProblemAndHostGetsDefaultCertificate",
                        DEFAULTS,
                        List.of(OUR_CLASS, withTls),
                        t -> {
                            assertThat(t.certificates()).isEmpty();
                            assertThat(messages(t))
                                    .anyMatch(m -> m.contains("Secret default/cert not found")
                                            && m.contains("default certificate"));
                        }),
                new Case(
                        "tls_secretOfWrongType_isAProblem",
                        DEFAULTS,
                        List.of(OUR_CLASS, withTls, secret.formatted("Opaque")),
                        t -> {
                            assertThat(t.certificates()).isEmpty();
                            assertThat(messages(t)).anyMatch(m -> m.contains("not kubernetes.io/tls"));
                        }),
                new Case(
                        "tls_unparsablePem_isAProblemAndRoutesStay",
                        DEFAULTS,
                        List.of(OUR_CLASS, withTls, secret.formatted("kubernetes.io/tls")),
                        t -> {
                            assertThat(t.certificates()).isEmpty();
                            assertThat(paths(t)).containsExactly("a.example.com / PREFIX");
                            assertThat(messages(t)).anyMatch(m -> m.startsWith("Secret default/cert: "));
                        }));
    }

    static Stream<Case> portsAndEndpoints() {
        String ready = "{addresses: [10.0.0.1], conditions: {ready: true}}";
        String notReady = "{addresses: [10.0.0.2], conditions: {ready: false}}";
        String readyUnset = "{addresses: [10.0.0.3]}";
        return Stream.of(
                new Case(
                        "ports_byNumber_mapsToSlicePortOfSameNameAndUsesItsNumber",
                        DEFAULTS,
                        List.of(
                                OUR_CLASS,
                                ingress("a", "a.example.com", "alpaca", 8080),
                                service("alpaca", "http", 8080, "web"),
                                slice("alpaca-1", "alpaca", "http", 9376, ready)),
                        t -> assertThat(endpoints(t, "default/alpaca:8080"))
                                .containsExactly(new Endpoint("10.0.0.1", 9376, null))),
                new Case(
                        "ports_byName_resolvesTheServicePortOfThatName",
                        DEFAULTS,
                        List.of(
                                OUR_CLASS,
                                ingress("a", "a.example.com", "alpaca", "http"),
                                service("alpaca", "http", 8080, "web"),
                                slice("alpaca-1", "alpaca", "http", 9376, ready)),
                        t -> assertThat(endpoints(t, "default/alpaca:http"))
                                .containsExactly(new Endpoint("10.0.0.1", 9376, null))),
                new Case(
                        "ports_slicePortOfAnotherName_isNotUsed",
                        DEFAULTS,
                        List.of(
                                OUR_CLASS,
                                ingress("a", "a.example.com", "alpaca", "http"),
                                service("alpaca", "http", 8080, "web"),
                                slice("alpaca-1", "alpaca", "metrics", 9090, ready)),
                        t -> assertThat(endpoints(t, "default/alpaca:http")).isEmpty()),
                new Case(
                        "ports_unnamedServicePort_matchesUnnamedSlicePort",
                        DEFAULTS,
                        List.of(
                                OUR_CLASS,
                                ingress("a", "a.example.com", "alpaca", 8080),
                                service("alpaca", null, 8080, 80),
                                slice("alpaca-1", "alpaca", null, 80, ready)),
                        t -> assertThat(endpoints(t, "default/alpaca:8080"))
                                .containsExactly(new Endpoint("10.0.0.1", 80, null))),
                new Case(
                        "ports_portTheServiceDoesNotHave_isAProblemAndHasNoEndpoints",
                        DEFAULTS,
                        List.of(
                                OUR_CLASS,
                                ingress("a", "a.example.com", "alpaca", 9999),
                                service("alpaca", null, 8080, 80),
                                slice("alpaca-1", "alpaca", null, 80, ready)),
                        t -> {
                            assertThat(endpoints(t, "default/alpaca:9999")).isEmpty();
                            assertThat(messages(t)).anyMatch(m -> m.contains("has no port 9999"));
                        }),
                new Case(
                        "endpoints_sliceEndpointNotReady_isUnused_andReadyUnsetCountsAsReady",
                        DEFAULTS,
                        List.of(
                                OUR_CLASS,
                                ingress("a", "a.example.com", "alpaca", 8080),
                                service("alpaca", null, 8080, 80),
                                slice("alpaca-1", "alpaca", null, 80, ready, notReady, readyUnset)),
                        t -> assertThat(endpoints(t, "default/alpaca:8080"))
                                .extracting(Endpoint::address)
                                .containsExactly("10.0.0.1", "10.0.0.3")),
                new Case(
                        "endpoints_severalSlicesOfOneService_areMerged",
                        DEFAULTS,
                        List.of(
                                OUR_CLASS,
                                ingress("a", "a.example.com", "alpaca", 8080),
                                service("alpaca", null, 8080, 80),
                                slice("alpaca-1", "alpaca", null, 80, ready),
                                slice("alpaca-2", "alpaca", null, 80, readyUnset)),
                        t -> assertThat(endpoints(t, "default/alpaca:8080"))
                                .extracting(Endpoint::address)
                                .containsExactly("10.0.0.1", "10.0.0.3")),
                new Case(
                        "endpoints_legacyEndpoints_useAddressesNeverNotReadyAddresses",
                        DEFAULTS,
                        List.of(
                                OUR_CLASS,
                                ingress("a", "a.example.com", "alpaca", "http"),
                                service("alpaca", "http", 8080, "web"),
                                """
                                apiVersion: v1
                                kind: Endpoints
                                metadata: {name: alpaca, namespace: default}
                                subsets:
                                - addresses: [{ip: 127.0.0.1, targetRef: {kind: Pod, name: alpaca-0}}]
                                  notReadyAddresses: [{ip: 127.0.0.2}]
                                  ports: [{name: http, port: 41000}, {name: metrics, port: 9090}]
                                """),
                        t -> assertThat(endpoints(t, "default/alpaca:http"))
                                .containsExactly(new Endpoint("127.0.0.1", 41000, "alpaca-0"))),
                new Case(
                        "endpoints_slicesWinOverLegacyEndpoints_noDuplicates",
                        DEFAULTS,
                        List.of(
                                OUR_CLASS,
                                ingress("a", "a.example.com", "alpaca", 8080),
                                service("alpaca", null, 8080, 80),
                                slice("alpaca-1", "alpaca", null, 80, ready),
                                """
                                apiVersion: v1
                                kind: Endpoints
                                metadata: {name: alpaca, namespace: default}
                                subsets: [{addresses: [{ip: 10.9.9.9}], ports: [{port: 80}]}]
                                """),
                        t -> assertThat(endpoints(t, "default/alpaca:8080"))
                                .extracting(Endpoint::address)
                                .containsExactly("10.0.0.1")),
                new Case(
                        "services_missingService_isAProblem_otherRulesKeepServing",
                        DEFAULTS,
                        List.of(
                                OUR_CLASS,
                                ingress("a", "a.example.com", "alpaca", 8080),
                                ingress("b", "b.example.com", "bandicoot", 8080),
                                service("bandicoot", null, 8080, 80),
                                slice("bandicoot-1", "bandicoot", null, 80, ready)),
                        t -> {
                            assertThat(paths(t)).containsExactly("a.example.com / PREFIX", "b.example.com / PREFIX");
                            assertThat(endpoints(t, "default/alpaca:8080")).isEmpty();
                            assertThat(endpoints(t, "default/bandicoot:8080")).hasSize(1);
                            assertThat(t.problems())
                                    .containsExactly(
                                            new Problem(
                                                    "Ingress default/a",
                                                    "Service default/alpaca not found; backend default/alpaca:8080 has no endpoints"));
                        }),
                new Case(
                        "services_externalName_resolvesToTheExternalHost",
                        DEFAULTS,
                        List.of(OUR_CLASS, ingress("a", "a.example.com", "ext", 443), """
                                apiVersion: v1
                                kind: Service
                                metadata: {name: ext, namespace: default}
                                spec: {type: ExternalName, externalName: api.example.net, ports: [{port: 443}]}
                                """),
                        t -> assertThat(endpoints(t, "default/ext:443"))
                                .containsExactly(new Endpoint("api.example.net", 443, null))),
                new Case(
                        "services_externalNameOfThisHostOrItsLink_isRefused",
                        DEFAULTS,
                        List.of(
                                OUR_CLASS,
                                ingress("a", "a.example.com", "admin", 10254),
                                ingress("b", "b.example.com", "loop", 10254),
                                ingress("c", "c.example.com", "meta", 80),
                                ingress("d", "d.example.com", "sub", 80),
                                ingress("e", "e.example.com", "mapped", 80),
                                externalName("admin", "localhost", 10254),
                                externalName("loop", "127.0.0.2", 10254),
                                externalName("meta", "169.254.169.254", 80),
                                externalName("sub", "debug.LOCALHOST.", 80),
                                externalName("mapped", "::ffff:127.0.0.1", 80)),
                        t -> {
                            for (String service :
                                    List.of("admin:10254", "loop:10254", "meta:80", "sub:80", "mapped:80")) {
                                assertThat(endpoints(t, "default/" + service)).isEmpty();
                            }
                            assertThat(t.problems()).hasSize(5);
                            assertThat(t.problems().get(0))
                                    .isEqualTo(
                                            new Problem(
                                                    "Ingress default/a",
                                                    "Service default/admin is an ExternalName for 'localhost', a name of the"
                                                            + " local host (RFC 6761): refused, so that no Service can point"
                                                            + " Usher at itself; backend default/admin:10254 has no endpoints"));
                            assertThat(t.problems())
                                    .allSatisfy(p -> assertThat(p.message()).contains(": refused, so that no Service"));
                        }));
    }

    @Test
    void externalNameServices_disabled_areRefused_bothInARebuildAndAnEndpointsUpdate() {
        KubeObjects objects = Yaml.kube(
                OUR_CLASS, ingress("a", "a.example.com", "ext", 443), externalName("ext", "api.example.net", 443));
        WatcherSettings disabled = DEFAULTS.withExternalNameServices(false);

        Translation t = Translator.translate(objects, disabled);

        assertThat(endpoints(t, "default/ext:443")).isEmpty();
        assertThat(t.problems())
                .containsExactly(new Problem(
                        "Ingress default/a",
                        "Service default/ext is an ExternalName for 'api.example.net': refused,"
                                + " --disable-svc-external-name is set; backend default/ext:443 has no endpoints"));
        BackendRef ext = BackendRef.parse("default/ext:443");
        assertThat(Translator.endpoints(objects, List.of(ext), disabled).get(ext))
                .isEmpty();
        assertThat(Translator.endpoints(objects, List.of(ext), DEFAULTS).get(ext))
                .containsExactly(new Endpoint("api.example.net", 443, null));
    }

    private static String externalName(String name, String externalName, int port) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: %s, namespace: default}
                spec: {type: ExternalName, externalName: "%s", ports: [{port: %d}]}
                """.formatted(name, externalName, port);
    }

    static Stream<Case> legacyAndDefaults() {
        String simple = """
                apiVersion: extensions/v1beta1
                kind: Ingress
                metadata: {name: simple-ingress}
                spec:
                  backend: {serviceName: alpaca, servicePort: 8080}
                """;
        String path = """
                apiVersion: networking.k8s.io/v1beta1
                kind: Ingress
                metadata: {name: path-ingress}
                spec:
                  rules:
                  - host: bandicoot.example.com
                    http:
                      paths:
                      - {path: "/", backend: {serviceName: bandicoot, servicePort: 8080}}
                      - {path: "/a/", backend: {serviceName: alpaca, servicePort: http}}
                """;
        WatcherSettings withoutClass = DEFAULTS.withWatchIngressWithoutClass(true);
        return Stream.of(
                new Case(
                        "legacy_extensionsV1beta1Backend_becomesTheIngressDefaultBackend",
                        withoutClass,
                        List.of(simple),
                        t -> assertThat(t.ruleSets()).singleElement().satisfies(r -> {
                            assertThat(r.id()).isEqualTo("default/simple-ingress");
                            assertThat(r.defaultBackend()).isEqualTo(BackendRef.parse("default/alpaca:8080"));
                        })),
                new Case(
                        "legacy_networkingV1beta1Paths_countAsImplementationSpecific_servicePortNameIsNamed",
                        withoutClass,
                        List.of(path),
                        t -> assertThat(t.ruleSets().get(0).rules().get(0).paths())
                                .containsExactly(
                                        new PathRule(
                                                "/",
                                                PathType.IMPLEMENTATION_SPECIFIC,
                                                BackendRef.parse("default/bandicoot:8080")),
                                        new PathRule(
                                                "/a/",
                                                PathType.IMPLEMENTATION_SPECIFIC,
                                                BackendRef.parse("default/alpaca:http")))),
                new Case(
                        "defaults_defaultBackendFlag_isCarriedAndResolved",
                        DEFAULTS.withDefaultBackend(BackendRef.parse("default/be-default:8080")),
                        List.of(
                                service("be-default", null, 8080, 80),
                                slice("be-1", "be-default", null, 80, "{addresses: [10.1.1.1]}")),
                        t -> {
                            assertThat(t.defaultBackend()).isEqualTo(BackendRef.parse("default/be-default:8080"));
                            assertThat(endpoints(t, "default/be-default:8080")).hasSize(1);
                        }),
                new Case(
                        "defaults_defaultBackendFlagWithoutService_isAProblem",
                        DEFAULTS.withDefaultBackend(BackendRef.parse("default/be-default:8080")),
                        List.of(OUR_CLASS),
                        t -> assertThat(t.problems())
                                .extracting(Problem::source)
                                .containsExactly("--default-backend")));
    }

    static Stream<Case> nginxAnnotations() {
        String annotated = ingress("a", "a.example.com", "alpaca", 8080)
                .replace("namespace: default}", "namespace: default, annotations: {%s}}");
        String n = "nginx.ingress.kubernetes.io/";
        return Stream.of(
                new Case(
                        "nginxAnnotations_sslRedirectFalse_isHonouredAsUshersRedirectOff",
                        DEFAULTS,
                        List.of(OUR_CLASS, annotated.formatted(n + "ssl-redirect: 'false'")),
                        t -> {
                            assertThat(t.ruleSets().get(0).options().sslRedirect())
                                    .isFalse();
                            assertThat(ownMessages(t)).isEmpty();
                        }),
                new Case(
                        "nginxAnnotations_ushersOwnSslRedirect_winsOverNginxs",
                        DEFAULTS,
                        List.of(
                                OUR_CLASS,
                                annotated.formatted(n + "ssl-redirect: 'false', usher.dev/ssl-redirect: " + "'true'")),
                        t -> assertThat(t.ruleSets().get(0).options().sslRedirect())
                                .isTrue()),
                new Case(
                        "nginxAnnotations_proxyRequestBufferingOff_isHonouredAsStreaming",
                        DEFAULTS,
                        List.of(OUR_CLASS, annotated.formatted(n + "proxy-request-buffering: 'off'")),
                        t -> assertThat(t.ruleSets().get(0).options().requestBuffering())
                                .isFalse()),
                new Case(
                        "nginxAnnotations_bufferingKnob_needsNoEffectAndIsNoProblem",
                        DEFAULTS,
                        List.of(
                                OUR_CLASS,
                                annotated.formatted(n + "proxy-buffering: 'off', " + n + "proxy-buffer-size: 16k")),
                        t -> assertThat(ownMessages(t)).isEmpty()),
                new Case(
                        "nginxAnnotations_snippet_isRefusedLoudly_andNeverChangesRouting",
                        DEFAULTS,
                        List.of(
                                OUR_CLASS,
                                annotated.formatted(n + "configuration-snippet: 'proxy_pass http://evil;', " + n
                                        + "server-snippet: 'location / {}'")),
                        t -> {
                            assertThat(ownMessages(t))
                                    .containsExactly(
                                            "annotation " + n + "configuration-snippet: refused: snippets would inject "
                                                    + "configuration (IngressNightmare); Usher reads a "
                                                    + "configuration-snippet only when it holds nothing but header "
                                                    + "directives and a redirecting return, not here: 'proxy_pass' is"
                                                    + " not a header "
                                                    + "directive (more_set_headers, more_clear_headers, add_header, "
                                                    + "proxy_hide_header, proxy_set_header, more_set_input_headers, "
                                                    + "more_clear_input_headers)",
                                            "annotation " + n + "server-snippet: refused: snippets would inject "
                                                    + "configuration (IngressNightmare)");
                            Translation plain = Translator.translate(
                                    Yaml.kube(OUR_CLASS, ingress("a", "a.example.com", "alpaca", 8080)), DEFAULTS);
                            assertThat(t.ruleSets()).isEqualTo(plain.ruleSets());
                        }),
                new Case(
                        "nginxSnippet_hostAndUpstreamVhost_theAnnotationsHostWins_reported",
                        DEFAULTS,
                        List.of(
                                OUR_CLASS,
                                annotated.formatted(n + "upstream-vhost: app.internal, " + n
                                        + "configuration-snippet: 'proxy_set_header Host $host; "
                                        + "proxy_set_header X-Via $http_via;'")),
                        t -> {
                            assertThat(t.ruleSets().get(0).options().requestHeaderEdits())
                                    .extracting(e -> e.name())
                                    .containsExactly("x-via");
                            assertThat(ownMessages(t))
                                    .containsExactly("configuration-snippet: proxy_set_header Host is not applied:"
                                            + " upstream-vhost sets the origin's Host");
                        }),
                new Case(
                        "nginxAnnotations_anyKeyEndingInSnippet_isRefused",
                        DEFAULTS,
                        List.of(OUR_CLASS, annotated.formatted(n + "location-snippet: x")),
                        t -> assertThat(ownMessages(t))
                                .singleElement()
                                .asString()
                                .contains("refused")),
                new Case(
                        "nginxAnnotations_unsupportedKey_isReported_andTheIngressServes",
                        DEFAULTS,
                        List.of(OUR_CLASS, annotated.formatted(n + "enable-opentelemetry: 'true'")),
                        t -> {
                            assertThat(paths(t)).containsExactly("a.example.com / PREFIX");
                            assertThat(ownMessages(t))
                                    .singleElement()
                                    .asString()
                                    .startsWith("annotation " + n + "enable-opentelemetry: unsupported: ");
                        }),
                new Case(
                        "nginxAnnotations_problems_carryTheirReason_forTheMetric",
                        DEFAULTS,
                        List.of(
                                OUR_CLASS,
                                annotated.formatted(n + "enable-opentelemetry: 'true', " + n + "use-regex: 'yes', " + n
                                        + "server-snippet: x, " + n + "proxy-write-timeout: '5'")),
                        t -> assertThat(t.problems().stream()
                                        .filter(p -> !p.message().contains("Service default/alpaca not found"))
                                        .map(Problem::reason))
                                .containsExactlyInAnyOrder(
                                        Problem.ANNOTATION_UNSUPPORTED,
                                        Problem.ANNOTATION_INVALID,
                                        Problem.ANNOTATION_REFUSED,
                                        Problem.ANNOTATION_UNKNOWN)),
                new Case(
                        "nginxAnnotations_useRegexTrue_isHonoured",
                        DEFAULTS,
                        List.of(OUR_CLASS, annotated.formatted(n + "use-regex: 'true'")),
                        t -> {
                            assertThat(t.ruleSets().get(0).options().nginxPaths())
                                    .isEqualTo(new NginxPaths(true, null));
                            assertThat(ownMessages(t)).isEmpty();
                        }),
                new Case(
                        "nginxAnnotations_useRegexNotABoolean_isInvalid_andRegexStaysOff",
                        DEFAULTS,
                        List.of(OUR_CLASS, annotated.formatted(n + "use-regex: 'yes'")),
                        t -> {
                            assertThat(t.ruleSets().get(0).options().nginxPaths())
                                    .isEqualTo(NginxPaths.NONE);
                            assertThat(ownMessages(t))
                                    .singleElement()
                                    .asString()
                                    .startsWith("annotation " + n + "use-regex: invalid: ");
                        }),
                new Case(
                        "nginxAnnotations_rewriteTargetWithCaptures_isHonoured",
                        DEFAULTS,
                        List.of(OUR_CLASS, annotated.formatted(n + "rewrite-target: /$2")),
                        t -> {
                            assertThat(t.ruleSets().get(0).options().nginxPaths())
                                    .isEqualTo(new NginxPaths(false, "/$2"));
                            assertThat(ownMessages(t)).isEmpty();
                        }),
                new Case(
                        "nginxAnnotations_rewriteTargetWithAnNginxVariable_isHonoured",
                        DEFAULTS,
                        List.of(OUR_CLASS, annotated.formatted(n + "rewrite-target: /$host/$1")),
                        t -> {
                            assertThat(t.ruleSets().get(0).options().nginxPaths())
                                    .isEqualTo(new NginxPaths(false, "/$host/$1"));
                            assertThat(ownMessages(t)).isEmpty();
                        }),
                new Case(
                        "nginxAnnotations_rewriteTargetStartingWithAVariable_isHonoured",
                        DEFAULTS,
                        List.of(OUR_CLASS, annotated.formatted(n + "rewrite-target: '${namespace}/$service_name$2'")),
                        t -> {
                            assertThat(t.ruleSets().get(0).options().nginxPaths())
                                    .isEqualTo(new NginxPaths(false, "${namespace}/$service_name$2"));
                            assertThat(ownMessages(t)).isEmpty();
                        }),
                new Case(
                        "nginxAnnotations_rewriteTargetWithAnUnknownVariable_isInvalid_andIgnored",
                        DEFAULTS,
                        List.of(OUR_CLASS, annotated.formatted(n + "rewrite-target: /$http_x_user/$1")),
                        t -> {
                            assertThat(t.ruleSets().get(0).options().nginxPaths())
                                    .isEqualTo(NginxPaths.NONE);
                            assertThat(ownMessages(t))
                                    .singleElement()
                                    .asString()
                                    .startsWith("annotation " + n + "rewrite-target: invalid: ")
                                    .contains("$http_x_user");
                        }),
                new Case(
                        "nginxAnnotations_rewriteTargetAbsoluteUrl_isHonoured",
                        DEFAULTS,
                        List.of(OUR_CLASS, annotated.formatted(n + "rewrite-target: 'https://x.org/$1'")),
                        t -> {
                            assertThat(t.ruleSets().get(0).options().nginxPaths())
                                    .isEqualTo(new NginxPaths(false, "https://x.org/$1"));
                            assertThat(ownMessages(t)).isEmpty();
                        }),
                new Case(
                        "nginxAnnotations_rewriteTargetAbsoluteUrlWithVariables_isHonoured",
                        DEFAULTS,
                        List.of(
                                OUR_CLASS,
                                annotated.formatted(n + "rewrite-target: '$scheme://$host:8443$request_uri'")),
                        t -> {
                            assertThat(t.ruleSets().get(0).options().nginxPaths())
                                    .isEqualTo(new NginxPaths(false, "$scheme://$host:8443$request_uri"));
                            assertThat(ownMessages(t)).isEmpty();
                        }),
                new Case(
                        "nginxAnnotations_rewriteTargetAbsoluteUrlWithQuery_isHonoured",
                        DEFAULTS,
                        List.of(
                                OUR_CLASS,
                                annotated.formatted(
                                        n + "rewrite-target: 'http://x.org/login?rd=$escaped_request_uri'")),
                        t -> {
                            assertThat(t.ruleSets().get(0).options().nginxPaths())
                                    .isEqualTo(new NginxPaths(false, "http://x.org/login?rd=$escaped_request_uri"));
                            assertThat(ownMessages(t)).isEmpty();
                        }),
                new Case(
                        "nginxAnnotations_rewriteTargetAbsoluteUrlWithACaptureInItsHost_isInvalid",
                        DEFAULTS,
                        List.of(OUR_CLASS, annotated.formatted(n + "rewrite-target: 'https://x.org$1'")),
                        t -> {
                            assertThat(t.ruleSets().get(0).options().nginxPaths())
                                    .isEqualTo(NginxPaths.NONE);
                            assertThat(ownMessages(t))
                                    .singleElement()
                                    .asString()
                                    .startsWith("annotation " + n + "rewrite-target: invalid: ")
                                    .contains("capture");
                        }),
                new Case(
                        "nginxAnnotations_rewriteTargetAbsoluteUrlWithAClientVariableInItsHost_isInvalid",
                        DEFAULTS,
                        List.of(OUR_CLASS, annotated.formatted(n + "rewrite-target: 'https://$remote_addr/'")),
                        t -> {
                            assertThat(t.ruleSets().get(0).options().nginxPaths())
                                    .isEqualTo(NginxPaths.NONE);
                            assertThat(ownMessages(t))
                                    .singleElement()
                                    .asString()
                                    .startsWith("annotation " + n + "rewrite-target: invalid: ")
                                    .contains("$remote_addr");
                        }),
                new Case(
                        "nginxAnnotations_rewriteTargetAbsoluteUrlWithASpace_isInvalid",
                        DEFAULTS,
                        List.of(OUR_CLASS, annotated.formatted(n + "rewrite-target: 'https://x.org/a b'")),
                        t -> {
                            assertThat(t.ruleSets().get(0).options().nginxPaths())
                                    .isEqualTo(NginxPaths.NONE);
                            assertThat(ownMessages(t))
                                    .singleElement()
                                    .asString()
                                    .startsWith("annotation " + n + "rewrite-target: invalid: ");
                        }),
                new Case(
                        "nginxAnnotations_rewriteTargetWithCrLf_isInvalid",
                        DEFAULTS,
                        List.of(OUR_CLASS, annotated.formatted(n + "rewrite-target: \"/$1\\r\\nX: y\"")),
                        t -> {
                            assertThat(t.ruleSets().get(0).options().nginxPaths())
                                    .isEqualTo(NginxPaths.NONE);
                            assertThat(ownMessages(t))
                                    .singleElement()
                                    .asString()
                                    .contains("invalid")
                                    .doesNotContain("\r");
                        }),
                new Case(
                        "nginxAnnotations_pathRe2CannotCompileOnARegexHost_isSkippedWithProblem_acrossIngresses",
                        DEFAULTS,
                        List.of(
                                OUR_CLASS,
                                annotated.formatted(n + "use-regex: 'true'"),
                                ingress("b", "a.example.com", "alpaca", 8080)
                                        .replace("path: /,", "path: '/(a)\\1',")
                                        .replace("pathType: Prefix", "pathType: ImplementationSpecific"),
                                ingress("c", "c.example.com", "alpaca", 8080)
                                        .replace("path: /,", "path: '/(a)\\1',")
                                        .replace("pathType: Prefix", "pathType: ImplementationSpecific")),
                        t -> {
                            assertThat(paths(t))
                                    .containsExactlyInAnyOrder(
                                            "a.example.com / PREFIX", "c.example.com /(a)\\1 IMPLEMENTATION_SPECIFIC");
                            assertThat(ownMessages(t))
                                    .singleElement()
                                    .asString()
                                    .contains("host a.example.com is in regex mode", "'/(a)\\1'", "path skipped");
                        }),
                new Case(
                        "nginxAnnotations_inventedKey_isUnknownWithTheKeyMeant",
                        DEFAULTS,
                        List.of(OUR_CLASS, annotated.formatted(n + "proxy-write-timeout: '60'")),
                        t -> assertThat(ownMessages(t))
                                .containsExactly("annotation " + n + "proxy-write-timeout: "
                                        + "unknown: not a real annotation; did you mean `" + n
                                        + "proxy-send-timeout`?")),
                new Case(
                        "nginxAnnotations_misspelledKey_isUnknownWithTheNearestKeyByEditDistance",
                        DEFAULTS,
                        List.of(OUR_CLASS, annotated.formatted(n + "proxy-read-timout: '60'")),
                        t -> assertThat(ownMessages(t))
                                .singleElement()
                                .asString()
                                .endsWith("did you mean `" + n + "proxy-read-timeout`?")),
                new Case(
                        "nginxAnnotations_misspelledUsherKey_isUnknownWithTheNearestUsherKey",
                        DEFAULTS,
                        List.of(OUR_CLASS, annotated.formatted("usher.dev/rewrite-targte: /x")),
                        t -> assertThat(ownMessages(t))
                                .singleElement()
                                .asString()
                                .endsWith("did you mean `usher.dev/rewrite-target`?")),
                new Case(
                        "nginxAnnotations_invalidValue_isReported_andTheDefaultStays",
                        DEFAULTS,
                        List.of(OUR_CLASS, annotated.formatted(n + "ssl-redirect: nope")),
                        t -> {
                            assertThat(t.ruleSets().get(0).options().sslRedirect())
                                    .isTrue();
                            assertThat(ownMessages(t))
                                    .singleElement()
                                    .asString()
                                    .startsWith("annotation " + n + "ssl-redirect: invalid: ");
                        }),
                new Case(
                        "nginxAnnotations_otherPrefixes_areNotUshersToJudge",
                        DEFAULTS,
                        List.of(OUR_CLASS, annotated.formatted("cert-manager.io/cluster-issuer: le")),
                        t -> assertThat(ownMessages(t)).isEmpty()),
                new Case(
                        "nginxAnnotations_onAnIngressWeDoNotServe_areNotReported",
                        DEFAULTS,
                        List.of(
                                FOREIGN_CLASS,
                                annotated
                                        .formatted(n + "server-snippet: x")
                                        .replace("ingressClassName: usher", "ingressClassName: nginx")),
                        t -> assertThat(t.problems()).isEmpty()));
    }

    private static void taken(Translation t, String... ids) {
        assertThat(t.ruleSets()).extracting(IngressRuleSet::id).containsExactly(ids);
    }

    private static List<String> paths(Translation t) {
        return t.ruleSets().stream()
                .flatMap(r -> r.rules().stream())
                .flatMap((HostRule h) -> h.paths().stream().map(p -> h.host() + " " + p.path() + " " + p.type()))
                .toList();
    }

    /** The problems besides the missing Service that the short Ingress fixtures point at. */
    /**
     * A case on one Ingress of our class carrying {@code annotations} (entries of a YAML flow map; null: none): the
     * rule set's {@code option} must be {@code expected}.
     */
    private static Case option(
            String name, String annotations, Function<RouteOptions, Object> option, Object expected) {
        return new Case(name, DEFAULTS, List.of(OUR_CLASS, annotated(annotations)), t -> assertThat(
                        option.apply(t.ruleSets().get(0).options()))
                .isEqualTo(expected));
    }

    /** The same, and a problem whose message contains {@code problem} is reported. */
    private static Case optionWithProblem(
            String name, String annotations, Function<RouteOptions, Object> option, Object expected, String problem) {
        return new Case(name, DEFAULTS, List.of(OUR_CLASS, annotated(annotations)), t -> {
            assertThat(option.apply(t.ruleSets().get(0).options())).isEqualTo(expected);
            assertThat(messages(t)).anyMatch(m -> m.contains(problem));
        });
    }

    /** Ingress a (a.example.com → alpaca:8080) with {@code annotations}, or none when null. */
    private static String annotated(String annotations) {
        String plain = ingress("a", "a.example.com", "alpaca", 8080);
        return annotations == null
                ? plain
                : plain.replace("namespace: default}", "namespace: default, annotations: {" + annotations + "}}");
    }

    private static List<String> ownMessages(Translation t) {
        return messages(t).stream()
                .filter(m -> !m.contains("Service default/alpaca not found"))
                .toList();
    }

    private static List<String> messages(Translation t) {
        return t.problems().stream().map(Problem::message).toList();
    }

    private static List<Endpoint> endpoints(Translation t, String ref) {
        return t.endpoints().get(BackendRef.parse(ref));
    }
}
