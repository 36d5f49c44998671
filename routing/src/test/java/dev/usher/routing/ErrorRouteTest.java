package dev.usher.routing;

import static dev.usher.routing.Fixtures.host;
import static dev.usher.routing.Fixtures.prefix;
import static dev.usher.routing.Fixtures.svc;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * ingress-nginx's {@code default-backend} and {@code custom-http-errors}: each route of the Ingress gets an error route,
 * the same route to the error backend (the annotation's, else the flag's default backend when codes are listed), and
 * that backend is referenced by the snapshot so that its endpoints are kept.
 */
final class ErrorRouteTest {

    private static IngressRuleSet ingress(@Nullable CustomErrors errors) {
        return new IngressRuleSet(
                "default",
                "app",
                Fixtures.T0,
                List.of(host("foo.com", prefix("/app", "app-svc"))),
                svc("fallback-svc"),
                RouteOptions.builder().rewriteTarget("/v2").customErrors(errors).build());
    }

    private static RoutingSnapshot snapshot(IngressRuleSet ruleSet, @Nullable BackendRef flagDefault) {
        return RoutingSnapshot.builder()
                .add(ruleSet)
                .defaultBackend(flagDefault)
                .build(new RoutingTable()::backend);
    }

    @Test
    void defaultBackendAnnotation_givesEveryRouteOfTheIngressAnErrorRoute_withTheSamePathAndRewrite() {
        RoutingSnapshot snapshot = snapshot(ingress(new CustomErrors(Set.of(), svc("errors"))), svc("flag"));

        for (Route route : List.of(snapshot.route("foo.com", "/app/x"), snapshot.route("foo.com", "/other"))) {
            Route errors = route.errorRoute();
            assertThat(errors).as(route.toString()).isNotNull();
            assertThat(errors.backend().ref()).isEqualTo(svc("errors"));
            assertThat(errors.ingressRef()).isEqualTo(route.ingressRef());
            assertThat(errors.upstreamUri("/app/x?q=1")).isEqualTo(route.upstreamUri("/app/x?q=1"));
        }
        assertThat(snapshot.refersTo(svc("errors"))).isTrue();
    }

    @Test
    void codesWithoutTheAnnotation_takeTheFlagsDefaultBackend_andNothingWithoutOne() {
        CustomErrors codes = new CustomErrors(Set.of(503), null);

        Route flagged = snapshot(ingress(codes), svc("flag")).route("foo.com", "/app");
        assertThat(flagged.errorRoute().backend().ref()).isEqualTo(svc("flag"));
        assertThat(snapshot(ingress(codes), null).route("foo.com", "/app").errorRoute())
                .isNull();
        assertThat(snapshot(ingress(null), svc("flag")).route("foo.com", "/app").errorRoute())
                .isNull();
    }
}
