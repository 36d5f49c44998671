package dev.usher.k8s.translate;

import static dev.usher.k8s.translate.Yaml.OUR_CLASS;
import static dev.usher.k8s.translate.Yaml.ingress;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.usher.k8s.translate.Annotations.Status;
import dev.usher.routing.ExternalAuth;
import dev.usher.routing.RouteOptions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * ingress-nginx's global external authentication ({@code --global-auth-*}, its ConfigMap's {@code global-auth-*}):
 * applied to every Ingress without its own {@code auth-url} unless {@code enable-global-auth: "false"}, checked at
 * start-up with the annotations' own checks.
 */
final class NginxGlobalAuthTranslationTest {

    private static final String N = "nginx.ingress.kubernetes.io/";
    private static final GlobalAuth GLOBAL = GlobalAuth.of(Map.of(
            "auth-url", "http://global.example/check",
            "auth-signin", "https://login.example/start",
            "auth-response-headers", "X-User",
            "auth-cache-key", "$http_authorization"));

    private static Translation translate(String annotations, GlobalAuth global) {
        String annotated = ingress("a", "a.example.com", "alpaca", 8080)
                .replace("namespace: default}", "namespace: default, annotations: {" + annotations + "}}");
        return Translator.translate(
                Yaml.kube(OUR_CLASS, annotated), WatcherSettings.defaults().withGlobalAuth(global));
    }

    private static RouteOptions options(String annotations, GlobalAuth global) {
        Translation t = translate(annotations, global);
        assertThat(t.ruleSets()).hasSize(1);
        return t.ruleSets().get(0).options();
    }

    @Test
    void globalAuth_appliesToAnIngressWithoutItsOwn() {
        ExternalAuth auth = options("", GLOBAL).externalAuth();

        assertThat(auth).isNotNull();
        assertThat(auth.url()).hasToString("http://global.example/check");
        assertThat(auth.signin()).hasToString("https://login.example/start");
        assertThat(auth.responseHeaders()).containsExactly("x-user");
        assertThat(auth.cacheKey()).isNotNull();
        assertThat(options("", GLOBAL).denied()).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "enable-global-auth: 'false'|",
                "enable-global-auth: 'FALSE'|",
            })
    void enableGlobalAuthFalse_optsOut(String annotation) {
        assertThat(options(N + annotation, GLOBAL).externalAuth()).isNull();
    }

    @Test
    void enableGlobalAuth_trueOrInvalid_keepsItOn_andInvalidIsReported() {
        assertThat(options(N + "enable-global-auth: 'true'", GLOBAL).externalAuth())
                .isNotNull();
        Translation t = translate(N + "enable-global-auth: 'no'", GLOBAL);
        assertThat(t.ruleSets().get(0).options().externalAuth()).isNotNull(); // fails closed: still authenticated
        assertThat(t.problems()).anySatisfy(p -> assertThat(p.message())
                .contains(N + "enable-global-auth")
                .contains("expected \"true\" or \"false\""));
    }

    @Test
    void ownAuthUrl_wins_withItsOwnKeysOnly() {
        ExternalAuth auth =
                options(N + "auth-url: 'http://own.example/check'", GLOBAL).externalAuth();

        assertThat(auth).isNotNull();
        assertThat(auth.url()).hasToString("http://own.example/check");
        assertThat(auth.signin()).isNull();
        assertThat(auth.responseHeaders()).isEmpty();
        assertThat(auth.cacheKey()).isNull();
    }

    @Test
    void ownAuthKeysWithoutAuthUrl_doNotChangeTheGlobalOnes() {
        ExternalAuth auth =
                options(N + "auth-response-headers: 'X-Admin'", GLOBAL).externalAuth();

        assertThat(auth).isNotNull();
        assertThat(auth.responseHeaders()).containsExactly("x-user");
    }

    @Test
    void withoutGlobalAuth_nothingChanges() {
        assertThat(options("", null).externalAuth()).isNull();
        assertThat(Annotations.classify(N + "enable-global-auth", "false").status())
                .isEqualTo(Status.HONOURED);
        assertThat(Annotations.classify(N + "enable-global-auth", "maybe").status())
                .isEqualTo(Status.INVALID);
    }

    @Test
    void enableGlobalAuth_hasNoEffectWithoutTheFlag_asUsherCheckReportsIt() {
        Map<String, String> optOut = Map.of(N + "enable-global-auth", "false");
        assertThat(Annotations.audit(optOut, WatcherSettings.defaults()))
                .singleElement()
                .satisfies(v -> {
                    assertThat(v.status()).isEqualTo(Status.NO_EFFECT);
                    assertThat(v.reason()).contains("--global-auth-url");
                });
        assertThat(Annotations.audit(optOut, WatcherSettings.defaults().withGlobalAuth(GLOBAL)))
                .singleElement()
                .extracting(Annotations.Verdict::status)
                .isEqualTo(Status.HONOURED);
        // an invalid value stays reported either way (it would keep global auth on)
        assertThat(Annotations.audit(Map.of(N + "enable-global-auth", "maybe"), WatcherSettings.defaults()))
                .singleElement()
                .extracting(Annotations.Verdict::status)
                .isEqualTo(Status.INVALID);
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "auth-url|ftp://auth.example/|--global-auth-url: 'ftp://auth.example/' expected an absolute http",
                "auth-url|http://$req_id/|--global-auth-url: 'http://$req_id/' $request_id (or $req_id) is the client's",
                "auth-url|http://$http_x/|--global-auth-url: 'http://$http_x/' $http_*",
                "auth-method|GIT|--global-auth-method: 'GIT' expected an HTTP method",
                "auth-response-headers|Content-Length|--global-auth-response-headers: 'Content-Length' 'Content-Length'"
                        + " is set by the proxy itself",
                "auth-signin-redirect-param|r d|--global-auth-signin-redirect-param: 'r d' expected a query parameter",
                "auth-always-set-cookie|yes|--global-auth-always-set-cookie: 'yes' expected \"true\" or \"false\"",
                "auth-cache-duration|5 parsecs|--global-auth-cache-duration: '5 parsecs' expected comma-separated",
            })
    void invalidFlagValue_isRefusedAtStartUp_withTheAnnotationsCheck(String name, String value, String message) {
        Map<String, String> values = new HashMap<>(Map.of(name, value));
        values.putIfAbsent("auth-url", "http://auth.example/check");

        assertThatThrownBy(() -> GlobalAuth.of(values))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message)
                .message()
                .doesNotContain("503");
    }

    @Test
    void otherKeys_needTheUrl_andNoneMeansNoGlobalAuth() {
        assertThatThrownBy(() -> GlobalAuth.of(Map.of("auth-signin", "https://login.example/")))
                .hasMessage("--global-auth-signin needs --global-auth-url");
        assertThatThrownBy(() -> GlobalAuth.of(Map.of("auth-url", " ")))
                .hasMessageStartingWith("--global-auth-url: ' ' names no URL");
        assertThat(GlobalAuth.of(Map.of())).isNull();
        assertThat(GlobalAuth.NAMES)
                .allSatisfy(
                        name -> assertThat(NginxHonoured.covers(name)).as(name).isTrue());
        assertThat(List.of(
                        "auth-keepalive",
                        "auth-keepalive-requests",
                        "auth-keepalive-share-vars",
                        "auth-keepalive-timeout"))
                .allSatisfy(
                        name -> assertThat(Annotations.classify(N + name, "10").status())
                                .isEqualTo(Status.NO_EFFECT));
    }
}
