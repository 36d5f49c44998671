package dev.usher.k8s.translate;

import dev.usher.k8s.translate.NginxOptionsTranslationTest.Row;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A translator table test: each {@link Row} of the subclass's {@code static Stream<Row> rows()} is checked as
 * {@link NginxOptionsTranslationTest} checks its own (the annotations on one Ingress, the route option they become,
 * the problem reported).
 */
abstract class NginxRowsTest {

    /** ingress-nginx's annotation prefix. */
    static final String N = "nginx.ingress.kubernetes.io/";

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void annotation_becomesTheRouteOption_andBadValuesAreReported(Row row) {
        new NginxOptionsTranslationTest().annotation_becomesTheRouteOption_andBadValuesAreReported(row);
    }
}
