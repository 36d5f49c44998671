package dev.usher.k8s.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.usher.k8s.translate.Annotations.Status;
import dev.usher.k8s.translate.Annotations.Verdict;
import dev.usher.k8s.translate.NginxOptionsTranslationTest.Row;
import dev.usher.routing.ResponseRewrites;
import dev.usher.routing.ResponseRewrites.Rule;
import dev.usher.routing.RouteOptions;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code proxy-redirect-from}/{@code -to}, {@code proxy-cookie-domain} and {@code proxy-cookie-path}, one row per value
 * form: valid, {@code off}/{@code default}, one of a pair alone, and invalid values (reported and ignored).
 */
final class NginxResponseRewritesTranslationTest extends NginxRowsTest {

    private static final String FROM = N + "proxy-redirect-from: ";
    private static final String TO = ", " + N + "proxy-redirect-to: ";
    private static final String DOMAIN = N + "proxy-cookie-domain: ";
    private static final String PATH = N + "proxy-cookie-path: ";

    static Stream<Row> rows() {
        Function<RouteOptions, Object> r = RouteOptions::responseRewrites;
        return Stream.of(
                // proxy_redirect from to: both needed, from not off/default, to not off
                new Row(
                        FROM + "'http://backend:8080/'" + TO + "'https://app.example.com/'",
                        r,
                        redirect("http://backend:8080/", "https://app.example.com/"),
                        null),
                new Row(FROM + "hello.com" + TO + "goodbye.com", r, redirect("hello.com", "goodbye.com"), null),
                new Row(FROM + "'/old/'" + TO + "'/'", r, redirect("/old/", "/"), null),
                new Row(FROM + "'http://a/?x=1&y=2'" + TO + "'/'", r, redirect("http://a/?x=1&y=2", "/"), null),
                new Row(FROM + "'off'" + TO + "goodbye.com", r, null, null),
                new Row(FROM + "'default'" + TO + "goodbye.com", r, null, null),
                new Row(FROM + "hello.com" + TO + "'off'", r, null, null),
                new Row(FROM + "hello.com", r, null, null), // to defaults to off: no rewrite, as ingress-nginx
                new Row(N + "proxy-redirect-to: goodbye.com", r, null, null), // from defaults to off
                new Row(FROM + "'http://a/ b'" + TO + "'/'", r, null, "proxy-redirect-from: invalid"),
                new Row(FROM + "'http://a/\"'" + TO + "'/'", r, null, "proxy-redirect-from: invalid"),
                new Row(FROM + "'$scheme://a/'" + TO + "'/'", r, null, "proxy-redirect-from: invalid"),
                new Row(FROM + "'~^/a'" + TO + "'/'", r, null, "proxy-redirect-from: invalid"),
                new Row(FROM + "'~/a'" + TO + "'/'", r, null, "proxy-redirect-from: invalid"),
                new Row(FROM + "'/a'" + TO + "\"/b\\r\\nSet-Cookie: x=1\"", r, null, "proxy-redirect-to: invalid"),
                new Row(FROM + "'/a'" + TO + "\"/b\\x00c\"", r, null, "proxy-redirect-to: invalid"),
                new Row(FROM + "'/a'" + TO + "'/%0d%0a'", r, null, "proxy-redirect-to: invalid"),
                new Row(FROM + "'/a'" + TO + "'" + "/x".repeat(600) + "'", r, null, "proxy-redirect-to: invalid"),
                // proxy_cookie_domain from to (a leading dot kept off both, as nginx stores them)
                new Row(DOMAIN + "'localhost example.org'", r, domain("localhost", "example.org"), null),
                new Row(DOMAIN + "'.old.domain .new.domain'", r, domain("old.domain", "new.domain"), null),
                new Row(DOMAIN + "'example.org   .example.com'", r, domain("example.org", "example.com"), null),
                new Row(DOMAIN + "\"example.org\\texample.com\"", r, domain("example.org", "example.com"), null),
                new Row(DOMAIN + "'off'", r, null, null),
                new Row(DOMAIN + "'example.org'", r, null, "proxy-cookie-domain: invalid"),
                new Row(DOMAIN + "'a.org b.org c.org'", r, null, "proxy-cookie-domain: invalid"),
                new Row(DOMAIN + "'example.org; .example.com'", r, null, "proxy-cookie-domain: invalid"),
                new Row(DOMAIN + "'a.org b.org?x=1'", r, null, "proxy-cookie-domain: invalid"),
                new Row(DOMAIN + "'~a.org b.org'", r, null, "proxy-cookie-domain: invalid"),
                new Row(DOMAIN + "'. b.org'", r, null, "proxy-cookie-domain: invalid"),
                new Row(DOMAIN + "\"a.org b.org\\r\\nX: y\"", r, null, "proxy-cookie-domain: invalid"),
                // proxy_cookie_path from to (prefix)
                new Row(PATH + "'/one/ /'", r, path("/one/", "/"), null),
                new Row(PATH + "'/ /app/'", r, path("/", "/app/"), null),
                new Row(PATH + "'off'", r, null, null),
                new Row(PATH + "'/one/'", r, null, "proxy-cookie-path: invalid"),
                new Row(PATH + "'/a /b /c'", r, null, "proxy-cookie-path: invalid"),
                new Row(PATH + "\"/a\\t/b\"", r, null, "proxy-cookie-path: invalid"),
                new Row(PATH + "'/a /b;Domain=evil'", r, null, "proxy-cookie-path: invalid"),
                new Row(PATH + "'~/a /b'", r, null, "proxy-cookie-path: invalid"),
                // all three at once
                new Row(
                        FROM + "'http://b/'" + TO + "'/'" + ", " + DOMAIN + "'b a.org'" + ", " + PATH + "'/x/ /'",
                        r,
                        new ResponseRewrites(new Rule("http://b/", "/"), new Rule("b", "a.org"), new Rule("/x/", "/")),
                        null));
    }

    private static ResponseRewrites redirect(String from, String to) {
        return new ResponseRewrites(new Rule(from, to), null, null);
    }

    private static ResponseRewrites domain(String from, String to) {
        return new ResponseRewrites(null, new Rule(from, to), null);
    }

    private static ResponseRewrites path(String from, String to) {
        return new ResponseRewrites(null, null, new Rule(from, to));
    }

    @Test
    void everyKeyIsHonoured_noneIsUnsupportedAnyMore() {
        for (String key :
                List.of("proxy-redirect-from", "proxy-redirect-to", "proxy-cookie-domain", "proxy-cookie-path")) {
            assertThat(NginxHonoured.covers(key)).as(key).isTrue();
            assertThat(Annotations.classify(N + key, "off").status()).as(key).isEqualTo(Status.HONOURED);
        }
    }

    @Test
    void aRedirectKeyWithoutTheOther_isHonouredAndSaysItHasNoEffect() {
        assertThat(reason(Map.of(N + "proxy-redirect-from", "hello.com"), "proxy-redirect-from"))
                .contains("no effect without a valid proxy-redirect-to");
        assertThat(reason(Map.of(N + "proxy-redirect-to", "goodbye.com"), "proxy-redirect-to"))
                .contains("no effect without a valid proxy-redirect-from");
        assertThat(reason(
                        Map.of(N + "proxy-redirect-from", "default", N + "proxy-redirect-to", "goodbye.com"),
                        "proxy-redirect-to"))
                .contains("no effect");
        assertThat(reason(
                        Map.of(N + "proxy-redirect-from", "hello.com", N + "proxy-redirect-to", "goodbye.com"),
                        "proxy-redirect-from"))
                .contains("beginning with proxy-redirect-from");
        assertThat(reason(Map.of(N + "proxy-cookie-path", "off"), "proxy-cookie-path"))
                .contains("as the origin sent it");
    }

    private static String reason(Map<String, String> annotations, String name) {
        Verdict verdict = Annotations.audit(annotations).stream()
                .filter(v -> v.key().equals(N + name))
                .findFirst()
                .orElseThrow();
        assertThat(verdict.status()).isEqualTo(Status.HONOURED);
        return verdict.reason();
    }
}
