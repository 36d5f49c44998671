package dev.usher.k8s.translate;

import static dev.usher.k8s.translate.Yaml.OUR_CLASS;
import static dev.usher.k8s.translate.Yaml.ingress;
import static dev.usher.k8s.translate.Yaml.service;
import static dev.usher.k8s.translate.Yaml.slice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.k8s.translate.Annotations.Status;
import dev.usher.k8s.translate.NginxOptionsTranslationTest.Row;
import dev.usher.routing.BackendRef;
import dev.usher.routing.CustomErrors;
import dev.usher.routing.Endpoint;
import dev.usher.routing.PortRef;
import dev.usher.routing.RouteOptions;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * ingress-nginx's {@code custom-http-errors} and {@code default-backend}: the codes become {@link CustomErrors} (400-599,
 * spaces and duplicates allowed, a bad list reported and ignored whole), and {@code default-backend} names a Service of
 * the Ingress's namespace whose first port becomes the error backend, with its endpoints resolved like any backend's;
 * an unknown Service is reported and ignored.
 */
final class NginxCustomErrorsTranslationTest extends NginxRowsTest {

    static Stream<Row> rows() {
        Function<RouteOptions, Object> errors = RouteOptions::customErrors;
        return Stream.of(
                new Row(N + "custom-http-errors: '503'", errors, new CustomErrors(Set.of(503), null), null),
                new Row(N + "custom-http-errors: ' 503 , 503'", errors, new CustomErrors(Set.of(503), null), null),
                new Row(N + "custom-http-errors: '404,503'", errors, new CustomErrors(Set.of(404, 503), null), null),
                new Row(
                        N + "custom-http-errors: '503, 404, 599'",
                        errors,
                        new CustomErrors(Set.of(404, 503, 599), null),
                        null),
                new Row(N + "custom-http-errors: '404,200'", errors, null, "custom-http-errors: invalid"),
                new Row(N + "custom-http-errors: '404,abc'", errors, null, "custom-http-errors: invalid"),
                new Row(N + "custom-http-errors: '4040'", errors, null, "custom-http-errors: invalid"),
                new Row(N + "custom-http-errors: '404,'", errors, null, "custom-http-errors: invalid"),
                new Row(N + "custom-http-errors: ''", errors, null, "custom-http-errors: invalid"),
                new Row(N + "default-backend: Errors_Svc", errors, null, "default-backend: invalid"),
                new Row(N + "default-backend: other/errors", errors, null, "default-backend: invalid"),
                new Row(
                        N + "custom-http-errors: '503', " + N + "default-backend: missing",
                        errors,
                        new CustomErrors(Set.of(503), null),
                        "Service default/missing not found or without ports; ignored"));
    }

    @Test
    void defaultBackend_isTheServicesFirstPort_withItsEndpointsResolved() {
        Translation t = Translator.translate(
                Yaml.kube(
                        OUR_CLASS,
                        ingress("a", "a.example.com", "alpaca", 8080)
                                .replace(
                                        "namespace: default}",
                                        "namespace: default, annotations: {" + N + "custom-http-errors: '503', " + N
                                                + "default-backend: errors}}"),
                        service("alpaca", null, 8080, 8080),
                        service("errors", "web", 80, 8081)
                                .replace(
                                        "  - {name: web, port: 80, targetPort: 8081}",
                                        "  - {name: web, port: 80, targetPort: 8081}\n  - {name: admin, port: 90}"),
                        slice("errors-1", "errors", "web", 8081, "{addresses: [10.0.0.9]}")),
                WatcherSettings.defaults());

        BackendRef errors = new BackendRef("default", "errors", PortRef.number(80));
        assertThat(t.ruleSets().get(0).options().customErrors()).isEqualTo(new CustomErrors(Set.of(503), errors));
        assertThat(t.endpoints().get(errors))
                .extracting(Endpoint::address, Endpoint::port)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("10.0.0.9", 8081));
        assertThat(t.problems()).isEmpty();
    }

    @Test
    void defaultBackendAlone_keepsNoCodes() {
        Translation t = Translator.translate(
                Yaml.kube(
                        OUR_CLASS,
                        ingress("a", "a.example.com", "alpaca", 8080)
                                .replace(
                                        "namespace: default}",
                                        "namespace: default, annotations: {" + N + "default-backend: errors}}"),
                        service("errors", null, 8080, 8080)),
                WatcherSettings.defaults());

        assertThat(t.ruleSets().get(0).options().customErrors())
                .isEqualTo(new CustomErrors(Set.of(), new BackendRef("default", "errors", PortRef.number(8080))));
    }

    @Test
    void bothKeysAreHonoured() {
        assertThat(Annotations.classify(N + "custom-http-errors", "503").status())
                .isEqualTo(Status.HONOURED);
        assertThat(Annotations.classify(N + "custom-http-errors", "404,503").status())
                .isEqualTo(Status.HONOURED);
        assertThat(Annotations.classify(N + "default-backend", "errors").status())
                .isEqualTo(Status.HONOURED);
        assertThat(Annotations.classify(N + "custom-http-errors", "404,600").status())
                .isEqualTo(Status.INVALID);
        assertThat(List.of("custom-http-errors", "default-backend")).allMatch(NginxHonoured::covers);
    }
}
