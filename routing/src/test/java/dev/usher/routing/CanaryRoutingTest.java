package dev.usher.routing;

import static dev.usher.routing.Fixtures.exact;
import static dev.usher.routing.Fixtures.host;
import static dev.usher.routing.Fixtures.ingress;
import static dev.usher.routing.Fixtures.prefix;
import static dev.usher.routing.Fixtures.snapshot;
import static dev.usher.routing.Fixtures.svc;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** ingress-nginx canaries: attached to the main route they share, never routing on their own; the choice per request. */
final class CanaryRoutingTest {

    private static final CanaryRule BY_HEADER = new CanaryRule("X-Canary", null, null, null, 0, 100);
    /** A random source that must not be asked: weight 0 and weight = total decide without it. */
    private static int neverAsked(int bound) {
        throw new AssertionError("random source asked for a value below " + bound);
    }

    private static IngressRuleSet main() {
        return ingress("main")
                .age(1)
                .rule(host("foo.com", prefix("/app", "main-svc")))
                .build();
    }

    @Test
    void canary_samehostPathAndType_becomesTheMainRoutesCanary_withoutAConflict() {
        RoutingSnapshot snapshot = snapshot(
                main(),
                ingress("canary")
                        .age(2)
                        .canary(BY_HEADER)
                        .rule(host("foo.com", prefix("/app/", "canary-svc")))
                        .build());

        Route route = snapshot.route("foo.com", "/app/x");
        assertThat(route.ingress()).isEqualTo("main");
        assertThat(route.backend().ref()).isEqualTo(svc("main-svc"));
        Canary canary = route.canary();
        assertThat(canary).isNotNull();
        assertThat(canary.rule()).isEqualTo(BY_HEADER);
        assertThat(canary.route().backend().ref()).isEqualTo(svc("canary-svc"));
        assertThat(canary.route().ingress()).isEqualTo("canary");
        assertThat(canary.route().path()).isEqualTo("/app");
        assertThat(canary.route().options()).as("the main Ingress's options").isSameAs(route.options());
        assertThat(canary.route().canary()).isNull();
        assertThat(snapshot.conflicts()).isEmpty();
        assertThat(snapshot.refersTo(svc("canary-svc"))).isTrue();
        assertThat(route.toString()).contains("canary default/canary -> default/canary-svc:80");
    }

    @Test
    void canary_withoutMainRoute_createsNoHostAndIsListed() {
        RoutingSnapshot snapshot = snapshot(
                ingress("wild")
                        .age(1)
                        .rule(host("*.example.com", prefix("/", "wild-svc")))
                        .build(),
                ingress("canary")
                        .age(2)
                        .canary(BY_HEADER)
                        .rule(host("a.example.com", prefix("/", "canary-svc")))
                        .rule(host("foo.com", prefix("/info", "canary-svc")))
                        .build());

        assertThat(snapshot.route("a.example.com", "/x").ingress())
                .as("the canary's host does not shadow the wildcard")
                .isEqualTo("wild");
        assertThat(snapshot.route("a.example.com", "/x").canary()).isNull();
        assertThat(snapshot.route("foo.com", "/info").isNotFound()).isTrue();
        assertThat(snapshot.conflicts())
                .extracting(Conflict::host, Conflict::path, Conflict::loser)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("a.example.com", "/", "default/canary"),
                        org.assertj.core.groups.Tuple.tuple("foo.com", "/info", "default/canary"));
        assertThat(snapshot.conflicts()).allSatisfy(c -> assertThat(c.reason()).contains("canary without a main"));
        assertThat(snapshot.refersTo(svc("canary-svc"))).isFalse();
    }

    @Test
    void canary_ofAnotherPathType_doesNotAttach() {
        RoutingSnapshot snapshot = snapshot(
                main(),
                ingress("canary")
                        .age(2)
                        .canary(BY_HEADER)
                        .rule(host("foo.com", exact("/app", "canary-svc")))
                        .build());

        assertThat(snapshot.route("foo.com", "/app").canary()).isNull();
        assertThat(snapshot.route("foo.com", "/app").ingress()).isEqualTo("main");
        assertThat(snapshot.conflicts()).hasSize(1);
    }

    @ParameterizedTest(name = "added in reverse order: {0}")
    @ValueSource(booleans = {false, true})
    void twoCanaries_oneMainRoute_theOlderWins_theYoungerIsAConflict(boolean reversed) {
        List<IngressRuleSet> all = new ArrayList<>(List.of(
                main(),
                ingress("canary-a")
                        .age(3)
                        .canary(BY_HEADER)
                        .rule(host("foo.com", prefix("/app", "a-svc")))
                        .build(),
                ingress("canary-b")
                        .age(2)
                        .canary(BY_HEADER)
                        .rule(host("foo.com", prefix("/app", "b-svc")))
                        .build()));
        if (reversed) {
            Collections.reverse(all);
        }
        RoutingSnapshot snapshot = RoutingSnapshot.builder().addAll(all).build(new RoutingTable()::backend);

        assertThat(snapshot.route("foo.com", "/app").canary().route().ingress()).isEqualTo("canary-b");
        assertThat(snapshot.conflicts()).singleElement().satisfies(c -> {
            assertThat(c.winner()).isEqualTo("default/canary-b");
            assertThat(c.loser()).isEqualTo("default/canary-a");
            assertThat(c.reason()).contains("two canaries");
        });
        assertThat(snapshot.explain("foo.com", "/app").losers())
                .singleElement()
                .satisfies(l -> assertThat(l.route().backend().ref()).isEqualTo(svc("a-svc")));
    }

    @Test
    void canaryDefaultBackend_joinsTheCatchAll() {
        RoutingSnapshot snapshot = snapshot(
                ingress("main").age(1).defaultBackend("main-svc").build(),
                ingress("canary")
                        .age(2)
                        .canary(BY_HEADER)
                        .defaultBackend("canary-svc")
                        .build());

        Route route = snapshot.route("any.host", "/x");
        assertThat(route.source()).isEqualTo(RouteSource.CATCH_ALL_DEFAULT);
        assertThat(route.ingress()).isEqualTo("main");
        assertThat(route.canary().route().backend().ref()).isEqualTo(svc("canary-svc"));
        assertThat(snapshot.conflicts()).isEmpty();
    }

    @Test
    void canaryOnARegexHost_takesTheMainRoutesRegexAndRewrite_andNeverTurnsRegexModeOn() {
        RoutingSnapshot snapshot = snapshot(
                ingress("main")
                        .age(1)
                        .nginx(true, "/$2")
                        .rule(host("foo.com", prefix("/api(/|$)(.*)", "main-svc")))
                        .build(),
                ingress("canary")
                        .age(2)
                        .canary(BY_HEADER)
                        .rule(host("foo.com", prefix("/api(/|$)(.*)", "c-svc")))
                        .build(),
                ingress("plain")
                        .age(1)
                        .rule(host("bar.com", prefix("/", "bar-svc")))
                        .build(),
                ingress("bar-canary")
                        .age(2)
                        .nginx(true, null)
                        .canary(BY_HEADER)
                        .rule(host("bar.com", prefix("/", "bar-canary-svc")))
                        .build());

        Route canary = snapshot.route("foo.com", "/api/users").canary().route();
        assertThat(canary.regex())
                .isEqualTo(snapshot.route("foo.com", "/api/users").regex())
                .isNotNull();
        assertThat(canary.upstreamUri("/api/users?q=1")).isEqualTo("/users?q=1");
        assertThat(snapshot.route("bar.com", "/x").regex())
                .as("a canary's use-regex is not its own")
                .isNull();
        assertThat(snapshot.route("bar.com", "/x").canary()).isNotNull();
    }

    /** One row per rule of ingress-nginx's balancer: header, then cookie, then weight. */
    @ParameterizedTest(name = "{0} | header={1} cookie={2} -> {3}")
    @CsvSource(
            nullValues = "null",
            value = {
                // rule,           header value,   cookie value, canary?
                "always-never,     always,         never,        true",
                "always-never,     never,          always,       false",
                "always-never,     yes,            always,       true",
                "always-never,     yes,            never,        false",
                "always-never,     null,           always,       true",
                "always-never,     ALWAYS,         null,         false",
                "always-never,     null,           null,         false",
                "value,            DoCanary,       never,        true",
                "value,            always,         null,         false",
                "value,            never,          always,       true",
                "value,            docanary,       null,         false",
                "pattern,          DoCanary,       never,        true",
                "pattern,          xDoTuesdayx,    never,        false",
                "pattern,          Docanary,       always,       true",
                "pattern,          Docanary,       null,         false",
                "broken-pattern,   DoCanary,       always,       false",
                "broken-pattern,   null,           always,       true",
            })
    void chooses_byIngressNginxPrecedence(String kind, String header, String cookie, boolean canary) {
        CanaryRule rule =
                switch (kind) {
                    case "always-never" -> new CanaryRule("X-Canary", null, null, "canary", 0, 100);
                    case "value" -> new CanaryRule("X-Canary", "DoCanary", "^Do[A-Z][a-z]+y$", "canary", 0, 100);
                    case "pattern" -> new CanaryRule("X-Canary", null, "^Do[A-Z][a-z]+y$|Can", "canary", 0, 100);
                    case "broken-pattern" -> new CanaryRule("X-Canary", null, "[][**da?$&*", "canary", 100, 100);
                    default -> throw new IllegalArgumentException(kind);
                };
        assertThat(canaryOf(rule).chooses(header, cookie, CanaryRoutingTest::neverAsked))
                .isEqualTo(canary);
    }

    @Test
    void weight_zeroAndTotal_decideWithoutTheRandomSource() {
        assertThat(canaryOf(CanaryRule.weighted(0, 100)).chooses(null, null, CanaryRoutingTest::neverAsked))
                .isFalse();
        assertThat(canaryOf(CanaryRule.weighted(100, 100)).chooses(null, null, CanaryRoutingTest::neverAsked))
                .isTrue();
        assertThat(canaryOf(CanaryRule.weighted(1000, 1000)).chooses(null, null, CanaryRoutingTest::neverAsked))
                .isTrue();
        assertThat(canaryOf(CanaryRule.weighted(250, 200)).chooses(null, null, CanaryRoutingTest::neverAsked))
                .isTrue();
    }

    @ParameterizedTest(name = "weight {0} of {1}")
    @CsvSource({"1, 100", "30, 100", "50, 100", "99, 100", "100, 200", "7, 1000"})
    void weight_takesExactlyWeightOfEveryTotalDraws(int weight, int total) {
        Canary canary = canaryOf(CanaryRule.weighted(weight, total));
        int[] next = {0};
        List<Integer> bounds = new ArrayList<>();
        IntUnaryOperator everyValueOnce = bound -> {
            bounds.add(bound);
            return next[0]++;
        };
        int chosen = 0;
        for (int i = 0; i < total; i++) {
            chosen += canary.chooses(null, null, everyValueOnce) ? 1 : 0;
        }
        assertThat(chosen).isEqualTo(weight);
        assertThat(bounds).hasSize(total).containsOnly(total);
    }

    @Test
    void patternProblem_namesWhatRe2Refuses() {
        assertThat(Canary.patternProblem("^Do[A-Z]")).isNull();
        assertThat(Canary.patternProblem("(a)\\1")).isNotNull();
        assertThat(Canary.patternProblem("[][**da?$&*")).isNotNull();
    }

    private static Canary canaryOf(CanaryRule rule) {
        RoutingSnapshot snapshot = snapshot(
                main(),
                ingress("canary")
                        .age(2)
                        .canary(rule)
                        .rule(host("foo.com", prefix("/app", "canary-svc")))
                        .build());
        return snapshot.route("foo.com", "/app").canary();
    }
}
