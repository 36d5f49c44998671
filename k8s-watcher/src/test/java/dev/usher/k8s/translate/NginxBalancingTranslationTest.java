package dev.usher.k8s.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.k8s.translate.NginxOptionsTranslationTest.Row;
import dev.usher.routing.Balancing;
import dev.usher.routing.NginxTemplate;
import dev.usher.routing.RouteOptions;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code load-balance}, {@code upstream-hash-by}, {@code enable-access-log} and {@code from-to-www-redirect}, one row per value form, the invalid
 * ones included.
 */
final class NginxBalancingTranslationTest extends NginxRowsTest {

    static Stream<Row> rows() {
        Function<RouteOptions, Object> balancing = RouteOptions::balancing;
        Function<RouteOptions, Object> accessLog = RouteOptions::accessLog;
        Function<RouteOptions, Object> www = RouteOptions::fromToWwwRedirect;
        return Stream.of(
                new Row(
                        N + "load-balance: round_robin",
                        balancing,
                        new Balancing(Balancing.Kind.ROUND_ROBIN, null),
                        null),
                new Row(N + "load-balance: ewma", balancing, new Balancing(Balancing.Kind.LEAST_REQUEST, null), null),
                new Row(N + "load-balance: chash", balancing, null, "load-balance: invalid"),
                new Row(
                        N + "upstream-hash-by: $request_uri",
                        balancing,
                        new Balancing(null, NginxTemplate.parse("$request_uri")),
                        null),
                new Row(
                        N + "upstream-hash-by: '$remote_addr', " + N + "load-balance: ewma",
                        balancing,
                        new Balancing(Balancing.Kind.LEAST_REQUEST, NginxTemplate.parse("$remote_addr")),
                        null),
                new Row(
                        N + "upstream-hash-by: '$http_x_user'",
                        balancing,
                        new Balancing(null, NginxTemplate.parse("$http_x_user")),
                        null),
                new Row(N + "upstream-hash-by: '$no_such_variable'", balancing, null, "upstream-hash-by: invalid"),
                new Row(N + "upstream-hash-by: '${host'", balancing, null, "upstream-hash-by: invalid"),
                new Row(
                        N + "upstream-hash-by: $request_uri, " + N + "upstream-hash-by-subset: 'true'",
                        balancing,
                        new Balancing(null, NginxTemplate.parse("$request_uri"), 3),
                        null),
                new Row(
                        N + "upstream-hash-by: $request_uri, " + N + "upstream-hash-by-subset: 'TRUE', " + N
                                + "upstream-hash-by-subset-size: '5'",
                        balancing,
                        new Balancing(null, NginxTemplate.parse("$request_uri"), 5),
                        null),
                new Row(
                        N + "upstream-hash-by: $request_uri, " + N + "upstream-hash-by-subset: 'false', " + N
                                + "upstream-hash-by-subset-size: '5'",
                        balancing,
                        new Balancing(null, NginxTemplate.parse("$request_uri"), 0),
                        null),
                new Row(
                        N + "upstream-hash-by: $request_uri, " + N + "upstream-hash-by-subset: 'true', " + N
                                + "upstream-hash-by-subset-size: '0'",
                        balancing,
                        new Balancing(null, NginxTemplate.parse("$request_uri"), 3),
                        "upstream-hash-by-subset-size: invalid"),
                new Row(
                        N + "upstream-hash-by: $request_uri, " + N + "upstream-hash-by-subset: 'true', " + N
                                + "upstream-hash-by-subset-size: '-2'",
                        balancing,
                        new Balancing(null, NginxTemplate.parse("$request_uri"), 3),
                        "upstream-hash-by-subset-size: invalid"),
                new Row(
                        N + "upstream-hash-by: $request_uri, " + N + "upstream-hash-by-subset: 'yes'",
                        balancing,
                        new Balancing(null, NginxTemplate.parse("$request_uri"), 0),
                        "upstream-hash-by-subset: invalid"),
                new Row(N + "upstream-hash-by-subset: 'true'", balancing, null, null),
                new Row(N + "enable-access-log: 'false'", accessLog, false, null),
                new Row(N + "enable-access-log: 'true'", accessLog, true, null),
                new Row(N + "enable-access-log: 'off'", accessLog, true, "enable-access-log: invalid"),
                new Row(N + "from-to-www-redirect: 'true'", www, true, null),
                new Row(N + "from-to-www-redirect: 'yes'", www, false, "from-to-www-redirect: invalid"));
    }

    @Test
    void everyKeyIsHonoured() {
        for (String key : List.of(
                "load-balance",
                "upstream-hash-by",
                "upstream-hash-by-subset",
                "upstream-hash-by-subset-size",
                "enable-access-log",
                "from-to-www-redirect")) {
            assertThat(NginxHonoured.covers(key)).as(key).isTrue();
        }
    }
}
