package dev.usher.k8s.translate;

import static dev.usher.k8s.translate.Yaml.OUR_CLASS;
import static dev.usher.k8s.translate.Yaml.ingress;
import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.routing.HeaderEdit;
import dev.usher.routing.ObjectRef;
import dev.usher.routing.RouteOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ingress-nginx's {@code custom-headers} in the translator: a ConfigMap's data becomes {@code more_set_headers} edits
 * of every response of the Ingress when each name is allowed by {@code --global-allowed-response-headers} and names
 * and values pass ingress-nginx's patterns; anything else (and a missing or foreign ConfigMap) fails closed (503)
 * with a problem saying why.
 */
final class NginxCustomHeadersTranslationTest {

    private static final String N = "nginx.ingress.kubernetes.io/";
    private static final WatcherSettings ALLOWED =
            WatcherSettings.defaults().withAllowedResponseHeaders(List.of("X-Frame-Options", " x-team ", "X-Note"));

    @Test
    void aValidConfigMap_setsItsFieldsOnEveryResponse_literally_beforeTheSnippetsEdits() {
        Translation t = translate(
                ALLOWED,
                N + "custom-headers: default/headers, " + N
                        + "configuration-snippet: 'more_set_headers \"X-Note: snippet\";'",
                configMap("headers", "{X-Frame-Options: DENY, X-Team: '  blue  ', X-Note: 'costs $5 (${HOST})'}"));

        RouteOptions options = t.ruleSets().get(0).options();
        assertThat(options.denied()).isNull();
        assertThat(options.headerEdits())
                .containsExactly(
                        new HeaderEdit("x-frame-options", "DENY", HeaderEdit.Mode.SET),
                        new HeaderEdit("x-note", "costs $5 (${HOST})", HeaderEdit.Mode.SET),
                        new HeaderEdit("x-team", "blue", HeaderEdit.Mode.SET),
                        new HeaderEdit("x-note", "snippet", HeaderEdit.Mode.SET)); // the snippet's, last, wins
        // a $ is sent as written: ingress-nginx escapes it (${literal_dollar}), so nothing is expanded
        assertThat(options.headerEdits()).allMatch(e -> e.template() == null);
        assertThat(own(t)).isEmpty();
    }

    @Test
    void aNameAlone_isTheIngresssNamespace_andBlanksOnlyClearTheField() {
        Translation t = translate(ALLOWED, N + "custom-headers: headers", configMap("headers", "{X-Team: '  '}"));

        assertThat(t.ruleSets().get(0).options().headerEdits())
                .containsExactly(new HeaderEdit("x-team", null, HeaderEdit.Mode.CLEAR));
        assertThat(own(t)).isEmpty();
    }

    @Test
    void everyWayTheFieldsCannotBeSet_failsClosed_withAProblem() {
        String[][] cases = {
            {"missing", "ConfigMap default/missing not found"},
            {"other/headers", "outside the Ingress's namespace"},
            {"bad-name", "'X Frame' is not a header name ingress-nginx takes"},
            {"bad-value", "the value of X-Team is not one ingress-nginx takes"},
            {"crlf-value", "the value of X-Team is not one ingress-nginx takes"},
            {"not-allowed", "header Set-Cookie is not allowed: it is not in --global-allowed-response-headers"},
            {"Not_A_Name!", "is not a ConfigMap name or namespace/name"},
        };
        for (String[] c : cases) {
            Translation t = translate(
                    ALLOWED,
                    N + "custom-headers: '" + c[0] + "'",
                    configMap("bad-name", "{'X Frame': DENY}"),
                    configMap("bad-value", "{X-Team: \"caf\\u00e9\"}"),
                    configMap("crlf-value", "{X-Team: \"a\\r\\nSet-Cookie: x=1\"}"),
                    configMap("not-allowed", "{X-Team: blue, Set-Cookie: 'id=1'}"),
                    configMap("headers", "{X-Team: blue}").replace("namespace: default", "namespace: other"));
            RouteOptions options = t.ruleSets().get(0).options();
            assertThat(options.denied()).as(c[0]).contains(c[1]).endsWith("fails closed (503)");
            assertThat(options.headerEdits()).as(c[0]).isEmpty();
            assertThat(own(t)) // once: a value bad on its own is the annotation audit's "invalid"
                    .as(c[0])
                    .singleElement()
                    .asString()
                    .startsWith("annotation " + N + "custom-headers: ")
                    .contains(c[1]);
        }
    }

    @Test
    void withoutGlobalAllowedResponseHeaders_everyUseIsDenied_asInIngressNginx() {
        Translation t = translate(
                WatcherSettings.defaults(), N + "custom-headers: headers", configMap("headers", "{X-Team: blue}"));

        assertThat(t.ruleSets().get(0).options().denied())
                .contains("header X-Team is not allowed: --global-allowed-response-headers is empty");
    }

    @Test
    void theProxysOwnFields_areDeniedEvenWhenAllowed() {
        Translation t = translate(
                WatcherSettings.defaults().withAllowedResponseHeaders(List.of("content-length")),
                N + "custom-headers: headers",
                configMap("headers", "{Content-Length: '0'}"));

        assertThat(t.ruleSets().get(0).options().denied()).contains("the proxy's own field");
    }

    @Test
    void binaryData_isReported_andTheDataStillApplies() {
        Translation t = translate(
                ALLOWED,
                N + "custom-headers: headers",
                configMap("headers", "{X-Team: blue}\nbinaryData: {X-Note: Ymx1ZQ==}"));

        assertThat(t.ruleSets().get(0).options().headerEdits())
                .containsExactly(new HeaderEdit("x-team", "blue", HeaderEdit.Mode.SET));
        assertThat(own(t))
                .singleElement()
                .asString()
                .contains("binaryData is not read")
                .contains("X-Note");
    }

    @Test
    void audit_nowHonoursTheAnnotation_andABadNameIsInvalid() {
        assertThat(Annotations.classify(N + "custom-headers", "default/headers"))
                .satisfies(v -> assertThat(v.status()).isEqualTo(Annotations.Status.HONOURED))
                .satisfies(v -> assertThat(v.reason()).contains("--global-allowed-response-headers"));
        assertThat(Annotations.classify(N + "custom-headers", "headers").status())
                .isEqualTo(Annotations.Status.HONOURED);
        assertThat(Annotations.classify(N + "custom-headers", "a/b/c"))
                .satisfies(v -> assertThat(v.status()).isEqualTo(Annotations.Status.INVALID))
                .satisfies(v -> assertThat(v.reason()).endsWith("fails closed (503)"));
    }

    @Test
    void theClusterSourceWatches_onlyTheOwnNamespacesConfigMaps_ofIngressesOfOurs() {
        KubeObjects objects = Yaml.kube(
                OUR_CLASS,
                annotated("a", N + "custom-headers: headers"),
                annotated("b", N + "custom-headers: default/more"),
                annotated("c", N + "custom-headers: other/theirs"),
                annotated("d", N + "custom-headers: mine")
                        .replace("ingressClassName: usher", "ingressClassName: nginx"));

        assertThat(Translator.configMaps(objects, WatcherSettings.defaults()))
                .containsExactly(new ObjectRef("default", "headers"), new ObjectRef("default", "more"));
    }

    private static Translation translate(WatcherSettings settings, String annotations, String... configMaps) {
        List<String> docs = new ArrayList<>(List.of(OUR_CLASS, annotated("a", annotations)));
        docs.addAll(List.of(configMaps));
        return Translator.translate(Yaml.kube(docs.toArray(String[]::new)), settings);
    }

    private static String annotated(String name, String annotations) {
        return ingress(name, name + ".example.com", "alpaca", 8080)
                .replace("namespace: default}", "namespace: default, annotations: {" + annotations + "}}");
    }

    private static String configMap(String name, String data) {
        return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + ", namespace: default}\ndata: " + data
                + "\n";
    }

    private static List<String> own(Translation t) {
        return t.problems().stream()
                .map(Problem::message)
                .filter(m -> !m.contains("Service default/alpaca not found"))
                .toList();
    }
}
