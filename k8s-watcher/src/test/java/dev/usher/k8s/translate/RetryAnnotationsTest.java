package dev.usher.k8s.translate;

import static dev.usher.k8s.translate.Yaml.OUR_CLASS;
import static dev.usher.k8s.translate.Yaml.ingress;
import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.routing.RetryOn;
import dev.usher.routing.RetryPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** ingress-nginx's proxy-next-upstream annotations through the whole translator: options, problems, audit. */
class RetryAnnotationsTest {

    private static final String N = "nginx.ingress.kubernetes.io/";

    private static Translation translate(String annotations) {
        String annotated = ingress("a", "a.example.com", "alpaca", 8080)
                .replace("namespace: default}", "namespace: default, annotations: {" + annotations + "}}");
        return Translator.translate(Yaml.kube(OUR_CLASS, annotated), WatcherSettings.defaults());
    }

    private static RetryPolicy retry(Translation t) {
        return t.ruleSets().get(0).options().retry();
    }

    private static List<String> problems(Translation t) {
        return t.problems().stream()
                .map(Problem::message)
                .filter(m -> m.contains("next-upstream"))
                .toList();
    }

    @Test
    void absent_inheritsTheDataPlaneFlags() {
        Translation t = translate("usher.dev/request-buffering: 'on'");

        assertThat(retry(t)).isEqualTo(RetryPolicy.INHERIT);
    }

    @Test
    void allThree_areTaken_withNginxSpelling() {
        Translation t = translate(N + "proxy-next-upstream: 'error timeout http_502 non_idempotent', " + N
                + "proxy-next-upstream-tries: '5', " + N + "proxy-next-upstream-timeout: '10'");

        assertThat(retry(t))
                .isEqualTo(new RetryPolicy(
                        Set.of(RetryOn.ERROR, RetryOn.TIMEOUT, RetryOn.HTTP_502, RetryOn.NON_IDEMPOTENT),
                        5,
                        Duration.ofSeconds(10)));
        assertThat(problems(t)).isEmpty();
        assertThat(Annotations.audit(Map.of(
                        N + "proxy-next-upstream",
                        "error http_503",
                        N + "proxy-next-upstream-tries",
                        "0",
                        N + "proxy-next-upstream-timeout",
                        "500ms")))
                .allMatch(v -> v.status() == Annotations.Status.HONOURED);
    }

    @Test
    void off_isTheEmptySet_andOnlyTheGivenPartsAreSet() {
        Translation t = translate(N + "proxy-next-upstream: 'off'");

        assertThat(retry(t)).isEqualTo(new RetryPolicy(Set.of(), null, null));
        assertThat(problems(t)).isEmpty();
    }

    @Test
    void unknownCondition_isAProblem_andThatPartInherits_whileTheValidPartsStay() {
        Translation t = translate(N + "proxy-next-upstream: 'error http_999', " + N + "proxy-next-upstream-tries: '2'");

        assertThat(retry(t)).isEqualTo(new RetryPolicy(null, 2, null));
        assertThat(problems(t))
                .singleElement()
                .asString()
                .startsWith("annotation " + N + "proxy-next-upstream: invalid: 'error http_999' names an unknown "
                        + "condition 'http_999'")
                .endsWith("the data plane's default applies");
        assertThat(t.ruleSets()).hasSize(1); // the Ingress still serves
    }

    @Test
    void offWithOtherConditions_badTries_andBadTimeout_areProblems() {
        Translation t = translate(N + "proxy-next-upstream: 'off error', " + N + "proxy-next-upstream-tries: '-1', " + N
                + "proxy-next-upstream-timeout: 'soon'");

        assertThat(retry(t)).isEqualTo(new RetryPolicy(null, null, null));
        assertThat(problems(t))
                .hasSize(3)
                .anyMatch(m -> m.contains("'off error' combines 'off' with other conditions"))
                .anyMatch(m -> m.contains("tries: invalid: '-1' is not a number of tries from 0 to 100"))
                .anyMatch(m -> m.contains("timeout: invalid: 'soon' is not a time"));
    }

    @Test
    void timeUnits_andLimits() {
        assertThat(retry(translate(N + "proxy-next-upstream-timeout: 500ms")).timeout())
                .isEqualTo(Duration.ofMillis(500));
        assertThat(retry(translate(N + "proxy-next-upstream-timeout: 2m")).timeout())
                .isEqualTo(Duration.ofMinutes(2));
        assertThat(problems(translate(N + "proxy-next-upstream-timeout: 25h")))
                .singleElement()
                .asString()
                .contains("longer than 24h");
        assertThat(problems(translate(N + "proxy-next-upstream-tries: '101'"))).hasSize(1);
    }

    @Test
    void audit_marksInvalidValuesInvalid() {
        assertThat(Annotations.classify(N + "proxy-next-upstream", "error sometimes")
                        .status())
                .isEqualTo(Annotations.Status.INVALID);
        assertThat(Annotations.classify(N + "proxy-next-upstream-tries", "3").status())
                .isEqualTo(Annotations.Status.HONOURED);
    }
}
