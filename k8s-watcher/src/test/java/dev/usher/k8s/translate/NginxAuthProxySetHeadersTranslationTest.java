package dev.usher.k8s.translate;

import static dev.usher.k8s.translate.Yaml.OUR_CLASS;
import static dev.usher.k8s.translate.Yaml.ingress;
import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.routing.ExternalAuth;
import dev.usher.routing.HeaderEdit;
import dev.usher.routing.NginxTemplate;
import dev.usher.routing.ObjectRef;
import dev.usher.routing.RouteOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ingress-nginx's {@code auth-proxy-set-headers} in the translator: a ConfigMap's data becomes the fields of the
 * {@code auth-url} request ({@link ExternalAuth#proxySetHeaders}), values with variables as templates, and nothing of
 * the origin's request or the client's response; a missing or foreign ConfigMap, a bad name or value or a variable
 * Usher does not expand fails closed (503) with a problem; without the Ingress's own auth-url it has no effect.
 */
final class NginxAuthProxySetHeadersTranslationTest {

    private static final String N = "nginx.ingress.kubernetes.io/";
    private static final String AUTH = N + "auth-url: 'http://auth.default.svc/check', ";

    @Test
    void aValidConfigMap_setsItsFieldsOnTheAuthRequestOnly_templatesForVariables() {
        Translation t = translate(
                AUTH + N + "auth-proxy-set-headers: default/auth-headers",
                configMap(
                        "auth-headers",
                        "{X-Team: '  blue  ', X-Client: 'ip=$remote_addr host=${host}', X-Price: 'costs 5$ ($)',"
                                + " X-Drop: ' '}"));

        RouteOptions options = t.ruleSets().get(0).options();
        assertThat(options.denied()).isNull();
        ExternalAuth auth = options.externalAuth();
        assertThat(auth).isNotNull();
        assertThat(auth.proxySetHeaders())
                .containsExactly(
                        new HeaderEdit(
                                "x-client",
                                "ip=$remote_addr host=${host}",
                                HeaderEdit.Mode.SET,
                                NginxTemplate.parse("ip=$remote_addr host=${host}")),
                        new HeaderEdit("x-drop", null, HeaderEdit.Mode.CLEAR), // nginx sends no field for ''
                        new HeaderEdit("x-price", "costs 5$ ($)", HeaderEdit.Mode.SET), // a lone $: literal
                        new HeaderEdit("x-team", "blue", HeaderEdit.Mode.SET));
        // only the auth request: neither the origin's request nor the client's response is edited
        assertThat(options.requestHeaderEdits()).isEmpty();
        assertThat(options.headerEdits()).isEmpty();
        assertThat(own(t)).isEmpty();
    }

    @Test
    void withAnAuthCacheKey_theFieldsStay() {
        Translation t = translate(
                AUTH + N + "auth-cache-key: '$remote_user', " + N + "auth-proxy-set-headers: auth-headers",
                configMap("auth-headers", "{X-Team: blue}"));

        ExternalAuth auth = t.ruleSets().get(0).options().externalAuth();
        assertThat(auth).isNotNull();
        assertThat(auth.cacheKey()).isNotNull();
        assertThat(auth.proxySetHeaders()).containsExactly(new HeaderEdit("x-team", "blue", HeaderEdit.Mode.SET));
    }

    @Test
    void everyWayTheFieldsCannotBeSet_failsClosed_withAProblem() {
        String[][] cases = {
            {"missing", "ConfigMap default/missing not found"},
            {"other/auth-headers", "outside the Ingress's namespace"},
            {"bad-name", "'X Team' is not a header name ingress-nginx takes"},
            {"crlf-value", "the value of X-Team may hold only printable ASCII"},
            {"nul-value", "the value of X-Team may hold only printable ASCII"},
            {"utf8-value", "the value of X-Team may hold only printable ASCII"},
            {"proxy-owned", "Content-Length is the proxy's own field"},
            {"hop-by-hop", "Connection is the proxy's own field"},
            {"usher-sets", "X-Original-URL is set by Usher on every auth request"},
            {"host", "Host is set by Usher on every auth request"},
            {"twice", "is set twice"},
            {"msec", "the value of X-Request-Start: unknown nginx variable $msec"},
            {"capture", "the value of X-Price: unknown nginx variable $5"},
            {"unclosed", "the value of X-Team: '${host' is not closed"},
        };
        for (String[] c : cases) {
            Translation t = translate(
                    AUTH + N + "auth-proxy-set-headers: '" + c[0] + "'",
                    configMap("bad-name", "{'X Team': blue}"),
                    configMap("crlf-value", "{X-Team: \"a\\r\\nX-Admin: 1\"}"),
                    configMap("nul-value", "{X-Team: \"a\\u0000b\"}"),
                    configMap("utf8-value", "{X-Team: \"caf\\u00e9\"}"),
                    configMap("proxy-owned", "{Content-Length: '0'}"),
                    configMap("hop-by-hop", "{Connection: close}"),
                    configMap("usher-sets", "{X-Original-URL: 'http://elsewhere/'}"),
                    configMap("host", "{Host: auth.example}"),
                    configMap("twice", "{X-Team: blue, x-team: red}"),
                    configMap("capture", "{X-Price: 'costs $5'}"),
                    configMap("msec", "{X-Request-Start: 't=${msec}'}"),
                    configMap("unclosed", "{X-Team: '${host'}"),
                    configMap("auth-headers", "{X-Team: blue}").replace("namespace: default", "namespace: other"));
            RouteOptions options = t.ruleSets().get(0).options();
            assertThat(options.denied()).as(c[0]).contains(c[1]).endsWith("fails closed (503)");
            assertThat(own(t))
                    .as(c[0])
                    .singleElement()
                    .asString()
                    .startsWith("annotation " + N + "auth-proxy-set-headers: ")
                    .contains(c[1]);
        }
    }

    @Test
    void aBadReference_isTheAuditsInvalid_andFailsClosed() {
        Translation t = translate(AUTH + N + "auth-proxy-set-headers: 'a/b/c'");

        assertThat(t.ruleSets().get(0).options().denied()).contains("is not a ConfigMap name or namespace/name");
        assertThat(own(t)) // once, by the audit
                .singleElement()
                .asString()
                .contains("auth-proxy-set-headers")
                .contains("invalid");
    }

    @Test
    void withoutAuthUrl_ithasNoEffect_reported_andTheIngressServes() {
        Translation t =
                translate(N + "auth-proxy-set-headers: auth-headers", configMap("auth-headers", "{X-Team: blue}"));

        RouteOptions options = t.ruleSets().get(0).options();
        assertThat(options.denied()).isNull();
        assertThat(options.externalAuth()).isNull();
        assertThat(own(t)).singleElement().asString().contains("has no effect").contains("no auth-url");
        // a missing ConfigMap does not matter then either: nothing reads it
        Translation missing = translate(N + "auth-proxy-set-headers: missing");
        assertThat(missing.ruleSets().get(0).options().denied()).isNull();
    }

    @Test
    void withGlobalAuth_anIngressWithoutItsOwnAuthUrl_sendsNoneOfItsFields() {
        WatcherSettings settings = WatcherSettings.defaults()
                .withGlobalAuth(GlobalAuth.of(Map.of("auth-url", "http://global-auth.default.svc/check")));
        Translation t = Translator.translate(
                Yaml.kube(
                        OUR_CLASS,
                        annotated("a", N + "auth-proxy-set-headers: auth-headers"),
                        configMap("auth-headers", "{X-Team: blue}")),
                settings);

        ExternalAuth auth = t.ruleSets().get(0).options().externalAuth();
        assertThat(auth).isNotNull(); // the global one
        assertThat(auth.proxySetHeaders()).isEmpty();
    }

    @Test
    void audit_honoursTheAnnotationWithAuthUrl_noEffectWithout_invalidForABadName() {
        assertThat(Annotations.audit(
                        Map.of(N + "auth-url", "http://auth/", N + "auth-proxy-set-headers", "default/auth-headers")))
                .filteredOn(v -> v.key().endsWith("auth-proxy-set-headers"))
                .singleElement()
                .satisfies(v -> assertThat(v.status()).isEqualTo(Annotations.Status.HONOURED));
        assertThat(Annotations.audit(Map.of(N + "auth-proxy-set-headers", "auth-headers")))
                .singleElement()
                .satisfies(v -> assertThat(v.status()).isEqualTo(Annotations.Status.NO_EFFECT))
                .satisfies(v -> assertThat(v.reason()).contains("no auth-url"));
        assertThat(Annotations.classify(N + "auth-proxy-set-headers", "a/b/c").status())
                .isEqualTo(Annotations.Status.INVALID);
    }

    @Test
    void theClusterSourceWatches_theOwnNamespacesConfigMaps_ofIngressesOfOursWithAuthUrl() {
        KubeObjects objects = Yaml.kube(
                OUR_CLASS,
                annotated("a", AUTH + N + "auth-proxy-set-headers: auth-headers"),
                annotated("b", AUTH + N + "auth-proxy-set-headers: default/more, " + N + "custom-headers: headers"),
                annotated("c", AUTH + N + "auth-proxy-set-headers: other/theirs"),
                annotated("d", N + "auth-proxy-set-headers: no-auth-url"),
                annotated("e", AUTH + N + "auth-proxy-set-headers: mine")
                        .replace("ingressClassName: usher", "ingressClassName: nginx"));

        assertThat(Translator.configMaps(objects, WatcherSettings.defaults()))
                .containsExactly(
                        new ObjectRef("default", "auth-headers"),
                        new ObjectRef("default", "headers"),
                        new ObjectRef("default", "more"));
    }

    private static Translation translate(String annotations, String... configMaps) {
        List<String> docs = new ArrayList<>(List.of(OUR_CLASS, annotated("a", annotations)));
        docs.addAll(List.of(configMaps));
        return Translator.translate(Yaml.kube(docs.toArray(String[]::new)), WatcherSettings.defaults());
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
