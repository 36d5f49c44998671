package dev.usher.k8s.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.k8s.translate.Annotations.Status;
import dev.usher.k8s.translate.NginxOptionsTranslationTest.Row;
import dev.usher.routing.AddressBlock;
import dev.usher.routing.RateLimit;
import dev.usher.routing.ResponseRate;
import dev.usher.routing.RouteOptions;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ingress-nginx's rate-limit annotations, one row per annotation and value form: the {@link RateLimit} they become
 * (burst multiplier 5 by default, {@code limit-allowlist} over {@code limit-whitelist}) and the problem reported for a
 * bad value, which is then ignored (a bad multiplier keeps 5, a bad exempt list exempts nobody); each row is checked
 * as {@link NginxOptionsTranslationTest} checks its own.
 */
final class NginxRateLimitTranslationTest extends NginxRowsTest {

    private static final List<AddressBlock> NONE = List.of();

    static Stream<Row> rows() {
        Function<RouteOptions, Object> limit = RouteOptions::rateLimit;
        List<AddressBlock> office = List.of(AddressBlock.parse("10.0.0.0/8"), AddressBlock.parse("192.0.2.7"));
        return Stream.of(
                new Row(N + "limit-rps: '10'", limit, new RateLimit(10, 0, 0, 5, NONE), null),
                new Row(N + "limit-rpm: '300'", limit, new RateLimit(0, 300, 0, 5, NONE), null),
                new Row(N + "limit-connections: '8'", limit, new RateLimit(0, 0, 8, 5, NONE), null),
                new Row(
                        N + "limit-rps: '5', " + N + "limit-rpm: '100', " + N + "limit-connections: '2', " + N
                                + "limit-burst-multiplier: '3'",
                        limit,
                        new RateLimit(5, 100, 2, 3, NONE),
                        null),
                new Row(
                        N + "limit-rps: '5', " + N + "limit-burst-multiplier: '0'",
                        limit,
                        new RateLimit(5, 0, 0, 0, NONE),
                        null),
                new Row(N + "limit-rps: '0'", limit, null, null),
                new Row(N + "limit-burst-multiplier: '3'", limit, null, null),
                new Row(N + "limit-whitelist: '10.0.0.0/8'", limit, null, null),
                new Row(N + "limit-rps: 10r/s", limit, null, "limit-rps: invalid"),
                new Row(N + "limit-rps: '-1'", limit, null, "limit-rps: invalid"),
                new Row(N + "limit-rpm: '99999999999'", limit, null, "limit-rpm: invalid"),
                new Row(N + "limit-connections: many", limit, null, "limit-connections: invalid"),
                new Row(
                        N + "limit-rps: x, " + N + "limit-rpm: '60'",
                        limit,
                        new RateLimit(0, 60, 0, 5, NONE),
                        "limit-rps: invalid"),
                new Row(
                        N + "limit-rps: '5', " + N + "limit-burst-multiplier: two",
                        limit,
                        new RateLimit(5, 0, 0, 5, NONE),
                        "limit-burst-multiplier: invalid"),
                new Row(
                        N + "limit-rps: '5', " + N + "limit-whitelist: '10.0.0.0/8, 192.0.2.7'",
                        limit,
                        new RateLimit(5, 0, 0, 5, office),
                        null),
                new Row(
                        N + "limit-rps: '5', " + N + "limit-allowlist: '10.0.0.0/8,192.0.2.7', " + N
                                + "limit-whitelist: '172.16.0.0/12'",
                        limit,
                        new RateLimit(5, 0, 0, 5, office),
                        null),
                new Row(
                        N + "limit-rps: '5', " + N + "limit-whitelist: '10.0.0.0/33'",
                        limit,
                        new RateLimit(5, 0, 0, 5, NONE),
                        "limit-whitelist: invalid"),
                new Row(
                        N + "limit-connections: '1', " + N + "limit-whitelist: 'office.example.com'",
                        limit,
                        new RateLimit(0, 0, 1, 5, NONE),
                        "the limits apply to every client"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rateRows")
    void limitRate_becomesTheResponseRate_andBadValuesAreReported(Row row) {
        new NginxOptionsTranslationTest().annotation_becomesTheRouteOption_andBadValuesAreReported(row);
    }

    /** limit-rate and limit-rate-after: KiB as ingress-nginx renders them ({@code limit_rate <n>k}), 0 is off. */
    static Stream<Row> rateRows() {
        Function<RouteOptions, Object> rate = RouteOptions::responseRate;
        return Stream.of(
                new Row(N + "limit-rate: '100'", rate, new ResponseRate(100 * 1024, 0), null),
                new Row(
                        N + "limit-rate: '8', " + N + "limit-rate-after: '512'",
                        rate,
                        new ResponseRate(8 * 1024, 512 * 1024),
                        null),
                new Row(
                        N + "limit-rate: ' 16 ', " + N + "limit-rate-after: '0'",
                        rate,
                        new ResponseRate(16 * 1024, 0),
                        null),
                new Row(N + "limit-rate: '999999999'", rate, new ResponseRate(999_999_999L * 1024, 0), null),
                new Row(N + "limit-rate: '0'", rate, null, null),
                new Row(N + "limit-rate: '0', " + N + "limit-rate-after: '100'", rate, null, null),
                new Row(N + "limit-rate-after: '100'", rate, null, null),
                new Row(N + "limit-rate: '-1'", rate, null, "limit-rate: invalid"),
                new Row(N + "limit-rate: 100k", rate, null, "limit-rate: invalid"),
                new Row(N + "limit-rate: 1m", rate, null, "limit-rate: invalid"),
                new Row(N + "limit-rate: fast", rate, null, "limit-rate: invalid"),
                new Row(N + "limit-rate: '1.5'", rate, null, "limit-rate: invalid"),
                new Row(N + "limit-rate: '9999999999'", rate, null, "limit-rate: invalid"),
                new Row(
                        N + "limit-rate: '8', " + N + "limit-rate-after: '-5'",
                        rate,
                        new ResponseRate(8 * 1024, 0),
                        "limit-rate-after: invalid"),
                new Row(
                        N + "limit-rate: '8', " + N + "limit-rate-after: 1m",
                        rate,
                        new ResponseRate(8 * 1024, 0),
                        "limit-rate-after: invalid"));
    }

    @Test
    void everyRateLimitKeyIsHonoured() {
        for (String key : List.of(
                "limit-rps",
                "limit-rpm",
                "limit-connections",
                "limit-burst-multiplier",
                "limit-whitelist",
                "limit-allowlist",
                "limit-rate",
                "limit-rate-after")) {
            assertThat(Annotations.classify(N + key, "1").status()).as(key).isIn(Status.HONOURED, Status.INVALID);
            assertThat(NginxHonoured.covers(key)).as(key).isTrue();
        }
        assertThat(Annotations.classify(N + "limit-rate", "100").status()).isEqualTo(Status.HONOURED);
        assertThat(Annotations.classify(N + "limit-rate-after", "100").status()).isEqualTo(Status.HONOURED);
        assertThat(Annotations.classify(N + "limit-rate", "100k").status()).isEqualTo(Status.INVALID);
    }
}
